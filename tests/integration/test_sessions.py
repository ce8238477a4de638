"""Sessions: ephemerals go with a closed or expired session (firing other sessions'
watches), a client that reconnects in time keeps its session, a wrong password does not."""
import struct
import threading

from kazoo.protocol.states import EventType

import raw_zk
from harness import wait_for


def raw_session(server, timeout_ms=400):
    conn = raw_zk.Conn(server.host, server.port)
    timeout, sid, passwd = conn.handshake(timeout_ms=timeout_ms)
    return conn, timeout, sid, passwd


def raw_create_ephemeral(conn, path, xid=1):
    reply = conn.call(xid, 1, raw_zk.create_body(path, b"", flags=1))
    assert reply is not None and reply[2] == 0, reply
    return reply


def test_ephemeral_deleted_on_close_and_watch_fires(zk, client):
    owner = client()
    owner.create("/e-close", ephemeral=True)
    fired = threading.Event()
    zk.exists("/e-close", watch=lambda e: e.type == EventType.DELETED and fired.set())
    owner.stop()
    assert fired.wait(10)
    assert zk.exists("/e-close") is None


def test_ephemeral_deleted_on_expiry(server, zk):
    conn, timeout, sid, _ = raw_session(server, timeout_ms=400)
    assert timeout == 400
    raw_create_ephemeral(conn, "/e-expire")
    assert zk.exists("/e-expire").ephemeralOwner == sid
    fired = threading.Event()
    zk.exists("/e-expire", watch=lambda e: e.type == EventType.DELETED and fired.set())
    # The raw client never pings: the session must expire within its timeout + a tick or so.
    assert fired.wait(10), "session did not expire"
    assert zk.exists("/e-expire") is None
    assert conn.closed_by_server(timeout=5)
    conn.close()


def test_reconnect_keeps_the_session_and_its_ephemerals(server, zk):
    conn, timeout, sid, passwd = raw_session(server, timeout_ms=4000)
    raw_create_ephemeral(conn, "/e-resume")
    conn.close()  # no closeSession: the session lives on for its timeout
    again = raw_zk.Conn(server.host, server.port)
    timeout2, sid2, passwd2 = again.handshake(timeout_ms=4000, session_id=sid, passwd=passwd)
    assert (sid2, passwd2) == (sid, passwd) and timeout2 == 4000
    assert zk.exists("/e-resume").ephemeralOwner == sid
    # The resumed session works, and closing it now removes the ephemeral.
    reply = again.call(2, -11)
    assert reply[2] == 0
    wait_for(lambda: zk.exists("/e-resume") is None, what="ephemeral gone after close")
    again.close()


def test_wrong_password_is_refused(server):
    conn, _, sid, passwd = raw_session(server, timeout_ms=4000)
    conn.close()
    bad = bytes(b ^ 0xFF for b in passwd)
    other = raw_zk.Conn(server.host, server.port)
    timeout, sid2, _ = other.handshake(timeout_ms=4000, session_id=sid, passwd=bad)
    assert (timeout, sid2) == (0, 0)
    assert other.closed_by_server()
    other.close()


def test_expired_session_cannot_resume(server):
    conn, _, sid, passwd = raw_session(server, timeout_ms=400)
    conn.close()
    wait_for(lambda: "0x%x" % sid not in server.four_letter("cons"), timeout=5,
             what="connection gone")
    import time
    time.sleep(1.5)  # past the 400 ms timeout and its tick rounding
    other = raw_zk.Conn(server.host, server.port)
    timeout, sid2, _ = other.handshake(timeout_ms=4000, session_id=sid, passwd=passwd)
    assert (timeout, sid2) == (0, 0)
    other.close()


def test_negotiated_timeout_is_clamped(server):
    for asked, got in ((1, 400), (4000, 4000), (600000, 10000)):
        conn = raw_zk.Conn(server.host, server.port)
        timeout, _, _ = conn.handshake(timeout_ms=asked)
        assert timeout == got, (asked, timeout)
        conn.call(1, -11)
        conn.close()
