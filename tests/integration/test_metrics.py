"""Prometheus /metrics (ZooKeeper's PrometheusMetricsProvider keys and names) and mntr's leader
keys, on a 3-server ensemble under writes and reads.

/metrics: the servers run with metricsProvider.className naming ZooKeeper's Prometheus
provider on free ports of 127.0.0.1. Debian's ZooKeeper 3.8 ships no provider jar, so those
tests skip for PADDOCK_TARGET=zookeeper; the mntr tests run against both.

`promtool check metrics` lints as well as parses: it exits 1 on text it cannot parse and 3 on
lint problems. ZooKeeper's own names break two of its naming rules (a counter without
`_total`, such as commit_count; a gauge ending in `_count`, such as znode_count), and keeping
ZooKeeper's names is the point (dashboards and alerts written for ZooKeeper work unchanged),
so the test requires that it parses and that every lint problem is one of those two, on a name
ZooKeeper itself exports.
"""
import re
import subprocess
import urllib.error
import urllib.request

import pytest
from kazoo.client import KazooClient

from ensemble import Ensemble
import harness
from harness import TARGET, Server, free_port, wait_for

IS_ZK = TARGET == "zookeeper"
START_TIMEOUT = 90 if IS_ZK else 30
PROVIDER = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider"
needs_provider = pytest.mark.skipif(
    IS_ZK, reason="Debian's ZooKeeper 3.8 ships no Prometheus metrics provider jar")

# ZooKeeper 3.8's names and types, as its provider exports them (gauges of registerMetrics,
# summaries and counters of ServerMetrics), that Paddock computes.
SERVER_GAUGES = ["znode_count", "watch_count", "ephemerals_count", "approximate_data_size",
                 "num_alive_connections", "outstanding_requests", "packets_received",
                 "packets_sent", "avg_latency", "min_latency", "max_latency", "uptime",
                 "global_sessions", "local_sessions", "open_file_descriptor_count",
                 "max_file_descriptor_count", "quorum_size"]
LEADER_GAUGES = ["learners", "synced_followers", "synced_non_voting_followers",
                 "synced_observers", "pending_syncs", "leader_uptime", "last_proposal_size",
                 "min_proposal_size", "max_proposal_size"]
ADVANCED_SUMMARIES = ["readlatency", "updatelatency", "propagation_latency",
                      "quorum_ack_latency", "commit_propagation_latency"]
BASIC_SUMMARIES = ["fsynctime", "snapshottime", "dbinittime", "startup_txns_loaded",
                   "election_time", "follower_sync_time", "observer_sync_time",
                   "sync_processor_batch_size"]
COUNTERS = ["looking_count", "diff_count", "snap_count", "proposal_count", "commit_count",
            "digest_mismatches_count"]
ZOOKEEPER_NAMES = set(SERVER_GAUGES + LEADER_GAUGES + ADVANCED_SUMMARIES + BASIC_SUMMARIES
                      + COUNTERS)
# The mntr keys only a leader prints (LeaderZooKeeperServer.registerMetrics).
MNTR_LEADER_KEYS = ["zk_" + k for k in LEADER_GAUGES]


# -- helpers -------------------------------------------------------------------------------

def metrics_port(member):
    return int(member.config["metricsProvider.httpPort"])


def scrape(member, timeout=5.0):
    url = f"http://127.0.0.1:{metrics_port(member)}/metrics"
    with urllib.request.urlopen(url, timeout=timeout) as r:
        assert r.status == 200
        assert r.headers.get("Content-Type", "").startswith("text/plain")
        return r.read().decode()


def parse(text):
    """{name: type} from the TYPE lines, and {sample (with labels): value}."""
    types, samples = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
        elif line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            samples[key] = float(value)
    return types, samples


def mntr(ens, i):
    return harness.mntr(ens.server(i).host, ens.server(i).client_port)


def with_provider(ens):
    for m in ens.members:
        config = dict(m.config)
        config.update({"metricsProvider.className": PROVIDER,
                       "metricsProvider.httpHost": "127.0.0.1",
                       "metricsProvider.httpPort": str(free_port()),
                       "metricsProvider.exportJvmInfo": "false"})
        m.write_files(config)
    return ens


@pytest.fixture(scope="module")
def ens():
    with Ensemble(3) as e:
        if not IS_ZK:
            with_provider(e)
        e.start(timeout=START_TIMEOUT)
        leader = e.leader()
        zk = KazooClient(hosts=e.connect_string([leader]), timeout=10.0)
        zk.start(timeout=START_TIMEOUT)
        try:
            zk.ensure_path("/metrics")
            for i in range(20):
                zk.create(f"/metrics/n{i}", b"x" * 100)
            for i in range(20):
                zk.get(f"/metrics/n{i}")
        finally:
            zk.stop()
            zk.close()
        yield e


def leader_and_follower(ens):
    leader = ens.leader()
    follower = ens.followers()[0]
    return leader, follower


# -- /metrics ------------------------------------------------------------------------------

@needs_provider
def test_every_server_answers_and_promtool_parses_it(ens):
    for i in ens.alive_indices():
        text = scrape(ens.server(i))
        check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
        problems = (check.stdout + check.stderr).strip().splitlines()
        assert check.returncode in (0, 3), problems  # 1 would be text it cannot parse
        for p in problems:
            name = p.split(" ", 1)[0]
            assert name in ZOOKEEPER_NAMES, p
            assert ('should have "_total" suffix' in p
                    or 'should not have "_count" suffix' in p), p


@needs_provider
def test_zookeeper_names_with_their_types(ens):
    leader, follower = leader_and_follower(ens)
    for i in (leader, follower):
        types, samples = parse(scrape(ens.server(i)))
        for name in SERVER_GAUGES:
            assert types.get(name) == "gauge", name
            assert name in samples, name
        for name in ADVANCED_SUMMARIES + BASIC_SUMMARIES:
            assert types.get(name) == "summary", name
            assert f"{name}_count" in samples and f"{name}_sum" in samples, name
            assert f'{name}{{quantile="0.5"}}' in samples, name
        for name in ADVANCED_SUMMARIES:
            for q in ("0.9", "0.99"):
                assert f'{name}{{quantile="{q}"}}' in samples, (name, q)
        for name in BASIC_SUMMARIES:
            assert f'{name}{{quantile="0.9"}}' not in samples, name
        for name in COUNTERS:
            assert types.get(name) == "counter", name
            assert name in samples, name
        # No version or state words as metrics, and Paddock's own figures prefixed.
        assert "version" not in types and "server_state" not in types
        assert types.get("paddock_log_segments") == "gauge"
        assert samples["paddock_log_segments"] >= 1
        assert types.get("paddock_mailbox_depth") == "gauge"
        for actor in ("store", "quorum_peer", "proposal_pipeline", "log_writer", "watch_manager"):
            assert samples[f'paddock_mailbox_depth{{actor="{actor}"}}'] >= 0, actor
        assert samples["quorum_size"] == 3
        assert samples["election_time_count"] >= 1
        assert samples["looking_count"] >= 1


@needs_provider
def test_leader_gauges_on_the_leader_only(ens):
    leader, follower = leader_and_follower(ens)

    def synced():
        _, s = parse(scrape(ens.server(leader)))
        return s.get("learners") == 2 and s.get("synced_followers") == 2
    wait_for(synced, timeout=10, what="the leader counts 2 synced followers")
    types, samples = parse(scrape(ens.server(leader)))
    for name in LEADER_GAUGES:
        assert types.get(name) == "gauge", name
    assert samples["synced_observers"] == 0
    assert samples["synced_non_voting_followers"] == 0
    assert samples["leader_uptime"] > 0
    assert samples["min_proposal_size"] > 0
    assert samples["max_proposal_size"] >= samples["last_proposal_size"] >= \
        samples["min_proposal_size"]
    assert samples["proposal_count"] >= 21 and samples["commit_count"] >= 21
    assert samples["quorum_ack_latency_count"] >= 21
    ftypes, fsamples = parse(scrape(ens.server(follower)))
    for name in LEADER_GAUGES:
        assert name not in ftypes, name
    assert fsamples["follower_sync_time_count"] >= 1
    assert fsamples["propagation_latency_count"] >= 21
    assert fsamples["commit_propagation_latency_count"] >= 21
    assert fsamples["quorum_ack_latency_count"] == 0


@needs_provider
def test_values_move_with_writes_and_reads(ens):
    leader, follower = leader_and_follower(ens)
    zk = KazooClient(hosts=ens.connect_string([follower]), timeout=10.0)
    zk.start(timeout=30)
    try:
        _, before = parse(scrape(ens.server(follower)))
        zk.ensure_path("/moves")
        for i in range(10):
            zk.create(f"/moves/n{i}", b"y")
        for i in range(5):
            zk.get(f"/moves/n{i}")

        def moved():
            _, s = parse(scrape(ens.server(follower)))
            return s["znode_count"] == before["znode_count"] + 11
        wait_for(moved, timeout=10, what="znode_count follows the creates")
        _, after = parse(scrape(ens.server(follower)))
        assert after["updatelatency_count"] >= before["updatelatency_count"] + 11
        assert after["readlatency_count"] >= before["readlatency_count"] + 5
        assert after["packets_received"] > before["packets_received"]
        assert after["num_alive_connections"] >= 1
        assert after["global_sessions"] >= 1
        _, lead = parse(scrape(ens.server(leader)))
        assert lead["fsynctime_count"] >= 1 and lead["sync_processor_batch_size_count"] >= 1
    finally:
        zk.stop()
        zk.close()


@needs_provider
def test_no_endpoint_without_the_provider_class():
    port = free_port()
    srv = Server({"metricsProvider.httpHost": "127.0.0.1",
                  "metricsProvider.httpPort": str(port)}).start()
    try:
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2)
    finally:
        srv.stop()


@needs_provider
@pytest.mark.parametrize("port,key", [("seven", "metricsProvider.httpPort"),
                                      ("in use", "metricsProvider.httpPort")])
def test_a_bad_port_stops_the_server_naming_the_key(ens, port, key):
    if port == "in use":
        port = str(metrics_port(ens.server(0)))
    srv = Server({"metricsProvider.className": PROVIDER, "metricsProvider.httpHost": "127.0.0.1",
                  "metricsProvider.httpPort": port})
    with pytest.raises(RuntimeError, match="server exited") as failed:
        srv.start(timeout=15)
    assert key in str(failed.value)
    srv.stop()


# -- mntr (Paddock and ZooKeeper) ----------------------------------------------------------

def test_mntr_leader_keys_on_the_leader_only(ens):
    leader, follower = leader_and_follower(ens)

    def synced():
        return mntr(ens, leader).get("zk_synced_followers") == "2"
    wait_for(synced, timeout=15, what="mntr on the leader shows 2 synced followers")
    lead = mntr(ens, leader)
    assert lead["zk_server_state"] == "leader"
    for key in MNTR_LEADER_KEYS:
        assert key in lead, key
    assert lead["zk_learners"] == "2"
    assert lead["zk_synced_observers"] == "0"
    assert lead["zk_synced_non_voting_followers"] == "0"
    assert lead["zk_pending_syncs"] == "0"
    assert int(lead["zk_max_proposal_size"]) >= int(lead["zk_min_proposal_size"]) > 0
    assert int(lead["zk_leader_uptime"]) > 0
    assert lead["zk_quorum_size"] == "3"
    assert lead["zk_peer_state"] == "leading - broadcast"
    fol = mntr(ens, follower)
    assert fol["zk_server_state"] == "follower"
    assert fol["zk_peer_state"] == "following - broadcast"
    for key in MNTR_LEADER_KEYS:
        assert key not in fol, key


def test_mntr_values_are_typed_as_zookeepers(ens):
    leader, _ = leader_and_follower(ens)
    m = mntr(ens, leader)
    # A mean prints as a Java double (at least one decimal), counts as integers.
    assert re.fullmatch(r"\d+\.\d+", m["zk_avg_latency"]), m["zk_avg_latency"]
    for key in ("zk_znode_count", "zk_packets_received", "zk_min_latency", "zk_max_latency",
                "zk_uptime", "zk_global_sessions", "zk_local_sessions"):
        assert re.fullmatch(r"-?\d+", m[key]), (key, m[key])
    # No local sessions unless localSessionsEnabled (off here; Paddock makes them only in
    # read-only mode, test_read_only.py).
    assert m["zk_local_sessions"] == "0"
    assert int(m["zk_znode_count"]) >= 22


def test_observers_are_counted_apart():
    """A leader with two followers and one observer: zk_learners counts all three,
    zk_synced_followers the followers, zk_synced_observers the observer."""
    with Ensemble(3, observers=1) as e:
        if not IS_ZK:
            with_provider(e)
        e.start(timeout=START_TIMEOUT)
        leader = e.leader()

        def counted():
            m = mntr(e, leader)
            return (m.get("zk_learners"), m.get("zk_synced_followers"),
                    m.get("zk_synced_observers")) == ("3", "2", "1")
        wait_for(counted, timeout=15, what="the leader counts 3 learners, 1 of them an observer")
        observer = e.observers()[0]
        obs = mntr(e, observer)
        assert obs["zk_server_state"] == "observer"
        assert obs["zk_quorum_size"] == "3"  # voters only
        for key in MNTR_LEADER_KEYS:
            assert key not in obs, key
        if not IS_ZK:
            _, samples = parse(scrape(e.server(observer)))
            assert samples["observer_sync_time_count"] >= 1
            assert samples["follower_sync_time_count"] == 0
