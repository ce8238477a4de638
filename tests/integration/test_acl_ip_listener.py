"""ip ACLs on a server listening on all addresses ("::"): its dual-stack socket shows an
IPv4 client as ::ffff:127.0.0.1, where Java (so ZooKeeper) shows 127.0.0.1. Every test
passes against Debian's ZooKeeper 3.8.0 too (PADDOCK_TARGET=zookeeper)."""
import struct

import pytest

import raw_zk as rz

ERR_NO_AUTH, ERR_INVALID_ACL = -102, -114
OP_SET_ACL = 7
PERM_READ, PERM_ALL = 1, 31


def acl_body(*entries):
    """vector<ACL> of (perms, scheme, id)."""
    body = struct.pack(">i", len(entries))
    for perms, scheme, ident in entries:
        body += struct.pack(">i", perms) + rz.pack_string(scheme) + rz.pack_string(ident)
    return body


class Session:
    def __init__(self, srv):
        self.conn = rz.Conn(srv.host, srv.port)
        assert self.conn.handshake(timeout_ms=30000) is not None, "handshake refused"
        self.xid = 0

    def call(self, opcode, body=b""):
        self.xid += 1
        reply = self.conn.call(self.xid, opcode, body)
        assert reply is not None, f"connection closed answering opcode {opcode}"
        return reply[2]

    def create(self, path, acl=rz.OPEN_ACL):
        return self.call(rz.OP_CREATE, rz.create_body(path, b"v", acl=acl))

    def set_acl(self, path, acl):
        return self.call(OP_SET_ACL, rz.pack_string(path) + acl + struct.pack(">i", -1))

    def get_data(self, path):
        return self.call(rz.OP_GET_DATA, rz.path_watch_body(path, False))


@pytest.fixture
def session(server_with):
    # "::" (as no clientPortAddress at all): a dual-stack socket. One on 0.0.0.0 is IPv4
    # only and sees 127.0.0.1 as is.
    s = Session(server_with({"clientPortAddress": "::"}))
    yield s
    s.conn.close()


def test_who_am_i_shows_an_ipv4_client_as_ipv4(session):
    assert rz.who_am_i(session.conn, 1 << 20) == (0, [("ip", "127.0.0.1")])


def test_ip_acls_match_an_ipv4_client(session):
    allowed = {"/ip-exact": "127.0.0.1", "/ip-32": "127.0.0.1/32", "/ip-8": "127.0.0.0/8",
               "/ip-24": "127.0.0.0/24", "/ip-0": "0.0.0.0/0"}
    denied = {"/ip-far": "10.0.0.0/8", "/ip-other": "127.0.0.2", "/ip-other-24": "127.0.1.0/24"}
    for path, ident in {**allowed, **denied}.items():
        assert session.create(path, acl=acl_body((PERM_READ, "ip", ident))) == 0
    for path, ident in allowed.items():
        assert session.get_data(path) == 0, f"ip:{ident} refused 127.0.0.1"
    for path, ident in denied.items():
        assert session.get_data(path) == ERR_NO_AUTH, f"ip:{ident} let 127.0.0.1 read"


def test_malformed_ip_ids_are_invalid(session):
    # A guard for the new parser: these were InvalidACL before it too.
    assert session.create("/ip-set") == 0
    for ident in ("127.0.0.1/33", "127.0.0.1/-1", "127.0.0.1/x", "127.0.0.1/", "1.2.3",
                  "256.1.1.1", "not-an-address"):
        acl = acl_body((PERM_ALL, "ip", ident))
        assert session.set_acl("/ip-set", acl) == ERR_INVALID_ACL, ident
        assert session.create("/ip-bad", acl=acl) == ERR_INVALID_ACL, ident
