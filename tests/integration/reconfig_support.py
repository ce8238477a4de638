"""What the reconfiguration tests share (test_reconfig*, test_cli_reconfig): an ensemble of
three with reconfigEnabled and a super digest, ZooKeeper's server specs and /zookeeper/config
text, and the retries a client needs through the elections a reconfig can cause."""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from ensemble import Ensemble  # noqa: E402

IS_ZK = harness.TARGET == "zookeeper"
START_TIMEOUT = 90 if IS_ZK else 30
LIMIT = 300 if IS_ZK else 120
SUPER_PASSWORD = "reconfig-test"


RECONFIG_CONFIG = {"reconfigEnabled": "true",
                   "DigestAuthenticationProvider.superDigest":
                       harness.digest_id("super", SUPER_PASSWORD)}


@pytest.fixture
def ens():
    e = Ensemble(3, extra_config=RECONFIG_CONFIG)
    try:
        e.start(timeout=START_TIMEOUT)
        yield e
    finally:
        e.cleanup()


def super_client(hosts):
    return harness.kazoo_client(hosts, auth_data=[("digest", f"super:{SUPER_PASSWORD}")])


def spec(member, role="participant"):
    """server.N=host:quorum:election:role;host:client, as ZooKeeper writes it."""
    return (f"server.{member.sid}={member.host}:{member.quorum_port}:{member.election_port}"
            f":{role};{member.host}:{member.client_port}")


def create_retrying(zk, path, value, timeout=30.0):
    """Creates `path`, retrying through the ConnectionLoss of a leader change (a retry that
    finds the node made by an attempt whose answer was lost counts as done)."""
    from kazoo.exceptions import ConnectionLoss, NodeExistsError, SessionMovedError
    deadline = time.monotonic() + timeout
    while True:
        try:
            zk.create(path, value)
            return
        except NodeExistsError:
            return
        except (ConnectionLoss, SessionMovedError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def reconfig_retrying(zk, timeout=30.0, **change):
    """reconfig through a ConnectionLoss (the servers may be electing) or a NewConfigNoQuorum
    (a server just restarted may still be syncing). If an attempt whose answer was lost had
    committed, the retry is refused as no change: then the configuration is read back."""
    from kazoo.exceptions import BadArgumentsError, ConnectionLoss, NewConfigNoQuorumError
    deadline = time.monotonic() + timeout
    lost_answer = False
    while True:
        try:
            return zk.reconfig(joining=change.get("joining"), leaving=change.get("leaving"),
                               new_members=change.get("new_members"))
        except BadArgumentsError:
            if not lost_answer:
                raise
            zk.sync("/zookeeper/config")
            return zk.get("/zookeeper/config")
        except (ConnectionLoss, NewConfigNoQuorumError) as e:
            lost_answer = lost_answer or isinstance(e, ConnectionLoss)
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def parse_config(data):
    """{sid: line} and the version (an int) of /zookeeper/config's data (bytes or text)."""
    lines = (data.decode() if isinstance(data, bytes) else data).split("\n")
    assert lines[-1].startswith("version="), data
    servers = {}
    for line in lines[:-1]:
        key, _, _ = line.partition("=")
        assert key.startswith("server."), data
        servers[int(key[len("server."):])] = line
    return servers, int(lines[-1][len("version="):], 16)


def config_node(hosts):
    """(/zookeeper/config's text, its Stat) as kazoo reads it from `hosts` after a sync."""
    with harness.kazoo_client(hosts) as zk:
        zk.sync("/zookeeper/config")
        data, stat = zk.get("/zookeeper/config")
        return data.decode(), stat


def synced_config(hosts):
    """(parse_config of /zookeeper/config, its Stat), read from `hosts` after a sync."""
    text, stat = config_node(hosts)
    return parse_config(text), stat


def wait_non_voting(ens, i, timeout=30.0):
    """Server i, removed, follows as a non-voting learner: srvr says follower, it serves
    (ZooKeeper 3.8's removed servers do), and the leader does not count it as a voter."""
    member = ens.server(i)
    harness.wait_for(lambda: member.mode() == "follower", timeout=timeout,
                     what=f"removed server {member.sid} following")
    with harness.kazoo_client(member.hosts) as zk:
        zk.sync("/")
        assert member.sid not in parse_config(zk.get("/zookeeper/config")[0])[0]


def wait_mode(ens, i, wanted, timeout=30.0):
    harness.wait_for(lambda: ens.server(i).mode() == wanted, timeout=timeout,
                     what=f"server {ens.server(i).sid} {wanted}")
