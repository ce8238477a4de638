"""Dynamic reconfiguration through kazoo, as ZooKeeper 3.8 does it (run with
PADDOCK_TARGET=zookeeper to see the same answers from ZooKeeper): /zookeeper/config shows the
active membership; refusals come in ZooKeeper's order and change nothing; a follower, the leader
itself and a role are changed while clients write; a removed server no longer votes but goes on
as a non-voting follower (ZooKeeper 3.8's: it still serves its clients) and votes again when
added back; the new membership survives a restart of every server.
Each test has an ensemble of its own, started with reconfigEnabled and a super digest."""
import os
import struct
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
import raw_zk  # noqa: E402
from ensemble import Ensemble  # noqa: E402

from reconfig_support import (IS_ZK, LIMIT, START_TIMEOUT, create_retrying,  # noqa: E402,F401
                              ens, parse_config, reconfig_retrying, spec, super_client,
                              synced_config, wait_mode, wait_non_voting)

OP_RECONFIG = 16
RECONFIG_DISABLED = -123


@pytest.mark.time_limit(LIMIT)
def test_config_node_shows_the_active_membership(ens):
    (servers, version), stat = synced_config(ens.connect_string())
    assert sorted(servers) == [1, 2, 3]
    for m in ens.members:
        assert servers[m.sid].startswith(
            f"server.{m.sid}={m.host}:{m.quorum_port}:{m.election_port}:participant"), servers
    # The version is the zxid that made the configuration (the first leader's, here).
    assert version == stat.mzxid and version >> 32 >= 1
    assert stat.version == -1
    with harness.kazoo_client(ens.connect_string()) as zk:
        from kazoo.exceptions import NoAuthError
        with pytest.raises(NoAuthError):
            zk.set("/zookeeper/config", b"server.1=127.0.0.1:1:2")


@pytest.mark.time_limit(LIMIT)
def test_refusals_change_nothing(ens):
    from kazoo.exceptions import BadArgumentsError, BadVersionError, NoAuthError
    before, _ = synced_config(ens.connect_string())
    with harness.kazoo_client(ens.connect_string()) as anonymous:
        with pytest.raises(NoAuthError):
            anonymous.reconfig(joining=None, leaving="3", new_members=None)
    with super_client(ens.connect_string()) as zk:
        with pytest.raises(BadArgumentsError):  # no voter would be left
            zk.reconfig(joining=None, leaving="1,2,3", new_members=None)
        with pytest.raises(BadArgumentsError):  # a joiner needs a client address
            zk.reconfig(joining="server.9=127.0.0.1:1:2:participant", leaving=None,
                        new_members=None)
        with pytest.raises(BadVersionError):
            zk.reconfig(joining=None, leaving="3", new_members=None,
                        from_config=before[1] + 12345)
    after, _ = synced_config(ens.connect_string())
    assert after == before


@pytest.mark.time_limit(LIMIT)
def test_reconfig_disabled_by_default():
    with Ensemble(3) as e:
        e.start(timeout=START_TIMEOUT)
        conn = raw_zk.Conn(e.server(0).host, e.server(0).port)
        try:
            assert conn.handshake() is not None
            body = (raw_zk.pack_string(None) + raw_zk.pack_string("3") +
                    raw_zk.pack_string(None) + struct.pack(">q", -1))
            reply = conn.call(1, OP_RECONFIG, body)
            assert reply is not None and reply[2] == RECONFIG_DISABLED, reply
        finally:
            conn.close()


@pytest.mark.time_limit(LIMIT)
def test_remove_a_follower_then_add_it_back(ens):
    follower = ens.followers()[0]
    gone = ens.server(follower)
    stay = [i for i in range(3) if i != follower]
    with super_client(ens.connect_string(stay)) as zk:
        data, stat = zk.reconfig(joining=None, leaving=str(gone.sid), new_members=None)
        servers, version = parse_config(data)
        assert sorted(servers) == sorted(ens.server(i).sid for i in stay)
        assert version == stat.mzxid
        # The other two go on as a quorum of two; the removed server follows without a vote.
        wait_non_voting(ens, follower)
        zk.create("/while-out", b"x")
        for i in stay:
            assert synced_config(ens.server(i).hosts)[0][0] == servers

        data, _ = zk.reconfig(joining=spec(gone), leaving=None, new_members=None)
        servers, version = parse_config(data)
        assert sorted(servers) == [1, 2, 3]
        assert servers[gone.sid] == spec(gone)
    wait_mode(ens, follower, "follower")
    with harness.kazoo_client(gone.hosts) as back:
        back.sync("/while-out")
        assert back.get("/while-out")[0] == b"x"
        data = back.get("/zookeeper/config")[0]
        assert parse_config(data) == (servers, version)
    # conf ends with the active membership, as /zookeeper/config holds it (QuorumZooKeeperServer's
    # dumpConf); its own ports and role come before it.
    for m in ens.members:
        conf = harness.four_letter(m.host, m.client_port, "conf")
        assert conf.endswith("membership: \n" + data.decode()), conf
        assert f"quorumPort={m.quorum_port}\n" in conf and "peerType=0\n" in conf, conf


@pytest.mark.time_limit(LIMIT)
def test_remove_the_leader_its_client_gets_the_answer(ens):
    leader = ens.leader()
    old = ens.server(leader)
    stay = [i for i in range(3) if i != leader]
    with super_client(old.hosts) as zk:
        # Paddock answers before the removed leader's connections close; ZooKeeper may drop
        # the connection first (the change commits all the same).
        data, _ = (reconfig_retrying(zk, leaving=str(old.sid)) if IS_ZK else
                   zk.reconfig(joining=None, leaving=str(old.sid), new_members=None))
        servers, _ = parse_config(data)
        assert old.sid not in servers and len(servers) == 2
    new_leader, _ = ens.wait_for_leader(timeout=30, exclude=[leader])
    assert new_leader in stay
    wait_non_voting(ens, leader)  # the old leader follows the new one, without a vote
    with harness.kazoo_client(ens.connect_string(stay)) as zk:
        create_retrying(zk, "/after-the-leader-left", b"y")
        assert synced_config(ens.server(stay[0]).hosts)[0][0] == servers


@pytest.mark.time_limit(LIMIT)
def test_a_participant_becomes_an_observer_and_back(ens):
    follower = ens.followers()[0]
    member = ens.server(follower)
    with super_client(ens.connect_string()) as zk:
        data, _ = reconfig_retrying(zk, joining=spec(member, "observer"))
        servers, _ = parse_config(data)
        assert servers[member.sid] == spec(member, "observer")
        wait_mode(ens, follower, "observer")
        with harness.kazoo_client(member.hosts) as via_observer:
            via_observer.create("/via-observer", b"o")  # forwarded to the leader
        zk.sync("/via-observer")
        assert zk.exists("/via-observer") is not None
        # Bulk form: the whole membership, everyone a participant again.
        data, _ = reconfig_retrying(zk, new_members=",".join(spec(m) for m in ens.members))
        servers, _ = parse_config(data)
        assert sorted(servers) == [1, 2, 3]
        assert all(line.endswith(f":participant;127.0.0.1:{ens.server(sid - 1).client_port}")
                   for sid, line in servers.items())
    wait_mode(ens, follower, "follower", timeout=30)


@pytest.mark.time_limit(LIMIT)
def test_the_new_membership_survives_a_restart(ens):
    follower = ens.followers()[0]
    gone = ens.server(follower)
    stay = [i for i in range(3) if i != follower]
    with super_client(ens.connect_string(stay)) as zk:
        data, _ = zk.reconfig(joining=None, leaving=str(gone.sid), new_members=None)
        servers, version = parse_config(data)
        zk.create("/before-restart", b"r")
    wait_non_voting(ens, follower)
    ens.stop_server(follower)
    # zoo.cfg now names the dynamic file that holds the two-server membership.
    for i in stay:
        cfg = open(ens.server(i).cfg_path).read()
        assert "dynamicConfigFile=" in cfg and "server." not in cfg, cfg
    # The removed server's own zoo.cfg was rewritten without it: started again, it refuses to
    # run (ZooKeeper: "My id 3 not in the peer list"; Paddock names myid).
    ens.start_server(follower, wait=False)
    harness.wait_for(lambda: not gone.alive(), timeout=START_TIMEOUT,
                     what="the removed server to exit")
    assert gone.proc.returncode != 0
    text = open(gone.log_path, errors="replace").read()
    assert "not in the peer list" in text or "not one of the server.N ids" in text, text[-2000:]
    for i in stay:
        ens.stop_server(i)
    for i in stay:
        ens.start_server(i, wait=False)
    ens.wait_serving(stay, timeout=START_TIMEOUT)
    with harness.kazoo_client(ens.connect_string(stay)) as zk:
        zk.sync("/before-restart")
        assert zk.get("/before-restart")[0] == b"r"
        assert parse_config(zk.get("/zookeeper/config")[0]) == (servers, version)
        create_retrying(zk, "/after-restart", b"s")


@pytest.mark.time_limit(LIMIT)
def test_a_follower_moves_to_new_quorum_and_election_ports(ens):
    """A follower's line changes to new quorum and election ports while it runs: it listens
    on them from then on, so that, the leader gone, the two others elect over the new ports."""
    follower = ens.followers()[0]
    member = ens.server(follower)
    member.quorum_port, member.election_port = harness.free_port(), harness.free_port()
    with super_client(ens.connect_string()) as zk:
        data, _ = reconfig_retrying(zk, joining=spec(member))
        servers, _ = parse_config(data)
    assert servers[member.sid] == spec(member)
    harness.wait_for(
        lambda: f"quorumPort={member.quorum_port}\n" in harness.four_letter(
            member.host, member.client_port, "conf"), timeout=30, what="conf's new quorumPort")
    leader = ens.leader()
    ens.stop_server(leader)
    rest = [i for i in range(3) if i != leader]
    new_leader, _ = ens.wait_for_leader(timeout=START_TIMEOUT, exclude=[leader])
    assert new_leader in rest
    ens.wait_serving(rest, timeout=START_TIMEOUT)
    with harness.kazoo_client(ens.connect_string(rest)) as zk:
        create_retrying(zk, "/after-the-move", b"m")


@pytest.mark.time_limit(LIMIT)
def test_a_follower_moves_to_a_new_client_port(ens):
    """A follower's line gets a new client port while it runs: it serves clients there from
    then on, and no longer on the old one."""
    follower = ens.followers()[0]
    member = ens.server(follower)
    old_port = member.client_port
    new_port = harness.free_port()
    line = (f"server.{member.sid}={member.host}:{member.quorum_port}:{member.election_port}"
            f":participant;{member.host}:{new_port}")
    with super_client(ens.connect_string()) as zk:
        data, _ = reconfig_retrying(zk, joining=line)
        assert parse_config(data)[0][member.sid] == line
    member.client_port, member.port = new_port, new_port
    member.hosts = f"{member.host}:{new_port}"
    harness.wait_for(lambda: member.mode() == "follower", timeout=30,
                     what="the follower serving on its new client port")
    with harness.kazoo_client(member.hosts) as zk:
        create_retrying(zk, "/via-the-new-port", b"p")

    def old_port_closed():
        try:
            harness.four_letter(member.host, old_port, "ruok", timeout=1.0)
            return False
        except OSError:
            return True
    harness.wait_for(old_port_closed, timeout=30, what="the old client port closed")
