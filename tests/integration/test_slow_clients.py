"""Clients that never read: the server's memory stays bounded and the other clients keep
being served (docs/reliability.md, "Clients that never read").

Each hostile client is a raw socket with a small receive buffer that stops reading: one
pipelines getData of a ~1 MB znode, one holds a persistent recursive watch while another
session makes its events fire, one opens a connection and never sends its handshake. The
same tests run against ZooKeeper 3.8 (PADDOCK_TARGET=zookeeper), which is how the bounds
were chosen; what only Paddock promises (closing the connection) is checked on Paddock only.
Under AddressSanitizer (tools/test --asan) the memory bounds are not asserted: ASan's
quarantine keeps freed memory, so RSS says nothing there.
"""
import socket
import struct
import threading
import time

import pytest

import harness
import raw_zk
from harness import TARGET

BIG = 1_000_000  # under jute.maxbuffer (0xfffff) with the reply's header
# How much the server may grow while a hostile client is at it: Paddock's bound is about
# 100 MB (protocol/client/flow_control.hpp: the hard cap, plus reads in flight); ZooKeeper's
# is its heap, capped at 512 MB by the harness. Without flow control Paddock grew by 5 GB
# in the getData case and 180 MB in the watch case within 15 s.
MAX_GROWTH = (150 if TARGET == "paddock" else 450) * 2**20
HOSTILE_TIMEOUT_MS = 4000


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def silent_conn(srv, timeout_ms=HOSTILE_TIMEOUT_MS):
    """A handshaken raw connection that will not read what the server sends from now on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A small window: the kernel holds little of what the server writes.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(5)
    sock.connect((srv.host, srv.port))
    conn = raw_zk.Conn.__new__(raw_zk.Conn)
    conn.sock, conn.buf = sock, b""
    assert conn.handshake(timeout_ms=timeout_ms) is not None
    return conn


def send_for(sock, data, seconds):
    """Sends as much of `data` as the server takes within `seconds` (it may stop reading)."""
    sock.setblocking(False)
    deadline = time.monotonic() + seconds
    view = memoryview(data)
    while view and time.monotonic() < deadline:
        try:
            n = sock.send(view)
            view = view[n:]
        except BlockingIOError:
            time.sleep(0.01)
        except OSError:
            return


class Watcher:
    """Samples the server's RSS and a well-behaved kazoo client's getData latency."""

    def __init__(self, srv, zk):
        self.srv, self.zk = srv, zk
        self.base = rss(srv.pid)
        self.peak = self.base
        self.latencies = []
        self.errors = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, rss(self.srv.pid))
            start = time.monotonic()
            try:
                self.zk.get("/small")
                self.latencies.append(time.monotonic() - start)
            except Exception as e:  # noqa: BLE001 - recorded, asserted on below
                self.errors.append(repr(e))
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)

    def check(self, what):
        growth = self.peak - self.base
        lat = sorted(self.latencies)
        p99 = lat[int(len(lat) * 0.99) - 1] if lat else None
        print(f"SLOW_CLIENT {{'target': '{TARGET}', 'case': '{what}', "
              f"'rss_base_mb': {self.base / 2**20:.0f}, 'rss_peak_mb': {self.peak / 2**20:.0f}, "
              f"'others_p99_ms': {p99 and p99 * 1000:.1f}, 'others_ops': {len(lat)}}}")
        if not harness.SANITIZED:
            assert growth < MAX_GROWTH, f"{what}: the server grew by {growth / 2**20:.0f} MB"
        assert not self.errors, f"{what}: a well-behaved client failed: {self.errors[:3]}"
        assert len(lat) >= 20, f"{what}: the well-behaved client was barely served ({len(lat)})"
        assert p99 < 2.0, f"{what}: the well-behaved client's p99 was {p99:.2f} s"


@pytest.mark.time_limit(120)
def test_pipelined_large_reads_never_read(fresh_server, client):
    zk = client(fresh_server)
    zk.create("/big", b"x" * BIG)
    zk.create("/small", b"s")
    hostile = silent_conn(fresh_server)
    get_big = b"".join(raw_zk.request(xid, raw_zk.OP_GET_DATA, raw_zk.path_watch_body("/big"))
                       for xid in range(1, 10_001))
    with Watcher(fresh_server, zk) as w:
        sender = threading.Thread(target=send_for, args=(hostile.sock, get_big, 15), daemon=True)
        sender.start()
        time.sleep(15)
        sender.join(5)
    w.check("pipelined getData of 1 MB, never read")
    if TARGET == "paddock":
        # Over its water mark for its session timeout: the connection is closed.
        hostile.sock.setblocking(True)
        assert hostile.closed_by_server(timeout=HOSTILE_TIMEOUT_MS / 1000 + 10)
    hostile.close()


@pytest.mark.time_limit(150)
def test_recursive_watch_never_read(fresh_server, client):
    zk = client(fresh_server)
    zk.create("/small", b"s")
    # Long names make each event large, so a few seconds of writes are many megabytes.
    leaf = "/w/" + "n" * 900
    zk.create(leaf, b"", makepath=True)
    hostile = silent_conn(fresh_server)
    hostile.sock.settimeout(5)
    reply = hostile.call(1, 106, raw_zk.add_watch_body("/w", raw_zk.ADD_WATCH_PERSISTENT_RECURSIVE))
    assert reply is not None and reply[2] == 0
    # From here on the hostile client reads nothing; a writer makes events fire as fast as
    # the server commits, 256 setData in flight.
    writer = raw_zk.Conn(fresh_server.host, fresh_server.port, timeout=10)
    assert writer.handshake() is not None
    body = raw_zk.set_data_body(leaf, b"v")
    stop = time.monotonic() + 15
    sent = answered = 0
    with Watcher(fresh_server, zk) as w:
        while time.monotonic() < stop:
            while sent - answered < 256:
                sent += 1
                writer.send(raw_zk.request(sent, raw_zk.OP_SET_DATA, body))
            if writer.read_frame() is None:
                pytest.fail("the writer's connection was closed")
            answered += 1
    print(f"SLOW_CLIENT_EVENTS {{'target': '{TARGET}', 'set_data': {answered}}}")
    w.check(f"persistent recursive watch, {answered} events, never read")
    assert answered > 2000, "too few writes to test anything"
    if TARGET == "paddock":
        hostile.sock.setblocking(True)
        assert hostile.closed_by_server(timeout=HOSTILE_TIMEOUT_MS / 1000 + 10)
    hostile.close()
    writer.close()


@pytest.mark.time_limit(60)
def test_connection_without_handshake_is_dropped(server_with):
    # ZooKeeper's zookeeper.nio.sessionlessCnxnTimeout (10 s by default): ZooKeeper turns
    # the zoo.cfg key into that system property, Paddock reads the key itself.
    srv = server_with({"nio.sessionlessCnxnTimeout": "2000"})
    silent = socket.create_connection((srv.host, srv.port), timeout=30)
    partial = socket.create_connection((srv.host, srv.port), timeout=30)
    partial.sendall(struct.pack(">i", 44) + b"\0" * 10)  # half a ConnectRequest
    start = time.monotonic()
    for sock in (silent, partial):
        try:
            data = sock.recv(100)
        except ConnectionResetError:
            data = b""
        assert data == b""
    waited = time.monotonic() - start
    assert 1.0 < waited < 2 + 5, f"the idle connection was held {waited:.1f} s"
    silent.close()
    partial.close()
    # A connection that completes its handshake is not affected.
    with harness.kazoo_client(srv) as zk:
        time.sleep(3)
        zk.get("/")


def open_sessions(srv, n):
    conns = []
    for i in range(n):
        c = raw_zk.Conn(srv.host, srv.port)
        assert c.handshake() is not None
        c.send(raw_zk.request(1, raw_zk.OP_CREATE,
                              raw_zk.create_body(f"/e{i}", b"d" * 1000, flags=1)))
        conns.append(c)
    for c in conns:
        assert c.read_frame() is not None
    return conns


def close_sessions(srv, conns):
    for c in conns:
        c.send(raw_zk.request(2, raw_zk.OP_CLOSE))
    for c in conns:
        c.closed_by_server(timeout=10)
        c.close()
    harness.wait_for(lambda: "zk_num_alive_connections\t0" in srv.four_letter("mntr"),
                     timeout=20, what="every connection closed")


@pytest.mark.skipif(TARGET != "paddock" or harness.SANITIZED,
                    reason="RSS figures of Paddock's own allocator")
@pytest.mark.time_limit(120)
def test_connections_cost_little_and_closed_ones_are_reused(fresh_server):
    """2,000 sessions, each with an ephemeral znode of 1 KB, then closed; twice. A connection
    costs a few KB (its read buffer starts small), and what closed sessions held is reused:
    the second round does not grow the server past the first round's peak."""
    srv = fresh_server
    base = rss(srv.pid)
    close_sessions(srv, open_sessions(srv, 2000))
    first_peak = max(rss(srv.pid), base)
    conns = open_sessions(srv, 2000)
    second_peak = rss(srv.pid)
    close_sessions(srv, conns)
    time.sleep(1.5)  # the listener trims the heap a second after many closes
    after = rss(srv.pid)
    print(f"SESSIONS_RSS {{'base_mb': {base / 2**20:.0f}, 'first_mb': {first_peak / 2**20:.0f}, "
          f"'second_mb': {second_peak / 2**20:.0f}, 'after_mb': {after / 2**20:.0f}}}")
    # Before: every connection held a 64 KiB read buffer, 2,000 of them ~140 MB.
    assert second_peak - base < 48 * 2**20
    assert second_peak < first_peak + 12 * 2**20
    assert after <= second_peak
