"""Create modes: persistent, ephemeral, persistent and ephemeral sequential, with sequence
numbers exactly as ZooKeeper assigns them (the parent's count of child creations), and the
zxid that every write consumes, failed ones included."""
import pytest
from kazoo.exceptions import NodeExistsError, NoNodeError


def test_sequence_counts_child_creations(zk):
    zk.create("/p")
    zk.create("/p/a")
    zk.delete("/p/a")
    # One child was created (and deleted) before: the suffix is 1, not 0.
    assert zk.create("/p/s-", sequence=True) == "/p/s-0000000001"
    zk.create("/p/b")
    with pytest.raises(NodeExistsError):
        zk.create("/p/b")  # a failed create does not count
    assert zk.create("/p/s-", sequence=True) == "/p/s-0000000003"
    e = zk.create("/p/e-", ephemeral=True, sequence=True)
    assert e == "/p/e-0000000004"
    assert zk.exists(e).ephemeralOwner == zk.client_id[0]
    assert zk.exists("/p/s-0000000003").ephemeralOwner == 0
    assert sorted(zk.get_children("/p")) == ["b", "e-0000000004", "s-0000000001",
                                             "s-0000000003"]
    # Deleting sequential nodes never lowers the counter.
    for kid in zk.get_children("/p"):
        zk.delete(f"/p/{kid}")
    assert zk.create("/p/s-", sequence=True) == "/p/s-0000000005"


def test_sequence_without_prefix_and_under_root(zk):
    zk.create("/bare")
    assert zk.create("/bare/", sequence=True) == "/bare/0000000000"
    assert zk.create("/bare/", sequence=True) == "/bare/0000000001"
    root_children = zk.exists("/").cversion
    name = zk.create("/root-seq-", sequence=True)
    assert name.startswith("/root-seq-") and len(name) == len("/root-seq-") + 10
    assert int(name[-10:]) >= 0
    assert zk.exists("/").cversion > root_children


def test_sequence_is_per_parent(zk):
    zk.create("/pa")
    zk.create("/pb")
    assert zk.create("/pa/n", sequence=True) == "/pa/n0000000000"
    assert zk.create("/pa/n", sequence=True) == "/pa/n0000000001"
    assert zk.create("/pb/n", sequence=True) == "/pb/n0000000000"


def test_sequential_create_under_missing_parent(zk):
    with pytest.raises(NoNodeError):
        zk.create("/nowhere/n", sequence=True)


def test_concurrent_sequential_creates_are_unique(client):
    clients = [client() for _ in range(4)]
    clients[0].create("/race")
    asyncs = [c.create_async("/race/n-", sequence=True) for c in clients for _ in range(50)]
    names = [a.get(timeout=30) for a in asyncs]
    assert len(set(names)) == 200
    assert sorted(names) == [f"/race/n-{i:010d}" for i in range(200)]


def test_ephemeral_modes_vanish_with_the_session(zk, client):
    owner = client()
    owner.create("/modes")
    owner.create("/modes/persistent")
    owner.create("/modes/ephemeral", ephemeral=True)
    owner.create("/modes/pseq-", sequence=True)
    owner.create("/modes/eseq-", ephemeral=True, sequence=True)
    owner.stop()
    assert sorted(zk.get_children("/modes")) == ["persistent", "pseq-0000000002"]


def test_every_write_consumes_a_zxid_failed_ones_too(fresh_server, client):
    zk = client(fresh_server)
    zk.create("/z1")
    z1 = zk.last_zxid
    assert zk.exists("/z1").czxid == z1
    with pytest.raises(NodeExistsError):
        zk.create("/z1")
    zk.create("/z2")
    assert zk.exists("/z2").czxid == z1 + 2
    with pytest.raises(NoNodeError):
        zk.delete("/z-missing")
    zk.set("/z2", b"x")
    assert zk.exists("/z2").mzxid == z1 + 4
    # Reads do not consume zxids.
    for _ in range(5):
        zk.get("/z2")
        zk.get_children("/")
    zk.create("/z3")
    assert zk.exists("/z3").czxid == z1 + 5
