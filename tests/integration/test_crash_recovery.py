"""SIGKILL at random moments under concurrent writes: nothing acknowledged is ever lost.

One server with its own data directory (forceSync=yes, snapCount=300, so fsyncs are batched
by group commit and snapshots and log rolls happen between crashes) goes through ROUNDS
rounds. In each round 4 writer threads, each with its own kazoo session and several requests
in flight, write continuously:
  - creates of znodes with known data, some of them sequential under the shared /crash/seq;
  - setData with the expected version on keys the writer owns;
  - multi transactions (3 creates + a versioned setData) that must be all-or-nothing.
After a random 0.2-1.5 s the server is SIGKILLed; every request whose answer had not arrived
is indeterminate. The server is started again on the same data directory and a fresh client
checks EVERY operation of ALL rounds so far:
  - every acknowledged create exists with its data (the test never deletes);
  - every key holds its last acknowledged (version, data) or the one then in flight;
  - every multi is all-or-nothing and agrees with the version of the key it set;
  - sequential names: every acknowledged name exists with its data, no name was handed to
    two creates, and names handed out after the restart are above every earlier one;
  - an indeterminate write, once seen applied (or not) after a restart, stays so for good;
  - no znode exists under /crash that no client tried to create.

Rounds: 20, or 100 with PADDOCK_LONG_TESTS=1 (tools/test --long). The seed of the random
kill timing and workload is printed in every failure; PADDOCK_CRASH_SEED=<seed> replays the
same choices (thread and kill timing can still differ)."""
import collections
import os
import random
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

import pytest
from kazoo.client import KazooClient
from kazoo.exceptions import (ConnectionClosedError, ConnectionLoss, KazooException,
                              OperationTimeoutError, SessionExpiredError)
from kazoo.handlers.threading import KazooTimeoutError
from kazoo.protocol.states import ZnodeStat

import harness
import raw_zk

LONG = os.environ.get("PADDOCK_LONG_TESTS") == "1"
ROUNDS = 100 if LONG else 20
SEED = int(os.environ.get("PADDOCK_CRASH_SEED") or random.SystemRandom().randrange(2 ** 31))

CONFIG = {"forceSync": "yes", "snapCount": "300"}
WRITERS = 4
IN_FLIGHT_PER_WRITER = 4     # 4 writers x 4 = up to 16 requests waiting for one fsync
KEYS_PER_WRITER = 4
KILL_AFTER = (0.2, 1.5)      # seconds of writing before the SIGKILL
WRITER_SESSION_TIMEOUT = 4.0
JOIN_TIMEOUT = 15.0          # a writer thread that is not done by then is a hang: fail
READ_WINDOW = 500            # reads in flight while the checker reads the tree
NO_NODE = -101

# Seconds per round: writing (<= 1.5 s), the restart (recovery of a tree that grows by ~1000
# znodes a round) and reading everything back. Generous, as the limit only has to catch a
# hang, but below ctest's 300 s for the default run, so that a hang still ends in a pytest
# failure that stops the server.
PER_ROUND_LIMIT = 14 if LONG else 10
TIME_LIMIT = 60 + ROUNDS * PER_ROUND_LIMIT

ROOT = "/crash"
SEQ_DIR = ROOT + "/seq"
SEQ_PREFIX = SEQ_DIR + "/n-"

# The only errors a request may end with once the server is gone; any other error (say
# BadVersion or NodeExists) is an answer from the server, and a wrong one.
CONNECTION_ERRORS = (ConnectionLoss, ConnectionClosedError, SessionExpiredError,
                     OperationTimeoutError, KazooTimeoutError)

# What is known about a write's outcome.
IN_FLIGHT = "in flight"        # no answer received: indeterminate until the next restart
ACKED = "acknowledged"         # success received: must be there forever
SEEN_APPLIED = "indeterminate, seen applied"   # must stay applied in every later round
SEEN_ABSENT = "indeterminate, seen absent"     # must never appear later


# ---------------------------------------------------------------------------------------
# What the writers did: the model the checker compares the server's tree with.

@dataclass
class Create:
    """A create of a known path, or a sequential create under SEQ_DIR (path is then the
    prefix and `name` the path the server gave it, once known)."""
    path: str
    data: bytes
    round: int
    sequential: bool = False
    state: str = IN_FLIGHT
    name: Optional[str] = None


@dataclass
class Key:
    """A znode one writer updates with setData(version=...). `version`/`data` are the last
    acknowledged (or, after a restart, observed) values; `pending` the value of the one
    update in flight, if any."""
    path: str
    version: int = 0
    data: bytes = b""
    pending: Optional[bytes] = None
    pending_round: int = 0


@dataclass
class Multi:
    """create 3 znodes + setData(key, version) in one transaction."""
    creates: list
    key: Key
    key_data: bytes
    key_version: int           # the key's version if the multi is applied
    round: int
    state: str = IN_FLIGHT


@dataclass
class Model:
    structure: list = field(default_factory=list)     # paths created before round 1
    creates: list = field(default_factory=list)       # Create, plain and sequential
    keys: list = field(default_factory=list)          # Key
    multis: list = field(default_factory=list)        # Multi
    errors: list = field(default_factory=list)        # wrong answers seen by writers
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind, item):
        with self.lock:
            getattr(self, kind).append(item)


def writer_dir(w):
    return f"{ROOT}/w{w}"


# ---------------------------------------------------------------------------------------
# Writers.

class Writer(threading.Thread):
    """One kazoo session that keeps IN_FLIGHT_PER_WRITER requests in flight until `stop`
    is set or its connection fails. Every write is put in the model before it is sent, so
    the checker knows about it whether or not its answer ever arrives."""

    def __init__(self, w, hosts, model, round_no, rng, ready, stop):
        super().__init__(name=f"crash-writer-{w}", daemon=True)
        self.w, self.hosts, self.model, self.round = w, hosts, model, round_no
        self.rng, self.ready, self.stop = rng, ready, stop
        self.keys = [k for k in model.keys if k.path.startswith(writer_dir(w) + "/k/")]
        self.multi_key = next(k for k in model.keys if k.path == writer_dir(w) + "/mkey")
        self.counter = 0
        self.sent = 0
        self.crash = None      # an exception of the thread itself (a test bug), re-raised

    def run(self):
        # A short reconnect back-off: stop() must not wait behind a long sleep.
        zk = KazooClient(hosts=self.hosts, timeout=WRITER_SESSION_TIMEOUT,
                         connection_retry=dict(max_tries=-1, delay=0.05, max_delay=0.5))
        pending = collections.deque()      # (what, on_success, async result), oldest first
        try:
            zk.start(timeout=10)
            self.ready.release()
            self.write_until_stopped(zk, pending)
        except CONNECTION_ERRORS:
            pass               # the kill: whatever is still pending stays indeterminate
        except BaseException as e:  # noqa: B902 - re-raised by the main thread
            self.crash = e
        finally:
            try:
                zk.stop()
                zk.close()
            except Exception:
                pass
            # An answer that did arrive is an acknowledgement, even if nobody waited for it.
            for _, on_success, result in pending:
                if result.ready() and result.successful():
                    on_success(result.get(block=False))

    def write_until_stopped(self, zk, pending):
        while not self.stop.is_set():
            if len(pending) < IN_FLIGHT_PER_WRITER:
                pending.append(self.send_one(zk))
                self.sent += 1
                continue
            # Answers come in order: wait for the oldest one.
            what, on_success, result = pending.popleft()
            try:
                value = result.get(timeout=10)
            except CONNECTION_ERRORS:
                raise
            except KazooException as e:
                self.model.add("errors", f"round {self.round}, writer {self.w}: {what} "
                                         f"answered {type(e).__name__}")
                return
            on_success(value)

    def send_one(self, zk):
        roll = self.rng.random()
        free_keys = [k for k in self.keys if k.pending is None]
        if roll < 0.30:
            return self.send_create(zk)
        if roll < 0.50:
            return self.send_sequential(zk)
        if roll < 0.85 and free_keys:
            return self.send_set(zk, self.rng.choice(free_keys))
        if self.multi_key.pending is None:
            return self.send_multi(zk)
        return self.send_create(zk)

    def next_data(self, kind):
        """Data no other write of the test uses, so it identifies the write that stored it."""
        self.counter += 1
        tag = f"{kind}:w{self.w}:r{self.round}:{self.counter}:".encode()
        # Varied lengths exercise the framing of log records.
        return tag + bytes(self.rng.randrange(32, 127) for _ in range(self.rng.randrange(200)))

    def send_create(self, zk):
        data = self.next_data("create")
        op = Create(f"{writer_dir(self.w)}/c/r{self.round}-{self.counter}", data, self.round)
        self.model.add("creates", op)

        def on_success(_path):
            op.state = ACKED
        return f"create {op.path}", on_success, zk.create_async(op.path, op.data)

    def send_sequential(self, zk):
        op = Create(SEQ_PREFIX, self.next_data("seq"), self.round, sequential=True)
        self.model.add("creates", op)

        def on_success(name):
            op.name, op.state = name, ACKED
        return (f"sequential create {op.data[:20]!r}", on_success,
                zk.create_async(op.path, op.data, sequence=True))

    def send_set(self, zk, key):
        data = self.next_data("set")
        expected = key.version
        key.pending, key.pending_round = data, self.round

        def on_success(stat):
            if stat.version != expected + 1:
                self.model.add("errors", f"round {self.round}: setData {key.path} version "
                                         f"{expected} answered version {stat.version}")
            key.version, key.data, key.pending = stat.version, data, None
        return (f"setData {key.path} version {expected}", on_success,
                zk.set_async(key.path, data, version=expected))

    def send_multi(self, zk):
        key = self.multi_key
        creates = []
        for part in "abc":
            data = self.next_data("multi")
            creates.append(Create(f"{writer_dir(self.w)}/m/r{self.round}-{self.counter}{part}",
                                  data, self.round))
        key_data = self.next_data("mkey")
        multi = Multi(creates, key, key_data, key.version + 1, self.round)
        self.model.add("multis", multi)
        key.pending, key.pending_round = key_data, self.round
        tx = zk.transaction()
        for c in creates:
            tx.create(c.path, c.data)
        tx.set_data(key.path, key_data, version=key.version)
        what = f"multi {creates[0].path}.."

        def on_success(results):
            # kazoo does not raise for a failed multi: the results hold the exceptions.
            failed = [r for r in results if isinstance(r, Exception)]
            if failed:
                self.model.add("errors", f"round {self.round}: {what} failed: {failed}")
                return
            multi.state = ACKED
            for c in creates:
                c.state = ACKED
            key.version, key.data, key.pending = results[-1].version, key_data, None
        return what, on_success, tx.commit_async()


def write_until_killed(srv, model, round_no, rng):
    """Runs the writers, SIGKILLs the server after a random delay, and returns once every
    writer has stopped and closed its client (so nothing of this round can reach the
    restarted server). Returns (requests sent, seconds written)."""
    ready = threading.Semaphore(0)
    stop = threading.Event()
    writers = [Writer(w, srv.hosts, model, round_no, random.Random(rng.random()), ready, stop)
               for w in range(WRITERS)]
    for t in writers:
        t.start()
    delay = rng.uniform(*KILL_AFTER)
    try:
        for _ in writers:
            assert ready.acquire(timeout=15), f"round {round_no}: a writer could not connect"
        time.sleep(delay)
    finally:
        srv.kill()
        stop.set()
        deadline = time.monotonic() + JOIN_TIMEOUT
        for t in writers:
            t.join(max(0.0, deadline - time.monotonic()))
    hung = [t.name for t in writers if t.is_alive()]
    assert not hung, f"round {round_no} (seed {SEED}): writer threads hung: {hung}"
    for t in writers:
        if t.crash:
            raise t.crash
    return sum(t.sent for t in writers), delay


# ---------------------------------------------------------------------------------------
# Reading the server's tree.

def read_tree(srv):
    """{path: (data, ZnodeStat)} for ROOT and everything below it, level by level. Raw
    pipelined reads (READ_WINDOW requests per round trip) rather than kazoo's: the tree
    reaches tens of thousands of znodes and is read in full after every round."""
    conn = raw_zk.Conn(srv.host, srv.port, timeout=10)
    try:
        assert conn.handshake() is not None, "the server closed a new connection"
        tree = {}
        level = [ROOT]
        while level:
            parents = []
            for path, (err, body) in zip(level, pipelined(conn, raw_zk.OP_GET_DATA, level)):
                if err == NO_NODE:
                    continue
                assert err == 0, f"getData {path} answered error {err}"
                data, stat = raw_zk.parse_get_data(body)
                tree[path] = (data or b"", ZnodeStat(*stat))
                if tree[path][1].numChildren:
                    parents.append(path)
            level = []
            for path, (err, body) in zip(parents,
                                         pipelined(conn, raw_zk.OP_GET_CHILDREN, parents)):
                assert err == 0, f"getChildren {path} answered error {err}"
                level += [f"{path}/{child}" for child in parse_children(body)]
        conn.send(raw_zk.request(0, raw_zk.OP_CLOSE))
        return tree
    finally:
        conn.close()


def pipelined(conn, opcode, paths):
    """[(err, reply body)] of one request per path, READ_WINDOW in flight at a time."""
    replies = []
    for start in range(0, len(paths), READ_WINDOW):
        window = paths[start:start + READ_WINDOW]
        conn.send(b"".join(raw_zk.request(start + i + 1, opcode, raw_zk.path_watch_body(p))
                           for i, p in enumerate(window)))
        for frame in read_frames(conn, len(window)):
            xid, _zxid, err, body = raw_zk.parse_frame(frame)
            assert xid == len(replies) + 1, f"reply {xid} out of order"
            replies.append((err, body))
    return replies


def read_frames(conn, count):
    """The next `count` reply frames, pings and notifications skipped. (Conn.read_frame
    copies its whole buffer for every frame: too slow for thousands of frames.)"""
    buf, offset, frames = bytearray(conn.buf), 0, []
    conn.buf = b""
    while len(frames) < count:
        if len(buf) - offset >= 4:
            (n,) = struct.unpack_from(">i", buf, offset)
            if len(buf) - offset >= 4 + n:
                frame = bytes(buf[offset + 4:offset + 4 + n])
                offset += 4 + n
                if struct.unpack_from(">i", frame)[0] > 0:     # not a ping or an event
                    frames.append(frame)
                continue
        data = conn.sock.recv(1 << 20)
        assert data, "the server closed the connection while being read"
        del buf[:offset]
        offset = 0
        buf += data
    conn.buf = bytes(buf[offset:])
    return frames


def parse_children(body):
    (count,) = struct.unpack(">i", body[:4])
    names, offset = [], 4
    for _ in range(count):
        name, offset = raw_zk.unpack_buffer(body, offset)
        names.append(name.decode())
    return names


def seq_number(name):
    return int(name[-10:])


# ---------------------------------------------------------------------------------------
# Checking the tree against the model.

def check_tree(model, tree):
    """Every problem found, as one line each (empty: the server kept everything)."""
    # Lost writes first: they are what a failure is most likely about.
    problems = list(model.errors)
    problems += check_plain_creates(model, tree)
    problems += check_sequential(model, tree)
    problems += check_keys(model, tree)
    problems += check_multis(model, tree)
    problems += check_structure(model, tree)
    problems += check_nothing_unexpected(model, tree)
    return problems


def check_structure(model, tree):
    return [f"{p}, created before round 1, is lost" for p in model.structure if p not in tree]


def check_outcome(op, present, data_ok, what):
    """One write against its known outcome; `present`: the path exists, `data_ok`: with the
    data written."""
    if op.state in (ACKED, SEEN_APPLIED):
        if not present:
            return [f"{what} (round {op.round}, {op.state}) is lost"]
        if not data_ok:
            return [f"{what} (round {op.round}, {op.state}) has the wrong data"]
    elif op.state == SEEN_ABSENT and present:
        return [f"{what} (round {op.round}) was absent after an earlier restart, "
                f"and is now present"]
    elif op.state == IN_FLIGHT and present and not data_ok:
        return [f"{what} (round {op.round}, indeterminate) has the wrong data"]
    return []


def check_plain_creates(model, tree):
    problems = []
    for op in model.creates:
        if op.sequential:
            continue
        got = tree.get(op.path)
        problems += check_outcome(op, got is not None, got is not None and got[0] == op.data,
                                  f"create {op.path}")
    return problems


def sequential_children(tree):
    """{data: [names]} of the children of SEQ_DIR."""
    by_data = collections.defaultdict(list)
    for path, (data, _) in tree.items():
        if path.startswith(SEQ_PREFIX):
            by_data[data].append(path)
    return by_data


def check_sequential(model, tree):
    problems = []
    by_data = sequential_children(tree)
    acked_names = {}
    for op in (c for c in model.creates if c.sequential):
        names = by_data.get(op.data, [])
        if len(names) > 1:
            problems.append(f"sequential create (round {op.round}) applied {len(names)} "
                            f"times: {names}")
        if op.name is not None:
            if op.name in acked_names:
                problems.append(f"sequential name {op.name} handed to two creates "
                                f"(rounds {acked_names[op.name].round} and {op.round})")
            acked_names[op.name] = op
            got = tree.get(op.name)
            problems += check_outcome(op, got is not None, got is not None and got[0] == op.data,
                                      f"sequential create {op.name}")
        else:
            problems += check_outcome(op, bool(names), True,
                                      f"sequential create with data {op.data[:24]!r}")
    return problems


def check_keys(model, tree):
    problems = []
    for key in model.keys:
        got = tree.get(key.path)
        if got is None:
            problems.append(f"key {key.path} is lost")
            continue
        data, stat = got
        if (stat.version, data) == (key.version, key.data):
            continue
        if key.pending is not None and (stat.version, data) == (key.version + 1, key.pending):
            continue
        expected = f"version {key.version}"
        if key.pending is not None:
            expected += f" or {key.version + 1} (in flight in round {key.pending_round})"
        problems.append(f"key {key.path} is at version {stat.version} with "
                        f"{'its' if data == key.data else 'other'} data, expected {expected}")
    return problems


def check_multis(model, tree):
    problems = []
    for m in model.multis:
        present = [c.path in tree for c in m.creates]
        first = m.creates[0].path
        if any(present) and not all(present):
            problems.append(f"multi {first}.. (round {m.round}) is half applied: "
                            f"{sum(present)} of its 3 creates are present")
        applied = all(present)
        data_ok = applied and all(tree[c.path][0] == c.data for c in m.creates)
        problems += check_outcome(m, applied, data_ok, f"multi {first}..")
        key = tree.get(m.key.path)
        if key is None:
            continue
        key_data, key_stat = key
        if applied and key_stat.version < m.key_version:
            problems.append(f"multi {first}.. (round {m.round}) created its nodes but its "
                            f"setData of {m.key.path} to version {m.key_version} is lost")
        if key_data == m.key_data and not applied:
            problems.append(f"multi {first}.. (round {m.round}) set {m.key.path} but its "
                            f"creates are missing")
    return problems


def check_nothing_unexpected(model, tree):
    allowed = set(model.structure) | {k.path for k in model.keys}
    allowed |= {c.path for c in model.creates if not c.sequential}
    allowed |= {c.path for m in model.multis for c in m.creates}
    attempted_seq_data = {c.data for c in model.creates if c.sequential}
    return [f"{path} exists but no client created it"
            for path, (data, _) in sorted(tree.items())
            if path not in allowed
            and not (path.startswith(SEQ_PREFIX) and data in attempted_seq_data)]


# ---------------------------------------------------------------------------------------
# After a successful check: fix what the restart decided.

def record_outcomes(model, tree):
    """Indeterminate writes become SEEN_APPLIED or SEEN_ABSENT; keys take the observed
    value as their new base. Called only when check_tree found nothing."""
    by_data = sequential_children(tree)
    for op in model.creates:
        if op.state != IN_FLIGHT:
            continue
        if op.sequential:
            names = by_data.get(op.data)
            op.name = names[0] if names else None
            op.state = SEEN_APPLIED if names else SEEN_ABSENT
        else:
            op.state = SEEN_APPLIED if op.path in tree else SEEN_ABSENT
    for m in model.multis:
        if m.state == IN_FLIGHT:
            m.state = SEEN_APPLIED if m.creates[0].path in tree else SEEN_ABSENT
            for c in m.creates:
                c.state = m.state
    for key in model.keys:
        data, stat = tree[key.path]
        key.version, key.data, key.pending = stat.version, data, None


def check_sequence_continues(zk, model, tree, round_no):
    """A sequential create after the restart gets a number above every name present (so
    above every acknowledged one): the counter was not rolled back."""
    op = Create(SEQ_PREFIX, f"probe after round {round_no}".encode(), round_no, sequential=True)
    model.add("creates", op)
    op.name = zk.create(op.path, op.data, sequence=True)
    op.state = ACKED
    highest = max((seq_number(p) for p in tree if p.startswith(SEQ_PREFIX)), default=-1)
    if seq_number(op.name) <= highest:
        return [f"after the restart the sequential create got {op.name}, not above the "
                f"highest existing number {highest}: sequence numbers are reused"]
    return []


# ---------------------------------------------------------------------------------------

def create_structure(srv, model):
    paths = [ROOT, SEQ_DIR]
    for w in range(WRITERS):
        paths += [writer_dir(w), writer_dir(w) + "/c", writer_dir(w) + "/k",
                  writer_dir(w) + "/m"]
    with harness.kazoo_client(srv) as zk:
        for p in paths:
            zk.create(p)
        model.structure += paths
        for w in range(WRITERS):
            for path in [f"{writer_dir(w)}/k/{j}" for j in range(KEYS_PER_WRITER)] + \
                        [writer_dir(w) + "/mkey"]:
                data = f"initial {path}".encode()
                zk.create(path, data)
                model.keys.append(Key(path, 0, data))


def restart(srv, round_no):
    try:
        srv.start()
    except RuntimeError as e:
        pytest.fail(f"round {round_no} (seed {SEED}): the server did not come back after "
                    f"SIGKILL: {e}", pytrace=False)


def verify_round(srv, model, round_no):
    tree = read_tree(srv)
    problems = check_tree(model, tree)
    if not problems:
        with harness.kazoo_client(srv) as zk:
            problems = check_sequence_continues(zk, model, tree, round_no)
    if problems:
        acked = sum(c.state == ACKED for c in model.creates) + \
            sum(m.state == ACKED for m in model.multis)
        lost = sum(" is lost" in p for p in problems)
        shown = "\n  ".join(problems[:25])
        more = f"\n  ... and {len(problems) - 25} more" if len(problems) > 25 else ""
        pytest.fail(f"after the SIGKILL of round {round_no}/{ROUNDS} (seed {SEED}; rerun with "
                    f"PADDOCK_CRASH_SEED={SEED}): {len(problems)} problems, {lost} of them "
                    f"lost writes; {acked} creates/multis were acknowledged so far, the tree "
                    f"under {ROOT} has {len(tree)} znodes:\n  {shown}{more}\n"
                    f"server log tail:\n{srv.log_tail(15)}", pytrace=False)
    record_outcomes(model, tree)
    return len(tree)


@pytest.mark.time_limit(TIME_LIMIT)
def test_nothing_acknowledged_is_lost_across_sigkills(server_with):
    rng = random.Random(SEED)
    srv = server_with(CONFIG)
    model = Model()
    create_structure(srv, model)
    for round_no in range(1, ROUNDS + 1):
        started = time.monotonic()
        sent, delay = write_until_killed(srv, model, round_no, rng)
        restart(srv, round_no)
        size = verify_round(srv, model, round_no)
        # Shown with a failure: what the rounds before it did.
        print(f"round {round_no}: {sent} requests, SIGKILL after {delay:.2f} s, "
              f"{size} znodes checked, {time.monotonic() - started:.1f} s")
    print(f"seed {SEED}: {ROUNDS} rounds passed")
