"""The tree digest (digest.enabled, ZooKeeper 3.6+): every server keeps ZooKeeper's digest of
its tree incrementally, and a follower whose tree diverges from the leader's is caught at the
txn that made it diverge: the leader's reports carry its digest after every txn.
  - servers at the same zxid have the same digest: `hash` (ZooKeeper's digest history, every
    zxid that is a multiple of 128) on both targets; Paddock's mntr keys tree_digest and
    tree_digest_zxid at a quiet point;
  - a follower made to diverge (the test-only fault `kill next-set-data`: its next setData is
    applied with other data) logs the mismatch naming the zxid of exactly that setData (not
    one of the writes pipelined right behind it, which a report per batch would name), counts
    it in zk_digest_mismatches_count, leaves its leader and is synced again by SNAP, after
    which all three servers answer the same data and have the same digest;
  - digest.enabled=false: no digest kept: `hash` shows 0 for each zxid (as ZooKeeper), mntr
    has no tree_digest.
"""
import re
import time

import pytest

from ensemble import Ensemble
import harness
from harness import TARGET, four_letter, kazoo_client, wait_for

HEAL_BOUND = 15.0  # seconds for a diverged follower to be synced by SNAP and serve again
PADDOCK_ONLY = pytest.mark.skipif(TARGET == "zookeeper",
                                  reason="Paddock's own mntr keys and its test-only fault channel")


def poll(fn, timeout, what):
    """fn()'s first truthy value within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def word(member, w):
    return four_letter(member.host, member.client_port, w)


def mntr(member):
    return harness.mntr(member.host, member.client_port)


def hash_history(member):
    """{zxid: digest} from `hash`."""
    out = {}
    for line in word(member, "hash").splitlines():
        m = re.fullmatch(r"([0-9a-f]+): (-?\d+)", line)
        assert m, f"not a hash line: {line!r}"
        out[int(m.group(1), 16)] = int(m.group(2))
    return out


def contents(member, root):
    """{child: data} under `root` as `member` serves it after a sync."""
    with kazoo_client(member) as zk:
        zk.sync(root)
        return {c: zk.get(f"{root}/{c}")[0] for c in zk.get_children(root)}


def digests_at_quiet_point(ens):
    """(zxid, digest) per server once all report the same zxid."""
    def same_zxid():
        seen = [mntr(ens.server(i)) for i in range(3)]
        zxids = {s.get("zk_tree_digest_zxid") for s in seen}
        return seen if len(zxids) == 1 and None not in zxids else None
    seen = poll(same_zxid, 10.0, "all three servers at the same zxid")
    return [(int(s["zk_tree_digest_zxid"]), int(s["zk_tree_digest"])) for s in seen]


@pytest.fixture(scope="module")
def ens():
    extra = ["--enable-fault-injection"] if TARGET != "zookeeper" else []
    with Ensemble(3, extra_args=extra) as e:
        e.start(timeout=30)
        yield e


@pytest.mark.time_limit(60)
def test_servers_at_the_same_zxid_have_the_same_digest(ens):
    leader, _ = ens.wait_for_leader(timeout=10)
    ens.wait_serving(timeout=10)
    with kazoo_client(ens.server(leader)) as zk:
        zk.ensure_path("/same")
        # Every kind of change: creates (one ephemeral, one sequential), setData, setACL, a
        # multi, deletes; more than 2 * 128 txns so `hash` has entries.
        zk.create("/same/eph", b"e", ephemeral=True)
        for i in range(150):
            zk.create(f"/same/n{i}", b"v%d" % i)
        zk.create("/same/seq-", b"s", sequence=True)
        for i in range(0, 150, 3):
            zk.set(f"/same/n{i}", b"changed")
        from kazoo.security import OPEN_ACL_UNSAFE
        zk.set_acls("/same/n1", OPEN_ACL_UNSAFE)
        t = zk.transaction()
        t.create("/same/multi", b"m")
        t.delete("/same/n2")
        t.commit()
        for i in range(4, 150, 5):
            zk.delete(f"/same/n{i}")
    histories = [poll(lambda i=i: hash_history(ens.server(i)), 10.0, f"server {i + 1}'s hash")
                 for i in range(3)]
    common = set(histories[0]) & set(histories[1]) & set(histories[2])
    assert common, histories
    for z in common:
        assert histories[0][z] == histories[1][z] == histories[2][z], (hex(z), histories)
    if TARGET != "zookeeper":
        at = digests_at_quiet_point(ens)
        assert at[0] == at[1] == at[2], at
        for i in range(3):
            assert mntr(ens.server(i))["zk_digest_mismatches_count"] == "0"


@PADDOCK_ONLY
@pytest.mark.time_limit(60)
def test_a_diverged_follower_is_caught_and_synced_again_by_snap(ens):
    leader, _ = ens.wait_for_leader(timeout=10)
    ens.wait_serving(timeout=10)
    follower = ens.followers()[0]
    sid = ens.server(follower).sid
    root = "/diverge"
    with kazoo_client(ens.server(leader)) as zk:
        zk.ensure_path(root)
        zk.create(f"{root}/a", b"before")
    before = int(mntr(ens.server(follower))["zk_digest_mismatches_count"])
    leader_since = ens.log_size(leader)
    follower_since = ens.log_size(follower)
    m = ens.server(follower)
    assert four_letter(m.host, m.client_port, "kill next-set-data\n") == "killed next-set-data\n"

    # The setData the follower corrupts, and pipelined right behind it on the same session
    # more writes, which the leader applies in the same commit batches and the same 100 ms
    # between two digest reports: the mismatch must name the setData's own zxid.
    later_count = 200
    with kazoo_client(ens.server(leader)) as zk:
        set_result = zk.set_async(f"{root}/a", b"after")
        later = [zk.create_async(f"{root}/b{i}", b"later") for i in range(later_count)]
        corrupted_zxid = set_result.get(timeout=10).mzxid
        for r in later:
            r.get(timeout=10)
        last_zxid = zk.exists(f"{root}/b{later_count - 1}").czxid
    assert last_zxid > corrupted_zxid

    wait_for(lambda: "digest mismatch after zxid" in ens.log_text(follower, follower_since),
             HEAL_BOUND, what="the follower to log the digest mismatch")
    line = next(l for l in ens.log_text(follower, follower_since).splitlines()
                if "digest mismatch after zxid" in l)
    assert "[error]" in line.lower(), line
    m = re.search(r"after zxid 0x([0-9a-f]+): the leader's tree digest is (-?\d+), this "
                  r"server's is (-?\d+)", line)
    assert m, line
    assert int(m.group(1), 16) == corrupted_zxid, (line, hex(corrupted_zxid), hex(last_zxid))
    assert m.group(2) != m.group(3)
    # The txn the fault corrupted is that setData (the follower says which it applied wrong).
    assert f"zxid {hex(corrupted_zxid)} (setData) applied with other data" in \
        ens.log_text(follower, follower_since)
    wait_for(lambda: (sid, "SNAP") in ens.sync_events(leader, leader_since), HEAL_BOUND,
             what=f"the leader to sync server {sid} again by SNAP")
    ens.wait_serving([follower], timeout=HEAL_BOUND)
    assert int(mntr(ens.server(follower))["zk_digest_mismatches_count"]) > before
    assert ens.leader() == leader, "only the diverged follower was to leave"

    seen = [contents(ens.server(i), root) for i in range(3)]
    assert seen[0] == seen[1] == seen[2], seen
    assert seen[0] == {"a": b"after", **{f"b{i}": b"later" for i in range(later_count)}}
    at = digests_at_quiet_point(ens)
    assert at[0] == at[1] == at[2], at


def test_digest_disabled_keeps_none():
    with Ensemble(3, extra_config={"digest.enabled": "false"}) as e:
        e.start(timeout=30)
        leader, _ = e.wait_for_leader(timeout=10)
        e.wait_serving(timeout=10)
        with kazoo_client(e.server(leader)) as zk:
            zk.ensure_path("/off")
            for i in range(200):
                zk.create(f"/off/n{i}", b"x")
        for i in range(3):
            # As ZooKeeper 3.8: the history still lists every 128th zxid, with digest 0.
            history = hash_history(e.server(i))
            assert history, "no hash lines"
            assert set(history.values()) == {0}, history
            if TARGET != "zookeeper":
                values = mntr(e.server(i))
                assert "zk_tree_digest" not in values
                assert values["zk_digest_mismatches_count"] == "0"
