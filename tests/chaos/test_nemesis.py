"""Specifications of the nemesis's choice of targets, on a stand-in cluster (no server).

Run: cd tests/chaos && /usr/bin/python3 -m pytest -q -p no:cacheprovider test_nemesis.py
"""
from types import SimpleNamespace

from nemesis import Nemesis


class NoLeaderCluster:
    """Three servers none of which is leader: the nemesis falls back to a random one."""

    def __init__(self):
        self.servers = [SimpleNamespace(sid=i + 1, host=SimpleNamespace(index=i))
                        for i in range(3)]

    def __len__(self):
        return len(self.servers)

    def wait_leader(self, timeout):
        return None

    def leader(self):
        return None


class SlowLinks:
    def __init__(self):
        self.links = []

    def set_slow_link(self, sender, receiver, rate, latency):
        self.links.append((sender, receiver))


def test_lag_follower_never_slows_a_server_towards_itself():
    # The follower is picked relative to the leader just chosen (here a random server), so
    # the fault is never a link from a host to itself, a no-op the control would fail on.
    for seed in range(200):
        hosts = SlowLinks()
        nemesis = Nemesis(NoLeaderCluster(), hosts, recorder=None, seed=seed)
        hit, _detail = nemesis._start("lag-follower")
        (sender, receiver), = hosts.links
        assert sender != receiver and hit == [receiver]
