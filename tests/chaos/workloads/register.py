"""The register workload: a few znodes used as versioned registers.

Operations (as the linearizability and session-order checkers read them):
  read        sync + getData: {"value", "version"}   (sync makes a follower catch up with the
                                                     leader first: linearizable in practice)
  plain-read  getData alone (may be stale on a follower: checked for session order only)
  read        getData alone, input {"sync": false}, when plain reads are checked
              (plain_reads_checked: tools/chaos --linearizable-reads, where the servers make
              every read linearizable, or --check-plain-reads, the control without it)
  write       setData(version -1): {"version": new version}
  cas         setData(expected version): ok, or fail {"error": "badversion"}
When plain reads are checked, one more client per server only reads without sync, starting on
its own server: a stale read needs a reader on a server that lags and a writer elsewhere, and
a client that also writes leaves a lagging server (its write waits for the lag, the pings
queued behind it go unanswered, kazoo drops the connection and moves on).
A read that fails has no effect (fail); a write whose outcome is unknown is `info`.
"""
from recorder import Process
from workloads.common import (OPERATION_TIMEOUT, Worker, Workload, attempt_write, error_name,
                              make_client)

ROOT = "/chaos/register"


def key_path(key):
    return f"{ROOT}/{key}"


class RegisterClient(Worker):
    def __init__(self, recorder, connect_string, keys, seed, plain_reads_checked=False,
                 home=None):
        """home: None for a client that reads and writes on a random server; a host index
        for one that only reads without sync, starting there (plain reads checked only)."""
        super().__init__(f"register-{'reader-' if home is not None else ''}{seed}", seed)
        self.recorder = recorder
        self.plain_reads_checked = plain_reads_checked
        self.home = home
        self.connect_string = connect_string
        self.keys = keys
        self.known_version = {k: 0 for k in keys}
        self.writes = 0

    def run(self):
        client = make_client(self.connect_string, self.rng, home=self.home)
        process = Process(self.recorder)
        try:
            while not self.stopping():
                key = self.rng.choice(self.keys)
                roll = self.rng.random()
                # Checked plain reads are the point of their mode: most reads are.
                sync_share = 0.1 if self.plain_reads_checked else 0.35
                if self.home is not None:  # a reader
                    done = self.read(client, process, key, sync=False)
                elif roll < sync_share:
                    done = self.read(client, process, key, sync=True)
                elif roll < 0.5:
                    done = self.read(client, process, key, sync=False)
                elif roll < 0.75:
                    done = self.write(client, process, key, None)
                else:
                    done = self.write(client, process, key, self.expected_version(key))
                if done:
                    self.pause(0.0, 0.04)
                else:
                    self.back_off()
        finally:
            client.stop()
            client.close()

    def expected_version(self, key):
        # Mostly the version this client last saw (which may be stale); sometimes one off, so
        # that definite badversion failures are part of the history too.
        return max(0, self.known_version[key] + self.rng.choice([0, 0, 0, 0, 1, -1]))

    def read(self, client, process, key, sync):
        if sync:
            process.invoke("read", key)
        elif self.plain_reads_checked:
            process.invoke("read", key, {"sync": False})
        else:
            process.invoke("plain-read", key)
        try:
            if sync:
                client.sync_async(key_path(key)).get(timeout=OPERATION_TIMEOUT)
            data, stat = client.get_async(key_path(key)).get(timeout=OPERATION_TIMEOUT)
        except Exception as e:
            process.fail({"error": error_name(e)})  # a read has no effect
            return False
        self.known_version[key] = max(self.known_version[key], stat.version)
        process.ok({"value": data.decode(), "version": stat.version})
        return True

    def write(self, client, process, key, expected):
        self.writes += 1
        value = f"{self.name}-{self.writes}"
        if expected is None:
            process.invoke("write", key, {"value": value})
        else:
            process.invoke("cas", key, {"value": value, "expected_version": expected})
        stat, error = attempt_write(process, lambda: client.set_async(
            key_path(key), value.encode(), -1 if expected is None else expected).get(
                timeout=OPERATION_TIMEOUT))
        if stat is None:
            return error == "badversion"  # a definite answer: the client is connected
        self.known_version[key] = max(self.known_version[key], stat.version)
        process.ok({"version": stat.version})
        return True


class RegisterWorkload(Workload):
    name = "register"

    def __init__(self, recorder, connect_string, seed, clients=4, keys=("r0", "r1", "r2"),
                 plain_reads_checked=False, servers=0):
        self.keys = list(keys)
        self.workers = [RegisterClient(recorder, connect_string, self.keys, seed * 100 + i,
                                       plain_reads_checked)
                        for i in range(clients)]
        if plain_reads_checked:
            # The readers, one on each of the first `servers` hosts (the starting members).
            self.workers += [RegisterClient(recorder, connect_string, self.keys,
                                            seed * 100 + 50 + i, True, home=i)
                             for i in range(servers)]

    def setup(self, client):
        for key in self.keys:
            client.create(key_path(key), b"init", makepath=True)

    def initial_state(self):
        return {key: {"value": "init", "version": 0} for key in self.keys}
