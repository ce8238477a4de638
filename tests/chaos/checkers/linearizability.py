"""Linearizability of a versioned register per key (setData/getData with Stat.version).

Operations: read (ok {value, version}), write (invoke {value}, ok {version}), cas (invoke
{value, expected_version}, ok {version}; fail {error: badversion} is a definite
observation). Failed and indeterminate reads are dropped: they had no effect. Other failed
writes did not happen. Indeterminate writes may happen at any time after their invoke.

Keys are independent registers, so each key is checked alone (P-compositionality). On a
failure the report carries the smallest window that shows it (see find_window).
"""

import math
import time

from . import history, register_model as rm, wgl

OWNED = ("read", "write", "cas")
DEFAULT_TIMEOUT = 30.0
DEFAULT_WINDOW_TIMEOUT = 10.0


def _register_input(op):
    """(definite, input) for a history operation, None when it is dropped, or the
    string "malformed" when its fields do not fit the register workload."""
    try:
        if op.f == "read":
            if op.type != history.OK:
                return None
            out = op.output
            return True, (rm.READ, rm.value_key(out["value"]), int(out["version"]))
        value = rm.value_key(op.input["value"])
        if op.f == "write":
            if op.type == history.OK:
                return True, (rm.WRITE, value, int(op.output["version"]))
            if op.type == history.INFO:
                return False, (rm.WRITE_INFO, value)
            return None
        expected = int(op.input["expected_version"])
        if op.type == history.OK:
            return True, (rm.CAS, value, expected, int(op.output["version"]))
        if op.type == history.INFO:
            return False, (rm.CAS_INFO, value, expected)
        if isinstance(op.output, dict) and op.output.get("error") == "badversion":
            return True, (rm.BADVERSION, expected)
        return None
    except (KeyError, TypeError, ValueError):
        return "malformed"


class _key_history:
    """One key's register operations: each (history op, definite, input)."""

    def __init__(self, key, entries, initial):
        self.key = key
        self.entries = entries
        self.initial = initial

    def run(self, chosen, initial, cut, deadline):
        """Search the ops in `chosen` (indices into entries). Ops completing after `cut`
        count as indeterminate: a prefix knows nothing of their results."""
        built = []
        for index in chosen:
            op, definite, inp = self.entries[index]
            if definite and op.ret > cut:
                inp = _as_indeterminate(inp)
                if inp is None:
                    continue
                definite = False
            built.append((op, definite, inp))
        built.sort(key=lambda e: e[0].call)
        model = rm.register_model(initial, [inp for _, definite, inp in built if definite])
        model.note_writers([inp for _, _, inp in built])
        ops = [wgl.search_op(i, op.call, op.ret if definite else None, inp,
                             None if definite else model.info_class(inp))
               for i, (op, definite, inp) in enumerate(built)]
        result = wgl.search(ops, model, deadline)
        stuck = built[result.stuck][0] if result.stuck is not None else None
        return result, stuck, [op for op, _, _ in built]


def _as_indeterminate(inp):
    kind = inp[0]
    if kind == rm.WRITE:
        return (rm.WRITE_INFO, inp[1])
    if kind == rm.CAS:
        return (rm.CAS_INFO, inp[1], inp[2])
    return None  # a read or a refused cas changes nothing


def find_window(keyed, stuck, deadline):
    """The smallest window showing the failure. The failing prefix ends at the return of
    `stuck` (the furthest return any linearization reached, so the shortest
    non-linearizable prefix). Its start moves back from that return, one completion at a
    time, until the ops overlapping [start, end] fail on their own from an unknown
    initial state. Returns (ops, note): note is None for such a window; otherwise ops
    is the whole prefix and note says why (the failure needs the known initial state,
    or the budget ran out)."""
    end = stuck.ret
    prefix = [i for i, (op, _, _) in enumerate(keyed.entries) if op.call <= end]
    starts = sorted({keyed.entries[i][0].ret for i in prefix
                     if keyed.entries[i][0].ret <= end}, reverse=True)
    for start in starts:
        chosen = [i for i in prefix if keyed.entries[i][0].ret >= start]
        result, _, ops = keyed.run(chosen, None, end, deadline)
        if result.valid is None:
            return _whole(keyed, prefix), "window search ran out of budget: whole prefix"
        if result.valid is False:
            # Indeterminate ops called before the window's start overlap it only through
            # their infinite return; leave them out when the window fails without them.
            trimmed = [i for i in chosen
                       if keyed.entries[i][0].ret != math.inf or keyed.entries[i][0].call >= start]
            if len(trimmed) < len(chosen):
                again, _, fewer = keyed.run(trimmed, None, end, deadline)
                if again.valid is False:
                    ops = fewer
            return ops, None
    return _whole(keyed, prefix), "fails only from the given initial state: whole prefix"


def _whole(keyed, chosen):
    return [keyed.entries[i][0] for i in chosen]


def _describe_op(op):
    return {"process": op.process, "f": op.f, "key": op.key, "invoke_index": op.call,
            "complete_index": op.complete["index"] if op.complete else None,
            "input": op.input, "output": op.output}


def check_key(keyed, deadline, window_deadline):
    chosen = range(len(keyed.entries))
    result, stuck, _ = keyed.run(chosen, keyed.initial, math.inf, deadline)
    out = {"key": keyed.key, "valid": result.valid, "configurations": result.configurations}
    if result.valid is not False:
        return out
    states = [rm.describe_state(s) for s in result.states_before]
    out["op"] = _describe_op(stuck)
    out["reachable_states"] = states
    out["explanation"] = (
        f"key {keyed.key!r}: {stuck.f} by process {stuck.process} "
        f"(invoke #{stuck.call}, {stuck.type} #{stuck.complete['index']}) with input "
        f"{stuck.input!r} and result {stuck.output!r} cannot be linearized: the states "
        f"reachable just before its return are {states}")
    ops, note = find_window(keyed, stuck, window_deadline)
    if note:
        out["window_note"] = note
    out["window"] = sorted((e for op in ops for e in op.events() if e["index"] <= stuck.ret),
                           key=lambda e: e["index"])
    return out


def check(events, initial=None, timeout=DEFAULT_TIMEOUT, window_timeout=DEFAULT_WINDOW_TIMEOUT):
    operations, _, _ = history.pair_operations(events)
    initial = initial or {}
    by_key = {}
    counts = {"ops": 0, "definite": 0, "indeterminate": 0, "dropped": 0, "malformed": 0}
    for op in operations:
        if op.f not in OWNED:
            continue
        counts["ops"] += 1
        converted = _register_input(op)
        if converted is None:
            counts["dropped"] += 1
        elif converted == "malformed":
            counts["malformed"] += 1
        else:
            counts["definite" if converted[0] else "indeterminate"] += 1
            by_key.setdefault(op.key, []).append((op, converted[0], converted[1]))
    started = time.monotonic()
    deadline = started + timeout
    results = []
    for key in sorted(by_key, key=repr):
        keyed = _key_history(key, by_key[key], initial.get(key))
        results.append(check_key(keyed, deadline, time.monotonic() + window_timeout))
    failures = [r for r in results if r["valid"] is False]
    unknown = [r["key"] for r in results if r["valid"] is None]
    out = {"valid": False if failures else ("unknown" if unknown else True),
           "keys": len(by_key), **counts, "seconds": round(time.monotonic() - started, 3)}
    if unknown:
        out["unknown_keys"] = unknown
        out["note"] = f"search budget of {timeout}s ran out on {len(unknown)} key(s)"
    if failures:
        first = min(failures, key=lambda r: r["op"]["complete_index"])
        out["explanation"] = first["explanation"]
        out["window"] = first["window"]
        out["failures"] = failures
    return out
