"""An ensemble of real server processes on chaos hosts, started from a generated zoo.cfg
exactly as an operator would, with the process faults a nemesis needs: kill -9, SIGSTOP /
SIGCONT, restart, and (Paddock only) killing actors through the test-only control channel.

The cluster watches its processes: an exit it did not cause (a crash, an abort, a sanitizer
report) is recorded in `unexpected_exits` and fails the run, even if the ensemble recovered.
An exit with status 3 right after this cluster killed a core actor is expected (the server
fails fast; `poll()` restarts it, as systemd's Restart=on-failure would).

Every process is started from the main thread, which must call `poll()` often while it waits:
servers die with the thread that started them (PR_SET_PDEATHSIG, so none outlives a killed
harness), so a restart from a helper thread would be killed when that thread ends.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import ensemble as integration_ensemble  # noqa: E402  (zookeeper_command, DIE_WITH_PARENT)
import harness  # noqa: E402  (PADDOCK_BIN, ZK_CLASSPATH)
from membership import RECONFIG_CONFIG  # noqa: E402

# Timing as in the integration ensembles: tickTime 200 ms, a learner has 4 s to sync and a
# follower 2 s to answer. Sessions of the chaos clients are 4 s, so a 6 s pause outlives one.
BASE_CONFIG = {
    "tickTime": "200",
    "initLimit": "20",
    "syncLimit": "10",
    "minSessionTimeout": "400",
    "maxSessionTimeout": "20000",
    "maxClientCnxns": "0",
    "4lw.commands.whitelist": "*",
    "snapCount": "2000",
    "admin.enableServer": "false",  # on by default, on port 8080, for both targets
    **RECONFIG_CONFIG,  # the membership nemesis reconfigures
}
ZOOKEEPER_CONFIG = {
    "standaloneEnabled": "false",
}
# Log lines that mean the server broke even if it kept running.
SANITIZER_PATTERN = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|"
                               r"terminate called|Assertion .* failed")
CORE_ACTOR_EXIT = 3


def four_letter(address, port, word, timeout=1.0):
    try:
        return harness.four_letter(address, port, word, timeout=timeout)
    except OSError:
        return None


class Server:
    def __init__(self, cluster, host, sid, directory):
        self.cluster = cluster
        self.host = host
        self.sid = sid
        self.dir = directory
        self.data_dir = os.path.join(directory, "data")
        self.cfg_path = os.path.join(directory, "zoo.cfg")
        self.log_path = os.path.join(directory, "server.log")
        self.proc = None
        self.paused = False
        self.expected_exit = None  # what an exit of the current process is expected to be
        self.starts = 0

    @property
    def address(self):
        return self.host.address

    @property
    def client_port(self):
        return self.host.client_port

    def write_config(self, config):
        os.makedirs(self.data_dir, exist_ok=True)
        with open(os.path.join(self.data_dir, "myid"), "w") as f:
            f.write(f"{self.sid}\n")
        with open(self.cfg_path, "w") as f:
            for key, value in config.items():
                f.write(f"{key}={value}\n")

    def command(self):
        if self.cluster.target == "zookeeper":
            # The cluster's keys ZooKeeper takes only as -D (readonlymode.enabled, --read-only).
            return integration_ensemble.zookeeper_command(self.cfg_path, self.dir,
                                                          self.cluster.base_config)
        return [self.cluster.paddock_bin, "--config", self.cfg_path,
                "--enable-fault-injection"]

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        if self.alive():
            return
        with open(self.log_path, "ab") as log:
            log.write(f"\n==== chaos: start #{self.starts + 1} ====\n".encode())
            log.flush()
            # `ip netns exec` and setpriv both exec: the Popen pid is the server's pid.
            self.proc = subprocess.Popen(
                self.host.wrap(integration_ensemble.DIE_WITH_PARENT + self.command()),
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.dir)
        self.starts += 1
        self.paused = False
        self.expected_exit = None

    def kill(self):
        if self.alive():
            self.expected_exit = -signal.SIGKILL
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.paused = False

    def pause(self):
        if self.alive() and not self.paused:
            os.kill(self.proc.pid, signal.SIGSTOP)
            self.paused = True

    def resume(self):
        if self.alive() and self.paused:
            os.kill(self.proc.pid, signal.SIGCONT)
        self.paused = False

    def stop(self):
        self.resume()
        if self.alive():
            self.expected_exit = "stopped"
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def srvr_mode(self, timeout=1.0):
        """"leader", "follower", "observer", "not serving" or "no answer"."""
        if self.paused or not self.alive():
            return "no answer"
        answer = four_letter(self.address, self.client_port, "srvr", timeout)
        if answer is None:
            return "no answer"
        m = re.search(r"^Mode: (\w+)", answer, re.M)
        return m.group(1) if m else "not serving"

    def control(self, line, timeout=3.0):
        """Sends a fault-injection command (`kill <target>`) and returns the answer."""
        with socket.create_connection((self.address, self.client_port), timeout=timeout) as s:
            s.sendall(line.encode() + b"\n")
            chunks = []
            try:
                while True:
                    data = s.recv(4096)
                    if not data:
                        break
                    chunks.append(data)
            except (ConnectionResetError, socket.timeout):
                pass
        return b"".join(chunks).decode(errors="replace").strip()

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines=30):
        return "\n".join(self.log_text().splitlines()[-lines:])


class Cluster:
    """`servers` are the current members, in the order the nemesis indexes them; a server the
    membership nemesis removed for good moves to `retired` (stopped, its files kept), and a
    new one is started on a spare host (`add_server`)."""

    def __init__(self, hosts, directory, target="paddock", paddock_bin=None, extra_config=None,
                 members=None):
        self.hosts = hosts
        self.target = target
        self.paddock_bin = paddock_bin or harness.PADDOCK_BIN
        self.dir = directory
        members = len(hosts.hosts) if members is None else members
        self.servers = [Server(self, h, h.index + 1, os.path.join(directory, f"server{h.index + 1}"))
                        for h in hosts.hosts[:members]]
        self.spare_hosts = list(hosts.hosts[members:])
        self.retired = []
        self.joining = None  # a new server started and not (yet) a member
        self.unexpected_exits = []  # (time, sid, description, log tail)
        self.restarts = []  # (time, sid, why)
        # What every server's zoo.cfg has besides its own addresses and the membership.
        self.base_config = dict(BASE_CONFIG)
        if target == "zookeeper":
            self.base_config.update(ZOOKEEPER_CONFIG)
        self.base_config.update(extra_config or {})
        lines = {f"server.{s.sid}": f"{s.address}:{s.host.quorum_port}:{s.host.election_port}"
                 f";{s.address}:{s.client_port}" for s in self.servers}
        for s in self.servers:
            self._write_config(s, lines)

    def _write_config(self, server, membership):
        config = dict(self.base_config)
        config.update({"dataDir": server.data_dir, "clientPort": str(server.client_port),
                       "clientPortAddress": server.address})
        config.update(membership)
        server.write_config(config)

    def __len__(self):
        return len(self.servers)

    def everyone(self):
        """Every server this cluster ever started: members, a joiner, retired ones."""
        return self.servers + ([self.joining] if self.joining else []) + self.retired

    def connect_string(self, order=None):
        order = range(len(self.servers)) if order is None else order
        return ",".join(f"{self.servers[i].address}:{self.servers[i].client_port}" for i in order)

    def clients_connect_string(self):
        """Every host the run may put a server on, spares included: the workloads' clients
        keep a server to talk to whichever servers the membership nemesis replaced (a host
        with no server refuses the connection at once, and the client moves on)."""
        return ",".join(f"{h.address}:{h.client_port}" for h in self.hosts.hosts)

    # -- membership changes ---------------------------------------------------------------

    def add_server(self, member_lines):
        """Writes (not starts) a new server on a spare host, with the next unused id and a
        zoo.cfg naming the given members ({sid: "server.N=..." line}, as /zookeeper/config
        has them) and itself, as ZooKeeper's procedure for adding a server has it. Returns
        it; it is a member only once `admit` is called."""
        if not self.spare_hosts:
            raise RuntimeError("no spare host left for a new server")
        host = self.spare_hosts.pop(0)
        sid = max(s.sid for s in self.everyone()) + 1
        server = Server(self, host, sid, os.path.join(self.dir, f"server{sid}"))
        membership = {line.split("=", 1)[0]: line.split("=", 1)[1]
                      for line in member_lines.values()}
        membership[f"server.{sid}"] = (f"{host.address}:{host.quorum_port}:{host.election_port}"
                                       f":participant;{host.address}:{host.client_port}")
        self._write_config(server, membership)
        self.joining = server
        return server

    def admit(self, server):
        """The new server is a member now (its reconfig committed)."""
        if server not in self.servers:
            self.servers.append(server)
        if self.joining is server:
            self.joining = None

    def retire(self, server):
        """Stops a server that is no longer a member (or never became one) for good."""
        server.stop()
        if server in self.servers:
            self.servers.remove(server)
        if server not in self.retired:
            self.retired.append(server)
        if self.joining is server:
            self.joining = None

    # -- whole-cluster operations ---------------------------------------------------------

    def start(self, timeout=60.0):
        for s in self.servers:
            s.start()
        self.wait_serving(timeout)

    def stop(self):
        self._check_exits()
        for s in self.everyone():
            s.stop()
        self._check_exits()

    def modes(self):
        return [s.srvr_mode() for s in self.servers]

    def leader(self):
        for i, s in enumerate(self.servers):
            if s.srvr_mode() == "leader":
                return i
        return None

    def wait_serving(self, timeout=60.0, indices=None):
        indices = range(len(self.servers)) if indices is None else indices
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.poll()
            modes = [self.servers[i].srvr_mode() for i in indices]
            if all(m in ("leader", "follower", "observer") for m in modes) and \
                    modes.count("leader") <= 1:
                return True
            time.sleep(0.2)
        raise RuntimeError(f"servers not serving after {timeout} s: " + ", ".join(
            f"{self.servers[i].sid}: {self.servers[i].srvr_mode()}" for i in indices))

    def wait_leader(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.poll()
            i = self.leader()
            if i is not None:
                return i
            time.sleep(0.1)
        return None

    # -- supervision ----------------------------------------------------------------------

    def expect_core_actor_exit(self, i):
        """The next exit of server i, with status 3, is the fail-fast answer to an injected
        actor kill; poll() restarts it."""
        self.servers[i].expected_exit = CORE_ACTOR_EXIT

    def poll(self):
        """Notes unexpected exits and restarts servers that failed fast as expected. Call it
        from the main thread only (see the module's comment)."""
        assert threading.current_thread() is threading.main_thread()
        self._check_exits(restart=True)

    def sleep(self, seconds):
        """time.sleep that keeps polling the processes."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.poll()
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    def _check_exits(self, restart=False):
        for s in self.everyone():
            if s.proc is None or s.proc.poll() is None:
                continue
            code = s.proc.returncode
            if s.expected_exit == code or s.expected_exit == "stopped":
                if code == CORE_ACTOR_EXIT and restart:
                    self.restarts.append((time.monotonic(), s.sid, "exit 3 after actor kill"))
                    s.start()
                continue
            if s.expected_exit == -signal.SIGKILL and code == -signal.SIGKILL:
                continue
            self.unexpected_exits.append(
                (time.monotonic(), s.sid, f"exited with status {code} (expected "
                 f"{s.expected_exit})", s.log_tail(40)))
            s.proc = None  # reported once; the nemesis restarts dead servers when healing

    def log_problems(self):
        """[(sid, line)] of sanitizer reports and aborts in the servers' logs."""
        found = []
        for s in self.everyone():
            for line in s.log_text().splitlines():
                if SANITIZER_PATTERN.search(line):
                    found.append((s.sid, line.strip()))
        return found
