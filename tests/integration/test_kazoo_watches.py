"""Data, exists and child watches: one-shot, delivered only to the session that set them,
with the exact event type and path, and ZooKeeper's ordering guarantee (a client sees the
event before any read that reflects the change)."""
import threading
import time

from kazoo.protocol.states import Callback, EventType

import raw_zk
from harness import wait_for


class Recorder:
    def __init__(self):
        self.events = []
        self.cond = threading.Condition()

    def __call__(self, event):
        with self.cond:
            self.events.append((event.type, event.path))
            self.cond.notify_all()

    def wait(self, count, timeout=10.0):
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.events) >= count, timeout), self.events
            return list(self.events)


def settle(*clients):
    """Makes sure every event already triggered has been handled: a sync round trip on each
    client (events for a session precede later replies), then a marker through kazoo's
    single FIFO callback thread. An empty recorder afterwards means no event was sent."""
    for c in clients:
        c.sync("/")
    for c in clients:
        ran = threading.Event()
        c.handler.dispatch_callback(Callback("watch", ran.set, ()))
        assert ran.wait(10), "kazoo's callback thread is stuck"


def test_data_watch_is_one_shot(zk, client):
    other = client()
    zk.create("/w1", b"a")
    rec = Recorder()
    zk.get("/w1", watch=rec)
    other.set("/w1", b"b")
    assert rec.wait(1) == [(EventType.CHANGED, "/w1")]
    other.set("/w1", b"c")  # not re-registered: no second event
    settle(other, zk)
    assert rec.events == [(EventType.CHANGED, "/w1")]
    zk.get("/w1", watch=rec)  # re-registered: fires again
    other.set("/w1", b"d")
    assert rec.wait(2) == [(EventType.CHANGED, "/w1")] * 2


def test_exists_watch_on_missing_node_fires_created(zk, client):
    other = client()
    rec = Recorder()
    assert zk.exists("/w2", watch=rec) is None
    other.create("/w2")
    assert rec.wait(1) == [(EventType.CREATED, "/w2")]
    other.set("/w2", b"x")
    settle(other, zk)
    assert rec.events == [(EventType.CREATED, "/w2")]


def test_exists_watch_on_existing_node(zk, client):
    other = client()
    zk.create("/w2e")
    changed, deleted = Recorder(), Recorder()
    zk.exists("/w2e", watch=changed)
    other.set("/w2e", b"1")
    assert changed.wait(1) == [(EventType.CHANGED, "/w2e")]
    zk.exists("/w2e", watch=deleted)
    other.delete("/w2e")
    assert deleted.wait(1) == [(EventType.DELETED, "/w2e")]


def test_child_watch_fires_on_create_and_delete_of_a_child_only(zk, client):
    other = client()
    zk.create("/w3")
    zk.create("/w3/old")
    rec = Recorder()
    zk.get_children("/w3", watch=rec)
    other.set("/w3", b"parent data")  # not a child change
    other.set("/w3/old", b"child data")  # not a child change either
    settle(other, zk)
    assert rec.events == []
    other.create("/w3/kid")
    assert rec.wait(1) == [(EventType.CHILD, "/w3")]
    other.create("/w3/kid2")  # one-shot
    settle(other, zk)
    assert rec.events == [(EventType.CHILD, "/w3")]
    zk.get_children("/w3", watch=rec)
    other.delete("/w3/kid")
    assert rec.wait(2) == [(EventType.CHILD, "/w3")] * 2


def test_data_watch_ignores_children(zk, client):
    other = client()
    zk.create("/w3d")
    rec = Recorder()
    zk.get("/w3d", watch=rec)
    other.create("/w3d/kid")
    other.delete("/w3d/kid")
    settle(other, zk)
    assert rec.events == []


def test_delete_fires_data_and_child_watchers(zk, client):
    other = client()
    zk.create("/w4")
    data_rec, child_rec, parent_rec = Recorder(), Recorder(), Recorder()
    zk.get("/w4", watch=data_rec)
    zk.get_children("/w4", watch=child_rec)
    zk.get_children("/", watch=parent_rec)
    other.delete("/w4")
    assert data_rec.wait(1) == [(EventType.DELETED, "/w4")]
    assert child_rec.wait(1) == [(EventType.DELETED, "/w4")]
    assert parent_rec.wait(1) == [(EventType.CHILD, "/")]


def test_create_fires_exists_and_parent_child_watchers(zk, client):
    other = client()
    zk.create("/w6")
    exists_rec, parent_rec = Recorder(), Recorder()
    zk.exists("/w6/new", watch=exists_rec)
    zk.get_children("/w6", watch=parent_rec)
    other.create("/w6/new")
    assert exists_rec.wait(1) == [(EventType.CREATED, "/w6/new")]
    assert parent_rec.wait(1) == [(EventType.CHILD, "/w6")]


def test_watch_goes_only_to_the_session_that_set_it(zk, client):
    bystander = client()
    writer = client()
    zk.create("/w5")
    rec, quiet, quiet_child = Recorder(), Recorder(), Recorder()
    zk.get("/w5", watch=rec)
    bystander.get("/w5")  # no watch
    bystander.exists("/other-path", watch=quiet)
    bystander.get_children("/w5", watch=quiet_child)
    writer.set("/w5", b"x")
    assert rec.wait(1) == [(EventType.CHANGED, "/w5")]
    settle(writer, bystander)
    assert quiet.events == [] and quiet_child.events == []


def test_the_writer_gets_its_own_watch_event(zk):
    zk.create("/w7")
    rec = Recorder()
    zk.get("/w7", watch=rec)
    zk.set("/w7", b"mine")
    assert rec.wait(1) == [(EventType.CHANGED, "/w7")]


def test_events_arrive_in_change_order(zk, client):
    writer = client()
    paths = [f"/w8-{i}" for i in range(10)]
    for p in paths:
        zk.create(p)
    order = []
    done = threading.Event()

    def record(event):
        order.append(event.path)
        if len(order) == len(paths):
            done.set()

    for p in paths:
        zk.get(p, watch=record)
    for p in reversed(paths):
        writer.set(p, b"x")
    assert done.wait(10), order
    assert order == list(reversed(paths))


def test_many_watchers_each_get_one_event(zk, client):
    clients = [client() for _ in range(5)]
    zk.create("/fan")
    recs = []
    for c in clients:
        r = Recorder()
        c.get("/fan", watch=r)
        c.exists("/fan", watch=r)  # same watcher twice on one path: kazoo keeps a set
        recs.append(r)
    zk.set("/fan", b"1")
    for r in recs:
        assert r.wait(1) == [(EventType.CHANGED, "/fan")]
    settle(zk, *clients)
    assert all(len(r.events) == 1 for r in recs)


def test_event_is_seen_before_a_read_of_the_change_kazoo(zk, client):
    """kazoo's connection thread handles frames in socket order and queues watch callbacks
    (handler.dispatch_callback) before it reads the next reply. Recording in that hook, on
    the connection thread, shows whether the event frame came before the reply carrying the
    new value: no grace period, so a server that sends the reply first fails."""
    writer = client()
    zk.create("/order", b"v0")
    queued = []
    original = zk.handler.dispatch_callback

    def hook(callback):
        if callback.type == "watch":
            queued.append(callback.args[0].path)
        return original(callback)

    zk.handler.dispatch_callback = hook
    try:
        for round_ in range(30):
            expected = f"v{round_ + 1}".encode()
            count = len(queued)
            zk.get("/order", watch=lambda e: None)
            writer.set_async("/order", expected)
            deadline = time.monotonic() + 10
            while True:
                data, _ = zk.get("/order")
                if data == expected:
                    assert len(queued) == count + 1, \
                        f"round {round_}: the read saw the change before the event"
                    break
                assert time.monotonic() < deadline, "the change never became visible"
    finally:
        zk.handler.dispatch_callback = original


def test_event_frame_precedes_the_reply_showing_the_change_raw(server, zk):
    """The same guarantee on the wire: a raw client sets a watch, then reads in a tight
    pipeline while kazoo writes; every reply carrying the new value must come after the
    notification frame on the socket."""
    conn = raw_zk.Conn(server.host, server.port)
    assert conn.handshake(timeout_ms=10000) is not None
    zk.create("/order-raw", b"0")
    xid = 0
    try:
        for round_ in range(20):
            expected = str(round_ + 1).encode()
            xid += 1
            reply = conn.call(xid, raw_zk.OP_GET_DATA, raw_zk.path_watch_body("/order-raw", True))
            assert reply[2] == 0
            zk.set_async("/order-raw", expected)
            event_seen = False
            deadline = time.monotonic() + 10
            outstanding = 0
            done = False
            while not done:
                # Keep a few reads in flight so replies and the event interleave closely.
                while outstanding < 4:
                    xid += 1
                    conn.send(raw_zk.request(xid, raw_zk.OP_GET_DATA,
                                             raw_zk.path_watch_body("/order-raw")))
                    outstanding += 1
                body = conn.read_frame()
                assert body is not None, "server closed the connection"
                rxid, _, err, rest = raw_zk.parse_frame(body)
                if rxid == raw_zk.NOTIFICATION_XID:
                    assert raw_zk.parse_event(rest)[::2] == (raw_zk.EVENT_CHANGED, "/order-raw")
                    assert not event_seen, "two events for one watch"
                    event_seen = True
                    continue
                outstanding -= 1
                assert err == 0
                data, _ = raw_zk.parse_get_data(rest)
                if data == expected:
                    assert event_seen, f"round {round_}: reply with the change before the event"
                    done = True
                assert time.monotonic() < deadline, "the change never became visible"
            while outstanding:  # drain the remaining replies of this round
                body = conn.read_frame()
                assert body is not None
                rxid, _, _, rest = raw_zk.parse_frame(body)
                assert rxid != raw_zk.NOTIFICATION_XID, "an event without a watch"
                outstanding -= 1
    finally:
        conn.close()


def test_watch_set_after_the_change_does_not_fire(zk, client):
    other = client()
    zk.create("/late", b"0")
    other.set("/late", b"1")
    rec = Recorder()
    data, _ = zk.get("/late", watch=rec)
    assert data == b"1"
    settle(other, zk)
    assert rec.events == []


def test_one_event_per_session_and_path_raw(server, zk):
    """A session holding a data, an exists and a child watch on one node gets exactly one
    event frame when the node is deleted (ZooKeeper triggers each watcher once per change)."""
    conn = raw_zk.Conn(server.host, server.port)
    assert conn.handshake(timeout_ms=10000) is not None
    try:
        zk.create("/dedup", b"0")
        for xid, op in enumerate((raw_zk.OP_GET_DATA, raw_zk.OP_EXISTS,
                                  raw_zk.OP_GET_CHILDREN), start=1):
            assert conn.call(xid, op, raw_zk.path_watch_body("/dedup", True))[2] == 0
        zk.set("/dedup", b"1")  # fires the data and exists watch: one event
        zk.delete("/dedup")  # fires the child watch: one event
        zk.create("/dedup")  # nothing armed any more
        frames = []
        conn.send(raw_zk.request(10, raw_zk.OP_EXISTS, raw_zk.path_watch_body("/")))
        while True:
            body = conn.read_frame()
            assert body is not None
            rxid, _, _, rest = raw_zk.parse_frame(body)
            if rxid == 10:
                break
            assert rxid == raw_zk.NOTIFICATION_XID
            frames.append(raw_zk.parse_event(rest)[::2])
        assert frames == [(raw_zk.EVENT_CHANGED, "/dedup"), (raw_zk.EVENT_DELETED, "/dedup")]
    finally:
        conn.close()


def test_kazoo_children_and_data_watch_recipes(zk, client):
    """kazoo's DataWatch / ChildrenWatch re-arm their watch on every event; they must
    converge on the final state whatever the interleaving of events and reads."""
    writer = client()
    zk.create("/cw", b"start")
    children_seen, data_seen = [], []
    zk.ChildrenWatch("/cw", lambda kids: children_seen.append(sorted(kids)))
    zk.DataWatch("/cw", lambda data, stat: data_seen.append((data, stat and stat.version)))
    for i in range(5):
        writer.create(f"/cw/k{i}")
        writer.set("/cw", b"%d" % i)
    wait_for(lambda: children_seen and children_seen[-1] == [f"k{i}" for i in range(5)],
             what="ChildrenWatch to see all children")
    wait_for(lambda: data_seen and data_seen[-1] == (b"4", 5), what="DataWatch to see v5")
    assert children_seen[0] == [] and data_seen[0] == (b"start", 0)
    # Versions only move forward in what the watcher saw.
    versions = [v for _, v in data_seen]
    assert versions == sorted(versions)
    writer.delete("/cw", recursive=True)
    wait_for(lambda: data_seen[-1] == (None, None), what="DataWatch to see the delete")
