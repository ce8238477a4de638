"""The Debian package tools/package builds, on this machine: built from the tests' binaries
(--from-build), checked by lintian and systemd-analyze verify, installed with dpkg -i, the
server run as the paddock user by the unit's own ExecStart with the packaged zoo.cfg (edited
to a free 127.0.0.1 port) and its sd_notify messages received, upgraded to a higher version
(the znode, the session's ephemeral and the edited conffile survive), then purged (the
data, the logs and every file gone).

Needs root and dpkg (skipped otherwise) and no paddock package installed already (this test
would remove it). The test runs ExecStart itself, as the unit's user and with no new
privileges, rather than through systemctl: systemd is not PID 1 on the machines it was
written on. Where systemd runs, the unit is masked for the test's duration (a runtime mask,
which the maintainer scripts leave alone), so that the installation does not start a second
server on the same data directory. Paddock's package only: not run against ZooKeeper."""
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import tempfile

import pytest

import harness

UNIT = "/lib/systemd/system/paddock.service"
ENABLED_LINK = "/etc/systemd/system/multi-user.target.wants/paddock.service"
SYSTEMD_RUNNING = os.path.isdir("/run/systemd/system")
CONFIG = "/etc/paddock/zoo.cfg"
DATA_DIR = "/var/lib/paddock"
LOG_DIR = "/var/log/paddock"
BUILD_DIR = os.path.dirname(os.path.dirname(os.path.abspath(harness.PADDOCK_BIN)))
PACKAGED = ["/usr/bin/paddock", "/usr/bin/paddock-cli", "/usr/bin/paddock-bench", UNIT,
            "/usr/share/man/man1/paddock.1.gz", "/usr/share/man/man1/paddock-cli.1.gz",
            "/usr/share/man/man1/paddock-bench.1.gz", "/usr/share/paddock/grafana/paddock.json",
            "/usr/share/paddock/grafana/alerts.yml", "/usr/share/doc/paddock/copyright",
            "/usr/share/doc/paddock/changelog.gz"]


def package_status():
    """dpkg's status of the paddock package ("" when dpkg knows nothing of it)."""
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", "paddock"],
                          capture_output=True, text=True, timeout=30)
    return done.stdout.strip() if done.returncode == 0 else ""


def why_skip():
    if harness.TARGET != "paddock":
        return "Paddock's own package"
    if os.geteuid() != 0:
        return "dpkg -i needs root"
    if shutil.which("dpkg") is None or shutil.which("dpkg-deb") is None:
        return "dpkg is not installed"
    if harness.SANITIZED:
        return "the binaries are a sanitizer build, which is not what a package ships"
    for binary in ("paddock", "paddock-cli", "paddock-bench"):
        if not os.access(os.path.join(BUILD_DIR, "bin", binary), os.X_OK):
            return f"{BUILD_DIR}/bin/{binary} is not built"
    if package_status().startswith("install ok"):
        return "a paddock package is installed on this machine; the test would remove it"
    return None


pytestmark = [pytest.mark.skipif(why_skip() is not None, reason=why_skip() or ""),
              pytest.mark.time_limit(120)]


def run(*cmd, timeout=60):
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL,
                          env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    assert done.returncode == 0, f"{shlex.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def build_package(out_dir, suffix, checks):
    args = [os.path.join(harness.REPO, "tools", "package"), "--from-build", BUILD_DIR,
            "--version-suffix", suffix, "--out", out_dir]
    if not checks:
        args.append("--no-checks")
    # The .deb's path is the last line; lintian and systemd-analyze print nothing when clean.
    out = run(*args, timeout=90)
    lines = out.strip().splitlines()
    assert len(lines) == 1, f"tools/package reported:\n{out}"
    return lines[0]


def deb_version(deb):
    return run("dpkg-deb", "-f", deb, "Version").strip()


def exec_start():
    """The unit's ExecStart= command line."""
    with open(UNIT) as f:
        line = next(l for l in f if l.startswith("ExecStart="))
    return shlex.split(line[len("ExecStart="):])


def edit_config(port, marker):
    """The packaged zoo.cfg on a free loopback port, with a line of ours to find again."""
    with open(CONFIG) as f:
        text = f.read()
    text = re.sub(r"(?m)^clientPort=\d+$", f"clientPort={port}", text)
    text = re.sub(r"(?m)^#clientPortAddress=.*$", "clientPortAddress=127.0.0.1", text)
    with open(CONFIG, "w") as f:
        f.write(text + f"# {marker}\n")


class NotifySocket:
    """A datagram socket standing in for systemd's NOTIFY_SOCKET."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o666)  # the server runs as paddock
        self.sock.settimeout(30)

    def expect(self, state):
        """The next message, which must carry `state` (e.g. READY=1)."""
        message = self.sock.recv(4096).decode()
        assert state in message.split("\n"), message
        return message

    def close(self):
        self.sock.close()


class InstalledServer:
    """The installed server, started the way paddock.service starts it."""

    def __init__(self, notify):
        self.notify = notify
        self.proc = None

    def start(self):
        user = pwd.getpwnam("paddock")
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "NOTIFY_SOCKET": self.notify.path}
        self.proc = subprocess.Popen(
            ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups",
             "--no-new-privs", "--pdeathsig=KILL", "--", *exec_start()],
            cwd="/", env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        # READY=1 only once recovery is done and the client port listens.
        status = self.notify.expect("READY=1")
        assert "STATUS=serving clients on 127.0.0.1:" in status, status

    def stop(self):
        """systemctl stop: SIGTERM, a clean exit and STOPPING=1."""
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=30) == 0, self.proc.stdout.read().decode()
        self.notify.expect("STOPPING=1")
        self.proc = None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def check_installed(version):
    assert package_status() == f"install ok installed {version}"
    for path in PACKAGED:
        assert os.path.isfile(path), path
    assert CONFIG in run("dpkg-query", "-W", "-f=${Conffiles}", "paddock")
    user = pwd.getpwnam("paddock")
    assert user.pw_uid < 1000 and user.pw_shell == "/usr/sbin/nologin" and \
        user.pw_dir == DATA_DIR
    for directory in (DATA_DIR, LOG_DIR):
        st = os.stat(directory)
        assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (user.pw_uid, 0o750), directory
    # The installed binary is the one packaged from this build.
    installed = run("/usr/bin/paddock", "--version")
    assert installed == run(harness.PADDOCK_BIN, "--version")
    # Enabled at installation, as Debian does for daemons (deb-systemd-helper, with or
    # without a running systemd).
    assert os.path.islink(ENABLED_LINK)
    # The unit as installed: its binary and man page exist now.
    run("systemd-analyze", "verify", UNIT)


def test_install_run_upgrade_purge():
    user_existed = True
    try:
        pwd.getpwnam("paddock")
    except KeyError:
        user_existed = False
    work = tempfile.mkdtemp(prefix="paddock-package-")
    os.chmod(work, 0o755)
    notify = NotifySocket(work)
    server = InstalledServer(notify)
    if SYSTEMD_RUNNING:
        run("systemctl", "mask", "--runtime", "paddock.service")
    try:
        first = build_package(work, "+pkgtest1", checks=True)
        second = build_package(work, "+pkgtest2", checks=False)
        run("dpkg", "--compare-versions", deb_version(second), "gt", deb_version(first))

        run("dpkg", "-i", first)
        check_installed(deb_version(first))
        port = harness.free_port()
        edit_config(port, "edited by test_package")

        server.start()
        with harness.kazoo_client(f"127.0.0.1:{port}", timeout=30.0) as zk:
            zk.create("/packaged", b"kept across the upgrade")
            zk.create("/packaged-eph", ephemeral=True)
            sid = zk.client_id[0]
            server.stop()

            run("dpkg", "--force-confold", "-i", second)
            check_installed(deb_version(second))
            with open(CONFIG) as f:
                assert "# edited by test_package\n" in f.read()

            server.start()
            with harness.kazoo_client(f"127.0.0.1:{port}") as other:
                assert other.get("/packaged")[0] == b"kept across the upgrade"
                # SIGTERM expired no session: the ephemeral's owner is still alive.
                assert other.exists("/packaged-eph").ephemeralOwner == sid
            # The installed client and bench run with the libraries the package depends on.
            out = run("/usr/bin/paddock-cli", "-server", f"127.0.0.1:{port}", "get", "/packaged")
            assert out == "kept across the upgrade\n"
            assert run("/usr/bin/paddock-bench", "--version").startswith("paddock-bench ")
        with open(os.path.join(LOG_DIR, "paddock.log")) as f:
            assert "listening for ZooKeeper clients on 127.0.0.1:" in f.read()
        assert os.path.isdir(os.path.join(DATA_DIR, "paddock"))
        server.stop()

        run("dpkg", "--purge", "paddock")
        assert package_status() in ("", "unknown ok not-installed")
        for path in PACKAGED + [CONFIG, "/etc/paddock", DATA_DIR, LOG_DIR, ENABLED_LINK,
                                "/usr/share/paddock", "/usr/share/doc/paddock"]:
            assert not os.path.exists(path), f"{path} is left after the purge"
    finally:
        server.kill()
        notify.close()
        if SYSTEMD_RUNNING:
            subprocess.run(["systemctl", "unmask", "--runtime", "paddock.service"],
                           capture_output=True, timeout=30)
        if package_status():
            subprocess.run(["dpkg", "--purge", "paddock"], capture_output=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        # The package leaves its system user behind (as Debian's do); one this test made goes.
        if not user_existed:
            subprocess.run(["deluser", "--system", "--quiet", "paddock"], capture_output=True,
                           timeout=30)
        shutil.rmtree(work, ignore_errors=True)
