"""A minimal raw ZooKeeper wire client for what kazoo 2.8 cannot do: stay silent so a
session expires, resume a session by id and password, send malformed or unusual frames."""
import socket
import struct

NOTIFICATION_XID = -1


def pack_string(s):
    if s is None:
        return struct.pack(">i", -1)
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">i", len(b)) + b


def frame(body):
    return struct.pack(">i", len(body)) + body


def connect_request(timeout_ms=10000, session_id=0, passwd=b"\0" * 16, last_zxid=0,
                    read_only=True):
    body = struct.pack(">iqiq", 0, last_zxid, timeout_ms, session_id) + pack_string(passwd)
    if read_only is not None:
        body += struct.pack(">?", False)
    return frame(body)


OPEN_ACL = struct.pack(">i", 1) + struct.pack(">i", 31) + pack_string("world") + pack_string("anyone")


def create_body(path, data=b"", flags=0, acl=OPEN_ACL):
    return pack_string(path) + pack_string(data) + acl + struct.pack(">i", flags)


def request(xid, opcode, body=b""):
    return frame(struct.pack(">ii", xid, opcode) + body)


class Conn:
    def __init__(self, host, port, timeout=5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def read_frame(self):
        """The next frame's body, or None when the server closed the connection."""
        while True:
            if len(self.buf) >= 4:
                (n,) = struct.unpack(">i", self.buf[:4])
                if len(self.buf) >= 4 + n:
                    body, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    return body
            try:
                data = self.sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                return None
            if not data:
                return None
            self.buf += data

    def handshake(self, **kwargs):
        """Returns (timeout_ms, session_id, passwd) from the ConnectResponse."""
        self.send(connect_request(**kwargs))
        body = self.read_frame()
        if body is None:
            return None
        _proto, timeout, sid = struct.unpack(">iiq", body[:16])
        (n,) = struct.unpack(">i", body[16:20])
        return timeout, sid, body[20:20 + max(n, 0)]

    def call(self, xid, opcode, body=b""):
        """Sends a request and returns (xid, zxid, err, body) of the next non-event reply."""
        self.send(request(xid, opcode, body))
        while True:
            reply = self.read_frame()
            if reply is None:
                return None
            rxid, zxid, err = struct.unpack(">iqi", reply[:16])
            if rxid != NOTIFICATION_XID:
                return rxid, zxid, err, reply[16:]

    def closed_by_server(self, timeout=5.0):
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


def accepts_sessions(host, port):
    """Whether a server completes a handshake now (a server may report its mode a moment
    before it takes sessions)."""
    try:
        c = Conn(host, port, timeout=2)
        ok = c.handshake(timeout_ms=10000) is not None
        c.close()
        return ok
    except OSError:
        return False


class Session:
    """A raw session on a server (anything with .host and .port) that numbers its own xids."""

    def __init__(self, srv):
        self.conn = Conn(srv.host, srv.port)
        assert self.conn.handshake() is not None
        self.xid = 0

    def call(self, opcode, body):
        """(err, reply body) of the request; fails the test if the server hung up."""
        self.xid += 1
        reply = self.conn.call(self.xid, opcode, body)
        assert reply is not None, "the server closed the connection"
        return reply[2], reply[3]

    def close(self):
        self.conn.close()


# Opcodes and flags used by the tests (zookeeper.jute / ZooDefs.OpCode).
OP_CREATE, OP_DELETE, OP_EXISTS, OP_GET_DATA, OP_SET_DATA = 1, 2, 3, 4, 5
OP_GET_CHILDREN, OP_PING, OP_CLOSE = 8, 11, -11
PING_XID = -2
EVENT_CREATED, EVENT_DELETED, EVENT_CHANGED, EVENT_CHILD = 1, 2, 3, 4

STAT_FORMAT = ">qqqqiiiqiiq"  # czxid mzxid ctime mtime version cversion aversion
                              # ephemeralOwner dataLength numChildren pzxid
STAT_SIZE = struct.calcsize(STAT_FORMAT)


def path_watch_body(path, watch=False):
    """The body of exists / getData / getChildren: path, watch flag."""
    return pack_string(path) + struct.pack(">?", watch)


def set_data_body(path, data, version=-1):
    return pack_string(path) + pack_string(data) + struct.pack(">i", version)


def unpack_buffer(body, offset=0):
    """Returns (bytes or None, next offset) of a length-prefixed jute buffer."""
    (n,) = struct.unpack(">i", body[offset:offset + 4])
    offset += 4
    if n < 0:
        return None, offset
    return body[offset:offset + n], offset + n


def parse_frame(frame_body):
    """Splits a reply frame into (xid, zxid, err, rest)."""
    xid, zxid, err = struct.unpack(">iqi", frame_body[:16])
    return xid, zxid, err, frame_body[16:]


def parse_event(rest):
    """(type, state, path) of a WatcherEvent body."""
    etype, state = struct.unpack(">ii", rest[:8])
    path, _ = unpack_buffer(rest, 8)
    return etype, state, path.decode()


def parse_get_data(rest):
    """(data, stat tuple) of a GetDataResponse body."""
    data, offset = unpack_buffer(rest)
    return data, struct.unpack(STAT_FORMAT, rest[offset:offset + STAT_SIZE])


# -- watches: addWatch, checkWatches, removeWatches, setWatches2 ---------------------------
OP_SYNC, OP_CHECK_WATCHES, OP_REMOVE_WATCHES = 9, 17, 18
OP_SET_WATCHES2, OP_ADD_WATCH = 105, 106
SET_WATCHES_XID = -8
ADD_WATCH_PERSISTENT, ADD_WATCH_PERSISTENT_RECURSIVE = 0, 1  # ZooDefs.AddWatchModes
WATCHER_CHILDREN, WATCHER_DATA, WATCHER_ANY = 1, 2, 3  # Watcher.WatcherType
ERR_NO_WATCHER, ERR_MARSHALLING = -121, -5


def add_watch_body(path, mode):
    return pack_string(path) + struct.pack(">i", mode)


def watches_body(path, watcher_type):
    """The body of checkWatches / removeWatches: path, WatcherType."""
    return pack_string(path) + struct.pack(">i", watcher_type)


def set_watches2_body(relative_zxid, data=(), exist=(), child=(), persistent=(),
                      persistent_recursive=()):
    body = struct.pack(">q", relative_zxid)
    for paths in (data, exist, child, persistent, persistent_recursive):
        body += struct.pack(">i", len(paths)) + b"".join(pack_string(p) for p in paths)
    return body


def call_with_events(conn, xid, opcode, body=b""):
    """Like Conn.call, but also returns the events that came before the reply, in order:
    ((xid, zxid, err, body) or None, [(type, state, path), ...])."""
    conn.send(request(xid, opcode, body))
    events = []
    while True:
        reply = conn.read_frame()
        if reply is None:
            return None, events
        rxid, zxid, err, rest = parse_frame(reply)
        if rxid == NOTIFICATION_XID:
            events.append(parse_event(rest))
        else:
            return (rxid, zxid, err, rest), events
# --- authentication and whoAmI (zookeeper.jute AuthPacket, WhoAmIResponse) ---
OP_WHO_AM_I, OP_AUTH = 107, 100
AUTH_XID = -4


def auth_packet(scheme, auth):
    """AuthPacket{type=0, scheme, auth}, sent with xid -4 and opcode 100."""
    return struct.pack(">i", 0) + pack_string(scheme) + pack_string(auth)


def add_auth(conn, scheme, auth):
    """Sends addAuth and returns the reply's err (None when the server closed the connection)."""
    reply = conn.call(AUTH_XID, OP_AUTH, auth_packet(scheme, auth))
    return None if reply is None else reply[2]


def parse_who_am_i(rest):
    """[(scheme, user or None)] of a WhoAmIResponse body: vector<ClientInfo{authScheme, user}>."""
    (count,) = struct.unpack(">i", rest[:4])
    offset, out = 4, []
    for _ in range(count):
        scheme, offset = unpack_buffer(rest, offset)
        user, offset = unpack_buffer(rest, offset)
        out.append((scheme.decode(), None if user is None else user.decode()))
    return out


def who_am_i(conn, xid=1):
    """(err, [(scheme, user)]) of a whoAmI request."""
    _xid, _zxid, err, rest = conn.call(xid, OP_WHO_AM_I)
    return err, parse_who_am_i(rest) if err == 0 else []
# ----- container and TTL znodes (opcodes 19 / 21; create modes of CreateMode.java) -----
OP_CREATE_CONTAINER, OP_CREATE_TTL = 19, 21
MODE_PERSISTENT, MODE_CONTAINER = 0, 4
MODE_PERSISTENT_WITH_TTL, MODE_PERSISTENT_SEQUENTIAL_WITH_TTL = 5, 6


def create_ttl_body(path, ttl, data=b"", flags=MODE_PERSISTENT_WITH_TTL, acl=OPEN_ACL):
    """CreateTTLRequest: path, data, acl, flags, ttl (a long, ms)."""
    return create_body(path, data, flags, acl) + struct.pack(">q", ttl)


def parse_create2(rest):
    """(path, stat tuple) of a Create2Response (the answer to create2 / createContainer /
    createTTL)."""
    path, offset = unpack_buffer(rest)
    return path.decode(), struct.unpack(STAT_FORMAT, rest[offset:offset + STAT_SIZE])


def parse_children(rest):
    """The names of a GetChildrenResponse (also getEphemerals' answer)."""
    (n,) = struct.unpack(">i", rest[:4])
    offset, names = 4, []
    for _ in range(max(n, 0)):
        name, offset = unpack_buffer(rest, offset)
        names.append(name.decode())
    return names


# ----- multiRead (22), getEphemerals (103), getAllChildrenNumber (104) -----
OP_MULTI_READ, OP_GET_EPHEMERALS, OP_GET_ALL_CHILDREN_NUMBER = 22, 103, 104
OP_ERROR = -1


def multi_read_body(ops):
    """A MultiOperationRecord of reads: ops = [(OP_GET_DATA or OP_GET_CHILDREN, path)], each
    behind a MultiHeader{type, done=false, err=-1}, closed by {-1, true, -1}."""
    body = b""
    for opcode, path in ops:
        body += struct.pack(">i?i", opcode, False, -1) + path_watch_body(path, False)
    return body + struct.pack(">i?i", -1, True, -1)


def parse_multi_read(rest):
    """The results of a multiRead: [("data", bytes, stat) | ("children", [names]) |
    ("error", err)]."""
    results, offset = [], 0
    while True:
        opcode, done, err = struct.unpack(">i?i", rest[offset:offset + 9])
        offset += 9
        if done:
            return results
        if opcode == OP_GET_DATA:
            data, offset = unpack_buffer(rest, offset)
            stat = struct.unpack(STAT_FORMAT, rest[offset:offset + STAT_SIZE])
            offset += STAT_SIZE
            results.append(("data", data, stat))
        elif opcode == OP_GET_CHILDREN:
            (n,) = struct.unpack(">i", rest[offset:offset + 4])
            offset += 4
            names = []
            for _ in range(n):
                name, offset = unpack_buffer(rest, offset)
                names.append(name.decode())
            results.append(("children", names))
        else:
            (code,) = struct.unpack(">i", rest[offset:offset + 4])
            offset += 4
            results.append(("error", code))
