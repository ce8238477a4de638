"""The membership nemesis: dynamic reconfiguration as a fault. A server leaves the ensemble
(the leader half the time) and joins it again; a follower becomes an observer and a
participant again. The changes go through `reconfig` as an operator sends it (kazoo, the super
user), so the ensemble must keep every acknowledged write and stay linearizable while its
membership moves under the workloads.

Every server is started with the full membership; "restore" puts it back whatever happened in
between (a reconfig that timed out may or may not have committed): it reads
/zookeeper/config and, if it differs from the full membership, sends the bulk form.
"""
import base64
import hashlib
import time

SUPER_PASSWORD = "chaos"


def super_digest():
    raw = hashlib.sha1(f"super:{SUPER_PASSWORD}".encode()).digest()
    return f"super:{base64.b64encode(raw).decode()}"


# What every chaos server runs with, so that the membership nemesis can act.
RECONFIG_CONFIG = {"reconfigEnabled": "true",
                   "DigestAuthenticationProvider.superDigest": super_digest()}


def spec(server, role="participant"):
    return (f"server.{server.sid}={server.address}:{server.host.quorum_port}:"
            f"{server.host.election_port}:{role};{server.address}:{server.client_port}")


def config_lines(data):
    """{sid: line} of /zookeeper/config's data (the version line left out)."""
    out = {}
    for line in data.decode().split("\n"):
        if line.startswith("server."):
            out[int(line[len("server."):line.index("=")])] = line
    return out


class Membership:
    def __init__(self, cluster):
        self.cluster = cluster

    def full(self):
        return {s.sid: spec(s) for s in self.cluster.servers}

    def _client(self, indices):
        from kazoo.client import KazooClient
        hosts = ",".join(f"{self.cluster.servers[i].address}:"
                         f"{self.cluster.servers[i].client_port}" for i in indices)
        zk = KazooClient(hosts=hosts, timeout=4.0,
                         auth_data=[("digest", f"super:{SUPER_PASSWORD}")])
        zk.start(timeout=10)
        return zk

    def reconfig(self, via, deadline_s=20.0, **change):
        """Sends one reconfig through the servers at `via`, retrying a lost connection and a
        refusal that a moment can cure (NewConfigNoQuorum, ReconfigInProgress) until the
        deadline; returns (True, new config lines) or (False, why)."""
        from kazoo.exceptions import (ConnectionLoss, NewConfigNoQuorumError,
                                      ReconfigInProcessError)
        deadline = time.monotonic() + deadline_s
        last = "no attempt"
        while time.monotonic() < deadline:
            zk = None
            try:
                zk = self._client(via)
                data, _ = zk.reconfig(joining=change.get("joining"),
                                      leaving=change.get("leaving"),
                                      new_members=change.get("new_members"))
                return True, config_lines(data)
            except (ConnectionLoss, NewConfigNoQuorumError, ReconfigInProcessError) as e:
                last = type(e).__name__
            except Exception as e:  # a timeout starting the client, say
                last = repr(e)
            finally:
                if zk is not None:
                    try:
                        zk.stop()
                        zk.close()
                    except Exception:
                        pass
            self.cluster.sleep(0.5)
        return False, last

    def current(self, via):
        zk = self._client(via)
        try:
            zk.sync("/zookeeper/config")
            return config_lines(zk.get("/zookeeper/config")[0])
        finally:
            zk.stop()
            zk.close()

    def restore(self, deadline_s=40.0):
        """Puts the full membership back; returns a detail, or raises RuntimeError."""
        everyone = list(range(len(self.cluster.servers)))
        full = self.full()
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            try:
                if self.current(everyone) == full:
                    return "full membership"
            except Exception:
                self.cluster.sleep(0.5)
                continue
            ok, result = self.reconfig(everyone, deadline_s=max(1.0, deadline - time.monotonic()),
                                       new_members=",".join(full.values()))
            if ok and result == full:
                return "full membership restored"
        raise RuntimeError(f"the full membership is not back after {deadline_s} s")
