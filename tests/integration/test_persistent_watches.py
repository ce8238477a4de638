"""Persistent and persistent-recursive watches (addWatch 106), checkWatches (17),
removeWatches (18) and their re-registration by setWatches2 (105), through the raw wire
client (kazoo 2.8 cannot send these). Each test runs against a standalone server and
against a 3-server ensemble with the watching session on a follower and the writer on the
leader; PADDOCK_TARGET=zookeeper runs the same against Apache ZooKeeper 3.8, whose 3.8
rules (one mode per watcher and path, checkWatches looking at any watcher) are asserted."""
import struct
import time

import pytest

import harness
import raw_zk as rz
from ensemble import Ensemble

E_CREATED, E_DELETED, E_CHANGED, E_CHILD = (rz.EVENT_CREATED, rz.EVENT_DELETED,
                                            rz.EVENT_CHANGED, rz.EVENT_CHILD)
SYNC_CONNECTED = 3


class Session:
    """One raw session; every call returns (err, body, events seen before the reply)."""

    def __init__(self, host, port, session_id=0, passwd=b"\0" * 16, last_zxid=0):
        self.host, self.port = host, port
        self.conn = rz.Conn(host, port)
        got = self.conn.handshake(timeout_ms=30000, session_id=session_id, passwd=passwd,
                                  last_zxid=last_zxid)
        assert got is not None, "handshake refused"
        _timeout, self.session_id, self.passwd = got
        assert self.session_id != 0
        self.xid = 0
        self.last_zxid = last_zxid

    def call(self, opcode, body=b"", xid=None):
        if xid is None:
            self.xid += 1
            xid = self.xid
        reply, events = rz.call_with_events(self.conn, xid, opcode, body)
        assert reply is not None, f"connection closed answering opcode {opcode}"
        rxid, zxid, err, rest = reply
        assert rxid == xid
        if zxid > 0:
            self.last_zxid = max(self.last_zxid, zxid)
        return err, rest, events

    def ok(self, opcode, body=b""):
        err, rest, events = self.call(opcode, body)
        assert err == 0, f"opcode {opcode} answered {err}"
        return rest, events

    def create(self, path, data=b""):
        return self.ok(rz.OP_CREATE, rz.create_body(path, data))

    def set(self, path, data):
        return self.ok(rz.OP_SET_DATA, rz.set_data_body(path, data))

    def delete(self, path):
        return self.ok(rz.OP_DELETE, rz.pack_string(path) + struct.pack(">i", -1))

    def add_watch(self, path, mode):
        return self.ok(rz.OP_ADD_WATCH, rz.add_watch_body(path, mode))

    def settle(self):
        """The events of everything the cluster committed before now: sync brings this
        server up to date, and every event is delivered before a later reply."""
        _, events = self.ok(rz.OP_SYNC, rz.pack_string("/"))
        _, more = self.ok(rz.OP_EXISTS, rz.path_watch_body("/", False))
        return [e for e in events + more if e[1] == SYNC_CONNECTED]

    def close_socket(self):
        self.conn.close()

    def close(self):
        try:
            self.conn.send(rz.request(1 << 30, rz.OP_CLOSE))
            self.conn.read_frame()
        except OSError:
            pass
        self.conn.close()


class Standalone:
    name = "standalone"

    def __init__(self, srv):
        self.srv = srv

    def watcher_addr(self):
        return self.srv.host, self.srv.port

    def writer_addr(self):
        return self.srv.host, self.srv.port


class OnFollower:
    name = "ensemble-follower"

    def __init__(self, ens):
        self.ens = ens

    def watcher_addr(self):
        m = self.ens.server(self.ens.followers()[0])
        return m.host, m.client_port

    def writer_addr(self):
        m = self.ens.server(self.ens.leader())
        return m.host, m.client_port


@pytest.fixture(scope="module")
def ensemble3():
    with Ensemble(3) as ens:
        ens.start()
        # Paddock was seen to report its mode a moment before it takes sessions (1 run in 4).
        for m in ens.members:
            harness.wait_for(lambda: rz.accepts_sessions(m.host, m.client_port), timeout=60, what=f"sessions on {m.hosts}")
        yield ens


@pytest.fixture(params=["standalone", "ensemble"])
def where(request, server):
    if request.param == "standalone":
        return Standalone(server)
    return OnFollower(request.getfixturevalue("ensemble3"))


@pytest.fixture
def sessions(where):
    opened = []

    def open_watcher(**kwargs):
        s = Session(*where.watcher_addr(), **kwargs)
        opened.append(s)
        return s

    def open_writer():
        s = Session(*where.writer_addr())
        opened.append(s)
        return s

    yield open_watcher, open_writer
    for s in opened:
        s.close()


_counter = [0]


def unique(prefix):
    _counter[0] += 1
    return f"/{prefix}-{int(time.time() * 1000) % 10**8}-{_counter[0]}"


def test_add_watch_reply_is_error_response_zero(sessions):
    watcher, _ = sessions
    w = watcher()
    err, body, _ = w.call(rz.OP_ADD_WATCH, rz.add_watch_body("/nowhere/at/all", 0))
    assert (err, body) == (0, b"\0\0\0\0")
    err, body, _ = w.call(rz.OP_ADD_WATCH, rz.add_watch_body("/x", 2))
    assert (err, body) == (rz.ERR_MARSHALLING, b"")
    # The connection lives on.
    assert w.call(rz.OP_EXISTS, rz.path_watch_body("/", False))[0] == 0


def test_persistent_watch_fires_repeatedly_and_for_children(sessions):
    watcher, writer = sessions
    w, x = watcher(), writer()
    p = unique("pw")
    w.add_watch(p, rz.ADD_WATCH_PERSISTENT)  # before the node exists
    x.create(p)
    x.set(p, b"1")
    x.set(p, b"2")
    x.create(p + "/c")
    x.set(p + "/c", b"not watched")
    x.delete(p + "/c")
    x.delete(p)
    assert w.settle() == [(E_CREATED, SYNC_CONNECTED, p), (E_CHANGED, SYNC_CONNECTED, p),
                          (E_CHANGED, SYNC_CONNECTED, p), (E_CHILD, SYNC_CONNECTED, p),
                          (E_CHILD, SYNC_CONNECTED, p), (E_DELETED, SYNC_CONNECTED, p)]
    x.create(p)  # still there after the node's deletion
    assert w.settle() == [(E_CREATED, SYNC_CONNECTED, p)]


def test_recursive_watch_sees_descendants_but_no_child_events(sessions):
    watcher, writer = sessions
    w, x = watcher(), writer()
    p = unique("rw")
    x.create(p)
    w.settle()  # on a follower, the create must be here before the watch
    w.add_watch(p, rz.ADD_WATCH_PERSISTENT_RECURSIVE)
    x.create(p + "/a")
    x.create(p + "/a/b")
    x.set(p + "/a/b", b"v")
    x.set(p, b"top")
    x.create(p + "x")  # a sibling sharing the prefix: not a descendant
    x.delete(p + "/a/b")
    assert w.settle() == [(E_CREATED, SYNC_CONNECTED, p + "/a"),
                          (E_CREATED, SYNC_CONNECTED, p + "/a/b"),
                          (E_CHANGED, SYNC_CONNECTED, p + "/a/b"),
                          (E_CHANGED, SYNC_CONNECTED, p),
                          (E_DELETED, SYNC_CONNECTED, p + "/a/b")]


def test_event_comes_before_the_read_that_shows_the_change(sessions):
    watcher, writer = sessions
    w, x = watcher(), writer()
    p = unique("ord")
    x.create(p)
    w.settle()
    w.add_watch(p, rz.ADD_WATCH_PERSISTENT_RECURSIVE)
    x.create(p + "/n", b"data")
    # The event may come before the sync's reply already; it must come before the read's.
    _, events = w.ok(rz.OP_SYNC, rz.pack_string("/"))
    rest, more = w.ok(rz.OP_GET_DATA, rz.path_watch_body(p + "/n", False))
    assert rz.parse_get_data(rest)[0] == b"data"
    assert events + more == [(E_CREATED, SYNC_CONNECTED, p + "/n")]


def test_one_shot_and_persistent_on_one_path_keep_one_mode(sessions):
    """3.8 keeps one mode per (watcher, path): a later one-shot registration turns the data
    side of a persistent watch into a one-shot; addWatch after a one-shot makes it
    persistent. Each change gives one event, never two."""
    watcher, writer = sessions
    w, x = watcher(), writer()
    p = unique("mix")
    x.create(p)
    w.settle()
    w.add_watch(p, rz.ADD_WATCH_PERSISTENT)
    w.ok(rz.OP_GET_DATA, rz.path_watch_body(p, True))
    x.set(p, b"1")
    x.set(p, b"2")
    x.create(p + "/c")
    assert w.settle() == [(E_CHANGED, SYNC_CONNECTED, p), (E_CHILD, SYNC_CONNECTED, p)]

    q = unique("mix2")
    x.create(q)
    w.settle()
    w.ok(rz.OP_GET_DATA, rz.path_watch_body(q, True))
    w.add_watch(q, rz.ADD_WATCH_PERSISTENT)
    x.set(q, b"1")
    x.set(q, b"2")
    assert w.settle() == [(E_CHANGED, SYNC_CONNECTED, q), (E_CHANGED, SYNC_CONNECTED, q)]


def test_one_shot_below_a_recursive_watch_gives_one_event(sessions):
    watcher, writer = sessions
    w, x = watcher(), writer()
    p = unique("mixr")
    x.create(p)
    x.create(p + "/k")
    w.settle()
    w.add_watch(p, rz.ADD_WATCH_PERSISTENT_RECURSIVE)
    w.ok(rz.OP_GET_DATA, rz.path_watch_body(p + "/k", True))
    x.set(p + "/k", b"1")
    x.set(p + "/k", b"2")
    assert w.settle() == [(E_CHANGED, SYNC_CONNECTED, p + "/k"),
                          (E_CHANGED, SYNC_CONNECTED, p + "/k")]


def test_check_and_remove_watches(sessions):
    watcher, writer = sessions
    w, x = watcher(), writer()
    p = unique("rm")
    x.create(p)
    w.settle()
    assert w.call(rz.OP_CHECK_WATCHES, rz.watches_body(p, rz.WATCHER_ANY))[0] == \
        rz.ERR_NO_WATCHER
    assert w.call(rz.OP_REMOVE_WATCHES, rz.watches_body(p, rz.WATCHER_ANY))[0] == \
        rz.ERR_NO_WATCHER
    w.add_watch(p, rz.ADD_WATCH_PERSISTENT)
    for t in (rz.WATCHER_DATA, rz.WATCHER_CHILDREN, rz.WATCHER_ANY):
        err, body, _ = w.call(rz.OP_CHECK_WATCHES, rz.watches_body(p, t))
        assert (err, body) == (0, b"")
    # Removing the data side leaves the child side of the persistent watch.
    err, body, events = w.call(rz.OP_REMOVE_WATCHES, rz.watches_body(p, rz.WATCHER_DATA))
    assert (err, body, events) == (0, b"", [])
    assert w.call(rz.OP_CHECK_WATCHES, rz.watches_body(p, rz.WATCHER_DATA))[0] == \
        rz.ERR_NO_WATCHER
    assert w.call(rz.OP_REMOVE_WATCHES, rz.watches_body(p, rz.WATCHER_DATA))[0] == \
        rz.ERR_NO_WATCHER
    x.set(p, b"1")
    x.create(p + "/c")
    assert w.settle() == [(E_CHILD, SYNC_CONNECTED, p)]
    assert w.call(rz.OP_REMOVE_WATCHES, rz.watches_body(p, rz.WATCHER_ANY))[0] == 0
    assert w.call(rz.OP_REMOVE_WATCHES, rz.watches_body(p, rz.WATCHER_ANY))[0] == \
        rz.ERR_NO_WATCHER
    x.create(p + "/d")
    x.delete(p + "/d")
    assert w.settle() == []  # and the server sent no *WatchRemoved event either
    # An unknown WatcherType: 3.8 throws and answers MarshallingError.
    assert w.call(rz.OP_REMOVE_WATCHES, rz.watches_body(p, 9))[0] == rz.ERR_MARSHALLING


def test_remove_one_shot_watches_by_type(sessions):
    watcher, writer = sessions
    w, x = watcher(), writer()
    p = unique("rm1")
    x.create(p)
    w.settle()
    w.ok(rz.OP_GET_DATA, rz.path_watch_body(p, True))
    w.ok(rz.OP_GET_CHILDREN, rz.path_watch_body(p, True))
    assert w.call(rz.OP_REMOVE_WATCHES, rz.watches_body(p, rz.WATCHER_CHILDREN))[0] == 0
    assert w.call(rz.OP_REMOVE_WATCHES, rz.watches_body(p, rz.WATCHER_CHILDREN))[0] == \
        rz.ERR_NO_WATCHER
    x.create(p + "/c")
    x.set(p, b"1")
    assert w.settle() == [(E_CHANGED, SYNC_CONNECTED, p)]


def test_check_watches_answers_for_another_sessions_watch(sessions):
    """3.8's WatchManager.containsWatcher says yes when anyone watches the exact path;
    removeWatches still removes only the caller's own watch."""
    watcher, _ = sessions
    a, b = watcher(), watcher()
    p = unique("chk")
    a.add_watch(p, rz.ADD_WATCH_PERSISTENT)
    assert b.call(rz.OP_CHECK_WATCHES, rz.watches_body(p, rz.WATCHER_DATA))[0] == 0
    assert b.call(rz.OP_REMOVE_WATCHES, rz.watches_body(p, rz.WATCHER_DATA))[0] == \
        rz.ERR_NO_WATCHER
    # A recursive watch on an ancestor is not a watch on the path.
    a.add_watch(p + "r", rz.ADD_WATCH_PERSISTENT_RECURSIVE)
    assert a.call(rz.OP_CHECK_WATCHES, rz.watches_body(p + "r/below", rz.WATCHER_ANY))[0] == \
        rz.ERR_NO_WATCHER


def test_set_watches2_reregisters_without_replaying(sessions):
    """After a reconnect, setWatches2's persistent watches are registered again; what
    changed while the client was away is not reported for them (DataTree.setWatches only
    re-adds them), while a one-shot data watch in the same request fires at once."""
    watcher, writer = sessions
    w, x = watcher(), writer()
    p, r, d = unique("sw"), unique("swr"), unique("swd")
    for path in (p, r, d):
        x.create(path)
    w.settle()
    w.add_watch(p, rz.ADD_WATCH_PERSISTENT)
    w.add_watch(r, rz.ADD_WATCH_PERSISTENT_RECURSIVE)
    w.ok(rz.OP_GET_DATA, rz.path_watch_body(d, True))
    w.settle()
    seen = w.last_zxid
    sid, passwd = w.session_id, w.passwd
    w.close_socket()

    x.set(p, b"while away")
    x.create(r + "/new")
    x.set(d, b"while away")
    x.settle()

    w2 = watcher(session_id=sid, passwd=passwd, last_zxid=seen)
    assert w2.session_id == sid
    w2.settle()  # this server has the changes made while away
    err, body, events = w2.call(rz.OP_SET_WATCHES2,
                                rz.set_watches2_body(seen, data=[d], persistent=[p],
                                                     persistent_recursive=[r]),
                                xid=rz.SET_WATCHES_XID)
    assert (err, body) == (0, b"")
    # The one-shot watch's event may come just before or just after the reply.
    events += w2.settle()
    assert events == [(E_CHANGED, SYNC_CONNECTED, d)]
    x.set(p, b"after")
    x.create(r + "/new/deeper")
    x.set(d, b"after")  # the one-shot watch fired already
    assert w2.settle() == [(E_CHANGED, SYNC_CONNECTED, p),
                           (E_CREATED, SYNC_CONNECTED, r + "/new/deeper")]


def test_closing_the_session_drops_its_persistent_watches(sessions, where):
    watcher, writer = sessions
    w, x = watcher(), writer()
    p = unique("gone")
    w.add_watch(p, rz.ADD_WATCH_PERSISTENT_RECURSIVE)
    w.close()
    other = watcher()
    assert other.call(rz.OP_CHECK_WATCHES, rz.watches_body(p, rz.WATCHER_ANY))[0] == \
        rz.ERR_NO_WATCHER


def test_four_letter_counts_as_zookeeper(fresh_server):
    """mntr counts both of DataTree's indexes (a persistent watch is in both); wchs, wchc
    and wchp show the data index only, so a child watch is counted by mntr alone."""
    w = Session(fresh_server.host, fresh_server.port)
    try:
        def mntr_watches():
            for line in fresh_server.four_letter("mntr").splitlines():
                key, _, value = line.partition("\t")
                if key == "zk_watch_count":
                    return int(value)
            raise AssertionError("no zk_watch_count")
        before = mntr_watches()
        w.create("/fl-c")
        w.add_watch("/fl-p", rz.ADD_WATCH_PERSISTENT)
        w.add_watch("/fl-r", rz.ADD_WATCH_PERSISTENT_RECURSIVE)
        w.ok(rz.OP_GET_CHILDREN, rz.path_watch_body("/fl-c", True))
        assert mntr_watches() == before + 5
        assert fresh_server.four_letter("wchs").endswith(
            "1 connections watching 2 paths\nTotal watches:2\n")
        sid = "0x%x" % w.session_id
        wchc = fresh_server.four_letter("wchc")
        assert wchc.startswith(sid + "\n")
        assert sorted(wchc.split("\n")[1:3]) == ["\t/fl-p", "\t/fl-r"]
        assert "/fl-c" not in wchc
        wchp = fresh_server.four_letter("wchp")
        assert f"/fl-p\n\t{sid}\n" in wchp and f"/fl-r\n\t{sid}\n" in wchp
        assert "/fl-c" not in wchp
    finally:
        w.close()


def test_recursive_watch_with_its_data_side_removed_still_sees_deletes(sessions):
    """addWatch puts a recursive watch in both of 3.8's indexes; removeWatches(Data) takes
    it out of the data index only, and the child index, which sees NodeDeleted (for the
    deleted node) and NodeChildrenChanged (which recursive watches skip), still reports the
    deletion of any descendant."""
    watcher, writer = sessions
    w, x = watcher(), writer()
    p = unique("half")
    x.create(p)
    w.settle()
    w.add_watch(p, rz.ADD_WATCH_PERSISTENT_RECURSIVE)
    assert w.call(rz.OP_REMOVE_WATCHES, rz.watches_body(p, rz.WATCHER_DATA))[0] == 0
    x.create(p + "/a")
    x.create(p + "/a/b")
    x.set(p + "/a/b", b"v")
    x.delete(p + "/a/b")
    assert w.settle() == [(E_DELETED, SYNC_CONNECTED, p + "/a/b")]
