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
                        /usr/bin/python3 for the supervisor; /proc for pids (Linux); with
                        netns, `ip` (iproute2) and root.

Errors reaching a host raise AccessError; a missing file or process is a value (None/False).
A command deploy runs on a host to read its answer (`paddock --peer-protocol-version`) runs in
a scratch directory inside the host's root, so that deploy writes on a host only in its root
and the data directories the inventory names.
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
# A copy (install, run_copy_in_scratch_dir) gets the usual timeout plus the time its bytes
# take at this rate (1 Mbit/s): a 10 MB binary over a slow link must not time out, while a
# dead connection is still noticed by ServerAlive* within 15 s.
COPY_MIN_BYTES_PER_S = 128 * 1024
SCRATCH_PREFIX = ".deploy-scratch."  # in the host's root; removed after use
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


def describe_wait_status(returncode):
    """A Popen returncode as words: "exit status 3", "killed by SIGKILL"."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


class LocalAccess:
    def __init__(self, netns=None):
        self.netns = netns
        # The processes start_detached started, by pid: deploy's children, so it can tell how
        # one ended (and reap it, so that no zombie is left behind).
        self._children = {}

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
        child = self._children.get(pid)
        if child is not None:
            return child.poll() is None
        return _local_pid_alive(pid)

    def exit_status(self, pid):
        """How a process start_detached started has ended ("exit status 1"), or None while it
        runs or when deploy cannot know (not its child)."""
        child = self._children.get(pid)
        if child is None or child.poll() is None:
            return None
        return describe_wait_status(child.returncode)

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
        # Kept, not dropped: a supervisor that exits at once is then reported with its exit
        # status (exit_status), and its zombie is reaped by the next pid_alive. One that
        # outlives deploy is left to init, as intended.
        self._children[proc.pid] = proc
        return proc.pid

    def run_in_scratch_dir(self, command, timeout=10.0, parent=None):
        """Runs `command` (here, not in the namespace: what it prints is all we want) in an
        empty directory inside `parent` (created if missing; default: the system's temporary
        directory), removed afterwards; (exit status, stdout)."""
        if parent:
            self.makedirs(parent)
        with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX, dir=parent) as cwd:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  cwd=cwd, stdin=subprocess.DEVNULL)
        return done.returncode, done.stdout

    def run_copy_in_scratch_dir(self, source, args, timeout=10.0, parent=None):
        """Runs local program `source` with `args` as run_in_scratch_dir does. On this machine
        there is nothing to copy: it runs where it is."""
        return self.run_in_scratch_dir([source] + list(args), timeout, parent)


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
        an open file, or None for no input. Raises AccessError when ssh itself fails: when
        it exits 255, which the scripts here never do themselves (they run shell builtins
        and coreutils only; a program of ours runs through run_in_scratch_dir, which
        reports its status on standard output, so that its own 255 is no ssh failure)."""
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

    def checked(self, script, what, stdin=None, timeout=None):
        code, out = self.sh(f"{{ {script}; }} 2>&1", stdin, timeout)
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
            self.checked(script, f"copying {source} to {destination}", f,
                         self.copy_timeout(source))

    def copy_timeout(self, source):
        """Seconds a call that copies local file `source` to the host may take."""
        return self.timeout + os.path.getsize(source) / COPY_MIN_BYTES_PER_S

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

    def exit_status(self, pid):
        """Always None: a process started over ssh is no child of deploy's (nor of anything
        that waits for it on the host), so how it ended is only in its log."""
        return None

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

    # A scratch directory inside `parent` (the host's root) rather than /tmp, which may be
    # mounted noexec: then a copied binary could not run.
    def _in_scratch_dir(self, parent, prepare, command, timeout, stdin=None, ssh_timeout=None):
        """Makes a new directory $d inside `parent`, runs the shell words `prepare` there (a
        failure: AccessError), then `command` (at most `timeout` s), removes $d. Returns
        (command's exit status, its stdout). The status comes back on a line of its own
        after what the command printed, not as ssh's: a program that exits 255 is then no
        ssh failure."""
        q = shlex.quote(parent or "/tmp")
        script = (
            "exec 2>&1; "  # a failure before the command: its message is in the answer
            f"d=$(mkdir -p -- {q} && mktemp -d {q}/{SCRATCH_PREFIX}XXXXXX) && "
            'cd "$d" || exit 1; '
            + (f'{{ {prepare}; }} || {{ s=$?; cd / && rm -rf -- "$d"; exit $s; }}; '
               if prepare else "")
            + f"timeout {int(timeout)} {command} < /dev/null 2>/dev/null; s=$?; "
            'cd / && rm -rf -- "$d"; printf \'\\n%s\\n\' "$s"')
        code, out = self.sh(script, stdin, timeout=ssh_timeout or timeout + 30)
        text = out.decode(errors="replace")
        if code != 0:  # the command did not run
            raise AccessError(f"ssh {self.target}: running {command} in a scratch directory "
                              f"of {parent} failed ({code}): {text.strip()}")
        printed, _, status = text[:-1].rpartition("\n")
        if not text.endswith("\n") or not status.isdigit():
            raise AccessError(f"ssh {self.target}: unexpected answer {text!r}")
        return int(status), printed

    def run_in_scratch_dir(self, command, timeout=10.0, parent=None):
        """Runs `command` on the host in an empty directory inside `parent` (default /tmp),
        removed afterwards, at most `timeout` s; (its exit status, its stdout)."""
        return self._in_scratch_dir(parent, None, shlex.join(command), timeout)

    def run_copy_in_scratch_dir(self, source, args, timeout=10.0, parent=None):
        """Copies local program `source` into such a directory on the host and runs it there
        with `args`: a binary built for the host answers there even when this machine cannot
        run it (another OS or architecture)."""
        with open(source, "rb") as f:
            return self._in_scratch_dir(
                parent, 'cat > "$d/program" && chmod 700 "$d/program"',
                '"$d/program" ' + shlex.join(args), timeout, stdin=f,
                ssh_timeout=self.copy_timeout(source) + timeout + 30)
