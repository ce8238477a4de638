"""The lock workload: kazoo's Lock recipe over several clients, each with its own session.

  acquire     Lock.acquire(timeout): ok = holds it, fail = timed out, info = error mid-way
  release     Lock.release()
  event connection SUSPENDED / LOST / CONNECTED: observed by the client; from SUSPENDED on a
              holder must assume it lost the lock (kazoo's documentation), so the checker ends
              the hold there. CLOSED: the client ended its session after an error left the
              recipe in an unknown state (see LockClient.run).
Two hold intervals of different clients must never overlap.
"""
from kazoo.exceptions import LockTimeout
from kazoo.protocol.states import KazooState

from recorder import Process
from workloads.common import Worker, Workload, error_name, make_client

ROOT = "/chaos/lock"


class LockClient(Worker):
    def __init__(self, recorder, connect_string, seed, key):
        super().__init__(f"lock-{seed}", seed)
        self.recorder = recorder
        self.connect_string = connect_string
        self.key = key
        self.process = None
        self.client = None  # the current one, for diagnostics

    def on_state(self, state):
        if self.process is not None:
            self.process.event("connection", self.key, str(state))

    def run(self):
        self.process = Process(self.recorder)
        client = self._new_client()
        try:
            while not self.stopping():
                # A fresh recipe object each round: one that saw an error is cancelled for
                # good (kazoo's cancel() is sticky).
                if not self.round(client, client.Lock(f"{ROOT}/{self.key}", self.name)):
                    # The recipe's node may be left behind (its delete failed while
                    # disconnected), and a later Lock object does not know it: it would
                    # block everyone for as long as this session lives. End the session,
                    # as an application must; the server then removes its ephemerals.
                    self._close(client)
                    self.process.event("connection", self.key, "CLOSED")
                    client = self._new_client()
        finally:
            self._close(client)

    def _new_client(self):
        client = make_client(self.connect_string, self.rng)
        client.add_listener(self.on_state)
        self.client = client
        return client

    @staticmethod
    def _left_behind(client, lock):
        """Whether a node of this recipe object may still exist (after a sync: the server
        may not have applied our own create yet, when its reply was lost)."""
        try:
            client.sync(lock.path)
            return any(child.startswith(lock.prefix) for child in client.get_children(lock.path))
        except Exception:
            return True

    @staticmethod
    def _close(client):
        try:
            client.stop()
            client.close()
        except Exception:
            pass

    def round(self, client, lock):
        """One acquire / hold / release; False when the recipe's state became unknown."""
        process = self.process
        process.invoke("acquire", self.key)
        try:
            # A timeout returns False (kazoo's retry deadline), or raises LockTimeout.
            got = lock.acquire(timeout=3.0)
        except LockTimeout:
            got = False
        except Exception as e:
            process.info({"error": error_name(e), "node": lock.node})
            return False
        if not got:
            # Definitely not held. kazoo deletes its node first, but only as a best effort:
            # if that failed (disconnected), the node stays, and with it the lock, for as
            # long as this session lives.
            process.fail({"error": "timeout", "node": lock.node})
            return not self._left_behind(client, lock)
        process.ok({"node": lock.node})
        self.pause(0.05, 0.3)
        process.invoke("release", self.key)
        try:
            lock.release()
        except Exception as e:
            process.info({"error": error_name(e)})
            return False
        process.ok()
        self.pause(0.0, 0.1)
        # A create whose reply was lost, retried by the recipe on a server that had not yet
        # applied it, leaves a second node of ours that nothing will delete (seen in CI:
        # the lock stuck for the rest of the run). ZooKeeper behaves the same; Curator's
        # "protected" mode exists for it.
        return not self._left_behind(client, lock)


class LockWorkload(Workload):
    name = "lock"

    def __init__(self, recorder, connect_string, seed, clients=3, key="l0"):
        self.workers = [LockClient(recorder, connect_string, seed * 100 + 70 + i, key)
                        for i in range(clients)]

    def setup(self, client):
        client.ensure_path(ROOT)

    def stop(self, join_timeout=40.0):
        super().stop(join_timeout)

    def state(self, client):
        """The lock's nodes with their owners' session ids, and each worker's session: who
        holds a lock nobody can take."""
        path = f"{ROOT}/{self.workers[0].key}"
        nodes = []
        for child in sorted(client.get_children(path) if client.exists(path) else []):
            stat = client.exists(f"{path}/{child}")
            if stat:
                nodes.append((child, hex(stat.ephemeralOwner)))
        sessions = {w.name: hex(w.client.client_id[0]) if w.client and w.client.client_id
                    else None for w in self.workers}
        return {"nodes": nodes, "sessions": sessions}


# The states the listener reports, for readers of the history.
STATES = [str(s) for s in (KazooState.SUSPENDED, KazooState.LOST, KazooState.CONNECTED)]
