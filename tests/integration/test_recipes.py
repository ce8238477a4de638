"""kazoo's recipes under several concurrent clients: Lock (mutual exclusion), Election
(one leader at a time, failover), Counter (exact totals)."""
import threading
import time

from harness import wait_for

CLIENTS = 4


def test_lock_mutual_exclusion(client):
    clients = [client() for _ in range(CLIENTS)]
    holder = {"who": None, "overlaps": 0, "count": 0}
    guard = threading.Lock()
    errors = []

    def worker(i, zk):
        try:
            lock = zk.Lock("/recipes/lock", f"client-{i}")
            for _ in range(10):
                with lock:
                    with guard:
                        if holder["who"] is not None:
                            holder["overlaps"] += 1
                        holder["who"] = i
                    time.sleep(0.002)
                    with guard:
                        holder["who"] = None
                        holder["count"] += 1
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "lock workers hung"
    assert errors == []
    assert holder["overlaps"] == 0
    assert holder["count"] == CLIENTS * 10


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

        zk.Election("/recipes/election", f"c{i}").run(lead)

    threads = [threading.Thread(target=run, args=(i, c), daemon=True)
               for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    wait_for(lambda: len(leading) == 1, what="a leader")
    first = leading[0]
    with guard:  # the leader stops leading, then its session ends: another takes over
        stepped_down.add(first)
        leading.remove(first)
    clients[first].stop()
    wait_for(lambda: len(leading) == 1 and leading[0] != first, timeout=15, what="failover")
    stop.set()
    assert overlaps == []


def test_counter_exact_total(client):
    clients = [client() for _ in range(CLIENTS)]

    def worker(zk):
        counter = zk.Counter("/recipes/counter")
        for _ in range(25):
            counter += 1

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert clients[0].Counter("/recipes/counter").value == CLIENTS * 25


def test_a_slow_client_does_not_block_others(zk, client):
    slow = client()
    zk.create("/slow-test")
    # The slow client pipelines many requests; the other one still gets quick answers.
    results = [slow.get_async("/slow-test") for _ in range(2000)]
    start = time.monotonic()
    for _ in range(20):
        zk.exists("/slow-test")
    assert time.monotonic() - start < 5
    for r in results:
        r.get(timeout=30)
