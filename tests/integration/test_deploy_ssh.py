"""tools/deploy over ssh: three network namespaces made by the test, each running its own
OpenSSH server (sshd) on that namespace's address, with a throwaway host key and a client key
the test generates. The inventory names no namespace: deploy reaches each host only through
`ssh = root@{address}`, so a server that runs in the right namespace got there over ssh.

- up: every server runs in its host's namespace, in its own root; the connect string works
  for kazoo. status shows every host by its ssh destination.
- upgrade: each host's binary, and the new one copied to a host, tell their peer protocol
  version over ssh; a rolling upgrade, followers first and the leader last; every host runs
  the new binary afterwards (hashed through /proc/PID/exe) and keeps the old one as
  .previous; data written before is there.
- down --wipe stops every supervisor and server (nothing left running) and deletes the data
  dirs.
- a key the hosts do not accept fails at once with ssh's message (BatchMode: no prompt).

Needs root (namespaces; sshd) and OpenSSH (openssh-server, openssh-client: tools/install-deps);
skipped otherwise, with the reason. Every sshd and namespace is removed at the module's end,
even after a failure.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

import harness
from test_deploy import (MAX_OPEN_FILES, TIMING, UP_TIMEOUT, ZOOKEEPER, Site, deploy, take_down,
                         sha256_of)

sys.path.insert(0, os.path.join(harness.REPO, "tools"))
from deploylib.hosts import NetnsHosts  # noqa: E402

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
USER = "root"


def why_no_ssh():
    if os.geteuid() != 0:
        return "not root: network namespaces and sshd need it"
    for tool, path in (("sshd", SSHD), ("ssh", shutil.which("ssh")),
                       ("ssh-keygen", shutil.which("ssh-keygen"))):
        if not path or not os.access(path, os.X_OK):
            return f"`{tool}` is not installed (openssh-server, openssh-client)"
    return None


def keygen(path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "paddock-test",
                    "-f", path], check=True, capture_output=True, timeout=30)


def wait_listening(address, port, timeout, proc, log):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"sshd at {address} exited ({proc.returncode}):\n"
                                 + open(log).read())
        try:
            with socket.create_connection((address, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"sshd at {address}:{port} not listening after {timeout} s")


class SshHosts:
    """NetnsHosts with an sshd in every namespace, and the client's key and known_hosts."""

    def __init__(self, directory):
        self.dir = directory
        self.key = os.path.join(directory, "client_key")
        self.known_hosts = os.path.join(directory, "known_hosts")
        self.sshds = []
        keygen(self.key)
        keygen(os.path.join(directory, "host_key"))
        shutil.copyfile(self.key + ".pub", os.path.join(directory, "authorized_keys"))
        # sshd's privilege separation directory; Debian's service makes it at boot, which a
        # container may never have run.
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.topology = NetnsHosts(3)
        try:
            host_key = open(os.path.join(directory, "host_key.pub")).read().split()
            with open(self.known_hosts, "w") as f:
                for h in self.topology.hosts:
                    f.write(f"{h.address} {host_key[0]} {host_key[1]}\n")
            for h in self.topology.hosts:
                self._start_sshd(h)
        except BaseException:
            self.close()
            raise

    def _start_sshd(self, h):
        config = os.path.join(self.dir, f"sshd_config.{h.index + 1}")
        with open(config, "w") as f:
            f.write("\n".join([
                f"ListenAddress {h.address}:22",
                f"HostKey {self.dir}/host_key",
                f"PidFile {self.dir}/sshd.{h.index + 1}.pid",
                f"AuthorizedKeysFile {self.dir}/authorized_keys",
                "StrictModes no",  # the temp dir's modes are not sshd's business here
                "UsePAM no",
                f"AllowUsers {USER}",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "AllowTcpForwarding no",
                "X11Forwarding no",
                "PrintMotd no",
                "LogLevel VERBOSE",
            ]) + "\n")
        log = os.path.join(self.dir, f"sshd.{h.index + 1}.log")
        with open(log, "ab") as out:
            proc = subprocess.Popen(h.wrap([SSHD, "-D", "-e", "-f", config]), stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.sshds.append(proc)
        wait_listening(h.address, 22, 15, proc, log)

    def close(self):
        # Shown by pytest when a test failed: why sshd refused a login, if it did.
        for i in range(len(self.sshds)):
            with open(os.path.join(self.dir, f"sshd.{i + 1}.log"), errors="replace") as f:
                print(f"--- sshd {i + 1} (end) ---\n" + "".join(f.readlines()[-15:]))
        for proc in self.sshds:
            proc.terminate()
        for proc in self.sshds:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.sshds = []
        self.topology.close()


@pytest.fixture(scope="module")
def ssh_hosts(tmp_path_factory):
    reason = why_no_ssh()
    if reason:
        pytest.skip(reason)
    hosts = SshHosts(str(tmp_path_factory.mktemp("ssh")))
    try:
        yield hosts
    finally:
        hosts.close()


class SshSite(Site):
    def write_inventory(self, binary, key=None):
        lines = [f"binary = {binary}", f"root = {self.dir}/hosts/{{id}}",
                 f"maxOpenFiles = {MAX_OPEN_FILES}",
                 f"ssh = {USER}@{{address}}",
                 f"sshIdentity = {key or self.ssh.key}",
                 f"sshOptions = -F /dev/null -o UserKnownHostsFile={self.ssh.known_hosts} "
                 "-o StrictHostKeyChecking=yes"]
        lines += [f"{k} = {v}" for k, v in TIMING.items()]
        lines += [f"{h.index + 1} {h.address}" for h in self.topology.hosts]
        with open(self.inventory, "w") as f:
            f.write("\n".join(lines) + "\n")


@pytest.fixture
def site(ssh_hosts, tmp_path):
    s = SshSite(ssh_hosts.topology, str(tmp_path))
    s.ssh = ssh_hosts
    yield s
    take_down(s)


def status_rows(site, expect_serving=True):
    result = deploy("status", site.inventory, check=False)
    assert (result.returncode == 0) == expect_serving, result.stdout + result.stderr
    rows = {}
    for line in result.stdout.splitlines()[1:]:
        words = line.split()
        if words and words[0].isdigit():
            rows[int(words[0])] = {"where": words[2], "server": words[4], "mode": words[6],
                                   "binary": words[8]}
    return rows


def net_namespace_of(pid):
    return os.stat(f"/proc/{pid}/ns/net").st_ino


@pytest.mark.time_limit(300 if ZOOKEEPER else 150)
def test_up_status_rolling_upgrade_down_over_ssh(site):
    old, new = site.binary("old"), site.binary("new")
    site.write_inventory(old)
    up = deploy("up", site.inventory, "--timeout", UP_TIMEOUT)
    connect_string = up.stdout.strip().splitlines()[-1]
    assert connect_string == ",".join(f"{h.address}:{h.client_port}"
                                      for h in site.topology.hosts)
    for h in site.topology.hosts:
        sid = h.index + 1
        assert f"host {sid}: started supervisor" in up.stderr
        assert f"(ssh={USER}@{h.address})" in up.stderr
        # The server runs in the namespace whose sshd started it, from its own root.
        pid = site.pid(sid)
        assert net_namespace_of(pid) == os.stat(f"/run/netns/{h.netns}").st_ino
        assert net_namespace_of(pid) != net_namespace_of(os.getpid())
        assert os.readlink(f"/proc/{pid}/cwd") == site.roots[sid]
        assert open(site.file(sid, "data/myid")).read().strip() == str(sid)
        assert f"clientPortAddress={h.address}" in open(site.file(sid, "zoo.cfg")).read()
        assert sha256_of(site.file(sid, "bin/paddock")) == sha256_of(old)

    with harness.kazoo_client(connect_string) as zk:
        zk.create("/over-ssh", b"up")
        assert zk.get("/over-ssh")[0] == b"up"

    rows = status_rows(site)
    assert {sid: r["where"] for sid, r in rows.items()} == {
        h.index + 1: f"ssh={USER}@{h.address}" for h in site.topology.hosts}
    assert sorted(r["mode"] for r in rows.values()) == ["follower", "follower", "leader"]
    leader_before = next(sid for sid, r in rows.items() if r["mode"] == "leader")

    upgrade = deploy("upgrade", site.inventory, "--binary", new, "--timeout", UP_TIMEOUT)
    if not ZOOKEEPER:  # each host's binary told its peer protocol version, over ssh
        assert "warning" not in upgrade.stderr, upgrade.stderr
    # The new binary was asked on a host (a copy in a scratch dir of its root, removed).
    assert re.search(rf"peer protocol version of the new binary, run on host \d "
                     rf"\(ssh={USER}@[0-9.]+\): " + ("" if ZOOKEEPER else r"\d+\n"),
                     upgrade.stderr), upgrade.stderr
    assert not [n for root in site.roots.values() for n in os.listdir(root)
                if n.startswith(".deploy-scratch.")]
    steps = re.findall(r"upgrading host (\d+) \((leader|follower)\)", upgrade.stderr)
    assert [role for _, role in steps] == ["follower", "follower", "leader"], upgrade.stderr
    assert int(steps[-1][0]) == leader_before, "the leader was not upgraded last"
    new_hash = sha256_of(new)
    for sid, row in status_rows(site).items():
        assert new_hash.startswith(row["binary"]) and row["mode"] in ("leader", "follower")
        assert sha256_of(site.file(sid, "bin/paddock.previous")) == sha256_of(old)
        if not ZOOKEEPER:
            assert sha256_of(f"/proc/{site.pid(sid)}/exe") == new_hash
    with harness.kazoo_client(connect_string) as zk:
        zk.sync("/over-ssh")
        assert zk.get("/over-ssh")[0] == b"up"
        zk.create("/after-upgrade", b"ok")

    down = deploy("down", site.inventory, "--wipe")
    assert down.stderr.count("stopped supervisor") == 3
    assert down.stderr.count("removed dataDir") == 3
    assert all(r["mode"] == "no-answer" and r["server"] == "-"
               for r in status_rows(site, expect_serving=False).values())
    assert not site.leftover_processes()
    for sid in site.roots:
        assert not os.path.exists(site.file(sid, "data"))
        assert os.path.exists(site.file(sid, "zoo.cfg"))


@pytest.mark.time_limit(60)
def test_a_key_the_hosts_refuse_fails_at_once(site):
    stranger = os.path.join(site.dir, "stranger_key")
    keygen(stranger)
    site.write_inventory(site.binary("any"), key=stranger)
    started = time.monotonic()
    failed = deploy("up", site.inventory, "--timeout", "5", check=False)
    assert failed.returncode == 1
    assert f"ssh {USER}@{site.topology.hosts[0].address} failed" in failed.stderr
    assert "Permission denied" in failed.stderr
    assert time.monotonic() - started < 30
    os.unlink(site.inventory)  # nothing was started: no `down` needed
