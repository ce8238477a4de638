"""The watch workload: ZooKeeper's promise that a client sees a watch event before it can
read the change that fired it, across server failures and reconnects.

Watchers use the raw wire client (tests/integration/raw_zk.py), not kazoo: kazoo delivers
events on a thread of its own, so it cannot say in which order the socket brought an event and
a reply; the raw client reads frames in wire order. A watcher reads the znode every ~20 ms,
setting a data watch whenever it has none pending:
  wread              ok {"version", "watch": whether this read set a watch}
  event watch        "changed" / "deleted" / "created", for the watched key
  event session      "same" (reconnected to the same session: the pending watch is re-set
                     with SetWatches from the last zxid seen, as real clients do) or "new"
                     (the session expired; a new one, with no watches)
A writer (kazoo) changes the znode with setData, recorded as `write` on that key.
"""
import os
import struct
import sys

from recorder import Process
from workloads.common import (OPERATION_TIMEOUT, SESSION_TIMEOUT, Worker, Workload,
                              attempt_write, make_client)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "integration"))
import raw_zk  # noqa: E402

ROOT = "/chaos/watch"
EVENT_NAMES = {raw_zk.EVENT_CREATED: "created", raw_zk.EVENT_DELETED: "deleted",
               raw_zk.EVENT_CHANGED: "changed", raw_zk.EVENT_CHILD: "child"}
OP_SET_WATCHES = 101
SET_WATCHES_XID = -8


def set_watches_body(relative_zxid, data_watches):
    def vector(paths):
        return struct.pack(">i", len(paths)) + b"".join(raw_zk.pack_string(p) for p in paths)
    return struct.pack(">q", relative_zxid) + vector(data_watches) + vector([]) + vector([])


class Disconnected(Exception):
    pass


class RawSession:
    """One ZooKeeper session over the raw wire client, moving between servers."""

    def __init__(self, servers, rng):
        self.servers = servers  # [(address, port)]
        self.rng = rng
        self.session_id = 0
        self.passwd = b"\0" * 16
        self.last_zxid = 0
        self.conn = None
        self.xid = 0

    def connect(self, stopping):
        """Connects to some server; returns "same", "new" (first session or the old one
        expired), or None if stopping."""
        while not stopping():
            address, port = self.rng.choice(self.servers)
            try:
                conn = raw_zk.Conn(address, port, timeout=2.0)
            except OSError:
                stopping_wait(stopping, 0.1)
                continue
            try:
                answer = conn.handshake(timeout_ms=int(SESSION_TIMEOUT * 1000),
                                        session_id=self.session_id, passwd=self.passwd,
                                        last_zxid=self.last_zxid)
            except (OSError, struct.error):
                answer = None
            if answer is None:
                # Refused (not serving, or behind the zxid this client has seen): another one.
                conn.close()
                stopping_wait(stopping, 0.1)
                continue
            timeout, session_id, passwd = answer
            if timeout <= 0:  # the session expired: start a new one
                conn.close()
                self.session_id, self.passwd = 0, b"\0" * 16
                continue
            kind = "same" if session_id == self.session_id else "new"
            self.session_id, self.passwd, self.conn = session_id, passwd, conn
            return kind
        return None

    def send(self, opcode, body, xid=None):
        if xid is None:
            self.xid += 1
            xid = self.xid
        try:
            self.conn.send(raw_zk.request(xid, opcode, body))
        except OSError:
            raise Disconnected()
        return xid

    def next_frame(self):
        """(xid, zxid, err, rest) of the next frame; Disconnected if the connection is gone
        or silent for longer than a client would wait (2/3 of the session timeout)."""
        self.conn.sock.settimeout(SESSION_TIMEOUT * 2 / 3)
        body = self.conn.read_frame()
        if body is None or len(body) < 16:
            raise Disconnected()
        xid, zxid, err, rest = raw_zk.parse_frame(body)
        if zxid > 0:
            self.last_zxid = max(self.last_zxid, zxid)
        return xid, zxid, err, rest

    def close(self):
        if self.conn:
            try:
                self.conn.send(raw_zk.request(self.xid + 1, raw_zk.OP_CLOSE))
            except OSError:
                pass
            self.conn.close()
            self.conn = None


def stopping_wait(stopping, seconds):
    import time
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stopping():
        time.sleep(0.02)


class Watcher(Worker):
    def __init__(self, recorder, servers, seed, key):
        super().__init__(f"watcher-{seed}", seed)
        self.recorder = recorder
        self.servers = servers
        self.key = key
        self.path = f"{ROOT}/{key}"

    def run(self):
        session = RawSession(self.servers, self.rng)
        process = Process(self.recorder)
        pending = False
        try:
            while not self.stopping():
                kind = session.connect(self.stopping)
                if kind is None:
                    break
                if kind == "new":
                    pending = False
                process.event("session", self.key, kind)
                try:
                    if pending:
                        # Real clients re-set their watches on reconnect, relative to the last
                        # zxid they saw: changes after it fire at once.
                        session.send(OP_SET_WATCHES,
                                     set_watches_body(session.last_zxid, [self.path]),
                                     xid=SET_WATCHES_XID)
                    while not self.stopping():
                        pending = self.read_once(session, process, pending)
                        self.pause(0.01, 0.03)
                except Disconnected:
                    if process.pending:
                        process.fail({"error": "ConnectionLoss"})
                    session.conn.close()
        finally:
            if process.pending:
                process.fail({"error": "stopped"})
            session.close()

    def read_once(self, session, process, pending):
        """One getData (setting a watch unless one is pending); returns whether a watch is
        pending afterwards. Events arriving before the reply are recorded first."""
        want_watch = not pending
        process.invoke("wread", self.key)
        xid = session.send(raw_zk.OP_GET_DATA, raw_zk.path_watch_body(self.path, want_watch))
        while True:
            rxid, _zxid, err, rest = session.next_frame()
            if rxid == raw_zk.NOTIFICATION_XID:
                etype, _state, path = raw_zk.parse_event(rest)
                if path == self.path:
                    process.event("watch", self.key, EVENT_NAMES.get(etype, str(etype)))
                    pending = False
                continue
            if rxid != xid:
                continue  # the SetWatches reply, or a ping's
            if err != 0:
                process.fail({"error": f"error {err}"})
                return pending
            _data, stat = raw_zk.parse_get_data(rest)
            process.ok({"version": stat[4], "watch": want_watch})
            return pending or want_watch


class Writer(Worker):
    """Changes the watched znode every ~50 ms."""

    def __init__(self, recorder, connect_string, seed, key):
        super().__init__(f"watch-writer-{seed}", seed)
        self.recorder = recorder
        self.connect_string = connect_string
        self.key = key

    def run(self):
        client = make_client(self.connect_string, self.rng)
        process = Process(self.recorder)
        n = 0
        try:
            while not self.stopping():
                n += 1
                value = f"{self.name}-{n}"
                process.invoke("write", self.key, {"value": value})
                stat, _ = attempt_write(process, lambda: client.set_async(
                    f"{ROOT}/{self.key}", value.encode(), -1).get(timeout=OPERATION_TIMEOUT))
                if stat is None:
                    self.back_off()
                    continue
                process.ok({"version": stat.version})
                self.pause(0.03, 0.08)
        finally:
            client.stop()
            client.close()


class WatchWorkload(Workload):
    name = "watch"

    def __init__(self, recorder, connect_string, seed, watchers=2, key="w0"):
        self.key = key
        servers = []
        for hostport in connect_string.split(","):
            host, port = hostport.rsplit(":", 1)
            servers.append((host, int(port)))
        self.workers = [Watcher(recorder, servers, seed * 100 + 80 + i, key)
                        for i in range(watchers)]
        self.workers.append(Writer(recorder, connect_string, seed * 100 + 90, key))

    def setup(self, client):
        client.create(f"{ROOT}/{self.key}", b"init", makepath=True)

    def initial_state(self):
        return {self.key: {"value": "init", "version": 0}}
