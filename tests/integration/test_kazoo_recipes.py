"""kazoo's recipes under several concurrent clients — Lock (mutual exclusion), Election (one
leader at a time, failover), Counter (exact totals) — and one client's slowness not holding
up the others."""
import threading
import time

import pytest
from kazoo.exceptions import (ConnectionClosedError, ConnectionLoss, LockTimeout,
                              SessionExpiredError)

import raw_zk
from harness import wait_for

CLIENTS = 4
ROUNDS = 10


def run_threads(targets, timeout=60):
    errors = []

    def guarded(fn):
        try:
            fn()
        except Exception as e:  # reported by the assertion below
            errors.append(repr(e))

    threads = [threading.Thread(target=guarded, args=(fn,), daemon=True) for fn in targets]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "worker threads hung"
    assert errors == []


def test_lock_mutual_exclusion(client):
    clients = [client() for _ in range(CLIENTS)]
    clients[0].create("/recipes/lock-count", b"0", makepath=True)
    holder = {"who": None, "overlaps": 0, "count": 0}
    guard = threading.Lock()

    def worker(i, zk):
        lock = zk.Lock("/recipes/lock", f"client-{i}")
        for _ in range(ROUNDS):
            with lock:
                with guard:
                    if holder["who"] is not None:
                        holder["overlaps"] += 1
                    holder["who"] = i
                # An unguarded read-modify-write in the server: overlapping holders would
                # lose increments (no version check on purpose).
                value = int(zk.get("/recipes/lock-count")[0])
                time.sleep(0.002)
                zk.set("/recipes/lock-count", str(value + 1).encode())
                with guard:
                    holder["who"] = None
                    holder["count"] += 1

    run_threads([lambda i=i, c=c: worker(i, c) for i, c in enumerate(clients)])
    assert holder["overlaps"] == 0
    assert holder["count"] == CLIENTS * ROUNDS
    assert int(clients[0].get("/recipes/lock-count")[0]) == CLIENTS * ROUNDS
    # Every contender cleaned up its lock node.
    assert clients[0].get_children("/recipes/lock") == []


def test_lock_is_released_when_the_holder_session_ends(client):
    holder, waiter = client(), client()
    lock = holder.Lock("/recipes/lock2", "holder")
    assert lock.acquire(timeout=10)
    with pytest.raises(LockTimeout):
        waiter.Lock("/recipes/lock2", "early").acquire(timeout=0.5)
    other = waiter.Lock("/recipes/lock2", "waiter")
    got = threading.Event()
    t = threading.Thread(target=lambda: other.acquire(timeout=20) and got.set(), daemon=True)
    t.start()
    holder.stop()  # the holder's ephemeral lock node goes with its session
    assert got.wait(20), "the waiter never got the lock"
    t.join(5)
    other.release()


def test_election_one_leader_and_failover(client):
    clients = [client() for _ in range(3)]
    leading = []
    guard = threading.Lock()
    stop = threading.Event()
    overlaps = []
    stepped_down = set()

    def run(i, zk):
        def lead():
            with guard:
                if leading:
                    overlaps.append((i, list(leading)))
                leading.append(i)
            # Lead until told to stop or until the test takes our session away.
            while not stop.is_set() and i not in stepped_down:
                time.sleep(0.01)
            with guard:
                if i in leading:
                    leading.remove(i)

        try:
            zk.Election("/recipes/election", f"c{i}").run(lead)
        except (ConnectionClosedError, ConnectionLoss, SessionExpiredError):
            pass  # this client was stopped by the test

    threads = [threading.Thread(target=run, args=(i, c), daemon=True)
               for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    wait_for(lambda: len(leading) == 1, what="a leader")
    time.sleep(0.3)  # nobody else may take over while the leader is alive
    assert len(leading) == 1
    contenders = clients[0].Election("/recipes/election").contenders()
    assert sorted(contenders) == ["c0", "c1", "c2"]
    first = leading[0]
    with guard:  # the leader stops leading, then its session ends: another takes over
        stepped_down.add(first)
        leading.remove(first)
    clients[first].stop()
    wait_for(lambda: len(leading) == 1 and leading[0] != first, timeout=15, what="failover")
    second = leading[0]
    assert sorted(clients[second].Election("/recipes/election").contenders()) == \
        sorted(f"c{i}" for i in range(3) if i != first)
    stop.set()
    for t in threads:
        t.join(10)
    assert overlaps == []


def test_counter_exact_total(client):
    clients = [client() for _ in range(CLIENTS)]

    def worker(zk):
        counter = zk.Counter("/recipes/counter")
        for _ in range(25):
            counter += 1

    run_threads([lambda c=c: worker(c) for c in clients])
    counter = clients[0].Counter("/recipes/counter")
    assert counter.value == CLIENTS * 25
    counter -= 5
    assert counter.value == CLIENTS * 25 - 5


def test_a_busy_client_does_not_block_others(zk, client):
    busy = client()
    zk.create("/busy-test")
    # The busy client pipelines many requests; the other one still gets quick answers.
    results = [busy.get_async("/busy-test") for _ in range(2000)]
    start = time.monotonic()
    for _ in range(20):
        zk.exists("/busy-test")
    assert time.monotonic() - start < 5
    for r in results:
        r.get(timeout=30)


def test_a_client_that_does_not_read_does_not_block_others(server, zk):
    """A client that pipelines reads of a large node and never reads its socket fills its
    buffers; the server must keep serving everybody else meanwhile."""
    REQUESTS = 400
    zk.create("/slow-reader", b"s" * 100_000)
    conn = raw_zk.Conn(server.host, server.port)
    try:
        assert conn.handshake(timeout_ms=10000) is not None
        conn.sock.settimeout(10)
        request = b"".join(raw_zk.request(xid, raw_zk.OP_GET_DATA,
                                          raw_zk.path_watch_body("/slow-reader"))
                           for xid in range(1, REQUESTS + 1))
        conn.sock.sendall(request)  # 40 MB of answers: more than socket buffers hold
        time.sleep(0.3)
        start = time.monotonic()
        for i in range(50):
            zk.set("/slow-reader-other", b"%d" % i) if i else zk.create("/slow-reader-other")
            assert zk.get("/slow-reader-other")[0] == (b"%d" % i if i else b"")
        assert time.monotonic() - start < 5, "other clients were held up by a slow reader"
        # The slow reader eventually gets every answer, in order.
        for xid in range(1, REQUESTS + 1):
            body = conn.read_frame()
            assert body is not None, f"connection closed after {xid - 1} replies"
            rxid, _, err, rest = raw_zk.parse_frame(body)
            assert (rxid, err) == (xid, 0)
            assert len(raw_zk.parse_get_data(rest)[0]) == 100_000
    finally:
        conn.close()
