"""Starts a server under test on a free 127.0.0.1 port and stops it again.

PADDOCK_TARGET selects the server: `paddock` (default; binary from PADDOCK_BIN, else
<repo>/build/bin/paddock) or `zookeeper` (Debian's Apache ZooKeeper 3.8), so the same tests
can be run against the real server to check what they expect.

API (used by every test_*.py here; keep it stable):
  Server(extra_config=None, extra_args=None, jvm_flags=None, extra_env=None)
                              a configured, not yet started server; .start() returns it;
                              extra_args: more paddock command-line arguments (e.g.
                              ["--enable-fault-injection"]); jvm_flags: ZooKeeper's JVM flags
                              (e.g. ["-Djava.security.auth.login.config=jaas.conf"]), on
                              java's command line for ZooKeeper and in SERVER_JVMFLAGS for
                              Paddock; extra_env: more environment variables
    .host .port .hosts        "127.0.0.1", the port, "127.0.0.1:port"
    .dir .data_dir .cfg_path .log_path .config
    .start(timeout) .stop() .kill() .restart() .alive() .pid .cleanup()
    .four_letter(word)        the whole answer of a four-letter word
    .log_tail(lines)          the end of the server's stdout+stderr
  kazoo_client(server_or_hosts, timeout=10.0, **kw)   context manager: a started KazooClient
                                                      that is always stopped and closed
  four_letter(host, port, word, timeout)  free_port()  wait_for(predicate, timeout, what=...)
  TARGET, REPO, PADDOCK_BIN, ZK_CLASSPATH
  SANITIZED                   the Paddock binary is an ASan build (memory figures are void)
"""
import base64
import contextlib
import hashlib
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
# servlet-api.jar: without it ZooKeeper cannot load Jetty and runs no AdminServer.
ZK_CLASSPATH = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/servlet-api.jar"


def _sanitized(binary):
    """Whether the binary is an AddressSanitizer build (its RSS then holds ASan's quarantine
    of freed memory and shadow pages: memory figures mean nothing)."""
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "libasan" in out


SANITIZED = TARGET == "paddock" and _sanitized(PADDOCK_BIN)

# Keys ZooKeeper reads only as JVM system properties of the same name (ContainerManager's):
# from zoo.cfg it would set "zookeeper.<key>", which nothing reads. Paddock reads them from
# zoo.cfg, so a test puts them in the config and, for ZooKeeper, they are also passed as -D.
# jute.maxbuffer is one too: ZooKeeper 3.8 ignores it in zoo.cfg (measured: with
# jute.maxbuffer=2000000 there a frame of 0x100000 still closes; with -Djute.maxbuffer it
# is served).
JVM_PROPERTY_PREFIXES = ("znode.container.", "jute.maxbuffer", "readonlymode.")


def jvm_system_properties(config):
    """-Dkey=value for the config keys ZooKeeper takes only as system properties."""
    return [f"-D{k}={v}" for k, v in config.items() if k.startswith(JVM_PROPERTY_PREFIXES)]

# tickTime 200 ms keeps expiry tests fast: ZooKeeper's minimum session timeout is 2 ticks.
BASE_CONFIG = {
    "tickTime": "200",
    "minSessionTimeout": "400",
    "maxSessionTimeout": "10000",
    "maxClientCnxns": "0",
    "4lw.commands.whitelist": "*",
    # Off, for both targets: on by default it would take port 8080 (test_admin_server.py
    # turns it on, on a free port).
    "admin.enableServer": "false",
}


def digest_id(user, password):
    """user:base64(sha1(user:password)): the id of ZooKeeper's digest scheme, as a superDigest
    or a digest ACL names it."""
    raw = hashlib.sha1(f"{user}:{password}".encode()).digest()
    return f"{user}:{base64.b64encode(raw).decode()}"


_ports_handed_out = set()


def free_port():
    """A port free now, and never one this process handed out before: the kernel may give the
    same ephemeral port to two calls in a row once the first socket is closed, and an ensemble
    whose zoo.cfg names one port twice does not start."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _ports_handed_out:
            _ports_handed_out.add(port)
            return port


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


def mntr(host, port, timeout=5.0):
    """`mntr`'s answer as {key: value} (values as text, as ZooKeeper prints them)."""
    out = {}
    for line in four_letter(host, port, "mntr", timeout).splitlines():
        key, sep, value = line.partition("\t")
        if sep:
            out[key] = value.strip()
    return out


def wait_for(predicate, timeout=10.0, interval=0.05, what="condition"):
    """Polls `predicate` until it is true; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Server:
    """One server process with its own data directory and zoo.cfg."""

    def __init__(self, extra_config=None, extra_args=None, jvm_flags=None, extra_env=None):
        self.host = "127.0.0.1"
        self.extra_args = list(extra_args or [])
        self.jvm_flags = list(jvm_flags or [])
        self.extra_env = dict(extra_env or {})
        self.port = free_port()
        self.hosts = f"{self.host}:{self.port}"
        self.dir = tempfile.mkdtemp(prefix=f"paddock-it-{TARGET}-")
        self.data_dir = os.path.join(self.dir, "data")
        os.makedirs(self.data_dir)
        self.config = dict(BASE_CONFIG)
        self.config.update({"dataDir": self.data_dir, "clientPort": str(self.port),
                            "clientPortAddress": self.host})
        if TARGET == "zookeeper":
            self.config.update({"forceSync": "no"})
        self.config.update(extra_config or {})
        self.cfg_path = os.path.join(self.dir, "zoo.cfg")
        with open(self.cfg_path, "w") as f:
            for k, v in self.config.items():
                f.write(f"{k}={v}\n")
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None
        self.log = None
        # Set by kill()/stop(): the process is gone on purpose, not a crash.
        self.stopped_on_purpose = False

    def command(self):
        if TARGET == "zookeeper":
            return ["java", "-Xmx512m", *jvm_system_properties(self.config), *self.jvm_flags,
                    "-cp", ZK_CLASSPATH,
                    "org.apache.zookeeper.server.ZooKeeperServerMain", self.cfg_path]
        return [PADDOCK_BIN, "--config", self.cfg_path] + self.extra_args

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def start(self, timeout=None):
        timeout = timeout or (60 if TARGET == "zookeeper" else 15)
        if TARGET != "zookeeper" and not os.access(PADDOCK_BIN, os.X_OK):
            raise RuntimeError(f"no paddock binary at {PADDOCK_BIN} (set PADDOCK_BIN)")
        self.log = open(self.log_path, "ab")
        env = None
        if self.jvm_flags or self.extra_env:
            env = dict(os.environ, **self.extra_env)
            if self.jvm_flags:
                env["SERVER_JVMFLAGS"] = " ".join(self.jvm_flags)
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.dir, env=env)
        self.stopped_on_purpose = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            if self._serving():
                return self
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not come up in {timeout} s:\n{self.log_tail()}")

    def _serving(self):
        # ZooKeeper answers ruok before it serves requests: wait for a real session too.
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

    def four_letter(self, word, timeout=5.0):
        return four_letter(self.host, self.port, word, timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return "(no log)"

    def _close_log(self):
        if self.log:
            self.log.close()
            self.log = None

    def stop(self, timeout=5.0):
        """SIGTERM, then SIGKILL after `timeout` seconds."""
        self.stopped_on_purpose = True
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close_log()

    def kill(self):
        """SIGKILL: a crash as far as the data directory is concerned."""
        self.stopped_on_purpose = True
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._close_log()

    def restart(self, hard=False, timeout=None):
        """Stops (or with hard=True kills) the process and starts it again on the same port
        and data directory."""
        self.kill() if hard else self.stop()
        return self.start(timeout)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def kazoo_client(server, timeout=10.0, start_timeout=15.0, **kwargs):
    """A started KazooClient for `server` (a Server or a "host:port" string), stopped and
    closed on exit whatever happens."""
    from kazoo.client import KazooClient
    hosts = server if isinstance(server, str) else server.hosts
    zk = KazooClient(hosts=hosts, timeout=timeout, **kwargs)
    try:
        zk.start(timeout=start_timeout)
        yield zk
    finally:
        try:
            zk.stop()
            zk.close()
        except Exception:
            pass
