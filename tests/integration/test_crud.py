"""Create, read, update, delete through kazoo: versions, every Stat field, error codes,
sequential names and create modes, as Apache ZooKeeper 3.8 answers them."""
import pytest
from kazoo.exceptions import (BadVersionError, NoChildrenForEphemeralsError, NodeExistsError,
                              NoNodeError, NotEmptyError)
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE


def test_reserved_nodes_exist(zk):
    assert zk.exists("/zookeeper") is not None
    assert zk.exists("/zookeeper/quota") is not None


def test_create_get_set_delete_with_versions_and_stats(zk):
    zk.create("/crud", b"v0")
    data, st = zk.get("/crud")
    assert data == b"v0"
    assert (st.version, st.cversion, st.aversion, st.dataLength, st.numChildren) == (0, 0, 0, 2, 0)
    assert st.czxid == st.mzxid == st.pzxid
    assert st.ephemeralOwner == 0
    st2 = zk.set("/crud", b"value-1", version=0)
    assert st2.version == 1 and st2.dataLength == 7
    assert st2.mzxid > st2.czxid and st2.czxid == st.czxid and st2.mtime >= st.ctime
    with pytest.raises(BadVersionError):
        zk.set("/crud", b"x", version=0)
    with pytest.raises(BadVersionError):
        zk.delete("/crud", version=7)
    zk.create("/crud/kid")
    parent = zk.exists("/crud")
    assert parent.numChildren == 1 and parent.cversion == 1 and parent.pzxid > st2.mzxid
    with pytest.raises(NotEmptyError):
        zk.delete("/crud")
    zk.delete("/crud/kid")
    parent = zk.exists("/crud")
    # ZooKeeper counts child creations and reports 2 * creations - numChildren.
    assert parent.numChildren == 0 and parent.cversion == 2
    zk.delete("/crud", version=1)
    assert zk.exists("/crud") is None
    with pytest.raises(NoNodeError):
        zk.get("/crud")
    with pytest.raises(NoNodeError):
        zk.set("/crud", b"")
    with pytest.raises(NoNodeError):
        zk.delete("/crud")


def test_errors(zk):
    with pytest.raises(NoNodeError):
        zk.create("/missing-parent/child")
    zk.create("/dup")
    with pytest.raises(NodeExistsError):
        zk.create("/dup")
    zk.create("/eph", ephemeral=True)
    with pytest.raises(NoChildrenForEphemeralsError):
        zk.create("/eph/child")


def test_ephemeral_owner_is_the_session(zk):
    zk.create("/owned", ephemeral=True)
    assert zk.exists("/owned").ephemeralOwner == zk.client_id[0]


def test_sequential_names_count_child_creations(zk):
    zk.create("/p")
    zk.create("/p/a")
    zk.delete("/p/a")
    assert zk.create("/p/s-", sequence=True) == "/p/s-0000000001"
    zk.create("/p/b")
    with pytest.raises(NodeExistsError):
        zk.create("/p/b")  # a failed create does not count
    assert zk.create("/p/s-", sequence=True) == "/p/s-0000000003"
    e = zk.create("/p/e-", ephemeral=True, sequence=True)
    assert e == "/p/e-0000000004"
    assert zk.exists(e).ephemeralOwner == zk.client_id[0]
    assert sorted(zk.get_children("/p")) == ["b", "e-0000000004", "s-0000000001",
                                             "s-0000000003"]


def test_children_with_stat_and_sync(zk):
    zk.create("/kids")
    for name in ("x", "y", "z"):
        zk.create(f"/kids/{name}", name.encode())
    children, st = zk.get_children("/kids", include_data=True)
    assert sorted(children) == ["x", "y", "z"]
    assert st.numChildren == 3
    assert zk.sync("/kids") == "/kids"


def test_acls_and_aversion(zk):
    zk.create("/acl", acl=OPEN_ACL_UNSAFE)
    acls, st = zk.get_acls("/acl")
    assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == [(31, "world", "anyone")]
    assert st.aversion == 0
    digest = make_digest_acl("user", "pw", all=True)
    st2 = zk.set_acls("/acl", OPEN_ACL_UNSAFE + [digest], version=0)
    assert st2.aversion == 1
    with pytest.raises(BadVersionError):
        zk.set_acls("/acl", OPEN_ACL_UNSAFE, version=0)
    acls, _ = zk.get_acls("/acl")
    assert {(a.id.scheme, a.id.id) for a in acls} == {("world", "anyone"),
                                                      ("digest", digest.id.id)}


def test_large_values_up_to_the_limit(zk):
    value = b"x" * (1024 * 1024 - 2048)
    zk.create("/big", value)
    assert zk.get("/big")[0] == value
