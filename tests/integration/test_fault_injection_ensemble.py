"""The test-only fault-injection channel in a 3-server ensemble (`paddock
--enable-fault-injection`): `kill follower-link` breaks one ZAB link as a broken connection
would, and the ensemble must heal the way ZooKeeper's does when a LearnerHandler dies — the
leader forgets the follower, the follower rejoins and is synced again (DIFF, as the leader's
log says), serves again, and every server ends with the same data:
  - on the leader (a follower chosen at random);
  - on a follower (its link to the leader).
Standalone targets are in test_fault_injection.py.
"""
import re
import socket
import time

import pytest
from kazoo.client import KazooClient

from ensemble import Ensemble
from harness import TARGET, wait_for

pytestmark = pytest.mark.skipif(TARGET == "zookeeper",
                                reason="a Paddock-only, test-only control channel")

FLAG = ["--enable-fault-injection"]
HEAL_BOUND = 10.0  # seconds for a dropped follower to be synced and serving again


def command(member, line, timeout=5.0):
    """The answer to a `kill` line sent to one server's client port."""
    with socket.create_connection((member.host, member.client_port), timeout=timeout) as s:
        s.sendall(line.encode())
        chunks = []
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return b"".join(chunks).decode()
            chunks.append(chunk)


def client(member):
    zk = KazooClient(hosts=member.hosts, timeout=10.0)
    zk.start(timeout=10)
    return zk


def stop(zk):
    try:
        zk.stop()
        zk.close()
    except Exception:
        pass


def contents(member, root):
    """{child: data} under `root` as `member` serves it after a sync."""
    zk = client(member)
    try:
        zk.sync(root)
        return {c: zk.get(f"{root}/{c}")[0] for c in zk.get_children(root)}
    finally:
        stop(zk)


def write_through(member, path, data):
    """A write through `member`, retried while it is still coming back."""
    deadline = time.monotonic() + HEAL_BOUND
    while True:
        zk = None
        try:
            zk = client(member)
            zk.create(path, data)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            if zk:
                stop(zk)


@pytest.fixture(scope="module")
def ens():
    with Ensemble(3, extra_args=FLAG) as e:
        e.start(timeout=30)
        yield e


def heals(ens, leader, dropped, since, root, name):
    """The dropped follower is synced by DIFF (leader's log after `since`), serves again,
    takes a write, and all servers agree on `root`."""
    sid = ens.server(dropped).sid
    wait_for(lambda: (sid, "DIFF") in ens.sync_events(leader, since), HEAL_BOUND,
             what=f"the leader to sync server {sid} again by DIFF")
    ens.wait_serving([dropped], timeout=HEAL_BOUND)
    assert ens.leader() == leader, "the leader changed: only one link was to break"
    write_through(ens.server(dropped), f"{root}/{name}", b"through the dropped follower")
    seen = [contents(ens.server(i), root) for i in range(3)]
    assert seen[0] == seen[1] == seen[2], seen
    assert seen[0][name] == b"through the dropped follower"


@pytest.mark.time_limit(40)
def test_leader_drops_a_follower_link(ens):
    leader, _ = ens.wait_for_leader(timeout=10)
    root = "/fi-leader"
    zk = client(ens.server(leader))
    try:
        zk.ensure_path(root)
        for i in range(20):
            zk.create(f"{root}/before{i}", b"x")
    finally:
        stop(zk)
    assert command(ens.server(leader), "kill follower-link 9\n") == "no follower link\n"

    since = ens.log_size(leader)
    answer = command(ens.server(leader), "kill follower-link\n")
    m = re.fullmatch(r"killed follower-link (\d+)\n", answer)
    assert m, answer
    sid = int(m.group(1))
    dropped = sid - 1
    assert dropped != leader and 0 <= dropped < 3
    heals(ens, leader, dropped, since, root, "after")
    assert f"fault injection: killing follower-link {sid}" in ens.log_text(leader, since)


@pytest.mark.time_limit(40)
def test_follower_drops_its_leader_link(ens):
    leader, _ = ens.wait_for_leader(timeout=10)
    ens.wait_serving(timeout=HEAL_BOUND)
    follower = ens.followers()[0]
    root = "/fi-follower"
    zk = client(ens.server(leader))
    try:
        zk.ensure_path(root)
        zk.create(f"{root}/before", b"x")
    finally:
        stop(zk)

    since = ens.log_size(leader)
    answer = command(ens.server(follower), "kill follower-link\n")
    assert answer == f"killed follower-link {ens.server(leader).sid}\n"
    heals(ens, leader, follower, since, root, "after")
    assert (f"peer link to server {ens.server(follower).sid} dropped by that server"
            in ens.log_text(leader, since))
