"""Watch events are ACL-filtered (CVE-2024-23944, ZOOKEEPER-4799): a watcher gets an event
only when its connection may READ the node the event is about (the node's ACL; for
NodeDeleted the one it had; for NodeChildrenChanged the parent's). Persistent-recursive
watches are where it mattered (a protected child's name reached anyone watching an
ancestor), but ZooKeeper checks one-shot watches the same way.

Raw wire client: kazoo 2.8 has no addWatch. Every test passes against Debian's ZooKeeper
3.8.0 (PADDOCK_TARGET=zookeeper), which carries the CVE fix."""
import struct

import pytest

import harness
import raw_zk as rz
from ensemble import Ensemble

SYNC_CONNECTED = 3
ERR_NO_NODE = -101
OP_SET_ACL = 7
PERM_ALL = 31


def acl_body(*entries):
    """vector<ACL> of (perms, scheme, id)."""
    body = struct.pack(">i", len(entries))
    for perms, scheme, ident in entries:
        body += struct.pack(">i", perms) + rz.pack_string(scheme) + rz.pack_string(ident)
    return body


ALICE = ("alice", "pw")
ALICE_ONLY = acl_body((PERM_ALL, "digest", harness.digest_id(*ALICE)))


class Session:
    """One raw session; each call returns (err, body, events that came before the reply)."""

    def __init__(self, srv, auth=None):
        self.conn = rz.Conn(srv.host, srv.port)
        assert self.conn.handshake(timeout_ms=30000) is not None, "handshake refused"
        self.xid = 0
        if auth:
            self.add_auth(auth)

    def add_auth(self, user_pw):
        assert rz.add_auth(self.conn, "digest", ":".join(user_pw)) == 0

    def call(self, opcode, body=b""):
        self.xid += 1
        reply, events = rz.call_with_events(self.conn, self.xid, opcode, body)
        assert reply is not None, f"connection closed answering opcode {opcode}"
        rxid, _zxid, err, rest = reply
        assert rxid == self.xid
        return err, rest, events

    def ok(self, opcode, body=b""):
        err, rest, events = self.call(opcode, body)
        assert err == 0, f"opcode {opcode} answered {err}"
        return rest, events

    def create(self, path, data=b"", acl=rz.OPEN_ACL):
        return self.ok(rz.OP_CREATE, rz.create_body(path, data, acl=acl))

    def set(self, path, data):
        return self.ok(rz.OP_SET_DATA, rz.set_data_body(path, data))

    def delete(self, path):
        return self.ok(rz.OP_DELETE, rz.pack_string(path) + struct.pack(">i", -1))

    def set_acl(self, path, acl):
        return self.call(OP_SET_ACL, rz.pack_string(path) + acl + struct.pack(">i", -1))

    def settle(self):
        """Everything committed before now has been delivered once this returns: sync
        passes every earlier write, and a write's events go out before later replies."""
        _, events = self.ok(rz.OP_SYNC, rz.pack_string("/"))
        _, more = self.ok(rz.OP_EXISTS, rz.path_watch_body("/", False))
        return [(e[0], e[2]) for e in events + more if e[1] == SYNC_CONNECTED]

    def close(self):
        try:
            self.conn.send(rz.request(1 << 30, rz.OP_CLOSE))
            self.conn.read_frame()
        except OSError:
            pass
        self.conn.close()


@pytest.fixture
def sessions(server):
    opened = []

    def open_session(auth=None):
        s = Session(server, auth)
        opened.append(s)
        return s

    yield open_session
    for s in opened:
        s.close()


def secret_then_open_changes(writer, base):
    """Creates, changes and deletes a digest-only child and then a world-readable one."""
    writer.create(f"{base}/secret", b"s1", acl=ALICE_ONLY)
    writer.set(f"{base}/secret", b"s2")
    writer.delete(f"{base}/secret")
    writer.create(f"{base}/open", b"o1")
    writer.set(f"{base}/open", b"o2")
    writer.delete(f"{base}/open")


OPEN_EVENTS = [(rz.EVENT_CREATED, "open"), (rz.EVENT_CHANGED, "open"), (rz.EVENT_DELETED, "open")]
SECRET_EVENTS = [(rz.EVENT_CREATED, "secret"), (rz.EVENT_CHANGED, "secret"),
                 (rz.EVENT_DELETED, "secret")]


def named(events, base):
    """(type, child name) of each event under `base`."""
    return [(t, p[len(base) + 1:]) for t, p in events if p.startswith(base + "/")]


def test_recursive_watch_hides_a_child_the_watcher_may_not_read(sessions):
    writer = sessions(auth=ALICE)
    writer.create("/rw")
    anonymous = sessions()
    alice = sessions(auth=ALICE)
    for s in (anonymous, alice):
        s.ok(rz.OP_ADD_WATCH, rz.add_watch_body("/rw", rz.ADD_WATCH_PERSISTENT_RECURSIVE))
    secret_then_open_changes(writer, "/rw")
    # The anonymous watcher sees the world-readable sibling (so events do flow), not the
    # secret one; a watcher with the digest id sees both.
    assert named(anonymous.settle(), "/rw") == OPEN_EVENTS
    assert named(alice.settle(), "/rw") == SECRET_EVENTS + OPEN_EVENTS


def test_persistent_watch_on_the_protected_path_itself(sessions):
    writer = sessions(auth=ALICE)
    writer.create("/pw")
    anonymous = sessions()
    # addWatch needs no permission and no node.
    for child in ("secret", "open"):
        anonymous.ok(rz.OP_ADD_WATCH, rz.add_watch_body(f"/pw/{child}", rz.ADD_WATCH_PERSISTENT))
    secret_then_open_changes(writer, "/pw")
    assert named(anonymous.settle(), "/pw") == OPEN_EVENTS


def test_add_auth_after_the_watch_lets_its_events_through(sessions):
    writer = sessions(auth=ALICE)
    writer.create("/aa")
    watcher = sessions()
    watcher.ok(rz.OP_ADD_WATCH, rz.add_watch_body("/aa", rz.ADD_WATCH_PERSISTENT_RECURSIVE))
    writer.create("/aa/secret", b"1", acl=ALICE_ONLY)
    assert named(watcher.settle(), "/aa") == []
    watcher.add_auth(ALICE)
    writer.set("/aa/secret", b"2")
    assert named(watcher.settle(), "/aa") == [(rz.EVENT_CHANGED, "secret")]


def test_one_shot_watches_are_filtered_too(sessions):
    writer = sessions(auth=ALICE)
    writer.create("/os")
    watcher = sessions()
    # exists needs no permission: a one-shot watch on a node that is not there yet.
    for child in ("secret", "open"):
        err, _, _ = watcher.call(rz.OP_EXISTS, rz.path_watch_body(f"/os/{child}", True))
        assert err == ERR_NO_NODE
    writer.create("/os/secret", b"", acl=ALICE_ONLY)
    writer.create("/os/open")
    assert named(watcher.settle(), "/os") == [(rz.EVENT_CREATED, "open")]
    # The filtered watch was used up, as ZooKeeper removes it before the check: nothing
    # comes for the secret node's deletion even to a watcher that may now read it.
    watcher.add_auth(ALICE)
    writer.delete("/os/secret")
    writer.delete("/os/open")
    assert named(watcher.settle(), "/os") == []


def test_children_changed_is_checked_against_the_parent(sessions):
    writer = sessions(auth=ALICE)
    writer.create("/cc")
    writer.create("/cc/locked")
    writer.create("/cc/free")
    watcher = sessions()
    for parent in ("/cc/locked", "/cc/free"):
        watcher.ok(rz.OP_GET_CHILDREN, rz.path_watch_body(parent, True))
    # The child watch was set while the parent was readable; then it stops being so.
    err, _, _ = writer.set_acl("/cc/locked", ALICE_ONLY)
    assert err == 0
    writer.create("/cc/locked/kid")  # open itself: the parent's ACL is what counts
    writer.create("/cc/free/kid")
    assert watcher.settle() == [(rz.EVENT_CHILD, "/cc/free")]


class _Addr:
    def __init__(self, member):
        self.host, self.port = member.host, member.client_port


def test_a_follower_filters_its_watchers_events_too():
    # Each server decides from its own tree: the watcher on a follower, the writer on the
    # leader.
    with Ensemble(3) as ens:
        ens.start()
        follower = ens.server(ens.followers()[0])
        leader = ens.server(ens.leader())
        for m in (follower, leader):
            harness.wait_for(lambda m=m: rz.accepts_sessions(m.host, m.client_port), timeout=60, what=f"{m.hosts}")
        writer = Session(_Addr(leader), ALICE)
        watcher = Session(_Addr(follower))
        try:
            writer.create("/fw")
            watcher.ok(rz.OP_ADD_WATCH,
                       rz.add_watch_body("/fw", rz.ADD_WATCH_PERSISTENT_RECURSIVE))
            secret_then_open_changes(writer, "/fw")
            assert named(watcher.settle(), "/fw") == OPEN_EVENTS
        finally:
            writer.close()
            watcher.close()
