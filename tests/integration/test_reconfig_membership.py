"""Changing who is in an ensemble, as an operator does it with ZooKeeper 3.5+: grow 3 -> 5 with
servers started for the purpose, shrink back, replace all three servers by three new ones
(new ids and ports) while clients write, and restart a server that was down while the
membership changed. Every acknowledged write must be there at the end.
PADDOCK_TARGET=zookeeper runs the same against ZooKeeper 3.8."""
import os
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from ensemble import Ensemble  # noqa: E402
from reconfig_support import (IS_ZK, RECONFIG_CONFIG, START_TIMEOUT,  # noqa: E402,F401
                              create_retrying, ens, parse_config, reconfig_retrying, spec,
                              super_client, synced_config, wait_non_voting)

LIMIT = 420 if IS_ZK else 150  # these tests run longer than test_reconfig's


def start_joiners(ens, current, count):
    joiners = [ens.add_joiner(current) for _ in range(count)]
    for j in joiners:
        ens.start_server(j, wait=False)
    # A joiner serves once it has synced with the leader, before it is a member.
    ens.wait_serving(joiners, timeout=START_TIMEOUT)
    return joiners


class Writers:
    """Threads writing /w/<thread>-<n> in a loop through the given servers, remembering every
    write that was acknowledged; a write that fails (ConnectionLoss while a server changes
    role) is retried under a new name, never counted."""

    def __init__(self, ens, indices, threads=3):
        self.hosts = ens.connect_string(indices)
        self.acked = []
        self.errors = 0
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        with harness.kazoo_client(self.hosts) as zk:
            zk.ensure_path("/w")
        self.threads = [threading.Thread(target=self.run, args=(t,), daemon=True)
                        for t in range(threads)]

    def run(self, t):
        with harness.kazoo_client(self.hosts) as zk:
            n = 0
            while not self.stop_flag.is_set():
                path = f"/w/{t}-{n}"
                n += 1
                try:
                    zk.create(path, b"v")
                except Exception:
                    with self.lock:
                        self.errors += 1
                    time.sleep(0.05)
                    continue
                with self.lock:
                    self.acked.append(path)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=30)

    def count(self):
        with self.lock:
            return len(self.acked)


def check_all_acked_present(hosts, acked):
    with harness.kazoo_client(hosts) as zk:
        zk.sync("/w")
        present = set(zk.get_children("/w"))
    missing = [p for p in acked if p[len("/w/"):] not in present]
    assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}"


@pytest.mark.time_limit(LIMIT)
def test_grow_from_three_to_five_and_back(ens):
    joiners = start_joiners(ens, [0, 1, 2], 2)
    with super_client(ens.connect_string([0, 1, 2])) as zk:
        zk.create("/before-grow", b"g")
        data, _ = zk.reconfig(joining=",".join(spec(ens.server(j)) for j in joiners),
                              leaving=None, new_members=None)
        servers, version = parse_config(data)
        assert sorted(servers) == [1, 2, 3, 4, 5]
    for i in range(5):
        assert synced_config(ens.server(i).hosts)[0] == (servers, version)
    # Five voters: two of them down is still a quorum.
    ens.stop_server(0)
    ens.stop_server(1)
    with harness.kazoo_client(ens.connect_string([2, 3, 4])) as zk:
        create_retrying(zk, "/with-two-down", b"q")
    ens.start_server(0, wait=False)
    ens.start_server(1, wait=False)
    ens.wait_serving([0, 1], timeout=START_TIMEOUT)
    with super_client(ens.connect_string([0, 1, 2])) as zk:
        data, _ = reconfig_retrying(zk, leaving=",".join(str(ens.server(j).sid)
                                                          for j in joiners))
        servers, _ = parse_config(data)
        assert sorted(servers) == [1, 2, 3]
        # A joiner may have become the leader: removing it takes the servers through an
        # election, and this client through a ConnectionLoss.
        zk.retry(zk.sync, "/with-two-down")
        assert zk.retry(zk.exists, "/with-two-down") and zk.retry(zk.exists, "/before-grow")
    for j in joiners:
        wait_non_voting(ens, j)


@pytest.mark.time_limit(LIMIT)
def test_replace_all_three_servers_under_writes(ens):
    """Three new servers (new ids, new ports) join; the three old ones leave, the leader
    among them, while three clients write through the new ones. Nothing acknowledged is
    lost, and the ensemble ends made only of the new servers."""
    new = start_joiners(ens, [0, 1, 2], 3)
    with Writers(ens, new) as writers:
        harness.wait_for(lambda: writers.count() >= 20, timeout=30, what="writes flowing")
        with super_client(ens.connect_string([0, 1, 2])) as zk:
            zk.reconfig(joining=",".join(spec(ens.server(j)) for j in new), leaving=None,
                        new_members=None)
        before = writers.count()
        harness.wait_for(lambda: writers.count() >= before + 20, timeout=30,
                         what="writes after the joiners became members")
        with super_client(ens.connect_string(new)) as zk:
            data, _ = reconfig_retrying(zk, leaving="1,2,3")
            servers, version = parse_config(data)
        assert sorted(servers) == sorted(ens.server(j).sid for j in new)
        before = writers.count()
        harness.wait_for(lambda: writers.count() >= before + 20, timeout=60,
                         what="writes after the old servers left")
    for i in range(3):
        wait_non_voting(ens, i)
        ens.stop_server(i)
    assert synced_config(ens.connect_string(new))[0] == (servers, version)
    check_all_acked_present(ens.connect_string(new), writers.acked)


@pytest.mark.time_limit(LIMIT)
def test_a_server_down_during_a_change_learns_it_on_restart(ens):
    followers = ens.followers()
    down, out = followers[0], followers[1]
    ens.stop_server(down)
    with super_client(ens.connect_string([i for i in range(3) if i != down])) as zk:
        # Removing the other follower would leave {leader, down}, whose quorum needs the
        # server that is down: refused.
        from kazoo.exceptions import NewConfigNoQuorumError
        with pytest.raises(NewConfigNoQuorumError):
            zk.reconfig(joining=None, leaving=str(ens.server(out).sid), new_members=None)
        # Adding a fourth server needs three of four: the leader, the follower and the joiner.
        joiner = start_joiners(ens, [0, 1, 2], 1)[0]
        data, _ = zk.reconfig(joining=spec(ens.server(joiner)), leaving=None, new_members=None)
        servers, version = parse_config(data)
        zk.create("/while-down", b"d")
    assert sorted(servers) == [1, 2, 3, 4]
    # The server that was down comes back with its old zoo.cfg and learns the new membership
    # from the leader.
    ens.start_server(down, wait=False)
    ens.wait_serving([down], timeout=START_TIMEOUT)
    with harness.kazoo_client(ens.server(down).hosts) as zk:
        zk.sync("/while-down")
        assert zk.exists("/while-down")
        assert parse_config(zk.get("/zookeeper/config")[0]) == (servers, version)

    # A server removed while it was down learns it when it comes back, from the leader, and
    # follows without a vote (its old zoo.cfg still names it; ZooKeeper does the same).
    ens.stop_server(down)
    with super_client(ens.connect_string([i for i in range(4) if i != down])) as zk:
        data, _ = reconfig_retrying(zk, leaving=str(ens.server(down).sid))
        servers, version = parse_config(data)
        assert ens.server(down).sid not in servers
    ens.start_server(down, wait=False)
    wait_non_voting(ens, down, timeout=START_TIMEOUT)
    with harness.kazoo_client(ens.connect_string([i for i in range(4) if i != down])) as zk:
        create_retrying(zk, "/after-removal", b"r")


@pytest.mark.time_limit(LIMIT)
def test_grow_from_one_server_to_three():
    """The way ZooKeeper grows from one server: a one-participant ensemble
    (standaloneEnabled=false) takes two joiners; with three voters, one may stop."""
    config = dict(RECONFIG_CONFIG, standaloneEnabled="false")
    with Ensemble(1, extra_config=config) as e:
        e.start(timeout=START_TIMEOUT)
        assert e.mode(0) == "leader"
        with super_client(e.connect_string([0])) as zk:
            zk.create("/alone", b"1")
            joiners = start_joiners(e, [0], 2)
            data, _ = zk.reconfig(joining=",".join(spec(e.server(j)) for j in joiners),
                                  leaving=None, new_members=None)
            servers, version = parse_config(data)
        assert sorted(servers) == [1, 2, 3]
        for i in range(3):
            assert synced_config(e.server(i).hosts)[0] == (servers, version)
        e.stop_server(0)
        with harness.kazoo_client(e.connect_string(joiners)) as zk:
            create_retrying(zk, "/two-of-three", b"2")
            zk.sync("/alone")
            assert zk.get("/alone")[0] == b"1"
