"""tools/deploy against real hosts: three network namespaces made by the test (each with its
own address and ZooKeeper's usual ports; 127.0.0.x addresses with free ports when not root),
one root directory and one supervisor per host.

- up: the connect string works for kazoo; a server killed -9 is restarted by its supervisor.
- upgrade: a rolling upgrade to a "new" build (the binary with bytes appended, so its hash
  differs) while a client keeps writing: every host runs the new binary afterwards (the
  running executable is hashed through /proc/PID/exe), followers went first and the leader
  last, and no acknowledged write is lost.
- the on-disk format: an ensemble that ran the previous build is upgraded over its data dirs,
  taken down and brought up again: its data is still there (PADDOCK_PREVIOUS_BIN names a
  build of an earlier commit; without it, a copy of this build stands in for it).
- an upgrade to a binary that does not start aborts on the first host, leaves the others on
  the old binary and the ensemble serving, and an upgrade to a good binary then completes.
- an upgrade to a binary of another peer protocol version is refused before any host is
  touched (Paddock only).

Every test ends with `tools/deploy down`, and the module's end stops any process left in a
host's root and removes the namespaces, even after a failure. PADDOCK_DEPLOY_LOOPBACK=1
uses the loopback hosts even as root. PADDOCK_TARGET=zookeeper runs
the same tests with ZooKeeper 3.8 started by a wrapper script as each host's "binary"
(not the on-disk format test, which is about Paddock's files).
"""
import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

import harness
from ensemble import zookeeper_command

sys.path.insert(0, os.path.join(harness.REPO, "tools"))
from deploylib.hosts import make_hosts  # noqa: E402

DEPLOY = os.path.join(harness.REPO, "tools", "deploy")
ZOOKEEPER = harness.TARGET == "zookeeper"
# The integration ensembles' timing (tickTime 200 ms): elections in well under a second.
TIMING = {"tickTime": "200", "initLimit": "20", "syncLimit": "10",
          "admin.enableServer": "false", "4lw.commands.whitelist": "*"}
UP_TIMEOUT = "120" if ZOOKEEPER else "60"
# An open-file limit the servers would not have by chance (a container may cap the hard
# limit below deploy's default of 65536, and only root may raise it).
MAX_OPEN_FILES = min(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 65536) - 1


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def deploy(*args, timeout=240, check=True):
    result = subprocess.run([DEPLOY, *args], capture_output=True, text=True, timeout=timeout)
    print(f"$ tools/deploy {' '.join(args)} -> {result.returncode}\n{result.stdout}"
          f"{result.stderr}")
    if check:
        assert result.returncode == 0, f"tools/deploy {args[0]} failed:\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def hosts():
    # PADDOCK_DEPLOY_LOOPBACK=1 tries the fallback that runs without root.
    topology, why_not = make_hosts(3, prefer_netns=not os.environ.get("PADDOCK_DEPLOY_LOOPBACK"))
    if why_not:
        print(f"no network namespaces ({why_not}): {topology.describe()}")
    try:
        yield topology
    finally:
        topology.close()


class Site:
    """One test's ensemble: the inventory, the hosts' roots, the binaries it made."""

    def __init__(self, topology, directory):
        self.topology = topology
        self.dir = directory
        self.inventory = os.path.join(directory, "inventory")
        self.roots = {h.index + 1: os.path.join(directory, "hosts", str(h.index + 1))
                      for h in topology.hosts}

    def write_inventory(self, binary, extra=None, observers=()):
        lines = [f"binary = {binary}", "root = hosts/{id}", f"maxOpenFiles = {MAX_OPEN_FILES}"]
        lines += [f"{k} = {v}" for k, v in {**TIMING, **(extra or {})}.items()]
        for h in self.topology.hosts:
            options = [f"netns={h.netns}"] if h.netns else [
                f"clientPort={h.client_port}", f"quorumPort={h.quorum_port}",
                f"electionPort={h.election_port}"]
            if h.index + 1 in observers:
                options.append("role=observer")
            lines.append(f"{h.index + 1} {h.address} {' '.join(options)}")
        with open(self.inventory, "w") as f:
            f.write("\n".join(lines) + "\n")

    def binary(self, tag):
        """A server "build" of its own: Paddock's binary with `tag` appended (an ELF file
        runs the same with bytes after its end), or a wrapper that starts ZooKeeper."""
        path = os.path.join(self.dir, f"paddock-{tag}")
        if ZOOKEEPER:
            command = zookeeper_command("CFG", "LOGDIR")
            script = " ".join(f"'{w}'" for w in command).replace("'CFG'", '"$2"').replace(
                "LOGDIR", '"$(dirname "$2")"')
            with open(path, "w") as f:
                f.write(f"#!/bin/sh\n# build {tag}: called as `paddock --config FILE`\n"
                        f"exec {script}\n")
        else:
            shutil.copyfile(harness.PADDOCK_BIN, path)
            with open(path, "ab") as f:
                f.write(f"\npaddock test build {tag}\n".encode())
        os.chmod(path, 0o755)
        return path

    def file(self, sid, name):
        return os.path.join(self.roots[sid], name)

    def pid(self, sid):
        with open(self.file(sid, "paddock.pid")) as f:
            return int(f.read())

    def leftover_processes(self):
        """Pids of processes whose command line names one of this site's roots."""
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read().decode(errors="replace")
            except OSError:
                continue
            if any(root + "/" in cmdline for root in self.roots.values()):
                found.append(int(entry))
        return found


def take_down(s):
    """A site's end: `tools/deploy down`, then no process may be left in its roots (any left
    is killed, and the test fails)."""
    if os.path.exists(s.inventory):
        deploy("down", s.inventory, check=False)
    left = s.leftover_processes()
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not left, f"processes left running after `tools/deploy down`: {left}"


@pytest.fixture
def site(hosts, tmp_path):
    s = Site(hosts, str(tmp_path))
    yield s
    take_down(s)


def status_rows(site):
    """{sid: {"mode", "server", "starts", "binary"}} from `tools/deploy status`."""
    out = deploy("status", site.inventory, check=False).stdout
    rows = {}
    for line in out.splitlines()[1:]:
        words = line.split()
        if words and words[0].isdigit():
            rows[int(words[0])] = {"server": words[4], "starts": int(words[5]),
                                   "mode": words[6], "binary": words[8]}
    return rows


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def srvr_mode(address, port):
    try:
        answer = harness.four_letter(address, port, "srvr", timeout=2)
    except OSError:
        return None
    m = re.search(r"^Mode: (\w+)", answer, re.M)
    return m.group(1) if m else None


class Writer(threading.Thread):
    """Creates /upgrade/wN one after another through the connect string; remembers which
    creates were acknowledged and counts the ones that failed (a lost connection leaves the
    outcome unknown: not counted as acknowledged)."""

    def __init__(self, connect_string):
        super().__init__(daemon=True)
        self.connect_string = connect_string
        self.acknowledged = []
        self.failures = {}
        self.stopping = threading.Event()

    def run(self):
        from kazoo.client import KazooClient
        zk = KazooClient(hosts=self.connect_string, timeout=10.0)
        zk.start(timeout=15)
        try:
            zk.ensure_path("/upgrade")
            n = 0
            while not self.stopping.is_set():
                n += 1
                try:
                    zk.create(f"/upgrade/w{n}", str(n).encode())
                    self.acknowledged.append(n)
                except Exception as e:  # a lost connection, a timeout: outcome unknown
                    kind = type(e).__name__
                    self.failures[kind] = self.failures.get(kind, 0) + 1
                    time.sleep(0.1)
                time.sleep(0.02)
        finally:
            zk.stop()
            zk.close()


def children_on_every_host(site, path):
    """{sid: set of children} read from each host alone, after a sync."""
    seen = {}
    for h in site.topology.hosts:
        with harness.kazoo_client(f"{h.address}:{h.client_port}") as zk:
            zk.sync(path)
            seen[h.index + 1] = set(zk.get_children(path))
    return seen


@pytest.mark.time_limit(420 if ZOOKEEPER else 240)
def test_up_restart_on_crash_rolling_upgrade_down(site):
    old, new = site.binary("old"), site.binary("new")
    site.write_inventory(old)
    up = deploy("up", site.inventory, "--timeout", UP_TIMEOUT)
    connect_string = up.stdout.strip().splitlines()[-1]
    assert connect_string == ",".join(f"{h.address}:{h.client_port}"
                                      for h in site.topology.hosts)
    assert "serving: host" in up.stderr

    # Every host has its own zoo.cfg naming all three servers, and its myid.
    for h in site.topology.hosts:
        sid = h.index + 1
        cfg = open(site.file(sid, "zoo.cfg")).read()
        assert f"clientPortAddress={h.address}" in cfg
        assert len(re.findall(r"^server\.\d+=", cfg, re.M)) == 3
        assert open(site.file(sid, "data/myid")).read().strip() == str(sid)

    with harness.kazoo_client(connect_string) as zk:
        zk.create("/deployed", b"up")
        assert zk.get("/deployed")[0] == b"up"
    # `up` again leaves the running hosts alone.
    again = deploy("up", site.inventory, "--timeout", UP_TIMEOUT)
    assert again.stderr.count("already running") == 3
    assert again.stdout.strip() == connect_string

    # kill -9 one server: its supervisor starts it again.
    victim = 2
    before = site.pid(victim)
    os.kill(before, signal.SIGKILL)
    wait_for(lambda: os.path.exists(site.file(victim, "paddock.pid")) and
             site.pid(victim) != before, 30, "the supervisor to start a new server")
    h = site.topology.hosts[victim - 1]
    wait_for(lambda: srvr_mode(h.address, h.client_port) in ("leader", "follower"), 60,
             f"host {victim} to serve again")
    assert "killed by signal 9" in open(site.file(victim, "supervisor.log")).read()
    assert status_rows(site)[victim]["starts"] == 2

    # The rolling upgrade, with a client writing all along.
    rows = status_rows(site)
    leader_before = next(sid for sid, r in rows.items() if r["mode"] == "leader")
    writer = Writer(connect_string)
    writer.start()
    wait_for(lambda: len(writer.acknowledged) >= 5, 30, "the writer's first writes")
    upgrade = deploy("upgrade", site.inventory, "--binary", new, "--timeout", UP_TIMEOUT)
    acknowledged_during = len(writer.acknowledged)
    time.sleep(1.0)
    writer.stopping.set()
    writer.join(30)
    print(f"writes: {len(writer.acknowledged)} acknowledged ({acknowledged_during} by the end "
          f"of the upgrade), failures: {writer.failures}")

    steps = re.findall(r"upgrading host (\d+) \((leader|follower)\)", upgrade.stderr)
    assert len(steps) == 3 and len({sid for sid, _ in steps}) == 3, upgrade.stderr
    assert [role for _, role in steps] == ["follower", "follower", "leader"], upgrade.stderr
    assert int(steps[-1][0]) == leader_before, "the leader was not upgraded last"
    assert f"upgrade order: {', '.join(sid for sid, _ in steps)}" in upgrade.stderr

    # Every host runs the new build: its supervisor started it from the new file, and (Paddock)
    # the running executable itself is the new one.
    new_hash = sha256_of(new)
    for sid, row in status_rows(site).items():
        assert new_hash.startswith(row["binary"]), f"host {sid} runs {row['binary']}"
        assert row["mode"] in ("leader", "follower")
        with open(f"/proc/{site.pid(sid)}/limits") as f:
            limits = re.search(r"^Max open files\s+(\d+)", f.read(), re.M)
        if ZOOKEEPER:  # the JVM raises its own soft limit to the hard one (-XX:+MaxFDLimit)
            assert int(limits.group(1)) >= MAX_OPEN_FILES
        else:
            assert int(limits.group(1)) == MAX_OPEN_FILES, "the supervisor's maxOpenFiles"
        if not ZOOKEEPER:
            pid = site.pid(sid)
            assert os.readlink(f"/proc/{pid}/exe") == site.file(sid, "bin/paddock")
            assert sha256_of(f"/proc/{pid}/exe") == new_hash

    # No acknowledged write lost, on any host; writes kept going.
    assert len(writer.acknowledged) >= 20, writer.failures
    expected = {f"w{n}" for n in writer.acknowledged}
    for sid, children in children_on_every_host(site, "/upgrade").items():
        missing = expected - children
        assert not missing, f"host {sid} lacks acknowledged writes {sorted(missing)[:10]}"
    lossy = set(writer.failures) - {"ConnectionLoss", "ConnectionClosedError",
                                    "SessionExpiredError", "OperationTimeoutError"}
    assert not lossy, f"writes failed for other reasons than a lost connection: {writer.failures}"

    down = deploy("down", site.inventory)
    assert down.stderr.count("stopped supervisor") == 3
    after = deploy("status", site.inventory, check=False)
    assert after.returncode == 1 and "NOT serving" in after.stdout
    assert all(row["mode"] == "no-answer" for row in status_rows(site).values())
    assert not site.leftover_processes()
    for sid in site.roots:
        assert not os.path.exists(site.file(sid, "supervisor.pid"))
        assert os.path.exists(site.file(sid, "data/myid")), "down without --wipe keeps data"


@pytest.mark.skipif(ZOOKEEPER, reason="Paddock's own on-disk format")
@pytest.mark.time_limit(240)
def test_upgrade_from_previous_build_keeps_data(site):
    previous_env = os.environ.get("PADDOCK_PREVIOUS_BIN")
    previous = previous_env or site.binary("previous")
    current = site.binary("current")
    print(f"previous build: {previous}{'' if previous_env else ' (a copy of this build)'}")
    site.write_inventory(previous, {"snapCount": "50"})  # snapshots as well as logs
    connect_string = deploy("up", site.inventory).stdout.strip().splitlines()[-1]
    with harness.kazoo_client(connect_string) as zk:
        for i in range(120):
            zk.create(f"/kept/n{i}", f"value {i}".encode(), makepath=True)
        zk.set("/kept", b"written by the previous build")
    deploy("upgrade", site.inventory, "--binary", current)
    # Down and up again over the same data dirs: every server reads them at start.
    deploy("down", site.inventory)
    deploy("up", site.inventory)
    assert all(r["binary"] and sha256_of(current).startswith(r["binary"])
               for r in status_rows(site).values())
    for h in site.topology.hosts:
        with harness.kazoo_client(f"{h.address}:{h.client_port}") as zk:
            zk.sync("/kept")
            assert zk.get("/kept")[0] == b"written by the previous build"
            assert len(zk.get_children("/kept")) == 120
            assert zk.get("/kept/n119")[0] == b"value 119"
    deploy("down", site.inventory, "--wipe")
    assert not os.path.exists(site.file(1, "data"))


@pytest.mark.time_limit(420 if ZOOKEEPER else 240)
def test_upgrade_to_a_binary_that_does_not_start_aborts(site):
    good = site.binary("good")
    broken = os.path.join(site.dir, "paddock-broken")
    with open(broken, "w") as f:
        f.write("#!/bin/sh\necho 'this build is broken' >&2\nexit 2\n")
    os.chmod(broken, 0o755)
    site.write_inventory(good)
    deploy("up", site.inventory, "--timeout", UP_TIMEOUT)
    good_hash = sha256_of(good)
    leader = next(sid for sid, r in status_rows(site).items() if r["mode"] == "leader")

    failed = deploy("upgrade", site.inventory, "--binary", broken, "--timeout", "8", check=False)
    assert failed.returncode == 1
    m = re.search(r"ABORTED: host (\d+) did not come back within 8 s", failed.stderr)
    assert m, failed.stderr
    first = int(m.group(1))
    assert first != leader, "the leader was upgraded first"
    assert "this build is broken" in failed.stderr  # the host's log tail is shown
    assert len(re.findall(r"upgrading host", failed.stderr)) == 1
    # The other two hosts still run the good build, and the ensemble still serves.
    rows = status_rows(site)
    for sid, row in rows.items():
        if sid != first:
            assert good_hash.startswith(row["binary"]) and row["mode"] in ("leader", "follower")
    h = site.topology.hosts[0 if first != 1 else 1]
    with harness.kazoo_client(f"{h.address}:{h.client_port}") as zk:
        zk.create("/still-serving", b"yes")

    # Going back: an upgrade to the good build brings the host back; the others are skipped.
    back = deploy("upgrade", site.inventory, "--binary", good, "--timeout", UP_TIMEOUT)
    assert "1 of 3 hosts to upgrade" in back.stderr
    assert f"upgrading host {first} (not serving)" in back.stderr
    assert all(good_hash.startswith(r["binary"]) and r["mode"] in ("leader", "follower")
               for r in status_rows(site).values())


@pytest.mark.skipif(ZOOKEEPER, reason="Paddock's peer protocol version")
@pytest.mark.time_limit(120)
def test_an_upgrade_to_another_peer_protocol_version_is_refused(site):
    good = site.binary("good")
    # A "build" of another peer protocol version: it says so, and would run as the good one.
    other = os.path.join(site.dir, "paddock-other-protocol")
    with open(other, "w") as f:
        f.write(f'#!/bin/sh\n[ "$1" = --peer-protocol-version ] && {{ echo 999999; exit 0; }}\n'
                f'exec "{good}" "$@"\n')
    os.chmod(other, 0o755)
    site.write_inventory(good)
    deploy("up", site.inventory, "--timeout", UP_TIMEOUT)
    ours = subprocess.run([good, "--peer-protocol-version"], capture_output=True, text=True,
                          timeout=10).stdout.strip()
    refused = deploy("upgrade", site.inventory, "--binary", other, check=False)
    assert refused.returncode == 1
    assert "not a rolling upgrade: host 1 runs peer protocol " + ours in refused.stderr
    assert "the new binary 999999" in refused.stderr and "full stop and start" in refused.stderr
    # Asked on the first host to upgrade: one on this machine here.
    assert ("peer protocol version of the new binary, run on host 1 (this machine): 999999"
            in refused.stderr)
    assert "upgrading host" not in refused.stderr
    good_hash = sha256_of(good)
    assert all(good_hash.startswith(r["binary"]) and r["mode"] in ("leader", "follower")
               for r in status_rows(site).values())


@pytest.mark.time_limit(420 if ZOOKEEPER else 240)
def test_an_observer_is_upgraded_before_the_leader(site):
    site.write_inventory(site.binary("old"), observers=(3,))
    connect_string = deploy("up", site.inventory, "--timeout", UP_TIMEOUT).stdout.strip()
    assert "server.3=" in open(site.file(1, "zoo.cfg")).read()
    assert ":observer;" in open(site.file(1, "zoo.cfg")).read()
    assert "peerType=observer" in open(site.file(3, "zoo.cfg")).read()
    modes = {sid: r["mode"] for sid, r in status_rows(site).items()}
    assert modes[3] == "observer" and sorted([modes[1], modes[2]]) == ["follower", "leader"]
    upgrade = deploy("upgrade", site.inventory, "--binary", site.binary("new"),
                     "--timeout", UP_TIMEOUT)
    steps = re.findall(r"upgrading host (\d+) \((\w+)\)", upgrade.stderr)
    assert len(steps) == 3 and steps[-1][1] == "leader", upgrade.stderr
    assert ("3", "observer") in steps
    with harness.kazoo_client(connect_string) as zk:
        zk.create("/through-the-ensemble", b"ok")
