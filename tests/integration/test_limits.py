"""jute.maxbuffer, malformed bodies, unserved opcodes and four-letter words as ZooKeeper 3.8
answers them (each expectation measured against Debian's ZooKeeper 3.8.0 with
PADDOCK_TARGET=zookeeper)."""
import socket
import struct
import subprocess
import time

import raw_zk
from raw_zk import OPEN_ACL, create_body, pack_string, path_watch_body

MAX_BUFFER = 0xfffff  # jute.maxbuffer's default
ERR_MARSHALLING, ERR_UNIMPLEMENTED, ERR_BAD_ARGUMENTS, ERR_RECONFIG_DISABLED = -5, -6, -8, -123
OP_DELETE_CONTAINER, OP_RECONFIG, OP_SASL, OP_CREATE_SESSION = 20, 16, 102, -10
# A create frame's bytes besides its path and data: header, two lengths, the ACL, flags.
CREATE_OVERHEAD = 8 + 4 + 4 + len(OPEN_ACL) + 4


def session(server):
    # A session timeout well above the 2 s the close checks wait, so that an expiry can
    # never pass for the close they expect.
    conn = raw_zk.Conn(server.host, server.port)
    assert conn.handshake(timeout_ms=10000) is not None
    return conn


def closed_unanswered(conn, payload, timeout=2.0):
    """Sends `payload`; true when the server closes the connection within `timeout`
    seconds without sending anything."""
    try:
        conn.send(payload)
    except (BrokenPipeError, ConnectionResetError):
        return True
    conn.sock.settimeout(timeout)
    try:
        return conn.sock.recv(65536) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def send_frame(conn, body):
    conn.send(raw_zk.frame(body))
    return conn.read_frame()


def header(xid, opcode):
    return struct.pack(">ii", xid, opcode)


def usable(conn):
    """The connection still serves a request."""
    reply = conn.call(1000, raw_zk.OP_EXISTS, path_watch_body("/"))
    return reply is not None and reply[2] == 0


def create_frame_of(length, path):
    """A create request whose frame (without the prefix) is exactly `length` bytes."""
    data = b"x" * (length - CREATE_OVERHEAD - len(path))
    body = header(1, raw_zk.OP_CREATE) + create_body(path, data)
    assert len(body) == length
    return body, data


# -- jute.maxbuffer ---------------------------------------------------------------------

def test_frame_of_exactly_jute_maxbuffer_is_served(server):
    conn = session(server)
    body, data = create_frame_of(MAX_BUFFER, "/at-limit")
    reply = send_frame(conn, body)
    assert reply is not None and raw_zk.parse_frame(reply)[2] == 0
    assert usable(conn)
    # The data is there whole (read back as a frame of its own).
    conn.send(raw_zk.request(2, raw_zk.OP_EXISTS, path_watch_body("/at-limit")))
    _xid, _zxid, err, rest = raw_zk.parse_frame(conn.read_frame())
    assert err == 0
    assert struct.unpack(raw_zk.STAT_FORMAT, rest[:raw_zk.STAT_SIZE])[8] == len(data)
    conn.close()


def test_frame_one_byte_over_jute_maxbuffer_closes(server):
    conn = session(server)
    body, _ = create_frame_of(MAX_BUFFER + 1, "/over-limit")
    assert closed_unanswered(conn, raw_zk.frame(body))
    conn.close()
    # Nothing was stored.
    check = session(server)
    assert check.call(1, raw_zk.OP_EXISTS, path_watch_body("/over-limit"))[2] == -101
    check.close()


def test_the_length_prefix_alone_over_the_limit_closes(server):
    # Before and after the handshake: the prefix is refused before any body arrives.
    for handshake in (False, True):
        conn = session(server) if handshake else raw_zk.Conn(server.host, server.port)
        assert closed_unanswered(conn, struct.pack(">i", MAX_BUFFER + 1)), handshake
        conn.close()


def test_a_configured_jute_maxbuffer_is_the_exact_limit(server_with):
    srv = server_with({"jute.maxbuffer": "4096"})
    conn = session(srv)
    body, _ = create_frame_of(4096, "/configured")
    reply = send_frame(conn, body)
    assert reply is not None and raw_zk.parse_frame(reply)[2] == 0
    body, _ = create_frame_of(4097, "/configured-over")
    assert closed_unanswered(conn, raw_zk.frame(body))
    conn.close()


def test_data_of_one_mib_is_refused_by_closing(server):
    # 1 MiB of data cannot fit a frame of jute.maxbuffer: create and setData both close the
    # connection unanswered, and nothing is stored.
    conn = session(server)
    assert conn.call(1, raw_zk.OP_CREATE, create_body("/mib"))[2] == 0
    conn.close()
    for body in (header(2, raw_zk.OP_CREATE) + create_body("/mib2", b"d" * (1 << 20)),
                 header(3, raw_zk.OP_SET_DATA) + raw_zk.set_data_body("/mib", b"d" * (1 << 20))):
        conn = session(server)
        assert closed_unanswered(conn, raw_zk.frame(body))
        conn.close()
    check = session(server)
    reply = check.call(4, raw_zk.OP_EXISTS, path_watch_body("/mib"))
    assert struct.unpack(raw_zk.STAT_FORMAT, reply[3][:raw_zk.STAT_SIZE])[8] == 0
    assert check.call(5, raw_zk.OP_EXISTS, path_watch_body("/mib2"))[2] == -101
    check.close()


# -- malformed bodies -------------------------------------------------------------------

MALFORMED = [
    ("create: path longer than the frame", header(1, 1) + struct.pack(">i", 1000) + b"/abc"),
    ("create: ACL count 2^30", header(1, 1) + pack_string("/huge") + pack_string(b"") +
     struct.pack(">i", 1 << 30)),
    ("create: path length -5", header(1, 1) + struct.pack(">i", -5)),
    ("create: no flags", header(1, 1) + pack_string("/nf") + pack_string(b"") + OPEN_ACL),
    ("create: empty body", header(1, 1)),
    ("getData: no watch flag", header(1, 4) + pack_string("/")),
    ("exists: empty body", header(1, 3)),
    ("setData: empty body", header(1, 5)),
    ("delete: no version", header(1, 2) + pack_string("/nonexistent")),
    ("setACL: empty body", header(1, 7)),
    ("sync: empty body", header(1, 9)),
    ("multi: getData inside", header(1, 14) + struct.pack(">i?i", 4, False, -1) +
     path_watch_body("/") + struct.pack(">i?i", -1, True, -1)),
    ("multi: no end marker", header(1, 14) + struct.pack(">i?i", 1, False, -1)),
    ("multiRead: empty body", header(1, 22)),
    ("setWatches: empty body", header(-8, 101)),
    ("addWatch: empty body", header(1, 106)),
    ("reconfig: empty body", header(1, OP_RECONFIG)),
    ("createTTL: empty body", header(1, 21)),
    ("createSession from a client", header(1, OP_CREATE_SESSION)),
]


def test_malformed_bodies_get_marshalling_error_and_the_connection_stays(server):
    for name, body in MALFORMED:
        conn = session(server)
        reply = send_frame(conn, body)
        assert reply is not None, f"{name}: the connection was closed"
        xid, _zxid, err, _ = raw_zk.parse_frame(reply)
        assert (xid, err) == (struct.unpack(">i", body[:4])[0], ERR_MARSHALLING), name
        assert usable(conn), f"{name}: not usable afterwards"
        conn.close()


def test_malformed_headers_auth_and_sasl_close(server):
    for name, body in [("4-byte frame", struct.pack(">i", 5)),
                       ("7-byte frame", b"\0\0\0\x05\0\0\0"),
                       ("auth: empty body", header(-4, 100)),
                       ("auth: scheme longer than the frame",
                        header(-4, 100) + struct.pack(">ii", 0, 1000)),
                       ("sasl: no token", header(1, OP_SASL))]:
        conn = session(server)
        assert closed_unanswered(conn, raw_zk.frame(body)), name
        conn.close()


def test_unserved_opcodes_are_answered_as_zookeeper_answers_them(server):
    conn = session(server)
    # reconfig with reconfigEnabled off: ReconfigDisabled.
    reconfig = pack_string(None) * 3 + struct.pack(">q", -1)
    assert conn.call(1, OP_RECONFIG, reconfig)[2] == ERR_RECONFIG_DISABLED
    # createTTL without extendedTypesEnabled: Unimplemented, the connection stays.
    assert conn.call(2, raw_zk.OP_CREATE_TTL, raw_zk.create_ttl_body("/ttl", 1000))[2] == \
        ERR_UNIMPLEMENTED
    # sasl without a SASL server: ok, zxid 0, a SetSASLResponse with a null token.
    conn.send(raw_zk.request(3, OP_SASL, pack_string(b"")))
    assert conn.read_frame() == struct.pack(">iqi", 3, 0, 0) + struct.pack(">i", -1)
    assert usable(conn)
    conn.close()


def test_delete_container_from_a_client_is_bad_arguments(server):
    conn = session(server)
    assert conn.call(1, raw_zk.OP_CREATE_CONTAINER,
                     create_body("/cont", flags=raw_zk.MODE_CONTAINER))[2] == 0
    # ZooKeeper reads deleteContainer's path from the whole packet, header included, so
    # neither a path-only body (raw or length-prefixed) nor a DeleteRequest is a valid path.
    for body in (b"/cont", pack_string("/cont"), pack_string("/cont") + struct.pack(">i", -1)):
        assert conn.call(2, OP_DELETE_CONTAINER, body)[2] == ERR_BAD_ARGUMENTS
    assert conn.call(3, raw_zk.OP_EXISTS, path_watch_body("/cont"))[2] == 0
    conn.close()


def test_unknown_opcodes_get_unimplemented_then_close(server):
    for opcode in (999, 0, -1, 10):
        conn = session(server)
        assert conn.call(7, opcode) == (7, -1, ERR_UNIMPLEMENTED, b"")
        assert conn.closed_by_server(timeout=2.0)
        conn.close()


# -- four-letter words ------------------------------------------------------------------

def read_all(sock):
    chunks = []
    while True:
        try:
            data = sock.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def word_in_pieces(server, pieces, delay=0.2, half_close=False):
    with socket.create_connection((server.host, server.port), timeout=5) as s:
        for i, piece in enumerate(pieces):
            if i:
                time.sleep(delay)
            s.sendall(piece)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        return read_all(s)


def test_ruok_then_half_close_is_answered(server):
    assert word_in_pieces(server, [b"ruok"], half_close=True) == b"imok"
    srvr = word_in_pieces(server, [b"srvr"], half_close=True).decode()
    assert srvr.startswith("Zookeeper version: ") and "Mode: standalone" in srvr


def test_netcat_health_checks(server):
    # `echo ruok | nc -q2 host port` and `nc -N`, as deployments' health checks run them;
    # several times each, since a server that races the client's FIN loses only sometimes.
    for flags in (["-q2"], ["-N"]):
        for attempt in range(5):
            out = subprocess.run(["nc", *flags, server.host, str(server.port)],
                                 input=b"ruok\n", capture_output=True, timeout=10)
            assert out.stdout == b"imok", (flags, attempt)


def test_word_split_over_segments_is_answered(server):
    assert word_in_pieces(server, [b"ru", b"ok"]) == b"imok"
    assert word_in_pieces(server, [b"r", b"uo", b"k"]) == b"imok"
    assert word_in_pieces(server, [b"ruo", b"k"], half_close=True) == b"imok"


def test_an_incomplete_word_then_half_close_is_not_answered(server):
    assert word_in_pieces(server, [b"ru"], half_close=True) == b""
