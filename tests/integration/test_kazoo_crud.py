"""Create, read, update, delete through kazoo: versions, every Stat field, error codes, ACLs,
children with stat, sync — as Apache ZooKeeper 3.8 answers them."""
import inspect
import time

import pytest
from kazoo.exceptions import (BadArgumentsError, BadVersionError, NoChildrenForEphemeralsError,
                              NodeExistsError, NoNodeError, NotEmptyError)
from kazoo.security import OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, make_digest_acl


def test_reserved_nodes_exist(zk):
    assert zk.exists("/zookeeper") is not None
    assert zk.exists("/zookeeper/quota") is not None
    assert "zookeeper" in zk.get_children("/")


def test_new_node_stat(zk):
    before_ms = int(time.time() * 1000)
    zk.create("/stat-new", b"v0")
    created_zxid = zk.last_zxid
    data, st = zk.get("/stat-new")
    assert data == b"v0"
    assert (st.version, st.cversion, st.aversion) == (0, 0, 0)
    assert (st.dataLength, st.numChildren, st.ephemeralOwner) == (2, 0, 0)
    # A new node's czxid, mzxid and pzxid are all the zxid of its create.
    assert st.czxid == st.mzxid == st.pzxid == created_zxid
    assert st.ctime == st.mtime
    assert abs(st.ctime - before_ms) < 60_000
    assert zk.exists("/stat-new") == st


def test_set_data_stat(zk):
    zk.create("/stat-set", b"v0")
    st0 = zk.exists("/stat-set")
    st1 = zk.set("/stat-set", b"value-1", version=0)
    assert st1.mzxid == zk.last_zxid and st1.mzxid > st0.mzxid
    assert (st1.version, st1.dataLength) == (1, 7)
    # Only the data fields move: creation, children and ACL fields stay.
    assert (st1.czxid, st1.ctime, st1.pzxid, st1.cversion, st1.aversion) == \
        (st0.czxid, st0.ctime, st0.pzxid, st0.cversion, st0.aversion)
    assert st1.mtime >= st0.mtime
    st2 = zk.set("/stat-set", b"")
    assert (st2.version, st2.dataLength) == (2, 0)
    assert zk.get("/stat-set") == (b"", st2)
    with pytest.raises(BadVersionError):
        zk.set("/stat-set", b"x", version=1)
    assert zk.exists("/stat-set") == st2


def test_children_move_parent_cversion_and_pzxid_only(zk):
    zk.create("/stat-par", b"data")
    p0 = zk.exists("/stat-par")
    zk.create("/stat-par/kid")
    kid_zxid = zk.last_zxid
    p1 = zk.exists("/stat-par")
    assert (p1.numChildren, p1.cversion, p1.pzxid) == (1, 1, kid_zxid)
    assert (p1.version, p1.mzxid, p1.mtime, p1.czxid) == (p0.version, p0.mzxid, p0.mtime,
                                                          p0.czxid)
    # A child's data change is not a change of the parent.
    zk.set("/stat-par/kid", b"x")
    assert zk.exists("/stat-par") == p1
    zk.create("/stat-par/kid2")
    zk.delete("/stat-par/kid")
    delete_zxid = zk.last_zxid
    p2 = zk.exists("/stat-par")
    # ZooKeeper stores cversion as the number of child creations and reports
    # 2 * creations - numChildren: 2 creations, 1 child left -> 3.
    assert (p2.numChildren, p2.cversion, p2.pzxid) == (1, 3, delete_zxid)
    zk.delete("/stat-par/kid2")
    p3 = zk.exists("/stat-par")
    assert (p3.numChildren, p3.cversion) == (0, 4)
    assert p3.mzxid == p0.mzxid and p3.version == 0


def test_delete_with_versions(zk):
    zk.create("/del", b"a")
    zk.set("/del", b"b")
    with pytest.raises(BadVersionError):
        zk.delete("/del", version=0)
    assert zk.exists("/del") is not None
    zk.delete("/del", version=1)
    assert zk.exists("/del") is None
    zk.create("/del-any")
    zk.set("/del-any", b"1")
    zk.delete("/del-any", version=-1)
    assert zk.exists("/del-any") is None


def test_error_codes(zk):
    with pytest.raises(NoNodeError):
        zk.create("/missing-parent/child")
    with pytest.raises(NoNodeError):
        zk.get("/missing")
    with pytest.raises(NoNodeError):
        zk.set("/missing", b"")
    with pytest.raises(NoNodeError):
        zk.delete("/missing")
    with pytest.raises(NoNodeError):
        zk.get_children("/missing")
    with pytest.raises(NoNodeError):
        zk.get_acls("/missing")
    with pytest.raises(NoNodeError):
        zk.set_acls("/missing", OPEN_ACL_UNSAFE)
    assert zk.exists("/missing") is None
    zk.create("/dup", b"first")
    with pytest.raises(NodeExistsError):
        zk.create("/dup", b"second")
    assert zk.get("/dup")[0] == b"first"
    zk.create("/full")
    zk.create("/full/kid")
    with pytest.raises(NotEmptyError):
        zk.delete("/full")
    with pytest.raises(BadArgumentsError):
        zk.delete("/")  # the root cannot be deleted


def test_no_children_for_ephemerals(zk):
    zk.create("/eph-parent", ephemeral=True)
    with pytest.raises(NoChildrenForEphemeralsError):
        zk.create("/eph-parent/child")
    with pytest.raises(NoChildrenForEphemeralsError):
        zk.create("/eph-parent/seq-", sequence=True)
    assert zk.exists("/eph-parent").numChildren == 0


def test_ephemeral_stat_and_owner(zk, client):
    zk.create("/owned", b"e", ephemeral=True)
    st = zk.exists("/owned")
    assert st.ephemeralOwner == zk.client_id[0] != 0
    # Other sessions see the same owner; changing the data keeps it.
    other = client()
    assert other.exists("/owned").ephemeralOwner == zk.client_id[0]
    other.set("/owned", b"changed")
    assert zk.exists("/owned").ephemeralOwner == zk.client_id[0]
    assert zk.exists("/owned").version == 1


def test_get_children_and_include_data(zk):
    zk.create("/kids")
    assert zk.get_children("/kids") == []
    for name in ("x", "yy", "z"):
        zk.create(f"/kids/{name}", name.encode())
    assert sorted(zk.get_children("/kids")) == ["x", "yy", "z"]
    children, st = zk.get_children("/kids", include_data=True)
    assert sorted(children) == ["x", "yy", "z"]
    assert st == zk.exists("/kids")
    assert (st.numChildren, st.cversion) == (3, 3)
    assert zk.get_children("/kids/x") == []


def test_sync(zk, client):
    writer = client()
    writer.create("/synced", b"1")
    assert zk.sync("/synced") == "/synced"
    assert zk.get("/synced")[0] == b"1"
    assert zk.sync("/") == "/"


def test_acls_and_aversion(zk):
    zk.create("/acl", b"d", acl=OPEN_ACL_UNSAFE)
    acls, st = zk.get_acls("/acl")
    assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == [(31, "world", "anyone")]
    assert st.aversion == 0 and st == zk.exists("/acl")
    digest = make_digest_acl("user", "pw", all=True)
    st2 = zk.set_acls("/acl", OPEN_ACL_UNSAFE + [digest], version=0)
    # setACL moves aversion only: not the data version, not mzxid.
    assert (st2.aversion, st2.version, st2.mzxid, st2.cversion) == (1, 0, st.mzxid, 0)
    with pytest.raises(BadVersionError):
        zk.set_acls("/acl", OPEN_ACL_UNSAFE, version=0)
    acls, st3 = zk.get_acls("/acl")
    assert st3 == st2
    assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == [
        (31, "world", "anyone"), (31, "digest", digest.id.id)]
    st4 = zk.set_acls("/acl", READ_ACL_UNSAFE, version=-1)
    assert st4.aversion == 2
    acls, _ = zk.get_acls("/acl")
    assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == [(1, "world", "anyone")]
    assert zk.get("/acl")[0] == b"d"  # READ is still allowed to everyone


def test_unicode_names_and_binary_data(zk):
    value = bytes(range(256))
    zk.create("/bin\u00e9\u4e2d", value)
    assert zk.get("/bin\u00e9\u4e2d")[0] == value
    assert "bin\u00e9\u4e2d" in zk.get_children("/")


def test_large_values_up_to_the_limit(zk):
    value = b"x" * (1024 * 1024 - 2048)
    zk.create("/big", value)
    data, st = zk.get("/big")
    assert data == value and st.dataLength == len(value)


def test_container_nodes(zk):
    if "container" not in inspect.signature(zk.create).parameters:
        pytest.skip("this kazoo cannot create container nodes (the raw-client tests do)")
    zk.create("/container", container=True)
    assert zk.exists("/container").ephemeralOwner == 0


def test_ensure_path_and_recursive_delete(zk):
    zk.ensure_path("/deep/a/b/c")
    assert zk.exists("/deep/a/b/c").numChildren == 0
    zk.ensure_path("/deep/a/b/c")  # idempotent
    zk.create("/deep/a/x", b"1")
    assert sorted(zk.get_children("/deep/a")) == ["b", "x"]
    zk.delete("/deep", recursive=True)
    assert zk.exists("/deep") is None
