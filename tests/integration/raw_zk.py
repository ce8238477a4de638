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
