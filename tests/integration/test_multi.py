"""multi (kazoo transactions): all or nothing, per-op results exactly as ZooKeeper."""
from kazoo.exceptions import NodeExistsError, RolledBackError, RuntimeInconsistency, BadVersionError


def test_transaction_success(zk):
    t = zk.transaction()
    t.create("/m")
    t.create("/m/child", b"c")
    t.set_data("/m", b"parent")
    t.check("/m/child", 0)
    results = t.commit()
    assert results[0] == "/m" and results[1] == "/m/child"
    assert results[2].version == 1
    assert results[3] is True
    assert zk.get("/m")[0] == b"parent"


def test_transaction_rollback(zk):
    zk.create("/taken")
    before = zk.exists("/")
    t = zk.transaction()
    t.create("/new-1")
    t.create("/taken")
    t.create("/new-2")
    results = t.commit()
    assert [type(r) for r in results] == [RolledBackError, NodeExistsError, RuntimeInconsistency]
    assert zk.exists("/new-1") is None and zk.exists("/new-2") is None
    after = zk.exists("/")
    assert after.cversion == before.cversion and after.numChildren == before.numChildren


def test_failed_check_rolls_back(zk):
    zk.create("/checked", b"v")
    t = zk.transaction()
    t.set_data("/checked", b"changed")
    t.check("/checked", 5)
    results = t.commit()
    assert [type(r) for r in results] == [RolledBackError, BadVersionError]
    assert zk.get("/checked")[0] == b"v"


def test_delete_then_create_in_one_transaction(zk):
    zk.create("/swap", b"old")
    t = zk.transaction()
    t.delete("/swap")
    t.create("/swap", b"new")
    t.commit()
    assert zk.get("/swap")[0] == b"new"
