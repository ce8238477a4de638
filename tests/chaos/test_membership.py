"""Specifications of what the membership nemesis prepares without running a server: spare
hosts for the new servers of a schedule, the zoo.cfg a new server starts with, and the
bookkeeping of members, joiners and retired servers.

Run: cd tests/chaos && /usr/bin/python3 -m pytest -q -p no:cacheprovider test_membership.py
"""
import os

from cluster import Cluster
from hosts import LoopbackHosts
from membership import config_lines, spec
from nemesis import FAULTS, make_schedule, spares_needed


def read_cfg(path):
    with open(path) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)


def test_a_schedule_needs_a_spare_host_per_new_server():
    faults = ["kill-leader", "member-replace", "member-add", "member-leave"]
    schedule = make_schedule(7, faults, repeat=3)
    assert spares_needed(schedule) == 6
    assert spares_needed(make_schedule(7, ["kill-leader", "member-leave"], repeat=2)) == 0
    assert {"member-replace", "member-add"} <= set(FAULTS)


def test_spare_hosts_have_addresses_and_ports_of_their_own():
    hosts = LoopbackHosts(3, spares=2)
    assert len(hosts.hosts) == 5
    endpoints = [(h.address, p) for h in hosts.hosts
                 for p in (h.client_port, h.quorum_port, h.election_port)]
    assert len(set(endpoints)) == len(endpoints)
    assert len({h.address for h in hosts.hosts}) == 5


def test_a_new_server_starts_with_the_current_members_and_itself(tmp_path):
    hosts = LoopbackHosts(3, spares=2)
    cluster = Cluster(hosts, str(tmp_path), paddock_bin="/bin/false", members=3)
    assert [s.sid for s in cluster.servers] == [1, 2, 3]
    assert cluster.spare_hosts == hosts.hosts[3:]
    # Every client may need any host: the spares are in the workloads' connect string.
    assert cluster.clients_connect_string().split(",") == [
        f"{h.address}:{h.client_port}" for h in hosts.hosts]

    # Server 2 left earlier: the current membership is what /zookeeper/config lists.
    current = config_lines("\n".join(
        [spec(cluster.servers[0]), spec(cluster.servers[2]), "version=100000003"]).encode())
    joiner = cluster.add_server(current)
    assert joiner.sid == 4 and joiner.host is hosts.hosts[3]
    assert cluster.joining is joiner and joiner not in cluster.servers
    assert joiner in cluster.everyone()
    cfg = read_cfg(joiner.cfg_path)
    assert {k for k in cfg if k.startswith("server.")} == {"server.1", "server.3", "server.4"}
    assert cfg["server.1"] == spec(cluster.servers[0]).split("=", 1)[1]
    assert cfg["server.4"] == spec(joiner).split("=", 1)[1]
    assert cfg["clientPort"] == str(joiner.client_port)
    assert cfg["clientPortAddress"] == joiner.address
    assert cfg["reconfigEnabled"] == "true"
    with open(os.path.join(joiner.data_dir, "myid")) as f:
        assert f.read().strip() == "4"

    cluster.admit(joiner)
    assert cluster.joining is None and cluster.servers[-1] is joiner
    old = cluster.servers[1]
    cluster.retire(old)  # never started: stop() has nothing to do
    assert old not in cluster.servers and old in cluster.retired
    assert [s.sid for s in cluster.servers] == [1, 3, 4]
    # Ids are never reused, even after a retirement.
    assert cluster.add_server(current).sid == 5
    assert cluster.spare_hosts == []
