"""Every create mode with every kind of ACL, and a chrooted connect string. The expected
values hold for Paddock and for ZooKeeper 3.8.0 alike (PADDOCK_TARGET=zookeeper); container
nodes go through the raw client, which kazoo 2.8 cannot create. TTL modes belong to the TTL
tests (they need extendedTypesEnabled)."""
import re
import struct
import types

import pytest
from kazoo.exceptions import InvalidACLError, NoAuthError, NoNodeError
from kazoo.security import (CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, make_acl,
                            make_digest_acl)

import harness
import raw_zk
from harness import digest_id

ACLS = {
    "open": OPEN_ACL_UNSAFE,
    "read-only": READ_ACL_UNSAFE,
    "creator-all": CREATOR_ALL_ACL,
    "digest": [make_digest_acl("maker", "pw", all=True)],
    "ip": [make_acl("ip", "127.0.0.1", all=True)],
}
# What getACL then shows the creator (authenticated as maker:pw), as (perms, scheme, id).
SHOWN = {
    "open": [(31, "world", "anyone")],
    "read-only": [(1, "world", "anyone")],
    "creator-all": [(31, "digest", digest_id("maker", "pw"))],
    "digest": [(31, "digest", digest_id("maker", "pw"))],
    "ip": [(31, "ip", "127.0.0.1")],
}
# Whether a session with no auth (only its ip id) may read the node.
STRANGER_READS = {"open": True, "read-only": True, "creator-all": False, "digest": False,
                  "ip": True}
MODES = {"persistent": dict(), "ephemeral": dict(ephemeral=True),
         "persistent_sequential": dict(sequence=True),
         "ephemeral_sequential": dict(ephemeral=True, sequence=True)}


@pytest.fixture
def maker(client):
    zk = client()
    zk.add_auth("digest", "maker:pw")
    return zk


@pytest.mark.parametrize("acl_name", list(ACLS))
@pytest.mark.parametrize("mode", list(MODES))
def test_create_mode_with_acl(maker, client, zk, mode, acl_name):
    parent = f"/cm-{mode}-{acl_name}"
    zk.create(parent, b"")
    path = maker.create(parent + "/n", b"data", acl=ACLS[acl_name], **MODES[mode])
    if "sequential" in mode:
        assert re.fullmatch(re.escape(parent) + r"/n\d{10}", path)
    else:
        assert path == parent + "/n"
    acls, st = maker.get_acls(path)
    assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == SHOWN[acl_name]
    assert (st.version, st.aversion, st.cversion, st.dataLength, st.numChildren) == \
        (0, 0, 0, 4, 0)
    assert st.czxid == st.mzxid == st.pzxid
    ephemeral = "ephemeral" in mode
    assert (st.ephemeralOwner == maker.client_id[0]) if ephemeral else st.ephemeralOwner == 0
    if STRANGER_READS[acl_name]:
        assert zk.get(path)[0] == b"data"
    else:
        with pytest.raises(NoAuthError):
            zk.get(path)
    # delete needs DELETE on the parent (open here), whatever the node's own ACL.
    zk.delete(path)


@pytest.mark.parametrize("mode", list(MODES))
def test_creator_all_without_auth_is_invalid(zk, mode):
    with pytest.raises(InvalidACLError):
        zk.create("/cm-noauth", b"", acl=CREATOR_ALL_ACL, **MODES[mode])
    assert zk.exists("/cm-noauth") is None


def acl_bytes(entries):
    out = struct.pack(">i", len(entries))
    for perms, scheme, ident in entries:
        out += struct.pack(">i", perms) + raw_zk.pack_string(scheme) + raw_zk.pack_string(ident)
    return out


@pytest.mark.parametrize("acl_name", ["open", "read-only", "digest", "ip"])
def test_container_with_acl(server, zk, acl_name):
    conn = raw_zk.Conn(server.host, server.port)
    try:
        assert conn.handshake() is not None
        assert raw_zk.add_auth(conn, "digest", "maker:pw") == 0
        path = f"/cm-container-{acl_name}"
        # createContainer (19): flags 4 (CONTAINER); the reply is Create2Response.
        _, _, err, rest = conn.call(1, 19, raw_zk.create_body(path, b"c", 4,
                                                              acl_bytes(SHOWN[acl_name])))
        assert err == 0
        created, off = raw_zk.unpack_buffer(rest)
        assert created.decode() == path
        st = struct.unpack(raw_zk.STAT_FORMAT, rest[off:off + raw_zk.STAT_SIZE])
        assert st[7] == 0  # a container has no ephemeral owner
    finally:
        conn.close()
    if STRANGER_READS[acl_name]:
        assert zk.get(path)[0] == b"c"
    else:
        with pytest.raises(NoAuthError):
            zk.get(path)


def test_chroot_paths_watches_and_acls(server, client, zk):
    zk.create("/app", b"")
    # conftest's client() takes anything with .hosts: here the chrooted connect string.
    rooted = client(types.SimpleNamespace(hosts=server.hosts + "/app"))
    rooted.add_auth("digest", "maker:pw")
    events = []
    rooted.get_children("/", watch=events.append)
    assert rooted.create("/a", b"x", acl=CREATOR_ALL_ACL) == "/a"
    seq = rooted.create("/s-", b"", sequence=True, ephemeral=True)
    assert re.fullmatch(r"/s-\d{10}", seq)
    assert sorted(zk.get_children("/app")) == sorted(["a", seq[1:]])
    with pytest.raises(NoAuthError):
        zk.get("/app/a")
    assert rooted.get("/a")[0] == b"x"
    acls, _ = rooted.get_acls("/a")
    assert [(a.id.scheme, a.id.id) for a in acls] == [("digest", digest_id("maker", "pw"))]
    t = rooted.transaction()
    t.create("/b")
    t.check("/a", 0)
    assert t.commit() == ["/b", True]
    assert zk.exists("/app/b") is not None
    with pytest.raises(NoNodeError):
        rooted.get("/app/a")
    # The watch event names the path relative to the chroot.
    harness.wait_for(lambda: events, timeout=10, what="the child watch event")
    assert (events[0].type, events[0].path) == ("CHILD", "/")
    rooted.stop()
