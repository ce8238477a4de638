"""The reads kazoo 2.8 cannot make, with the raw client: multiRead (22), getEphemerals (103)
and getAllChildrenNumber (104). kazoo sets up the trees and ACLs."""
import os
import sys

import pytest
from kazoo.exceptions import NoAuthError
from kazoo.security import make_digest_acl

sys.path.insert(0, os.path.dirname(__file__))
import raw_zk  # noqa: E402
from raw_zk import OP_GET_CHILDREN, OP_GET_DATA  # noqa: E402

ERR_NO_NODE, ERR_NO_AUTH = -101, -102
SECRET_ACL = [make_digest_acl("owner", "secret", all=True)]


@pytest.fixture
def raw(server):
    r = raw_zk.Session(server)
    yield r
    r.close()


def count_below(zk, path):
    """Znodes below `path`; one this client may not list counts as having none (the tests'
    unreadable znodes are leaves)."""
    try:
        names = zk.get_children(path)
    except NoAuthError:
        return 0
    total = 0
    for name in names:
        child = path.rstrip("/") + "/" + name
        total += 1 + count_below(zk, child)
    return total


def test_multi_read_answers_each_op_on_its_own(raw, zk):
    zk.create("/mr", b"top")
    zk.create("/mr/a", b"alpha")
    zk.create("/mr/b")
    zk.create("/mr/secret", b"hidden", acl=SECRET_ACL)
    err, body = raw.call(raw_zk.OP_MULTI_READ, raw_zk.multi_read_body([
        (OP_GET_DATA, "/mr/a"),
        (OP_GET_CHILDREN, "/mr"),
        (OP_GET_DATA, "/mr/missing"),
        (OP_GET_DATA, "/mr/secret"),
        (OP_GET_CHILDREN, "/mr/secret"),
        (OP_GET_DATA, "/mr"),
    ]))
    assert err == 0
    results = raw_zk.parse_multi_read(body)
    assert len(results) == 6
    kind, data, stat = results[0]
    assert (kind, data) == ("data", b"alpha")
    assert stat == tuple(zk.exists("/mr/a"))  # the whole Stat, as getData's
    assert results[1][0] == "children"
    assert sorted(results[1][1]) == ["a", "b", "secret"]
    # A failed op does not spoil the others: not all-or-nothing like a multi.
    assert results[2] == ("error", ERR_NO_NODE)
    assert results[3] == ("error", ERR_NO_AUTH)
    assert results[4] == ("error", ERR_NO_AUTH)
    assert results[5][:2] == ("data", b"top")


def test_multi_read_of_nothing(raw):
    err, body = raw.call(raw_zk.OP_MULTI_READ, raw_zk.multi_read_body([]))
    assert err == 0
    assert raw_zk.parse_multi_read(body) == []


def test_get_all_children_number_counts_every_descendant(raw, zk):
    zk.create("/acn")
    zk.create("/acn/a")
    zk.create("/acn/a/b")
    zk.create("/acn/a/b/c")
    zk.create("/acn/d")
    zk.create("/acn-sibling")  # shares the name as a prefix: not below /acn

    def number(path):
        err, body = raw.call(raw_zk.OP_GET_ALL_CHILDREN_NUMBER, raw_zk.pack_string(path))
        return err, (int.from_bytes(body[:4], "big", signed=True) if err == 0 else None)

    assert number("/acn") == (0, 4)
    assert number("/acn/a") == (0, 2)
    assert number("/acn/d") == (0, 0)
    assert number("/acn/missing") == (ERR_NO_NODE, None)
    # The root: every znode but itself, /zookeeper and its children included.
    assert number("/") == (0, count_below(zk, "/"))
    zk.create("/acn-secret", acl=SECRET_ACL)
    assert number("/acn-secret")[0] == ERR_NO_AUTH


def test_get_ephemerals_matches_a_path_prefix(raw, zk):
    zk.create("/eph")
    for path in ["/eph/a", "/eph/b", "/ephx"]:
        err, _ = raw.call(raw_zk.OP_CREATE, raw_zk.create_body(path, b"", 1))
        assert err == 0
    zk.create("/eph/theirs", ephemeral=True)  # another session's: never listed

    def ephemerals(prefix):
        err, body = raw.call(raw_zk.OP_GET_EPHEMERALS, raw_zk.pack_string(prefix))
        assert err == 0
        return sorted(raw_zk.parse_children(body))

    assert ephemerals("/") == ["/eph/a", "/eph/b", "/ephx"]
    assert ephemerals("") == ["/eph/a", "/eph/b", "/ephx"]
    # A string prefix, not a subtree: "/eph" also matches "/ephx".
    assert ephemerals("/eph") == ["/eph/a", "/eph/b", "/ephx"]
    assert ephemerals("/eph/") == ["/eph/a", "/eph/b"]
    assert ephemerals("/nothing") == []
