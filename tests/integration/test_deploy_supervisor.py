"""tools/deploy's per-host supervisor on its own, with a stand-in server (a shell script that
records each start and then runs, fails or exits as a file tells it): restart on a crash,
SIGHUP restarts, a clean exit is not restarted, SIGTERM stops both, and the server does not
outlive a supervisor killed -9. No Paddock binary needed."""
import json
import os
import signal
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from deploylib import hostproc, inventory  # noqa: E402

STAND_IN = """#!/bin/sh
# Called as `paddock --config ROOT/zoo.cfg`.
root=$(dirname "$2")
echo $$ >> "$root/starts"
case "$(cat "$root/mode")" in
  fail) exit 3 ;;
  clean) exit 0 ;;
esac
trap 'exit 0' TERM
while :; do sleep 0.05; done
"""


@pytest.fixture
def host(tmp_path):
    inv = inventory.parse(f"root = {tmp_path}/host\n1 127.0.0.1\n", str(tmp_path / "inventory"))
    h = inv.hosts[0]
    os.makedirs(h.path("bin"))
    with open(h.installed_binary, "w") as f:
        f.write(STAND_IN)
    os.chmod(h.installed_binary, 0o755)
    hostproc.install(h, hostproc.SUPERVISOR_SOURCE, h.installed_supervisor)
    set_mode(h, "run")
    yield h
    hostproc.stop(h, timeout=10)
    for pid in (hostproc.supervisor_pid(h), hostproc.server_pid(h)):
        if pid:
            os.kill(pid, signal.SIGKILL)


def set_mode(h, mode):
    with open(h.path("mode"), "w") as f:
        f.write(mode)


def starts(h):
    try:
        with open(h.path("starts")) as f:
            return [int(line) for line in f]
    except FileNotFoundError:
        return []


def wait_for(predicate, timeout, what):
    # Upper bounds only: generous, as CI machines may be loaded (a 5 s bound failed under load).
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def wait_for_first_start(h):
    # The stand-in must have run, not only been spawned: until setpriv has exec'd it, the
    # server's pid is setpriv's, and a signal then would never reach the stand-in.
    wait_for(lambda: hostproc.server_pid(h) and len(starts(h)) == 1, 20, "the first start")


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def log(h):
    with open(h.path("supervisor.log")) as f:
        return f.read()


def test_a_crashed_server_is_restarted_and_sighup_restarts_it(host):
    hostproc.start_supervisor(host)
    wait_for_first_start(host)
    first = hostproc.server_pid(host)
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: len(starts(host)) == 2 and hostproc.server_pid(host), 20, "a restart")
    assert "failed (killed by signal 9); restarting in 1 s" in log(host)
    second = hostproc.server_pid(host)
    assert second != first and not alive(first)

    hostproc.signal_supervisor(host, signal.SIGHUP)
    wait_for(lambda: len(starts(host)) == 3 and hostproc.server_pid(host) not in (None, second),
             20, "the restart SIGHUP asks for")
    assert not alive(second)
    assert "restart requested (SIGHUP)" in log(host)
    state = hostproc.state(host)
    assert state["starts"] == 3 and state["status"] == "running"
    assert state["server_pid"] == hostproc.server_pid(host)
    assert len(state["binary_sha256"]) == 64


def test_a_server_that_exits_cleanly_is_not_restarted(host):
    hostproc.start_supervisor(host)
    wait_for_first_start(host)
    set_mode(host, "clean")
    hostproc.signal_supervisor(host, signal.SIGHUP)  # the next start exits 0 on its own
    wait_for(lambda: hostproc.supervisor_pid(host) is None, 20, "the supervisor to end")
    assert len(starts(host)) == 2
    assert "exited cleanly on its own; not restarted" in log(host)
    assert not os.path.exists(host.path("supervisor.pid"))
    assert not os.path.exists(host.path("paddock.pid"))
    assert hostproc.state(host)["status"] == "stopped"


def test_sigterm_stops_server_and_supervisor(host):
    hostproc.start_supervisor(host)
    wait_for_first_start(host)
    server, supervisor = hostproc.server_pid(host), hostproc.supervisor_pid(host)
    assert hostproc.stop(host, timeout=10) == [f"supervisor {supervisor}"]
    assert not alive(server) and not alive(supervisor)
    assert f"stopped server pid {server} (exit status 0)" in log(host)
    assert len(starts(host)) == 1


def test_the_server_dies_with_a_supervisor_killed_9(host):
    hostproc.start_supervisor(host)
    wait_for_first_start(host)
    server = hostproc.server_pid(host)
    os.kill(hostproc.supervisor_pid(host), signal.SIGKILL)
    wait_for(lambda: not alive(server), 20, "the server to die with its supervisor")


def test_a_server_that_keeps_failing_is_retried_with_backoff(host):
    set_mode(host, "fail")
    hostproc.start_supervisor(host)
    wait_for(lambda: len(starts(host)) >= 3, 30, "three starts")
    text = log(host)
    assert "failed (exit status 3); restarting in 1 s" in text
    assert "failed (exit status 3); restarting in 2 s" in text
    assert json.load(open(host.path("supervisor.json")))["last_exit"] == "exit status 3"
