"""TTL and container znodes in a 3-server ensemble: the leader's sweeper deletes them with an
ordinary replicated txn, so every server ends with the same tree, and after the leader is
killed the new leader takes the sweeping over. One ensemble for the module (sweep every
200 ms); the znodes are created through a follower, so the sweep is not a local affair."""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
import raw_zk  # noqa: E402
from ensemble import Ensemble  # noqa: E402

IS_ZK = harness.TARGET == "zookeeper"
START_TIMEOUT = 90 if IS_ZK else 30
SWEEP_CONFIG = {"extendedTypesEnabled": "true", "znode.container.checkIntervalMs": "200"}
GONE_WITHIN = 15.0


@pytest.fixture(scope="module")
def ens():
    e = Ensemble(3, extra_config=SWEEP_CONFIG)
    try:
        e.start(timeout=START_TIMEOUT)
        yield e
    finally:
        e.cleanup()


def raw_session(member):
    conn = raw_zk.Conn(member.host, member.port)
    assert conn.handshake() is not None
    return conn


def call_ok(conn, xid, opcode, body):
    reply = conn.call(xid, opcode, body)
    assert reply is not None and reply[2] == 0, f"opcode {opcode} answered {reply}"
    return reply


def synced_stat(member, path):
    """The stat of `path` as `member` has it after a sync (None when it does not exist)."""
    with harness.kazoo_client(member.hosts) as zk:
        zk.sync(path)
        return zk.exists(path)


@pytest.mark.time_limit(240 if IS_ZK else 120)
def test_sweep_is_replicated_and_survives_a_leader_kill(ens):
    followers = ens.followers()
    assert len(followers) == 2
    via = ens.server(followers[0])
    conn = raw_session(via)
    try:
        call_ok(conn, 1, raw_zk.OP_CREATE, raw_zk.create_body("/sweep"))
        call_ok(conn, 2, raw_zk.OP_CREATE_TTL, raw_zk.create_ttl_body("/sweep/ttl", 300))
        call_ok(conn, 3, raw_zk.OP_CREATE_CONTAINER,
                raw_zk.create_body("/sweep/box", b"", raw_zk.MODE_CONTAINER))
        call_ok(conn, 4, raw_zk.OP_CREATE, raw_zk.create_body("/sweep/box/c"))
        call_ok(conn, 5, raw_zk.OP_DELETE, raw_zk.pack_string("/sweep/box/c") + b"\xff\xff\xff\xff")
    finally:
        conn.close()

    with harness.kazoo_client(via.hosts) as zk:
        harness.wait_for(lambda: zk.exists("/sweep/ttl") is None and
                         zk.exists("/sweep/box") is None,
                         timeout=GONE_WITHIN, what="the sweeper to delete both znodes")
    # Every server applied the same deletions: the parent is the same everywhere.
    stats = [synced_stat(m, "/sweep") for m in ens.members]
    assert all(s.numChildren == 0 for s in stats)
    assert len({(s.pzxid, s.cversion) for s in stats}) == 1, stats

    # Kill the leader: the TTL znode created now must still expire, swept by the new leader.
    old = ens.leader()
    survivor = ens.server(next(i for i in range(len(ens)) if i != old))
    conn = raw_session(survivor)
    try:
        call_ok(conn, 1, raw_zk.OP_CREATE_TTL, raw_zk.create_ttl_body("/sweep/later", 3000))
        # Still there when the leader dies: whoever deletes it is the next leader.
        reply = conn.call(2, raw_zk.OP_EXISTS, raw_zk.path_watch_body("/sweep/later"))
        assert reply is not None and reply[2] == 0
    finally:
        conn.close()
    ens.kill(old)
    new_leader, _ = ens.wait_for_leader(timeout=60.0, exclude=old)
    with harness.kazoo_client(ens.server(new_leader).hosts) as zk:
        harness.wait_for(lambda: zk.exists("/sweep/later") is None, timeout=GONE_WITHIN + 30,
                         what="the new leader to sweep the TTL znode")
    # The killed server comes back, catches up and agrees.
    ens.start_server(old, timeout=START_TIMEOUT)
    live = [synced_stat(m, "/sweep") for m in ens.members]
    assert len({(s.pzxid, s.cversion, s.numChildren) for s in live}) == 1, live
