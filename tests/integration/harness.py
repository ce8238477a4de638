"""Starts a server under test on a free 127.0.0.1 port and stops it again.

PADDOCK_TARGET selects the server: `paddock` (default; binary from PADDOCK_BIN, else
<repo>/build/bin/paddock) or `zookeeper` (Debian's Apache ZooKeeper 3.8), so the same tests
can be run against the real server to check what they expect.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGET = os.environ.get("PADDOCK_TARGET", "paddock")
PADDOCK_BIN = os.environ.get("PADDOCK_BIN", os.path.join(REPO, "build", "bin", "paddock"))
ZK_CLASSPATH = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar"

BASE_CONFIG = {
    "tickTime": "200",
    "minSessionTimeout": "400",
    "maxSessionTimeout": "10000",
    "maxClientCnxns": "0",
    "4lw.commands.whitelist": "*",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four_letter(host, port, word, timeout=5.0):
    """Sends a four-letter word and returns the whole answer."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(word.encode())
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks).decode()


class Server:
    """One server process with its own data directory and zoo.cfg."""

    def __init__(self, extra_config=None):
        self.host = "127.0.0.1"
        self.port = free_port()
        self.hosts = f"{self.host}:{self.port}"
        self.dir = tempfile.mkdtemp(prefix=f"paddock-it-{TARGET}-")
        self.data_dir = os.path.join(self.dir, "data")
        os.makedirs(self.data_dir)
        self.config = dict(BASE_CONFIG)
        self.config.update({"dataDir": self.data_dir, "clientPort": str(self.port),
                            "clientPortAddress": self.host})
        if TARGET == "zookeeper":
            self.config.update({"admin.enableServer": "false", "forceSync": "no"})
        self.config.update(extra_config or {})
        self.cfg_path = os.path.join(self.dir, "zoo.cfg")
        with open(self.cfg_path, "w") as f:
            for k, v in self.config.items():
                f.write(f"{k}={v}\n")
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None

    def command(self):
        if TARGET == "zookeeper":
            return ["java", "-Xmx512m", "-cp", ZK_CLASSPATH,
                    "org.apache.zookeeper.server.ZooKeeperServerMain", self.cfg_path]
        return [PADDOCK_BIN, "--config", self.cfg_path]

    def start(self, timeout=None):
        timeout = timeout or (60 if TARGET == "zookeeper" else 15)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.dir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            if self._serving():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not come up in {timeout} s:\n{self.log_tail()}")

    def _serving(self):
        # ZooKeeper answers ruok before it serves requests: wait for a real session.
        from kazoo.client import KazooClient
        try:
            if four_letter(self.host, self.port, "ruok", timeout=1.0) != "imok":
                return False
        except OSError:
            return False
        zk = KazooClient(hosts=self.hosts, timeout=2.0)
        try:
            zk.start(timeout=2.0)
            zk.get_children("/")
            return True
        except Exception:
            return False
        finally:
            zk.stop()
            zk.close()

    def four_letter(self, word):
        return four_letter(self.host, self.port, word)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return "(no log)"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if getattr(self, "log", None):
            self.log.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(predicate, timeout=10.0, interval=0.05, what="condition"):
    """Polls `predicate` until it is true; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
