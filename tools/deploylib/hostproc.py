"""The processes and files deploy keeps on one host: the installed binary, the supervisor,
its pidfiles and state (see supervisor.py for what each file holds). Every file and process is
reached through the host's access (access.py): this machine, or another one over ssh."""
import json
import os
import signal
import time

from . import peerversion
from .access import AccessError, for_host

SUPERVISOR_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "supervisor.py")


class Look:
    """What runs on a host and what its supervisor says, read at once (one ssh call)."""

    def __init__(self, supervisor_pid, server_pid, state):
        self.supervisor_pid = supervisor_pid
        self.server_pid = server_pid
        self.state = state


def _supervisor_check(host):
    # The pidfile's process must be that host's supervisor, not a process that reused the pid.
    return host.path("supervisor.pid"), host.installed_supervisor


def _server_check(host):
    return host.path("paddock.pid"), host.cfg_path


def _parse_state(text):
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def look(host):
    (sup, server), text = for_host(host).look([_supervisor_check(host), _server_check(host)],
                                              host.path("supervisor.json"))
    return Look(sup, server, _parse_state(text))


def supervisor_pid(host):
    """The host's supervisor's pid if it is running."""
    return for_host(host).live_pid(*_supervisor_check(host))


def server_pid(host):
    return for_host(host).live_pid(*_server_check(host))


def state(host):
    """supervisor.json: the supervisor's own account (starts, binary hash, last exit)."""
    return _parse_state(for_host(host).read_file(host.path("supervisor.json")))


def tail(host, name, lines=15):
    """The last lines of a file in the host's root."""
    text = for_host(host).read_file(host.path(name), tail_bytes=20000)
    return "(no file)" if text is None else "\n".join(text.splitlines()[-lines:])


def install(host, source, destination):
    """Copies a file of this machine to the host, atomically (a running process keeps the
    old inode), mode 0755."""
    for_host(host).install(source, destination)


def keep_previous_binary(host):
    """The installed binary as bin/paddock.previous, for going back by hand."""
    for_host(host).copy_within(host.installed_binary, host.installed_binary + ".previous")


def _peer_version(host, binary, run):
    try:
        return peerversion.of_binary(binary, run)
    except AccessError as e:  # the host, not the binary, did not answer: deploy stops
        raise AccessError(f"host {host.sid}: asking {binary} for its peer protocol version: "
                          f"{e}") from e


def installed_peer_version(host):
    """The peer protocol version of the host's installed binary (see peerversion.py), asked
    on the host, in a scratch directory inside its root."""
    access = for_host(host)
    return _peer_version(host, host.installed_binary, lambda command, timeout: (
        access.run_in_scratch_dir(command, timeout, parent=host.root)))


def peer_version_on(host, binary):
    """The peer protocol version of `binary`, a file of this machine, asked on the host: an
    ssh host gets a copy in a scratch directory inside its root, so that a build for another
    OS or architecture than this machine's answers where it will run."""
    access = for_host(host)
    return _peer_version(host, binary, lambda command, timeout: (
        access.run_copy_in_scratch_dir(command[0], command[1:], timeout, parent=host.root)))


def start_supervisor(host, timeout=10.0):
    """Starts the host's supervisor, detached from deploy (its own session, its output in
    supervisor.log); returns its pid once it has written its pidfile."""
    access = for_host(host)
    command = [host.installed_supervisor, host.root, "--nofile", str(host.max_open_files)]
    pid = access.start_detached(command, host.root, host.path("supervisor.log"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if supervisor_pid(host) == pid:
            return pid
        if not access.pid_alive(pid):
            how = access.exit_status(pid)  # None over ssh: then its log tells
            raise RuntimeError(f"{host}: the supervisor exited at once"
                               + (f" ({how})" if how else "") + ":\n"
                               + tail(host, "supervisor.log"))
        time.sleep(0.05)
    raise RuntimeError(f"{host}: the supervisor wrote no pidfile within {timeout:.0f} s")


def signal_supervisor(host, signum):
    pid = supervisor_pid(host)
    if pid is None:
        return False
    for_host(host).kill(pid, signum)
    return True


def stop(host, timeout=30.0):
    """Stops the host's supervisor and server. Returns what was stopped, for the output."""
    access = for_host(host)
    stopped = []
    pid = supervisor_pid(host)
    if pid:
        access.kill(pid, signal.SIGTERM)
        stopped.append(f"supervisor {pid}")
    deadline = time.monotonic() + timeout
    # The supervisor removes its pidfile just before it exits: wait for the process too, so
    # that nothing of it is running when stop returns.
    while (supervisor_pid(host) or (pid and access.pid_alive(pid))) and \
            time.monotonic() < deadline:
        time.sleep(0.1)
    left = supervisor_pid(host)
    if left:
        access.kill(left, signal.SIGKILL)
        stopped.append(f"(SIGKILL after {timeout:.0f} s)")
    # A server whose supervisor was killed -9 dies with it (PR_SET_PDEATHSIG); one started
    # some other way, or left by a supervisor without setpriv, is stopped here.
    orphan = server_pid(host)
    if orphan:
        access.kill(orphan, signal.SIGTERM)
        stopped.append(f"server {orphan}")
        deadline = time.monotonic() + timeout
        while server_pid(host) and time.monotonic() < deadline:
            time.sleep(0.1)
        if server_pid(host):
            access.kill(orphan, signal.SIGKILL)
    return stopped
