"""Bad input affects the offending connection only (closed, or answered MarshallingError
where ZooKeeper answers it so): a kazoo client beside it keeps working and the server keeps
running."""
import os
import socket
import struct

import raw_zk


def still_serving(server, zk):
    zk.create("/bad-input-probe", b"", ephemeral=True, sequence=True)
    assert server.alive()


def closed_after(server, payload, handshake=False, timeout=5.0):
    conn = raw_zk.Conn(server.host, server.port)
    if handshake:
        assert conn.handshake(timeout_ms=4000) is not None
    conn.send(payload)
    closed = conn.closed_by_server(timeout)
    conn.close()
    return closed


def test_random_bytes(server, zk):
    for seed in range(5):
        payload = os.urandom(200 + seed * 100)
        closed_after(server, payload, timeout=2)
        still_serving(server, zk)


def test_length_over_the_limit_closes(server, zk):
    # jute.maxbuffer is 0xfffff: a length prefix of 0x100000 closes (see test_limits.py).
    assert closed_after(server, struct.pack(">i", 0x100000) + b"x" * 100)
    assert closed_after(server, struct.pack(">i", 0x100000), handshake=True)
    still_serving(server, zk)


def test_negative_length_closes(server, zk):
    assert closed_after(server, struct.pack(">i", -5) + b"abcd")
    assert closed_after(server, struct.pack(">i", -5), handshake=True)
    still_serving(server, zk)


def test_truncated_frame_then_close(server, zk):
    conn = raw_zk.Conn(server.host, server.port)
    conn.send(raw_zk.connect_request()[:10])
    conn.close()
    still_serving(server, zk)


def marshalling_error_then_usable(server, body):
    """ZooKeeper answers a body that does not deserialize with MarshallingError and keeps
    the connection (its request processors catch the IOException)."""
    conn = raw_zk.Conn(server.host, server.port)
    assert conn.handshake(timeout_ms=4000) is not None
    reply = conn.call(1, struct.unpack(">i", body[4:8])[0], body[8:])
    assert reply is not None, "the server closed the connection"
    assert reply[0] == 1 and reply[2] == raw_zk.ERR_MARSHALLING
    assert conn.call(2, 3, raw_zk.pack_string("/") + b"\0")[2] == 0
    conn.close()


def test_body_shorter_than_its_strings_is_a_marshalling_error(server, zk):
    # A create whose path claims 1000 bytes in a 20-byte frame.
    body = struct.pack(">ii", 1, 1) + struct.pack(">i", 1000) + b"/abc"
    marshalling_error_then_usable(server, body)
    still_serving(server, zk)


def test_huge_acl_count_is_a_marshalling_error(server, zk):
    body = (struct.pack(">ii", 1, 1) + raw_zk.pack_string("/huge") + raw_zk.pack_string(b"") +
            struct.pack(">i", 1 << 30))
    marshalling_error_then_usable(server, body)
    still_serving(server, zk)


def test_unknown_opcode_is_answered_then_the_connection_closes(server, zk):
    conn = raw_zk.Conn(server.host, server.port)
    _, sid, passwd = conn.handshake(timeout_ms=4000)
    # ZooKeeper: ReplyHeader(xid, zxid -1, Unimplemented), then it closes the connection.
    assert conn.call(7, 999) == (7, -1, -6, b"")
    assert conn.closed_by_server()
    conn.close()
    # The session itself survives and can be resumed.
    again = raw_zk.Conn(server.host, server.port)
    assert again.handshake(timeout_ms=4000, session_id=sid, passwd=passwd)[1] == sid
    again.close()
    still_serving(server, zk)


def test_invalid_paths_get_bad_arguments(server, zk):
    conn = raw_zk.Conn(server.host, server.port)
    conn.handshake(timeout_ms=4000)
    xid = 1
    zk.ensure_path("/a")
    # ZooKeeper looks up the parent before it validates the whole path, so each of these
    # has an existing parent ("/" or "/a") and fails validation.
    for path in ("//a", "a", "/a/", "/a/.", "/a/..", "/a\0b", "/\u0001"):
        xid += 1
        reply = conn.call(xid, 1, raw_zk.create_body(path))
        assert reply is not None and reply[2] == -8, (path, reply)
    # Under a missing parent the parent check comes first: NoNode.
    for path in ("/missing/a//b", "/a/./b", "/a/../b"):
        xid += 1
        assert conn.call(xid, 1, raw_zk.create_body(path))[2] == -101, path
    conn.close()
    still_serving(server, zk)


def test_request_before_handshake_closes(server, zk):
    # A getData frame where the ConnectRequest should be.
    body = struct.pack(">ii", 1, 4) + raw_zk.pack_string("/") + b"\0"
    assert closed_after(server, raw_zk.frame(body))
    still_serving(server, zk)


def test_many_short_connections(server, zk):
    for _ in range(300):
        s = socket.create_connection((server.host, server.port), timeout=5)
        s.close()
    still_serving(server, zk)


def test_max_client_cnxns_per_ip(server_with):
    srv = server_with({"maxClientCnxns": "5"})
    conns = [raw_zk.Conn(srv.host, srv.port) for _ in range(5)]
    for c in conns:
        assert c.handshake(timeout_ms=4000) is not None
    extra = raw_zk.Conn(srv.host, srv.port)
    try:
        extra.send(raw_zk.connect_request(timeout_ms=4000))
        assert extra.read_frame() is None, "the sixth connection from one IP was served"
    finally:
        extra.close()
    for c in conns:
        assert c.call(1, 3, raw_zk.pack_string("/") + b"\0")[2] == 0
        c.close()


def test_client_ahead_of_the_server_is_refused(server, zk):
    # A client that has seen a later zxid than the server has must try another server:
    # ZooKeeper closes the connection without a ConnectResponse.
    conn = raw_zk.Conn(server.host, server.port)
    assert conn.handshake(timeout_ms=4000, last_zxid=1 << 40) is None
    conn.close()
    still_serving(server, zk)
