"""Quotas: zkCli's setquota / listquota / delquota, and the server keeping
/zookeeper/quota/<path>/zookeeper_stats up to date as znodes under <path> change. In 3.8 a
quota past its limit is only logged (zookeeper.enforceQuota is off by default)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

ZKCLI = ["java", "-Xmx256m", "-cp", harness.ZK_CLASSPATH, "org.apache.zookeeper.ZooKeeperMain"]


def zkcli(server, *args):
    run = subprocess.run(ZKCLI + ["-server", server.hosts, *args], capture_output=True,
                         text=True, timeout=90)
    return run.stdout + run.stderr


def stats(zk, path):
    return zk.get(f"/zookeeper/quota{path}/zookeeper_stats")[0].decode()


def test_stats_follow_creates_deletes_and_set_data(server, zk):
    zk.create("/qk", b"12345")
    zk.create("/qk/a", b"xy")
    # What setquota -n 10 /qk creates, made by hand.
    zk.create("/zookeeper/quota/qk/zookeeper_limits", b"count=10,bytes=-1", makepath=True)
    zk.create("/zookeeper/quota/qk/zookeeper_stats", b"count=0,bytes=0")
    assert stats(zk, "/qk") == "count=2,bytes=7"  # counted by the server on creation
    version = zk.exists("/zookeeper/quota/qk/zookeeper_stats").version
    zk.create("/qk/b", b"abc")
    assert stats(zk, "/qk") == "count=3,bytes=10"
    zk.set("/qk/a", b"")
    assert stats(zk, "/qk") == "count=3,bytes=8"
    zk.delete("/qk/b")
    assert stats(zk, "/qk") == "count=2,bytes=5"
    zk.create("/qk/a/deep", b"1234567890")
    assert stats(zk, "/qk") == "count=3,bytes=15"
    zk.create("/qk-sibling", b"zz")  # a string prefix, not below /qk
    assert stats(zk, "/qk") == "count=3,bytes=15"
    # Changed in place by the server: the stats znode's version never moves.
    assert zk.exists("/zookeeper/quota/qk/zookeeper_stats").version == version
    # Past the limit (3.8 does not enforce it): creates still succeed and are counted.
    for i in range(10):
        zk.create(f"/qk/many{i}")
    assert stats(zk, "/qk") == "count=13,bytes=15"
    # ... but logged, on every server, for each write past it. (ZooKeeper's log4j output
    # does not go to this harness's server.log, so only Paddock's is read.)
    if harness.TARGET == "paddock":
        harness.wait_for(lambda: "Quota exceeded: /qk count=11 limit=10" in log_text(server), 5,
                         what="the quota warning in the server log")


def log_text(server):
    with open(server.log_path, "rb") as f:
        return f.read().decode(errors="replace")


def test_stats_are_recounted_after_a_restart(fresh_server):
    with harness.kazoo_client(fresh_server) as zk:
        zk.create("/qr", b"1")
        zk.create("/zookeeper/quota/qr/zookeeper_limits", b"count=-1,bytes=100",
                  makepath=True)
        zk.create("/zookeeper/quota/qr/zookeeper_stats", b"count=0,bytes=0")
        zk.create("/qr/x", b"22")
        assert stats(zk, "/qr") == "count=2,bytes=3"
    fresh_server.restart()
    with harness.kazoo_client(fresh_server) as zk:
        assert stats(zk, "/qr") == "count=2,bytes=3"
        zk.create("/qr/y", b"333")
        assert stats(zk, "/qr") == "count=3,bytes=6"


def test_zkcli_setquota_listquota_delquota(server, zk):
    zk.create("/qcli", b"abcd")
    zk.create("/qcli/child", b"ef")
    out = zkcli(server, "setquota", "-n", "5", "/qcli")
    assert zk.exists("/zookeeper/quota/qcli/zookeeper_limits") is not None, out
    # zkCli writes the whole StatsTrack, hard limits (-1: none) included.
    assert zk.get("/zookeeper/quota/qcli/zookeeper_limits")[0].startswith(b"count=5,bytes=-1")
    assert stats(zk, "/qcli") == "count=2,bytes=6"
    zk.create("/qcli/more", b"123")
    out = zkcli(server, "listquota", "/qcli")
    assert "Output quota for /qcli count=5,bytes=-1" in out, out
    assert "Output stat for /qcli count=3,bytes=9" in out, out
    zkcli(server, "delquota", "/qcli")
    assert zk.exists("/zookeeper/quota/qcli/zookeeper_limits") is None
    zk.create("/qcli/after")  # no longer tracked
    out = zkcli(server, "listquota", "/qcli")
    assert "Output quota for /qcli count=5" not in out, out
