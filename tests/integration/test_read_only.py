"""Read-only mode (readonlymode.enabled=true): a member cut off from its quorum keeps serving
reads to clients that asked for a read-only connection, and only to them.

One 3-server ensemble (with localSessionsEnabled=true, which ZooKeeper 3.7 and later need for
read-only sessions): some znodes are written; two servers stop, so the third has no quorum.
After its grace period (ZooKeeper's: max(2 s, tickTime) of looking) that server
  - accepts a kazoo client with read_only=True (connected read-only) that reads the znodes,
    while its writes and syncs fail with NotReadOnly;
  - answers `isro` with "ro" (and `srvr` with Mode: read-only);
  - refuses a client that did not ask for read-only.
When the two servers return, `isro` says "rw", the read-only session ends and the kazoo
client, reconnected, writes again.

Runs against ZooKeeper 3.8 too (PADDOCK_TARGET=zookeeper; harness.py passes the key to it as
-Dreadonlymode.enabled=true).
"""
import struct
import time

import pytest
from kazoo.client import KazooClient
from kazoo.exceptions import KazooException, NotReadOnlyCallError
from kazoo.handlers.threading import KazooTimeoutError
from kazoo.protocol.states import KeeperState

import raw_zk
from ensemble import Ensemble
import harness
from harness import TARGET, four_letter, wait_for

IS_ZK = TARGET == "zookeeper"
START_TIMEOUT = 90 if IS_ZK else 30
OP_TIMEOUT = 5.0
NOT_READ_ONLY = -119
SYNC = 9
GET_DATA = 4
# ZooKeeper 3.7 and later make a read-only server's new sessions local ones, and refuse them
# (NotReadOnly) unless local sessions are enabled; kazoo's own test harness sets both keys.
READ_ONLY_CONFIG = {"readonlymode.enabled": "true", "localSessionsEnabled": "true",
                    "localSessionsUpgradingEnabled": "true"}


def isro(member):
    try:
        return four_letter(member.host, member.client_port, "isro", timeout=2.0).strip()
    except OSError:
        return None


def mntr_value(member, key):
    return harness.mntr(member.host, member.client_port).get(key)


def left_alone(ens):
    """Stops servers 1 and 2 of a started three-server ensemble; returns server 3 once it
    serves read-only."""
    lone = ens.server(2)
    ens.stop_server(0)
    ens.stop_server(1)
    wait_for(lambda: isro(lone) == "ro", timeout=30,
             what=f"isro of the lone server never said ro:\n{ens.log_tail(2)}")
    return lone


def raw_connect(member, read_only, session_id=0, passwd=b"\0" * 16):
    """Sends a ConnectRequest (readOnly byte as given); returns (connection, first frame or
    None when the server closed the connection)."""
    conn = raw_zk.Conn(member.host, member.client_port)
    body = (struct.pack(">iqiq", 0, 0, 4000, session_id) + raw_zk.pack_string(passwd)
            + struct.pack(">?", read_only))
    conn.send(raw_zk.frame(body))
    return conn, conn.read_frame()


def client_for(member, read_only):
    return KazooClient(hosts=member.hosts, read_only=read_only, timeout=4.0,
                       connection_retry={"max_tries": -1, "delay": 0.2, "max_delay": 1.0})


def writes(zk, path):
    """True when a create of `path` is acknowledged within OP_TIMEOUT."""
    try:
        zk.create_async(path, b"w").get(timeout=OP_TIMEOUT)
        return True
    except (KazooException, KazooTimeoutError):
        return False


@pytest.mark.time_limit(300)
def test_partitioned_member_serves_read_only_clients_until_the_quorum_returns():
    with Ensemble(3, extra_config=READ_ONLY_CONFIG) as ens:
        ens.start(timeout=START_TIMEOUT)
        lone = ens.server(2)
        assert isro(lone) == "rw"

        writer = KazooClient(hosts=ens.connect_string(), timeout=4.0)
        writer.start(timeout=15)
        writer.create("/ro/a", b"alpha", makepath=True)
        writer.create("/ro/b", b"beta")
        writer.sync("/ro")
        writer.stop()
        writer.close()
        # Every server has applied the writes before two of them go.
        wait_for(lambda: all(client_reads(m) for m in ens.members), timeout=15,
                 what="the znodes did not reach every server")

        ens.stop_server(0)
        ens.stop_server(1)
        wait_for(lambda: isro(lone) == "ro", timeout=30,
                 what=f"isro of the lone server never said ro:\n{ens.log_tail(2)}")
        assert ens.server(2).srvr_mode() == "read"  # "Mode: read-only", up to the \w+

        ro = client_for(lone, read_only=True)
        ro.start(timeout=15)
        try:
            assert ro.client_state == KeeperState.CONNECTED_RO
            assert mntr_value(lone, "zk_local_sessions") == "1"
            assert ro.get("/ro/a")[0] == b"alpha"
            assert sorted(ro.get_children("/ro")) == ["a", "b"]
            assert ro.exists("/ro/none") is None
            with pytest.raises(NotReadOnlyCallError):
                ro.create("/ro/c", b"x")
            with pytest.raises(NotReadOnlyCallError):
                ro.set("/ro/a", b"changed")
            with pytest.raises(NotReadOnlyCallError):
                ro.delete("/ro/b")
            # Still connected after the refused writes; the data did not change.
            assert ro.get("/ro/a")[0] == b"alpha"

            # On the wire: the ConnectResponse ends with readOnly set; sync is NotReadOnly too.
            conn, answer = raw_connect(lone, read_only=True)
            try:
                assert answer is not None and len(answer) == 4 + 4 + 8 + 4 + 16 + 1
                assert answer[-1] == 1
                _xid, _zxid, err, _ = conn.call(1, SYNC, raw_zk.pack_string("/ro"))
                assert err == NOT_READ_ONLY
            finally:
                conn.close()
            conn, answer = raw_connect(lone, read_only=False)
            conn.close()
            assert answer is None  # closed unanswered

            # A client that did not ask for read-only is refused.
            rw = client_for(lone, read_only=False)
            with pytest.raises(KazooTimeoutError):
                rw.start(timeout=5)
            rw.stop()
            rw.close()

            ens.start_server(0, wait=False)
            ens.start_server(1, wait=False)
            ens.wait_serving(timeout=START_TIMEOUT)
            assert isro(lone) == "rw"
            # The read-only session ended; the client moves to read-write and writes again.
            wait_for(lambda: ro.client_state == KeeperState.CONNECTED, timeout=30,
                     what=f"the client stayed {ro.client_state}")
            wait_for(lambda: writes(ro, f"/ro/after-{time.monotonic_ns()}"), timeout=30,
                     what="no write after the quorum returned")
        finally:
            ro.stop()
            ro.close()


def connect_response(frame):
    """(timeout, session id, password) of a ConnectResponse."""
    _version, timeout, session_id, length = struct.unpack(">iiqi", frame[:20])
    return timeout, session_id, frame[20:20 + length]


@pytest.mark.time_limit(300)
def test_a_read_only_session_outlives_its_connection_until_its_timeout():
    """As ZooKeeper's read-only server keeps its local sessions in a tracker of their own: a
    client that lost its connection comes back to the same session within the timeout (its
    reads go on), and finds it expired after."""
    with Ensemble(3, extra_config=READ_ONLY_CONFIG) as ens:
        ens.start(timeout=START_TIMEOUT)
        lone = left_alone(ens)
        conn, answer = raw_connect(lone, read_only=True)
        conn.close()
        assert answer is not None
        timeout_ms, session_id, passwd = connect_response(answer)
        assert timeout_ms > 0 and session_id != 0

        # Back within the timeout: the same session, and it serves reads.
        conn, answer = raw_connect(lone, read_only=True, session_id=session_id, passwd=passwd)
        try:
            assert answer is not None
            again, same_id, _ = connect_response(answer)
            assert (same_id, again > 0, answer[-1]) == (session_id, True, 1)
            _xid, _zxid, err, _ = conn.call(1, GET_DATA, raw_zk.path_watch_body("/"))
            assert err == 0
        finally:
            conn.close()

        # A wrong password does not take it.
        conn, answer = raw_connect(lone, read_only=True, session_id=session_id,
                                   passwd=b"\1" * 16)
        conn.close()
        assert answer is not None and connect_response(answer)[0] == 0

        # Away for longer than the timeout (its deadline is rounded up to whole ticks): expired.
        time.sleep(timeout_ms / 1000 * 2 + 1)
        conn, answer = raw_connect(lone, read_only=True, session_id=session_id, passwd=passwd)
        conn.close()
        assert answer is not None and connect_response(answer)[0] == 0


def client_reads(member):
    zk = KazooClient(hosts=member.hosts, timeout=4.0)
    try:
        zk.start(timeout=10)
        return zk.exists("/ro/b") is not None
    except (KazooException, KazooTimeoutError):
        return False
    finally:
        zk.stop()
        zk.close()


@pytest.mark.time_limit(240)
def test_without_local_sessions_a_new_read_only_session_is_refused():
    """ZooKeeper 3.7 and later: a read-only server makes only local sessions; without
    localSessionsEnabled its answer to a new session's ConnectRequest is a reply header
    (xid 0) with NotReadOnly, then the connection closes."""
    with Ensemble(3, extra_config={"readonlymode.enabled": "true"}) as ens:
        ens.start(timeout=START_TIMEOUT)
        lone = left_alone(ens)
        conn, answer = raw_connect(lone, read_only=True)
        try:
            assert answer is not None and len(answer) == 16
            xid, _zxid, err = struct.unpack(">iqi", answer)
            assert (xid, err) == (0, NOT_READ_ONLY)
            # No session: nothing more is served. (ZooKeeper leaves the connection open until
            # nio.sessionlessCnxnTimeout closes it; Paddock closes it at once.)
            try:
                assert conn.call(1, GET_DATA, raw_zk.path_watch_body("/")) is None
            except OSError:
                pass  # closed while the request was sent
        finally:
            conn.close()
