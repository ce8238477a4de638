#!/usr/bin/python3
"""paddock-supervisor ROOT [--nofile N]: keeps one Paddock server running without systemd.

Runs ROOT/bin/paddock --config ROOT/zoo.cfg and restarts it when it fails, as systemd's
Restart=on-failure would: after a crash, a kill or a non-zero exit, with a backoff of 1 s
doubling to 8 s (back to 1 s once a server has run for 30 s); more than 5 failures within
60 s and it gives up (a server that cannot start, e.g. a bad zoo.cfg, is not restarted for
ever). A server that exits with status 0 on its own is not restarted, and the supervisor ends.

--nofile N sets the server's open-file limit (RLIMIT_NOFILE, soft and hard, as systemd's
LimitNOFILE; without the privilege to raise the hard limit, the soft one up to it).

  SIGTERM / SIGINT   stop the server (SIGTERM, SIGKILL after 20 s), then exit
  SIGHUP             restart the server now: how tools/deploy upgrade starts a new binary

Files in ROOT: supervisor.pid (this process), paddock.pid (the server), supervisor.json (the
state: pids, starts, the sha256 of the binary the current server was started from, the last
exit), supervisor.log (events), server.log (the server's output, appended).
The server gets PR_SET_PDEATHSIG (setpriv), so it does not outlive a supervisor killed -9.

Standalone on purpose (the standard library only): tools/deploy copies it into each host's
ROOT/bin, so a host keeps running whatever happens to the checkout that deployed it.
"""
import argparse
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time

BACKOFF_FIRST, BACKOFF_MAX = 1.0, 8.0
HEALTHY_AFTER = 30.0  # a server that ran this long resets the backoff
FAILURE_WINDOW, FAILURE_LIMIT = 60.0, 5
STOP_GRACE = 20.0


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomically(path, text):
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def describe_exit(code):
    return f"killed by signal {-code}" if code < 0 else f"exit status {code}"


class Supervisor:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.binary = os.path.join(self.root, "bin", "paddock")
        self.config = os.path.join(self.root, "zoo.cfg")
        self.proc = None
        self.started_at = 0.0
        self.starts = 0
        self.binary_sha256 = None
        self.last_exit = None
        self.failures = []  # monotonic times of recent failures
        self.backoff = BACKOFF_FIRST
        self.stop_requested = False
        self.restart_requested = False
        self.status = "starting"
        self.limits = None  # what main() set, for the log

    # -- bookkeeping ----------------------------------------------------------------------

    def log(self, message):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        print(f"{stamp} supervisor[{os.getpid()}]: {message}", flush=True)

    def save_state(self):
        write_atomically(os.path.join(self.root, "supervisor.json"), json.dumps({
            "supervisor_pid": os.getpid(),
            "server_pid": self.proc.pid if self.proc and self.proc.poll() is None else None,
            "starts": self.starts,
            "binary": self.binary,
            "binary_sha256": self.binary_sha256,
            "last_exit": self.last_exit,
            "status": self.status,
        }, indent=1) + "\n")

    # -- the server -----------------------------------------------------------------------

    def start_server(self):
        # The file's hash as it is now: a binary replaced later does not change what runs.
        self.binary_sha256 = sha256_of(self.binary)
        die_with_us = ["setpriv", "--pdeathsig", "TERM", "--"] if shutil.which("setpriv") else []
        with open(os.path.join(self.root, "server.log"), "ab") as out:
            self.proc = subprocess.Popen(die_with_us + [self.binary, "--config", self.config],
                                         stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.root)
        self.starts += 1
        self.started_at = time.monotonic()
        write_atomically(os.path.join(self.root, "paddock.pid"), f"{self.proc.pid}\n")
        self.status = "running"
        self.log(f"started server pid {self.proc.pid} (start #{self.starts}, binary sha256 "
                 f"{self.binary_sha256[:12]})")
        self.save_state()

    def stop_server(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.log(f"server pid {self.proc.pid} still running {STOP_GRACE:.0f} s after "
                     "SIGTERM; SIGKILL")
            self.proc.kill()
            self.proc.wait()
        self.last_exit = describe_exit(self.proc.returncode)
        self.log(f"stopped server pid {self.proc.pid} ({self.last_exit})")

    def on_exit(self):
        """The server exited without being asked to. Returns False when it is not restarted."""
        code = self.proc.returncode
        self.last_exit = describe_exit(code)
        if code == 0:
            self.log(f"server pid {self.proc.pid} exited cleanly on its own; not restarted")
            return False
        now = time.monotonic()
        if now - self.started_at >= HEALTHY_AFTER:
            self.backoff = BACKOFF_FIRST
        self.failures = [t for t in self.failures if now - t < FAILURE_WINDOW] + [now]
        if len(self.failures) > FAILURE_LIMIT:
            self.log(f"server pid {self.proc.pid} failed ({self.last_exit}); {len(self.failures)}"
                     f" failures within {FAILURE_WINDOW:.0f} s: giving up")
            self.status = "gave up"
            return False
        self.log(f"server pid {self.proc.pid} failed ({self.last_exit}); restarting in "
                 f"{self.backoff:.0f} s")
        self.status = "restarting"
        self.save_state()
        self.sleep(self.backoff)
        self.backoff = min(self.backoff * 2, BACKOFF_MAX)
        return True

    def sleep(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (self.stop_requested or
                                                   self.restart_requested):
            time.sleep(0.05)

    # -- the loop -------------------------------------------------------------------------

    def run(self):
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGHUP, self.request_restart)
        write_atomically(os.path.join(self.root, "supervisor.pid"), f"{os.getpid()}\n")
        self.log(f"supervising {self.binary} --config {self.config}"
                 + (f"; {self.limits}" if self.limits else ""))
        try:
            self.start_server()
            while True:
                if self.stop_requested:
                    self.stop_server()
                    self.status = "stopped"
                    break
                if self.restart_requested:
                    self.restart_requested = False
                    self.log("restart requested (SIGHUP)")
                    self.stop_server()
                    self.start_server()
                    continue
                if self.proc.poll() is not None:
                    if not self.on_exit() or self.stop_requested:
                        self.status = "stopped" if self.status != "gave up" else self.status
                        break
                    self.restart_requested = False  # a SIGHUP during the backoff: start now
                    self.start_server()
                    continue
                time.sleep(0.1)
        except OSError as e:  # the binary or the root vanished, or is not executable
            self.log(f"cannot start the server: {e}")
            self.status = "cannot start the server"
        finally:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.save_state()
            for name in ("paddock.pid", "supervisor.pid"):
                try:
                    os.unlink(os.path.join(self.root, name))
                except FileNotFoundError:
                    pass
            self.log(f"supervisor ends ({self.status})")

    def request_stop(self, signum, frame):
        self.stop_requested = True

    def request_restart(self, signum, frame):
        self.restart_requested = True


def set_open_file_limit(wanted):
    """Sets RLIMIT_NOFILE for this process and so for the servers it starts; returns what
    was set, for the log."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, max(wanted, hard)))
        return f"open-file limit {wanted}"
    except (ValueError, OSError):  # raising the hard limit needs CAP_SYS_RESOURCE
        capped = min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (capped, hard))
        return f"open-file limit {capped} (wanted {wanted}; the hard limit is {hard})"


def main(argv):
    parser = argparse.ArgumentParser(prog="paddock-supervisor",
                                     description=__doc__.strip().splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--nofile", type=int, default=None)
    args = parser.parse_args(argv[1:])
    supervisor = Supervisor(args.root)
    if args.nofile:
        supervisor.limits = set_open_file_limit(args.nofile)
    supervisor.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
