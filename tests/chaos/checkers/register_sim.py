"""A simulated, truly linearizable versioned register, to test the linearizability
checker on histories of realistic size: N processes issue reads, writes and cas with
random delays; each op takes effect at one instant between its invoke and its completion,
or, when indeterminate, at any later instant or never.
"""

import heapq
import random


def simulate_register(seed, processes=10, ops_per_process=2000, info_rate=0.05, key="r",
                      value_pool=None):
    """Returns (events, initial). Event-driven: a heap of timed actions, so the value a
    cas expects is what its process last saw, as a real client's would be. Written data
    is unique unless value_pool (a list) is given, to draw repeated data from."""
    rng = random.Random(seed)
    register = {"value": None, "version": 0}
    initial = {key: dict(register)}
    recorded = []
    heap = []
    sequence = 0

    def schedule(at, action, process, op):
        nonlocal sequence
        sequence += 1
        heapq.heappush(heap, (at, sequence, action, process, op))

    last_seen = [0] * processes
    issued = [0] * processes
    for process in range(processes):
        schedule(rng.uniform(0, 1), "invoke", process, None)

    while heap:
        now, _, action, process, op = heapq.heappop(heap)
        if action == "invoke":
            if issued[process] == ops_per_process:
                continue
            issued[process] += 1
            op = _new_op(rng, process, issued[process], last_seen[process], info_rate)
            if value_pool is not None and op["input"] is not None:
                op["input"]["value"] = rng.choice(value_pool)
            recorded.append({"time": now, "process": process, "type": "invoke", "f": op["f"],
                             "key": key, "value": op["input"]})
            if op["info"]:
                if rng.random() < 0.5:  # takes effect, possibly long after the timeout
                    schedule(now + rng.uniform(0, 10), "apply", process, op)
                schedule(now + 5, "complete", process, op)
            else:
                effect = now + rng.uniform(0, 2)
                schedule(effect, "apply", process, op)
                schedule(effect + rng.uniform(0, 2), "complete", process, op)
        elif action == "apply":
            op["result"] = _apply(register, op)
        else:
            if op["info"]:
                recorded.append({"time": now, "process": process, "type": "info",
                                 "f": op["f"], "key": key, "value": {"error": "timeout"}})
            else:
                kind, value = op["result"]
                if kind == "ok":
                    last_seen[process] = max(last_seen[process], value["version"])
                recorded.append({"time": now, "process": process, "type": kind, "f": op["f"],
                                 "key": key, "value": value})
            schedule(now + rng.uniform(0, 0.5), "invoke", process, None)

    recorded.sort(key=lambda e: e["time"])
    for index, event in enumerate(recorded):
        event["index"] = index
    return recorded, initial


def _new_op(rng, process, count, last_seen, info_rate):
    roll = rng.random()
    info = rng.random() < info_rate
    value = f"p{process}-{count}"
    if roll < 0.5:
        return {"f": "read", "input": None, "info": info}
    if roll < 0.8:
        return {"f": "write", "input": {"value": value}, "info": info}
    expected = last_seen if rng.random() < 0.7 else last_seen + 1
    return {"f": "cas", "input": {"value": value, "expected_version": expected}, "info": info}


def _apply(register, op):
    if op["f"] == "read":
        return "ok", dict(register)
    if op["f"] == "cas" and register["version"] != op["input"]["expected_version"]:
        return "fail", {"error": "badversion"}
    register["value"] = op["input"]["value"]
    register["version"] += 1
    return "ok", {"version": register["version"]}
