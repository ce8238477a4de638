"""Restarting the server: the harness's stop/kill/restart, and what must survive — every
acknowledged write, the sequence counters, the zxid order and the sessions with their
ephemerals — after a clean stop and after SIGKILL."""
import pytest
from kazoo.protocol.states import KazooState

import harness
from harness import wait_for


def test_restart_serves_on_the_same_port(fresh_server):
    port = fresh_server.port
    old_pid = fresh_server.pid
    fresh_server.restart()
    assert fresh_server.port == port and fresh_server.pid != old_pid
    assert fresh_server.four_letter("ruok") == "imok"
    fresh_server.restart(hard=True)
    with harness.kazoo_client(fresh_server) as zk:
        zk.create("/after-kill")
        assert zk.exists("/after-kill") is not None
    assert fresh_server.alive()


def write_some(zk):
    zk.create("/d", b"root")
    zk.create("/d/a", b"1")
    zk.set("/d/a", b"2")
    zk.create("/d/gone")
    zk.delete("/d/gone")
    zk.create("/d/s-", sequence=True)
    zk.set_acls("/d", harness_acl(), version=0)
    return {p: zk.exists(p) for p in ("/d", "/d/a", "/d/s-0000000002")}


def harness_acl():
    from kazoo.security import OPEN_ACL_UNSAFE, make_digest_acl
    return OPEN_ACL_UNSAFE + [make_digest_acl("u", "p", read=True)]


def check_survived(zk, stats):
    for path, st in stats.items():
        assert zk.exists(path) == st, path
    assert zk.get("/d/a")[0] == b"2"
    assert len(zk.get_acls("/d")[0]) == 2
    # The sequence counter survived: the next suffix continues.
    assert zk.create("/d/s-", sequence=True) == "/d/s-0000000003"
    assert zk.exists("/d/s-0000000003").czxid > max(st.mzxid for st in stats.values())


@pytest.mark.parametrize("hard", [False, True], ids=["sigterm", "sigkill"])
def test_acknowledged_writes_survive_a_restart(fresh_server, hard):
    with harness.kazoo_client(fresh_server) as zk:
        stats = write_some(zk)
    fresh_server.restart(hard=hard)
    with harness.kazoo_client(fresh_server) as zk:
        check_survived(zk, stats)


@pytest.mark.parametrize("hard", [False, True], ids=["sigterm", "sigkill"])
def test_a_session_and_its_ephemerals_survive_a_restart(fresh_server, hard):
    # SIGTERM (systemctl stop) expires no session: the clients resume theirs after a restart.
    with harness.kazoo_client(fresh_server, timeout=10.0) as zk:
        states = []
        zk.add_listener(states.append)
        zk.create("/eph", ephemeral=True)
        sid = zk.client_id[0]
        fresh_server.restart(hard=hard)
        # A fresh client first: it fails fast where the owner, whose last zxid is then ahead
        # of the server's, would be refused again and again.
        with harness.kazoo_client(fresh_server) as other:
            assert other.exists("/eph").ephemeralOwner == sid
        wait_for(lambda: KazooState.LOST in states or
                 (KazooState.SUSPENDED in states and zk.connected),
                 timeout=30, what="kazoo to reconnect")
        assert KazooState.LOST not in states
        assert zk.client_id[0] == sid
        assert zk.exists("/eph").ephemeralOwner == sid
