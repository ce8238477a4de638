"""multi (kazoo transactions): all or nothing, one zxid for the whole multi, per-op results
exactly as ZooKeeper reports them."""
import threading

import pytest
from kazoo.exceptions import (BadVersionError, NodeExistsError, NoNodeError, NotEmptyError,
                              RolledBackError, RuntimeInconsistency)
from kazoo.protocol.states import EventType


def test_transaction_success(zk):
    t = zk.transaction()
    t.create("/m")
    t.create("/m/child", b"c")
    t.set_data("/m", b"parent")
    t.check("/m/child", 0)
    t.create("/m/seq-", sequence=True)
    t.create("/m/eph", ephemeral=True)
    results = t.commit()
    assert results[0] == "/m" and results[1] == "/m/child"
    assert results[2].version == 1 and results[2].dataLength == 6
    assert results[3] is True
    assert results[4] == "/m/seq-0000000001"
    assert results[5] == "/m/eph"
    assert zk.get("/m")[0] == b"parent"
    assert zk.exists("/m/eph").ephemeralOwner == zk.client_id[0]


def test_a_multi_is_one_txn_with_one_zxid(zk):
    t = zk.transaction()
    t.create("/one-a")
    t.create("/one-b")
    t.create("/one-a/c")
    t.commit()
    multi_zxid = zk.last_zxid
    stats = [zk.exists(p) for p in ("/one-a", "/one-b", "/one-a/c")]
    assert [s.czxid for s in stats] == [multi_zxid] * 3
    assert stats[0].pzxid == multi_zxid


def test_delete_results_and_empty_multi(zk):
    zk.create("/md")
    t = zk.transaction()
    t.delete("/md")
    assert t.commit() == [True]
    assert zk.exists("/md") is None
    assert zk.transaction().commit() == []


def test_transaction_rollback(zk):
    zk.create("/taken", b"orig")
    before = zk.exists("/")
    t = zk.transaction()
    t.create("/new-1")
    t.create("/taken")
    t.create("/new-2")
    results = t.commit()
    assert [type(r) for r in results] == [RolledBackError, NodeExistsError, RuntimeInconsistency]
    assert zk.exists("/new-1") is None and zk.exists("/new-2") is None
    after = zk.exists("/")
    assert (after.cversion, after.numChildren, after.pzxid) == (before.cversion,
                                                                before.numChildren,
                                                                before.pzxid)
    assert zk.get("/taken")[0] == b"orig"


def test_failed_check_rolls_back_earlier_writes(zk):
    zk.create("/checked", b"v")
    t = zk.transaction()
    t.set_data("/checked", b"changed")
    t.check("/checked", 5)
    results = t.commit()
    assert [type(r) for r in results] == [RolledBackError, BadVersionError]
    data, st = zk.get("/checked")
    assert data == b"v" and st.version == 0


def test_error_kinds_in_a_multi(zk):
    zk.create("/mk")
    zk.create("/mk/kid")
    cases = [
        (lambda t: t.delete("/mk"), NotEmptyError),
        (lambda t: t.set_data("/mk-missing", b""), NoNodeError),
        (lambda t: t.check("/mk-missing", 0), NoNodeError),
        (lambda t: t.delete("/mk/kid", version=3), BadVersionError),
    ]
    for add_op, error in cases:
        t = zk.transaction()
        t.create("/mk/new")
        add_op(t)
        t.set_data("/mk", b"late")
        results = t.commit()
        assert [type(r) for r in results] == [RolledBackError, error, RuntimeInconsistency]
    assert sorted(zk.get_children("/mk")) == ["kid"]
    assert zk.get("/mk")[0] == b""


def test_failed_multi_consumes_a_zxid_and_no_sequence(fresh_server, client):
    zk = client(fresh_server)
    zk.create("/fm")
    z = zk.last_zxid
    t = zk.transaction()
    t.create("/fm/s-", sequence=True)
    t.create("/fm")
    assert [type(r) for r in t.commit()] == [RolledBackError, NodeExistsError]
    assert zk.exists("/fm").cversion == 0
    zk.create("/fm2")
    assert zk.exists("/fm2").czxid == z + 2
    assert zk.create("/fm/s-", sequence=True) == "/fm/s-0000000000"


def test_delete_then_create_in_one_transaction(zk):
    zk.create("/swap", b"old")
    t = zk.transaction()
    t.delete("/swap")
    t.create("/swap", b"new")
    t.commit()
    data, st = zk.get("/swap")
    assert data == b"new" and st.version == 0


def test_multi_fires_watches_of_every_op(zk, client):
    other = client()
    zk.create("/mw")
    zk.create("/mw/a")
    events = []
    lock = threading.Lock()
    done = threading.Event()

    def record(event):
        with lock:
            events.append((event.type, event.path))
            if len(events) == 3:
                done.set()

    other.get("/mw/a", watch=record)
    other.exists("/mw/b", watch=record)
    other.get_children("/mw", watch=record)
    t = zk.transaction()
    t.set_data("/mw/a", b"1")
    t.create("/mw/b")
    t.commit()
    assert done.wait(10), events
    assert sorted(events) == sorted([(EventType.CHANGED, "/mw/a"), (EventType.CREATED, "/mw/b"),
                                     (EventType.CHILD, "/mw")])


def test_failed_multi_fires_no_watch(zk, client):
    other = client()
    zk.create("/mnw")
    fired = threading.Event()
    other.get("/mnw", watch=lambda e: fired.set())
    t = zk.transaction()
    t.set_data("/mnw", b"x")
    t.check("/mnw", 9)
    t.commit()
    zk.sync("/mnw")
    other.sync("/mnw")
    assert not fired.wait(0.5)
    # The watch is still armed: a real change fires it.
    zk.set("/mnw", b"y")
    assert fired.wait(10)


@pytest.mark.parametrize("n", [200])
def test_large_multi(zk, n):
    zk.create("/bulk")
    t = zk.transaction()
    for i in range(n):
        t.create(f"/bulk/n{i}", b"v" * 100)
    results = t.commit()
    assert results == [f"/bulk/n{i}" for i in range(n)]
    assert zk.exists("/bulk").numChildren == n
