"""Sessions: ephemerals go with a closed or expired session (firing other sessions' watches),
a client that reconnects in time keeps its session and ephemerals, a wrong password or an
expired session is refused, negotiated timeouts are clamped."""
import select
import signal
import socket
import subprocess
import sys
import threading
import time

from kazoo.protocol.states import EventType, KazooState

import raw_zk
from harness import wait_for


def raw_session(server, timeout_ms=400):
    conn = raw_zk.Conn(server.host, server.port)
    timeout, sid, passwd = conn.handshake(timeout_ms=timeout_ms)
    return conn, timeout, sid, passwd


def raw_create_ephemeral(conn, path, xid=1):
    reply = conn.call(xid, raw_zk.OP_CREATE, raw_zk.create_body(path, b"", flags=1))
    assert reply is not None and reply[2] == 0, reply
    return reply


def watch_deleted(zk, path):
    fired = threading.Event()
    assert zk.exists(path, watch=lambda e: e.type == EventType.DELETED and fired.set())
    return fired


def test_session_ids_and_passwords(server):
    seen = set()
    for _ in range(3):
        conn, timeout, sid, passwd = raw_session(server, timeout_ms=4000)
        assert timeout == 4000 and sid != 0 and len(passwd) == 16
        seen.add(sid)
        assert conn.call(1, raw_zk.OP_CLOSE)[2] == 0
        assert conn.closed_by_server()
        conn.close()
    assert len(seen) == 3


def test_ephemerals_deleted_on_close_and_watches_fire(zk, client):
    owner = client()
    zk.create("/e-close")
    owner.create("/e-close/plain", ephemeral=True)
    seq = owner.create("/e-close/seq-", ephemeral=True, sequence=True)
    fired = watch_deleted(zk, "/e-close/plain")
    child_fired = threading.Event()
    zk.get_children("/e-close", watch=lambda e: e.type == EventType.CHILD and child_fired.set())
    owner.stop()  # closeSession
    assert fired.wait(10) and child_fired.wait(10)
    assert zk.exists("/e-close/plain") is None and zk.exists(seq) is None
    assert zk.get_children("/e-close") == []


def test_ephemeral_deleted_on_expiry(server, zk):
    conn, timeout, sid, _ = raw_session(server, timeout_ms=400)
    assert timeout == 400
    raw_create_ephemeral(conn, "/e-expire")
    assert zk.exists("/e-expire").ephemeralOwner == sid
    fired = watch_deleted(zk, "/e-expire")
    # The raw client never pings: the session must expire within its timeout + a tick or so.
    assert fired.wait(10), "session did not expire"
    assert zk.exists("/e-expire") is None
    # The expired session's connection is closed by the server.
    assert conn.closed_by_server(timeout=5)
    conn.close()


def test_session_does_not_expire_before_its_timeout(server, zk):
    conn, timeout, sid, _ = raw_session(server, timeout_ms=3000)
    assert timeout == 3000
    raw_create_ephemeral(conn, "/e-not-yet")
    start = time.monotonic()
    fired = watch_deleted(zk, "/e-not-yet")
    time.sleep(1.0)
    assert not fired.is_set(), "expired after less than a third of its timeout"
    assert fired.wait(15), "session did not expire"
    assert time.monotonic() - start >= 2.5
    conn.close()


def test_pings_keep_a_session_alive(server, zk):
    conn, timeout, sid, _ = raw_session(server, timeout_ms=1000)
    raw_create_ephemeral(conn, "/e-pinged")
    deadline = time.monotonic() + 3.0  # three session timeouts
    while time.monotonic() < deadline:
        reply = conn.call(raw_zk.PING_XID, raw_zk.OP_PING)
        assert reply is not None and reply[0] == raw_zk.PING_XID
        time.sleep(0.1)
    assert zk.exists("/e-pinged").ephemeralOwner == sid
    assert conn.call(9, raw_zk.OP_CLOSE)[2] == 0
    conn.close()
    wait_for(lambda: zk.exists("/e-pinged") is None, what="ephemeral gone after close")


HOLDER = r"""
import sys, time
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=2.0)
zk.start(timeout=15)
zk.create(sys.argv[2], ephemeral=True)
print(hex(zk.client_id[0]), flush=True)
time.sleep(120)
"""


def test_killed_client_process_loses_its_ephemerals_after_the_timeout(server, zk):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, server.hosts, "/e-killed"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([holder.stdout], [], [], 20)
        assert ready, "the holder process did not start"
        sid = int(holder.stdout.readline().strip(), 16)
        assert zk.exists("/e-killed").ephemeralOwner == sid
        fired = watch_deleted(zk, "/e-killed")
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        killed_at = time.monotonic()
        # The server notices the closed socket but keeps the session for its timeout.
        time.sleep(0.5)
        assert zk.exists("/e-killed") is not None, "session ended before its timeout"
        assert fired.wait(15), "the dead client's session did not expire"
        # kazoo pings every ~2/3 s: its session was last touched at most that long before
        # the kill, so it may expire ~1.3 s after it, never much sooner.
        assert time.monotonic() - killed_at >= 1.0
        assert zk.exists("/e-killed") is None
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)
        holder.stdout.close()
        holder.stderr.close()


def test_reconnect_keeps_the_session_and_its_ephemerals(server, zk):
    conn, timeout, sid, passwd = raw_session(server, timeout_ms=4000)
    raw_create_ephemeral(conn, "/e-resume")
    conn.close()  # no closeSession: the session lives on for its timeout
    again = raw_zk.Conn(server.host, server.port)
    timeout2, sid2, passwd2 = again.handshake(timeout_ms=4000, session_id=sid, passwd=passwd)
    assert (sid2, passwd2) == (sid, passwd) and timeout2 == 4000
    assert zk.exists("/e-resume").ephemeralOwner == sid
    # The resumed session works, and closing it now removes the ephemeral.
    reply = again.call(2, raw_zk.OP_EXISTS, raw_zk.path_watch_body("/e-resume"))
    assert reply[2] == 0
    reply = again.call(3, raw_zk.OP_CLOSE)
    assert reply[2] == 0
    wait_for(lambda: zk.exists("/e-resume") is None, what="ephemeral gone after close")
    again.close()


def test_kazoo_reconnects_with_the_same_session_after_a_dropped_connection(zk, client):
    states = []
    zk.add_listener(states.append)
    zk.create("/e-drop", ephemeral=True)
    sid = zk.client_id[0]
    # Cut the TCP connection under kazoo; it must reconnect and resume the session.
    zk._connection._socket.shutdown(socket.SHUT_RDWR)
    wait_for(lambda: KazooState.SUSPENDED in states and zk.state == KazooState.CONNECTED,
             timeout=15, what="kazoo to reconnect")
    assert KazooState.LOST not in states
    assert zk.client_id[0] == sid
    assert zk.exists("/e-drop").ephemeralOwner == sid
    zk.set("/e-drop", b"still mine")
    other = client()
    assert other.get("/e-drop")[0] == b"still mine"


def test_wrong_password_is_refused(server):
    conn, _, sid, passwd = raw_session(server, timeout_ms=4000)
    conn.close()
    bad = bytes(b ^ 0xFF for b in passwd)
    other = raw_zk.Conn(server.host, server.port)
    timeout, sid2, _ = other.handshake(timeout_ms=4000, session_id=sid, passwd=bad)
    assert (timeout, sid2) == (0, 0)
    assert other.closed_by_server()
    other.close()
    # The real owner can still come back.
    owner = raw_zk.Conn(server.host, server.port)
    assert owner.handshake(timeout_ms=4000, session_id=sid, passwd=passwd)[1] == sid
    owner.call(1, raw_zk.OP_CLOSE)
    owner.close()


def test_kazoo_with_a_wrong_password_gets_a_new_session(server, zk, client):
    conn, _, sid, passwd = raw_session(server, timeout_ms=4000)
    raw_create_ephemeral(conn, "/e-pw")
    conn.close()
    intruder = client(client_id=(sid, bytes(16)), connection_retry={"max_tries": 3})
    wait_for(lambda: intruder.connected and intruder.client_id[0] != sid, timeout=15,
             what="a new session")
    assert zk.exists("/e-pw").ephemeralOwner == sid


def test_expired_session_cannot_resume(server, zk):
    conn, _, sid, passwd = raw_session(server, timeout_ms=400)
    raw_create_ephemeral(conn, "/e-gone")
    fired = watch_deleted(zk, "/e-gone")
    conn.close()
    assert fired.wait(10), "session did not expire"
    other = raw_zk.Conn(server.host, server.port)
    timeout, sid2, _ = other.handshake(timeout_ms=4000, session_id=sid, passwd=passwd)
    assert (timeout, sid2) == (0, 0)
    assert other.closed_by_server()
    other.close()


def test_negotiated_timeout_is_clamped(server):
    # minSessionTimeout 400, maxSessionTimeout 10000 in the harness's zoo.cfg.
    for asked, got in ((1, 400), (399, 400), (4000, 4000), (10000, 10000), (600000, 10000)):
        conn = raw_zk.Conn(server.host, server.port)
        timeout, _, _ = conn.handshake(timeout_ms=asked)
        assert timeout == got, (asked, timeout)
        conn.call(1, raw_zk.OP_CLOSE)
        conn.close()



def test_new_connections_right_after_closed_sessions_are_served(server):
    """Connect, close the session, disconnect — over and over. The server answers each
    closeSession and then closes that connection on its own; that close must never hit the
    next connection (which may reuse the same file descriptor)."""
    for i in range(2000):
        conn = raw_zk.Conn(server.host, server.port)
        try:
            assert conn.handshake(timeout_ms=4000) is not None, \
                f"connection {i} was closed without a ConnectResponse"
            reply = conn.call(1, raw_zk.OP_CLOSE)
            assert reply is not None and reply[:1] + reply[2:3] == (1, 0), (i, reply)
        finally:
            conn.close()
