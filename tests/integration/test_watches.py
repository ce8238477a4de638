"""Data, exists and child watches: one-shot, delivered only to the session that set them,
with the exact event type and path, and ZooKeeper's ordering guarantee."""
import threading

from kazoo.protocol.states import EventType

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


def test_data_watch_is_one_shot(zk, client):
    other = client()
    zk.create("/w1", b"a")
    rec = Recorder()
    zk.get("/w1", watch=rec)
    other.set("/w1", b"b")
    assert rec.wait(1) == [(EventType.CHANGED, "/w1")]
    other.set("/w1", b"c")  # not re-registered: no second event
    other.sync("/w1")
    zk.sync("/w1")
    assert rec.events == [(EventType.CHANGED, "/w1")]


def test_exists_watch_on_missing_node_fires_created(zk, client):
    other = client()
    rec = Recorder()
    assert zk.exists("/w2", watch=rec) is None
    other.create("/w2")
    assert rec.wait(1) == [(EventType.CREATED, "/w2")]


def test_child_watch(zk, client):
    other = client()
    zk.create("/w3")
    rec = Recorder()
    zk.get_children("/w3", watch=rec)
    other.create("/w3/kid")
    assert rec.wait(1) == [(EventType.CHILD, "/w3")]


def test_delete_fires_data_and_child_watchers(zk, client):
    other = client()
    zk.create("/w4")
    data_rec, child_rec = Recorder(), Recorder()
    zk.get("/w4", watch=data_rec)
    zk.get_children("/w4", watch=child_rec)
    other.delete("/w4")
    assert data_rec.wait(1) == [(EventType.DELETED, "/w4")]
    assert child_rec.wait(1) == [(EventType.DELETED, "/w4")]


def test_watch_goes_only_to_the_session_that_set_it(zk, client):
    bystander = client()
    writer = client()
    zk.create("/w5")
    rec, quiet = Recorder(), Recorder()
    zk.get("/w5", watch=rec)
    bystander.get("/w5")  # no watch
    bystander.exists("/other-path", watch=quiet)
    writer.set("/w5", b"x")
    rec.wait(1)
    bystander.sync("/w5")
    assert quiet.events == []


def test_event_arrives_before_a_read_that_shows_the_change(zk, client):
    """A watcher's callback must be queued before the reply carrying the new value: kazoo
    reads the socket in order, queueing callbacks as notifications arrive, so when a read
    returns the new value the flag set by the callback's queueing must already be visible."""
    writer = client()
    zk.create("/order", b"v0")
    for round_ in range(20):
        seen = threading.Event()
        expected = f"v{round_ + 1}".encode()

        def watcher(event, seen=seen):
            seen.set()

        zk.get("/order", watch=watcher)
        writer.set("/order", expected)
        while True:
            data, _ = zk.get("/order")
            if data == expected:
                # The event was delivered before this reply; kazoo may run the callback
                # a moment later on its event thread, so allow it that moment only.
                assert seen.wait(2.0), f"round {round_}: read saw the change, no event"
                break


def test_many_watchers_each_get_one_event(zk, client):
    clients = [client() for _ in range(5)]
    zk.create("/fan")
    recs = []
    for c in clients:
        r = Recorder()
        c.get("/fan", watch=r)
        recs.append(r)
    zk.set("/fan", b"1")
    for r in recs:
        assert r.wait(1) == [(EventType.CHANGED, "/fan")]
    wait_for(lambda: all(len(r.events) == 1 for r in recs), what="exactly one event each")
