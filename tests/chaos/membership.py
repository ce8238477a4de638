"""The membership nemesis: dynamic reconfiguration as a fault. A server leaves the ensemble
(the leader half the time) and joins it again; a follower becomes an observer and a
participant again; a server is replaced by a new one (a new id on a spare host, with ports
never used before); a new server joins and the ensemble stays larger. The changes go through
`reconfig` as an operator sends it (kazoo, the super user), so the ensemble must keep every
acknowledged write and stay linearizable while its membership moves under the workloads.

A new server starts as ZooKeeper's procedure for adding one has it: its zoo.cfg names the
current members (the lines of /zookeeper/config) and itself; it syncs with the leader and
serves as a non-voting learner, and only then is the reconfig that makes it a voter sent. A
server removed for good is stopped (an operator decommissions it) and never started again.

The cluster's `servers` are the membership the harness wants; "restore" puts it back whatever
happened in between (a reconfig that timed out may or may not have committed): it reads
/zookeeper/config and, if it differs from that membership, sends the bulk form.
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

    def reconfig(self, via, deadline_s=20.0, done=None, **change):
        """Sends one reconfig through the servers at `via`, retrying a lost connection and a
        refusal that a moment can cure (NewConfigNoQuorum, ReconfigInProgress) until the
        deadline; returns (True, new config lines) or (False, why). `done(lines)` says whether
        the configuration already has the change: checked after a failed attempt, since an
        attempt whose answer was lost may have committed (its retry is then refused as no
        change, BadArguments)."""
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
            if done is not None:
                lines = self.try_current(via)
                if lines is not None and done(lines):
                    return True, lines
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

    def try_current(self, via):
        """current(via), or None when it cannot be read now."""
        try:
            return self.current(via)
        except Exception:
            return None

    def remove_for_good(self, server):
        """reconfig leaving=<server>; once /zookeeper/config no longer names it, the server is
        retired (stopped). Returns (removed, detail). When the outcome cannot be read, the
        server stays a member as far as the harness knows, and the restore at the end of the
        fault makes that true."""
        c = self.cluster
        others = [j for j, s in enumerate(c.servers) if s is not server]
        sid = server.sid
        ok, result = self.reconfig(others, leaving=str(sid), done=lambda lines: sid not in lines)
        if not ok:
            lines = self.try_current(others)
            if lines is None or sid in lines:
                return False, f"{sid} not removed ({result})"
        c.retire(server)
        return True, f"{sid} removed and stopped"

    def add_new(self, serve_timeout=30.0):
        """Starts a new server on a spare host and adds it by reconfig once it serves.
        Returns (the server or None, detail). A new server whose reconfig surely did not
        commit is retired; one whose outcome cannot be read is kept as a member (the restore
        makes that true)."""
        c = self.cluster
        via = list(range(len(c.servers)))
        lines = self.try_current(via)
        if lines is None:
            return None, "no server added (/zookeeper/config unreadable)"
        server = c.add_server(lines)
        server.start()
        deadline = time.monotonic() + serve_timeout
        while server.srvr_mode() not in ("follower", "observer", "leader"):
            if time.monotonic() > deadline or not server.alive():
                mode = server.srvr_mode()
                c.retire(server)
                return None, f"new server {server.sid} not serving after {serve_timeout:g} s " \
                             f"({mode}); stopped"
            c.sleep(0.1)
        ok, result = self.reconfig(via, joining=spec(server),
                                   done=lambda lines: server.sid in lines)
        if not ok:
            lines = self.try_current(via)
            if lines is not None and server.sid not in lines:
                c.retire(server)
                return None, f"new server {server.sid} not added ({result}); stopped"
        c.admit(server)
        return server, (f"{server.sid} added ({server.address}:{server.client_port})"
                        + ("" if ok else f", outcome unknown ({result})"))

    def restore(self, deadline_s=40.0):
        """Puts the full membership (the cluster's `servers`, all participants) back; returns
        a detail, or raises RuntimeError."""
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
