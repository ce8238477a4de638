"""The processes and files deploy keeps on one host: the installed binary, the supervisor,
its pidfiles and state (see supervisor.py for what each file holds)."""
import json
import os
import shutil
import signal
import subprocess
import time

from .hosts import netns_wrap

SUPERVISOR_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "supervisor.py")


def _read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None


def _running(pid):
    """Whether `pid` is a live process (a zombie has ended: only its parent's wait is due)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def supervisor_pid(host):
    """The host's supervisor's pid if it is running (the pidfile's process is that host's
    supervisor, not a process that reused the pid)."""
    pid = _read_pid(host.path("supervisor.pid"))
    cmdline = _cmdline(pid) if pid else None
    if cmdline and host.installed_supervisor in cmdline:
        return pid
    return None


def server_pid(host):
    pid = _read_pid(host.path("paddock.pid"))
    cmdline = _cmdline(pid) if pid else None
    if cmdline and host.cfg_path in cmdline:
        return pid
    return None


def state(host):
    """supervisor.json: the supervisor's own account (starts, binary hash, last exit)."""
    try:
        with open(host.path("supervisor.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def tail(path, lines=15):
    try:
        with open(path, "rb") as f:
            text = f.read()[-20000:].decode(errors="replace")
    except OSError:
        return "(no file)"
    return "\n".join(text.splitlines()[-lines:])


def install(source, destination):
    """Copies a file into place atomically (a running process keeps the old inode)."""
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    tmp = destination + ".new"
    shutil.copyfile(source, tmp)
    os.chmod(tmp, 0o755)
    os.replace(tmp, destination)


def start_supervisor(host, timeout=10.0):
    """Starts the host's supervisor, detached from deploy (its own session, its output in
    supervisor.log); returns its pid once it has written its pidfile."""
    with open(host.path("supervisor.log"), "ab") as log:
        command = [host.installed_supervisor, host.root, "--nofile", str(host.max_open_files)]
        proc = subprocess.Popen(netns_wrap(host.netns, command),
                                stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=host.root,
                                start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{host}: the supervisor exited at once ({proc.returncode}):\n"
                               + tail(host.path("supervisor.log")))
        if supervisor_pid(host) == proc.pid:
            return proc.pid
        time.sleep(0.05)
    raise RuntimeError(f"{host}: the supervisor wrote no pidfile within {timeout:.0f} s")


def signal_supervisor(host, signum):
    pid = supervisor_pid(host)
    if pid is None:
        return False
    os.kill(pid, signum)
    return True


def stop(host, timeout=30.0):
    """Stops the host's supervisor and server. Returns what was stopped, for the output."""
    stopped = []
    pid = supervisor_pid(host)
    if pid:
        os.kill(pid, signal.SIGTERM)
        stopped.append(f"supervisor {pid}")
    deadline = time.monotonic() + timeout
    # The supervisor removes its pidfile just before it exits: wait for the process too, so
    # that nothing of it is running when stop returns.
    while (supervisor_pid(host) or (pid and _running(pid))) and time.monotonic() < deadline:
        time.sleep(0.1)
    if supervisor_pid(host):
        os.kill(supervisor_pid(host), signal.SIGKILL)
        stopped.append(f"(SIGKILL after {timeout:.0f} s)")
    # A server whose supervisor was killed -9 dies with it (PR_SET_PDEATHSIG); one started
    # some other way, or left by a supervisor without setpriv, is stopped here.
    orphan = server_pid(host)
    if orphan:
        os.kill(orphan, signal.SIGTERM)
        stopped.append(f"server {orphan}")
        deadline = time.monotonic() + timeout
        while server_pid(host) and time.monotonic() < deadline:
            time.sleep(0.1)
        if server_pid(host):
            os.kill(orphan, signal.SIGKILL)
    return stopped
