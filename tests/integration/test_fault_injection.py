"""The test-only fault-injection channel of a standalone server (`paddock
--enable-fault-injection`; docs/operator-guide.md, "Fault injection"): a client-port connection
sending `kill <target>\\n` kills that actor, and supervision (docs/architecture.md, "Supervision") must do
what it promises:
  - without the flag there is no such command: the bytes are a bad frame, nothing is killed;
  - a killed session actor costs its client one ConnectionLoss: the client reconnects to the
    same session, its ephemeral is still there, its data watch fires on a later change;
  - a killed core actor (watch manager, pipeline, store, log writer, session tracker) stops the
    process with status 3 within seconds, the log names the actor, and a restart on the same
    data directory has every write acknowledged before the kill.
The ensemble target (follower-link) is in test_fault_injection_ensemble.py.
"""
import re
import socket
import threading
import time

import pytest
from kazoo.protocol.states import KazooState

import harness
from harness import TARGET, kazoo_client, wait_for

pytestmark = pytest.mark.skipif(TARGET == "zookeeper",
                                reason="a Paddock-only, test-only control channel")

FLAG = ["--enable-fault-injection"]
EXIT_BOUND = 5.0  # seconds from the answer to the process's exit (the design says ~2 s)
CORE_ACTORS = {
    # target: the name the server's log gives the actor when it dies
    "watch-manager": "the watch manager",
    "pipeline": "the proposal pipeline",
    "store": "the store",
    "log-writer": "the txn log writer",
    "session-tracker": "the session tracker",
}


def command(srv, data, timeout=6.0):
    """Sends `data` on a new connection and reads until the server closes it.
    Returns (answer text, True if the server closed the connection within `timeout`)."""
    with socket.create_connection((srv.host, srv.port), timeout=timeout) as s:
        s.sendall(data.encode() if isinstance(data, str) else data)
        chunks = []
        deadline = time.monotonic() + timeout
        while True:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return b"".join(chunks).decode(), True
            except socket.timeout:
                return b"".join(chunks).decode(), False
            if not chunk:
                return b"".join(chunks).decode(), True
            chunks.append(chunk)


def log_text(srv):
    with open(srv.log_path, "rb") as f:
        return f.read().decode(errors="replace")


@pytest.fixture
def start_server():
    """start_server(extra_args) -> a started harness.Server, cleaned up after the test."""
    started = []

    def start(extra_args=None):
        srv = harness.Server(extra_args=extra_args)
        started.append(srv)
        return srv.start()

    yield start
    for srv in started:
        srv.cleanup()


def test_without_the_flag_kill_is_not_a_command(start_server):
    srv = start_server()
    states = []
    with kazoo_client(srv) as zk:
        zk.add_listener(states.append)
        zk.create("/mine", b"x", ephemeral=True)
        session_id = zk.client_id[0]
        for line in (f"kill session 0x{session_id:x}\n", "kill session\n", "kill store\n"):
            # A frame whose length prefix is "kill": far over jute.maxbuffer, so the connection
            # is closed unanswered, as by any server.
            answer, closed = command(srv, line)
            assert (answer, closed) == ("", True), line
        assert srv.alive()
        assert srv.four_letter("ruok") == "imok"
        assert zk.state == KazooState.CONNECTED and states == []
        assert zk.client_id[0] == session_id
        assert zk.exists("/mine").ephemeralOwner == session_id
        zk.set("/mine", b"y")
    assert "fault injection" not in log_text(srv)


def test_answers_and_bad_lines(start_server):
    srv = start_server(FLAG)
    assert command(srv, "kill session\n") == ("no session\n", True)
    assert command(srv, "kill session 0x1234\n") == ("no session\n", True)
    assert command(srv, "kill follower-link\n") == ("no follower link\n", True)  # standalone
    assert command(srv, "kill peer-links\n") == ("no peer-links\n", True)
    answer, closed = command(srv, "kill everything\r\n")
    assert closed and answer.startswith("unknown target 'everything'; valid targets: session")
    assert "watch-manager" in answer and answer.endswith("\n")
    assert command(srv, "kill session 0xzz\n") == ("bad session id '0xzz'\n", True)
    # A line over 256 bytes: closed at once; no newline: closed after a few seconds.
    assert command(srv, "kill " + "x" * 300 + "\n") == ("", True)
    started = time.monotonic()
    assert command(srv, "kill sess", timeout=8.0) == ("", True)
    assert 2.0 < time.monotonic() - started < 6.0
    # The command may come in pieces.
    with socket.create_connection((srv.host, srv.port), timeout=5.0) as s:
        s.sendall(b"kill ")
        time.sleep(0.2)
        s.sendall(b"follower-link\n")
        assert s.recv(100) == b"no follower link\n"
    assert srv.alive() and srv.four_letter("ruok") == "imok"


@pytest.mark.time_limit(60)
def test_killed_session_reconnects_with_its_ephemerals_and_watches(start_server):
    srv = start_server(FLAG)
    states = []
    seen = []
    with kazoo_client(srv) as zk, kazoo_client(srv) as other:
        zk.add_listener(states.append)
        zk.create("/eph", b"mine", ephemeral=True)
        zk.create("/watched", b"before")
        # kazoo forgets its watches when the connection drops; its DataWatch recipe sets its
        # watch again once the session is back, as an application would.
        zk.DataWatch("/watched", lambda data, stat: seen.append(data))
        wait_for(lambda: seen == [b"before"], 5, what="the first DataWatch call")
        session_id = zk.client_id[0]
        other_id = other.client_id[0]

        assert command(srv, f"kill session 0x{session_id:x}\n") == \
            (f"killed session 0x{session_id:x}\n", True)
        wait_for(lambda: KazooState.SUSPENDED in states and states[-1] == KazooState.CONNECTED,
                 10, what="the client to lose its connection and get it back")
        assert states == [KazooState.SUSPENDED, KazooState.CONNECTED]
        assert zk.client_id[0] == session_id

        # The session and its ephemeral lived on, as another session sees.
        assert other.exists("/eph").ephemeralOwner == session_id
        assert zk.get("/eph")[0] == b"mine"
        # The watch fires on a later change.
        other.set("/watched", b"after")
        wait_for(lambda: seen and seen[-1] == b"after", 10, what="the data watch to fire")
        # Nothing is counted as outstanding for the killed actor.
        wait_for(lambda: "zk_outstanding_requests\t0\n" in srv.four_letter("mntr"), 5,
                 what="no outstanding requests")

        # A session chosen at random (one of the two).
        answer, closed = command(srv, "kill session\n")
        assert closed and re.fullmatch(r"killed session 0x[0-9a-f]+\n", answer), answer
        assert int(answer.split()[-1], 16) in (session_id, other_id)
        # The killed client may not have noticed yet: a request it writes on the dead socket
        # meanwhile fails with ConnectionLoss (seen under load), so retry as an application
        # does. Both sessions must live on.
        for client in (zk, other):
            client.retry(client.sync, "/")
        assert (zk.client_id[0], other.client_id[0]) == (session_id, other_id)
    assert srv.alive()
    assert f"fault injection: killing session 0x{session_id:x}" in log_text(srv)


class Writer(threading.Thread):
    """Creates /load/n<i> one after the other until the server goes away; `acked` lists the
    paths the server confirmed."""

    def __init__(self, zk):
        super().__init__(daemon=True)
        self.zk = zk
        self.acked = []
        self.halt = threading.Event()

    def run(self):
        i = 0
        while not self.halt.is_set():
            path = f"/load/n{i:06d}"
            try:
                self.zk.create_async(path, b"v").get(timeout=3)
            except Exception:
                return
            self.acked.append(path)
            i += 1


@pytest.mark.time_limit(60)
@pytest.mark.parametrize("target", list(CORE_ACTORS))
def test_killed_core_actor_stops_the_server_and_nothing_acknowledged_is_lost(start_server,
                                                                             target):
    srv = start_server(FLAG)
    with kazoo_client(srv) as zk:
        zk.ensure_path("/load")
        writer = Writer(zk)
        writer.start()
        wait_for(lambda: len(writer.acked) >= 50, 10, what="writes under way")
        answer, _ = command(srv, f"kill {target}\n")
        killed_at = time.monotonic()
        # The answer goes out before the actor dies; it may still be lost with the process.
        assert answer in ("", f"killed {target}\n")
        status = srv.proc.wait(timeout=EXIT_BOUND + 5)
        took = time.monotonic() - killed_at
        writer.halt.set()
        writer.join(timeout=10)
        acked = list(writer.acked)
    srv.kill()  # the process is gone; this only marks it as stopped on purpose
    assert status == 3, srv.log_tail()
    assert took < EXIT_BOUND, f"the server took {took:.1f} s to exit"
    text = log_text(srv)
    assert f"fault injection: killing {target}" in text
    assert f"{CORE_ACTORS[target]} stopped (killed by fault injection)" in text
    for bad in ("AddressSanitizer", "runtime error", "terminate called", "Aborted"):
        assert bad not in text

    srv.start()
    with kazoo_client(srv) as zk:
        present = set(zk.get_children("/load"))
    missing = [p for p in acked if p.rsplit("/", 1)[1] not in present]
    assert missing == [], f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}"
    print(f"kill {target}: exit 3 after {took:.2f} s, {len(acked)} acknowledged writes kept",
          flush=True)
