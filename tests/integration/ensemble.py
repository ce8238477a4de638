"""Starts an ensemble of N servers (voters, optionally observers) on 127.0.0.1 and stops it.

PADDOCK_TARGET selects the servers as in harness.py: `paddock` (PADDOCK_BIN, started as
`paddock --config zoo.cfg`) or `zookeeper` (Debian's Apache ZooKeeper 3.8, QuorumPeerMain).
Both read the same zoo.cfg and dataDir/myid. Servers are addressed by index 0..n-1; server i
has myid i + 1; observers come last. PADDOCK_ENSEMBLE_CONFIG="k=v,k=v" adds zoo.cfg keys to
every ensemble (e.g. paddock.linearizableReads=true; a test's extra_config wins).

API (test_ensemble.py and tools/ensemble use it; keep it stable):
  Ensemble(n, observers=0, extra_config=None, base_dir=None, base_port=None, detached=False,
           extra_args=None, quorum_tls=False)  extra_args: more paddock command-line arguments;
                                       quorum_tls: sslQuorum=true, each server with a
                                       certificate of its own signed by one CA (made in
                                       <dir>/pki by quorum_pki.py; joiners get one too)
    with Ensemble(3) as ens: ...       stops every process and removes a temporary dir on exit
    .start(timeout)                    starts all; waits until each answers srvr with a Mode
    .stop()  .cleanup()                SIGTERM (then SIGKILL) all; cleanup also removes the dir
    .kill(i) .stop_server(i)           SIGKILL / SIGTERM one server
    .start_server(i, wait=True, timeout=None)   starts one (again); waits until it serves
    .add_joiner(current, observer=False)   a new server naming members `current` and itself
                                       (not started); returns its index
    .wipe(i)                           deletes server i's data (it must be stopped), keeps myid
    .mode(i)                           "leader" / "follower" / "observer", or None
    .leader() .followers() .observers() .alive_indices()
    .wait_for_leader(timeout, exclude=None) -> (index, seconds waited)
    .wait_serving(indices=None, timeout)   every given server answers srvr with a Mode
    .connect_string(indices=None)      "127.0.0.1:p1,127.0.0.1:p2,..." in the given order
    .server(i)                         a Member: .sid .hosts .host .port .client_port
                                       .quorum_port .election_port .observer .dir .data_dir
                                       .cfg_path .log_path .config .pid .alive()
                                       .write_files(config) rewrites its zoo.cfg
                                       .extra_env: environment variables added to its
                                       process from its next start (a dict; empty: none)
  A config's jaasLoginConfig (Paddock's key for the JAAS file) is also given to ZooKeeper, as
  -Djava.security.auth.login.config.
    .log_tail(i, lines=40)  .log_size(i)  .log_text(i, since=0)
    .sync_events(i, since=0) -> [(learner sid, "DIFF"|"TRUNC"|"SNAP")] from leader i's log
  SYNC_LOG_PATTERNS                    per target: regexes for the leader's learner-sync lines
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import harness
import quorum_pki
from harness import TARGET, four_letter, free_port

# ZooKeeper's quorum settings in ticks: initLimit 20 x 200 ms = 4 s for a learner to connect
# and sync, syncLimit 10 x 200 ms = 2 s for a follower to answer (two busy JVMs on two shared
# cores need that slack; a killed peer is noticed at once anyway, by its closed sockets).
BASE_CONFIG = {
    "tickTime": "200",
    "initLimit": "20",
    "syncLimit": "10",
    "minSessionTimeout": "400",
    "maxSessionTimeout": "10000",
    "maxClientCnxns": "0",
    "4lw.commands.whitelist": "*",
    "admin.enableServer": "false",  # on by default, on port 8080, for both targets
}
# PADDOCK_ENSEMBLE_CONFIG="key=value,key=value": more zoo.cfg keys for every ensemble a test
# starts (a test's own extra_config wins), e.g. paddock.linearizableReads=true to run the
# ensemble tests with every read linearizable.
ENV_CONFIG = dict(kv.split("=", 1) for kv in
                  os.environ.get("PADDOCK_ENSEMBLE_CONFIG", "").split(",") if "=" in kv)
ZOOKEEPER_CONFIG = {
    "standaloneEnabled": "false",
    "reconfigEnabled": "false",
    "forceSync": "no",
}

# How the leader reports the way it brought a learner up to date, per target:
#   "decision": a line with the named groups `kind` (DIFF, TRUNC, SNAP or "snapshot") and
#               either `sid` or `thread`;
#   "learner":  (optional) a line with `thread` and `sid`, logged earlier on the same thread,
#               for decision lines that do not name the sid.
# paddock: the contract is one line `sync of learner <sid>: DIFF|TRUNC|SNAP`.
# zookeeper 3.8 (LearnerHandler at INFO), as seen from the real server here:
#   [LearnerHandler-/127.0.0.1:54102:LearnerHandler@805] - Synchronizing with Learner sid: 1
#       maxCommittedLog=0x100000049 minCommittedLog=0x100000001 lastProcessedZxid=0x100000049
#       peerLastZxid=0x100000016
#   [LearnerHandler-/127.0.0.1:54102:LearnerHandler@869] - Using committedLog for peer sid: 1
#   [LearnerHandler-/127.0.0.1:54102:LearnerHandler@977] - Sending DIFF zxid=0x100000049
#       for peer sid: 1        (two spaces before "for" here; one in the @850 line logged
#                               when the learner is already up to date)
#   and for a learner with no data (peerLastZxid=0x0), a line without the sid:
#   [LearnerHandler-/127.0.0.1:54110:LearnerHandler@572] - Sending snapshot last zxid of
#       peer is 0x0, zxid of leader is 0x100000049, send zxid of db as 0x100000049, 1
#       concurrent snapshot sync, snapshot sync was exempt from throttle
SYNC_LOG_PATTERNS = {
    "paddock": {
        "decision": re.compile(r"sync of learner (?P<sid>\d+): (?P<kind>DIFF|TRUNC|SNAP)\b"),
    },
    "zookeeper": {
        "learner": re.compile(r"\[(?P<thread>LearnerHandler-[^\]@]*?):LearnerHandler@\d+\] - "
                              r"Synchronizing with Learner sid: (?P<sid>\d+)"),
        "decision": re.compile(r"\[(?P<thread>LearnerHandler-[^\]@]*?):LearnerHandler@\d+\] - "
                               r"Sending (?P<kind>DIFF|TRUNC|snapshot) "),
    },
}

MODES = ("leader", "follower", "observer")


# In the foreground (tests), each server gets SIGKILL when its parent dies, so that servers do
# not outlive a pytest that ctest killed on its timeout. setpriv execs the server (same pid).
# PR_SET_PDEATHSIG fires when the *thread* that started the child exits: start servers from
# the main thread.
DIE_WITH_PARENT = ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []


def jaas_property(config):
    """Paddock's zoo.cfg key jaasLoginConfig is a JVM property for ZooKeeper: a test that
    names its JAAS file in the config runs against both."""
    path = config.get("jaasLoginConfig")
    return [f"-Djava.security.auth.login.config={path}"] if path else []


def zookeeper_command(cfg_path, log_dir, config=None):
    classpath = ":".join([harness.ZK_CLASSPATH,
                          # The Debian jar's manifest has slf4j-api but no binding: without
                          # these two the server logs nothing at all.
                          "/usr/share/java/slf4j-log4j12.jar", "/usr/share/java/log4j-1.2.jar"])
    return ["java", "-Xmx256m", "-Xms32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Djava.net.preferIPv4Stack=true",
            "-Dzookeeper.root.logger=INFO,CONSOLE", f"-Dzookeeper.log.dir={log_dir}",
            "-Dzookeeper.jmx.log4j.disable=true",
            *harness.jvm_system_properties(config or {}),
            *jaas_property(config or {}),
            "-cp", classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg_path]


class Member:
    """One server of an ensemble: its ports, directory, zoo.cfg, process."""

    def __init__(self, sid, dir, client_port, quorum_port, election_port, observer):
        self.sid = sid
        self.host = "127.0.0.1"
        self.client_port = self.port = client_port
        self.quorum_port = quorum_port
        self.election_port = election_port
        self.observer = observer
        self.hosts = f"{self.host}:{client_port}"
        self.dir = dir
        self.data_dir = os.path.join(dir, "data")
        self.cfg_path = os.path.join(dir, "zoo.cfg")
        self.log_path = os.path.join(dir, "server.log")
        self.pid_path = os.path.join(dir, "pid")
        self.config = {}
        self.extra_args = []
        self.extra_env = {}
        self.proc = None
        self._log = None

    def server_line(self):
        line = f"127.0.0.1:{self.quorum_port}:{self.election_port}"
        return line + (":observer" if self.observer else "")

    def write_files(self, config):
        os.makedirs(self.data_dir, exist_ok=True)
        with open(os.path.join(self.data_dir, "myid"), "w") as f:
            f.write(f"{self.sid}\n")
        self.config = config
        with open(self.cfg_path, "w") as f:
            for k, v in config.items():
                f.write(f"{k}={v}\n")

    def command(self):
        if TARGET == "zookeeper":
            return zookeeper_command(self.cfg_path, self.dir, self.config)
        return [harness.PADDOCK_BIN, "--config", self.cfg_path] + self.extra_args

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def launch(self, detached=False):
        if self.alive():
            return
        if TARGET != "zookeeper" and not os.access(harness.PADDOCK_BIN, os.X_OK):
            raise RuntimeError(f"no paddock binary at {harness.PADDOCK_BIN} (set PADDOCK_BIN, "
                               "or build it with tools/run or tools/test)")
        self._log = open(self.log_path, "ab")
        # detached: a session of its own, so the servers outlive tools/ensemble and a ^C in
        # the shell that started them.
        command = self.command() if detached else DIE_WITH_PARENT + self.command()
        env = {**os.environ, **self.extra_env} if self.extra_env else None
        self.proc = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.dir, env=env,
                                     start_new_session=detached)
        with open(self.pid_path, "w") as f:
            f.write(f"{self.proc.pid}\n")

    def _close_log(self):
        if self._log:
            self._log.close()
            self._log = None
        try:
            os.remove(self.pid_path)
        except OSError:
            pass

    def stop(self, timeout=10.0):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close_log()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._close_log()

    def srvr_mode(self, timeout=1.0):
        """srvr's Mode as it is ("standalone" too), "not serving", or "no answer"."""
        try:
            answer = four_letter(self.host, self.client_port, "srvr", timeout=timeout)
        except OSError:
            return "no answer"
        m = re.search(r"^Mode: (\w+)", answer, re.M)
        return m.group(1) if m else "not serving"

    def mode(self, timeout=1.0):
        """leader, follower or observer from srvr; None when the server does not serve as a
        member of an ensemble."""
        mode = self.srvr_mode(timeout)
        return mode if mode in MODES else None

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return "(no log)"


class Ensemble:
    def __init__(self, n, observers=0, extra_config=None, base_dir=None, base_port=None,
                 detached=False, extra_args=None, quorum_tls=False):
        self.detached = detached
        self.quorum_tls = quorum_tls
        self.own_dir = base_dir is None
        self.dir = base_dir or tempfile.mkdtemp(prefix=f"paddock-ens-{TARGET}-")
        os.makedirs(self.dir, exist_ok=True)
        self.members = []
        for i in range(n + observers):
            if base_port:
                ports = (base_port + i, base_port + 100 + i, base_port + 200 + i)
            else:
                ports = (free_port(), free_port(), free_port())
            self.members.append(Member(i + 1, os.path.join(self.dir, f"server{i + 1}"), *ports,
                                       observer=i >= n))
            self.members[-1].extra_args = list(extra_args or [])
        servers = {f"server.{m.sid}": m.server_line() for m in self.members}
        for m in self.members:
            config = dict(BASE_CONFIG)
            if TARGET == "zookeeper":
                config.update(ZOOKEEPER_CONFIG)
            config.update({"dataDir": m.data_dir, "clientPort": str(m.client_port),
                           "clientPortAddress": m.host})
            if m.observer:
                config["peerType"] = "observer"
            config.update(servers)
            config.update(self._quorum_tls_config(m))
            config.update(ENV_CONFIG)
            config.update(extra_config or {})
            m.write_files(config)

    def _quorum_tls_config(self, m):
        """sslQuorum's keys for member m (its certificate made on first use), or none."""
        if not self.quorum_tls:
            return {}
        pki = os.path.join(self.dir, "pki")
        os.makedirs(pki, exist_ok=True)
        quorum_pki.make_ca(pki, "ca")
        quorum_pki.make_server_cert(pki, f"server{m.sid}", "ca")
        return quorum_pki.quorum_tls_config(pki, f"server{m.sid}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()

    def __len__(self):
        return len(self.members)

    def server(self, i):
        return self.members[i]

    # -- processes ------------------------------------------------------------------------

    def start(self, timeout=None):
        timeout = timeout or (90 if TARGET == "zookeeper" else 20)
        try:
            for m in self.members:
                m.launch(self.detached)
            self.wait_serving(timeout=timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def add_joiner(self, current, observer=False, extra_config=None):
        """Adds a server with the next myid, fresh ports and a zoo.cfg that names the members
        at indices `current` and itself, as ZooKeeper's procedure for growing an ensemble
        has it (it syncs with the leader, and votes once a reconfig adds it). Written, not
        started; returns its index. The other members' files are left alone."""
        i = len(self.members)
        m = Member(i + 1, os.path.join(self.dir, f"server{i + 1}"), free_port(), free_port(),
                   free_port(), observer=observer)
        m.extra_args = list(self.members[0].extra_args) if self.members else []
        config = {k: v for k, v in self.members[0].config.items()
                  if not k.startswith("server.") and k not in ("peerType",)}
        config.update({"dataDir": m.data_dir, "clientPort": str(m.client_port),
                       "clientPortAddress": m.host})
        if observer:
            config["peerType"] = "observer"
        for j in current:
            config[f"server.{self.members[j].sid}"] = self.members[j].server_line()
        config[f"server.{m.sid}"] = m.server_line()
        config.update(self._quorum_tls_config(m))
        config.update(extra_config or {})
        m.write_files(config)
        self.members.append(m)
        return i

    def start_server(self, i, wait=True, timeout=None):
        self.members[i].launch(self.detached)
        if wait:
            self.wait_serving([i], timeout=timeout)

    def stop_server(self, i):
        self.members[i].stop()

    def kill(self, i):
        self.members[i].kill()

    def stop(self):
        for m in self.members:
            try:
                m.stop()
            except Exception:
                m.kill()

    def cleanup(self):
        self.stop()
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def wipe(self, i):
        """Deletes server i's data (snapshots, transaction logs, epoch files); keeps myid."""
        m = self.members[i]
        assert not m.alive(), "wipe() needs the server stopped"
        for name in os.listdir(m.data_dir):
            if name == "myid":
                continue
            path = os.path.join(m.data_dir, name)
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)

    # -- state ----------------------------------------------------------------------------

    def alive_indices(self):
        return [i for i, m in enumerate(self.members) if m.alive()]

    def mode(self, i):
        return self.members[i].mode()

    def _with_mode(self, wanted):
        return [i for i in self.alive_indices() if self.mode(i) == wanted]

    def leader(self):
        leaders = self._with_mode("leader")
        return leaders[0] if leaders else None

    def followers(self):
        return self._with_mode("follower")

    def observers(self):
        return self._with_mode("observer")

    def wait_serving(self, indices=None, timeout=None):
        timeout = timeout or (90 if TARGET == "zookeeper" else 20)
        indices = list(range(len(self.members))) if indices is None else list(indices)
        deadline = time.monotonic() + timeout
        while True:
            for i in indices:
                if not self.members[i].alive():
                    raise RuntimeError(f"server {i} (sid {self.members[i].sid}) exited with "
                                       f"{self.members[i].proc.returncode}:\n"
                                       f"{self.log_tail(i)}")
            waiting = [i for i in indices if self.mode(i) is None]
            if not waiting:
                return
            if time.monotonic() > deadline:
                tails = "\n".join(f"--- server {i} (sid {self.members[i].sid}, srvr Mode: "
                                  f"{self.members[i].srvr_mode()}):\n"
                                  f"{self.log_tail(i, 25)}" for i in waiting)
                raise AssertionError(f"servers {waiting} not serving after {timeout} s\n{tails}")
            time.sleep(0.1)

    def wait_for_leader(self, timeout=30.0, exclude=None):
        """Waits until a server other than those in `exclude` reports Mode: leader; returns
        (its index, seconds waited)."""
        exclude = set([exclude] if isinstance(exclude, int) else (exclude or []))
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            for i in self.alive_indices():
                if i not in exclude and self.mode(i) == "leader":
                    return i, time.monotonic() - start
            time.sleep(0.05)
        raise AssertionError(f"no leader (excluding {sorted(exclude)}) after {timeout} s")

    def connect_string(self, indices=None):
        indices = range(len(self.members)) if indices is None else indices
        return ",".join(self.members[i].hosts for i in indices)

    # -- logs -----------------------------------------------------------------------------

    def log_tail(self, i, lines=40):
        return self.members[i].log_tail(lines)

    def log_size(self, i):
        try:
            return os.path.getsize(self.members[i].log_path)
        except OSError:
            return 0

    def log_text(self, i, since=0):
        try:
            with open(self.members[i].log_path, "rb") as f:
                f.seek(since)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def sync_events(self, i, since=0):
        """[(learner sid, "DIFF"|"TRUNC"|"SNAP")] in the order server i, as leader, logged
        them after byte offset `since` of its log."""
        patterns = SYNC_LOG_PATTERNS[TARGET]
        sid_of_thread = {}
        events = []
        for line in self.log_text(i, since).splitlines():
            m = patterns.get("learner") and patterns["learner"].search(line)
            if m:
                sid_of_thread[m.group("thread")] = int(m.group("sid"))
                continue
            m = patterns["decision"].search(line)
            if m:
                groups = m.groupdict()
                sid = int(groups["sid"]) if groups.get("sid") else sid_of_thread.get(
                    groups.get("thread"))
                kind = "SNAP" if m.group("kind") == "snapshot" else m.group("kind")
                events.append((sid, kind))
        return events
