"""How deploy reaches one host's files and processes: on this machine (optionally in a network
namespace) or on another machine over ssh. hostproc.py and commands.py only talk to a
`HostAccess`, so they do not care which.

  LocalAccess(netns)    files through Python, commands run here (`ip netns exec NETNS` when
                        the host names a namespace): what deploy always did.
  SshAccess(target, …)  every operation one `ssh TARGET 'sh command'` (OpenSSH, BatchMode: a
                        missing key fails at once instead of prompting); files go through
                        the command's standard input. The remote host needs a POSIX login
                        shell, coreutils (cat, cp, mv, chmod, mkdir, rm, tail, tr,
                        sha256sum, mktemp, timeout), sed, grep, setsid (util-linux) and
                        /usr/bin/python3 for the supervisor; /proc for pids (Linux).

Errors reaching a host raise AccessError; a missing file or process is a value (None/False).
"""
import atexit
import os
import shlex
import shutil
import signal
import subprocess
import tempfile

from .hosts import netns_wrap

SSH_ERROR = 255  # what ssh exits with when it, not the remote command, failed
# Never a prompt: a missing key or an unknown host key fails at once. First, since ssh takes
# the first value it is given for an option.
SSH_BATCH = ["-o", "BatchMode=yes"]
# After the inventory's sshOptions, so that they can override these: a bounded connect, a
# dead peer noticed, and one connection per host for the whole command (a deploy makes
# hundreds of short calls; a key exchange each would cost more than the work). The master
# connection ends when deploy does (close_connections), or 60 s after its last use if deploy
# was killed.
SSH_DEFAULTS = ["-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5",
                "-o", "ServerAliveCountMax=3", "-o", "ControlMaster=auto",
                "-o", "ControlPersist=60"]
_control_dir = None
_connections = []  # the SshAccess objects that may have a master connection


class AccessError(RuntimeError):
    pass


def for_host(host):
    """The host's access, made once per HostEntry."""
    access = getattr(host, "_access", None)
    if access is None:
        if host.ssh:
            access = SshAccess(host.ssh, host.ssh_options, host.ssh_identity, host.netns)
        else:
            access = LocalAccess(host.netns)
        host._access = access
    return access


# -- this machine ---------------------------------------------------------------------------

def _local_pid_alive(pid):
    """Whether `pid` is a live process (a zombie has ended: only its parent's wait is due)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


class LocalAccess:
    def __init__(self, netns=None):
        self.netns = netns

    def read_file(self, path, tail_bytes=None):
        """The file's text (its last `tail_bytes` bytes if given), None when unreadable."""
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return None
        return (data[-tail_bytes:] if tail_bytes else data).decode(errors="replace")

    def write_file(self, path, text):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)

    def install(self, source, destination):
        """Copies local file `source` to `destination` atomically, mode 0755 (a running
        process keeps the old inode)."""
        self.makedirs(os.path.dirname(destination))
        tmp = destination + ".new"
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o755)
        os.replace(tmp, destination)

    def copy_within(self, source, destination):
        """Copies a file of the host to another path of the host, mode 0755."""
        shutil.copyfile(source, destination)
        os.chmod(destination, 0o755)

    def makedirs(self, path):
        os.makedirs(path, exist_ok=True)

    def exists(self, path):
        return os.path.exists(path)

    def remove_tree(self, path):
        """Deletes a directory tree; whether there was one."""
        if not os.path.isdir(path):
            return False
        shutil.rmtree(path)
        return True

    def live_pid(self, pidfile, marker):
        """The pid in `pidfile` if that process is alive and its command line contains
        `marker` (so not a process that reused the pid), else None."""
        try:
            with open(pidfile) as f:
                pid = int(f.read().strip())
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            return None
        return pid if marker in cmdline and _local_pid_alive(pid) else None

    def look(self, pid_checks, path):
        """([live_pid(pidfile, marker) for each check], read_file(path)): one round trip."""
        return ([self.live_pid(*check) for check in pid_checks],
                self.read_file(path) if path else None)

    def pid_alive(self, pid):
        return _local_pid_alive(pid)

    def kill(self, pid, signum):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    def start_detached(self, command, cwd, log_path):
        """Starts `command` in its own session, output appended to `log_path`; its pid."""
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(netns_wrap(self.netns, command), stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    cwd=cwd, start_new_session=True)
        return proc.pid

    def run_in_scratch_dir(self, command, timeout=10.0):
        """Runs `command` (here, not in the namespace: what it prints is all we want) in an
        empty directory that is removed afterwards; (exit status, stdout)."""
        with tempfile.TemporaryDirectory(prefix="paddock-deploy-") as cwd:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  cwd=cwd, stdin=subprocess.DEVNULL)
        return done.returncode, done.stdout


# -- another machine, over ssh --------------------------------------------------------------

def _control_path():
    global _control_dir
    if _control_dir is None:
        _control_dir = tempfile.mkdtemp(prefix="paddock-deploy-ssh-")
        atexit.register(close_connections)
    return os.path.join(_control_dir, "%C")  # %C: a hash of the destination


def close_connections():
    """Ends every master connection this process opened, and removes their sockets."""
    global _control_dir
    for access in _connections:
        try:  # a host never reached has no master: ssh says so, nothing to do
            subprocess.run(access.ssh + ["-O", "exit", "--", access.target],
                           capture_output=True, stdin=subprocess.DEVNULL, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass  # ControlPersist ends it
    _connections.clear()
    if _control_dir:
        shutil.rmtree(_control_dir, ignore_errors=True)
        _control_dir = None


class SshAccess:
    def __init__(self, target, options=(), identity=None, netns=None, timeout=60.0):
        self.target = target
        self.netns = netns
        self.timeout = timeout
        self.ssh = ["ssh"] + SSH_BATCH + list(options) + (
            ["-i", identity, "-o", "IdentitiesOnly=yes"] if identity else []) + \
            SSH_DEFAULTS + ["-o", f"ControlPath={_control_path()}"]
        _connections.append(self)

    def sh(self, script, stdin=None, timeout=None):
        """Runs a POSIX shell script on the host; (exit status, stdout bytes). stdin: bytes,
        an open file, or None for no input. Raises AccessError when ssh itself fails."""
        kwargs = {"input": stdin} if isinstance(stdin, bytes) else {
            "stdin": stdin if stdin is not None else subprocess.DEVNULL}
        try:
            done = subprocess.run(self.ssh + ["--", self.target, script], capture_output=True,
                                  timeout=timeout or self.timeout, **kwargs)
        except subprocess.TimeoutExpired:
            raise AccessError(f"ssh {self.target}: no answer within "
                              f"{timeout or self.timeout:.0f} s")
        except OSError as e:
            raise AccessError(f"cannot run ssh: {e}")
        if done.returncode == SSH_ERROR:
            raise AccessError(f"ssh {self.target} failed: "
                              f"{done.stderr.decode(errors='replace').strip()}")
        return done.returncode, done.stdout

    def checked(self, script, what, stdin=None):
        code, out = self.sh(f"{{ {script}; }} 2>&1", stdin)
        if code != 0:
            raise AccessError(f"ssh {self.target}: {what} failed ({code}): "
                              f"{out.decode(errors='replace').strip()}")
        return out

    def read_file(self, path, tail_bytes=None):
        q = shlex.quote(path)
        code, out = self.sh(f"tail -c {int(tail_bytes)} -- {q}" if tail_bytes
                            else f"cat -- {q}")
        return out.decode(errors="replace") if code == 0 else None

    def write_file(self, path, text):
        tmp = shlex.quote(path + ".tmp")
        self.checked(f"cat > {tmp} && mv -f -- {tmp} {shlex.quote(path)}", f"writing {path}",
                     text.encode())

    def install(self, source, destination):
        # One call: the copy is compared (sha256) before it replaces anything.
        from .supervisor import sha256_of  # the supervisor's own hash, standard library only
        q, tmp = shlex.quote(destination), shlex.quote(destination + ".new")
        script = (f"mkdir -p -- {shlex.quote(os.path.dirname(destination))} && cat > {tmp} && "
                  f"chmod 755 {tmp} && if test \"$(sha256sum < {tmp})\" = "
                  f"{shlex.quote(sha256_of(source) + '  -')}; then mv -f -- {tmp} {q}; "
                  f"else rm -f -- {tmp}; echo 'the copy differs from the original (sha256)';"
                  " exit 1; fi")
        with open(source, "rb") as f:
            self.checked(script, f"copying {source} to {destination}", f)

    def copy_within(self, source, destination):
        self.checked(f"cp -f -- {shlex.quote(source)} {shlex.quote(destination)} && "
                     f"chmod 755 {shlex.quote(destination)}", f"copying {source}")

    def makedirs(self, path):
        self.checked(f"mkdir -p -- {shlex.quote(path)}", f"creating {path}")

    def exists(self, path):
        return self.sh(f"test -e {shlex.quote(path)}")[0] == 0

    def remove_tree(self, path):
        q = shlex.quote(path)
        return self.checked(f"if test -d {q}; then rm -rf -- {q} && echo removed; fi",
                            f"removing {path}").strip() == b"removed"

    # The state letter of /proc/PID/stat follows the last ") " (the command name may hold
    # spaces or parentheses); Z is a zombie, which has ended.
    _ALIVE = ('test "$(sed -n \'s/.*) \\(.\\).*/\\1/p\' /proc/"$pid"/stat 2>/dev/null)" '
              '!= Z && test -e /proc/"$pid"/stat')

    def _live_pid_line(self, pidfile, marker):
        """A script that prints one line: the live pid, or nothing."""
        return (f"pid=$(cat -- {shlex.quote(pidfile)} 2>/dev/null); "
                'case "$pid" in ""|*[!0-9]*) echo;; *) '
                f'if tr "\\000" " " < /proc/"$pid"/cmdline 2>/dev/null | '
                f"grep -qF -- {shlex.quote(marker)} && {self._ALIVE}; then echo \"$pid\"; "
                "else echo; fi;; esac")

    def live_pid(self, pidfile, marker):
        return self.look([(pidfile, marker)], None)[0][0]

    def look(self, pid_checks, path):
        script = "; ".join(self._live_pid_line(*check) for check in pid_checks)
        if path:
            q = shlex.quote(path)
            script += f"; if test -r {q}; then echo present; cat -- {q}; else echo absent; fi"
        out = self.sh(script)[1].decode(errors="replace")
        lines = out.split("\n", len(pid_checks) + 1)
        if len(lines) < len(pid_checks) + (2 if path else 0):
            raise AccessError(f"ssh {self.target}: unexpected answer {out!r}")
        pids = [int(w) if w.strip().isdigit() else None for w in lines[:len(pid_checks)]]
        text = lines[-1] if path and lines[len(pid_checks)] == "present" else None
        return pids, text

    def pid_alive(self, pid):
        return self.sh(f"pid={int(pid)}; {self._ALIVE}")[0] == 0

    def kill(self, pid, signum):
        self.sh(f"kill -s {signal.Signals(signum).name[3:]} {int(pid)} 2>/dev/null")

    def start_detached(self, command, cwd, log_path):
        # setsid: its own session, so that it outlives the ssh session; in a non-interactive
        # shell a background job is no process group leader, so setsid execs (same pid as $!).
        # Every descriptor redirected: ssh returns once the shell has printed the pid.
        line = shlex.join(netns_wrap(self.netns, command))
        out = self.checked(f"cd {shlex.quote(cwd)} && {{ setsid {line} >> "
                           f"{shlex.quote(log_path)} 2>&1 < /dev/null & }} && echo $!",
                           f"starting {command[0]}").strip()
        if not out.isdigit():
            raise AccessError(f"ssh {self.target}: starting {command[0]} printed {out!r}")
        return int(out)

    def run_in_scratch_dir(self, command, timeout=10.0):
        script = ('d=$(mktemp -d) && cd "$d" || exit 1; '
                  f"timeout {int(timeout)} {shlex.join(command)} < /dev/null 2>/dev/null; "
                  's=$?; cd / && rm -rf -- "$d"; exit $s')
        code, out = self.sh(script, timeout=timeout + 30)
        return code, out.decode(errors="replace")
