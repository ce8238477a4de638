"""Specifications of the chaos history checkers: small hand-made histories that must pass
or fail, a brute-force cross-check of the linearizability search, and a simulated
linearizable register at workload size.

Run: cd tests/chaos && /usr/bin/python3 -m pytest -q -p no:cacheprovider test_checkers.py
"""

import json
import os
import random
import subprocess
import sys
import time

import pytest

from checkers import (check_history, history, linearizability, lock_checker,
                      register_sim, session_order, set_checker, watch_checker)

HERE = os.path.dirname(os.path.abspath(__file__))
X0 = {"x": {"value": None, "version": 0}}


def make(*steps):
    """Events from (process, type, f, key, value) tuples; index and time follow order."""
    out = []
    for index, (process, kind, f, key, value) in enumerate(steps):
        event = {"index": index, "time": float(index), "process": process, "type": kind, "f": f}
        if key is not None:
            event["key"] = key
        if value is not None:
            event["value"] = value
        out.append(event)
    return out


# Shorthands for register histories on key "x".
def w_(p, v): return (p, "invoke", "write", "x", {"value": v})
def w_ok(p, n): return (p, "ok", "write", "x", {"version": n})
def r_(p): return (p, "invoke", "read", "x", None)
def r_ok(p, v, n): return (p, "ok", "read", "x", {"value": v, "version": n})
def cas_(p, v, e): return (p, "invoke", "cas", "x", {"value": v, "expected_version": e})
def cas_ok(p, n): return (p, "ok", "cas", "x", {"version": n})
def cas_bad(p): return (p, "fail", "cas", "x", {"error": "badversion"})
def info(p, f): return (p, "info", f, "x", {"error": "timeout"})


def lin(*steps, initial=X0, **kw):
    return linearizability.check(make(*steps), initial, **kw)


# ---- linearizability: must pass ----------------------------------------------------

def test_sequential_history_passes():
    # write, read, cas, read one after another, each seeing the last.
    r = lin(w_(1, "a"), w_ok(1, 1), r_(2), r_ok(2, "a", 1), cas_(1, "b", 1), cas_ok(1, 2),
            r_(2), r_ok(2, "b", 2))
    assert r["valid"] is True and r["definite"] == 4


@pytest.mark.parametrize("seen", [(None, 0), ("a", 1)])
def test_read_concurrent_with_write_sees_either_value(seen):
    # A read overlapping a write may be ordered before or after it.
    assert lin(w_(1, "a"), r_(2), r_ok(2, *seen), w_ok(1, 1))["valid"] is True


def test_badversion_cas_legal_at_some_point_passes():
    # The refused cas (expected 0) overlaps the write that moves the version to 1.
    assert lin(w_(1, "a"), cas_(2, "b", 0), cas_bad(2), w_ok(1, 1))["valid"] is True


def test_info_write_taking_effect_later_passes():
    # An indeterminate write whose value a later read sees.
    assert lin(w_(1, "a"), info(1, "write"), r_(2), r_ok(2, "a", 1))["valid"] is True


def test_info_write_appearing_long_after_passes():
    # The write times out; reads keep seeing the old state; then its effect appears.
    steps = [w_(1, "a"), info(1, "write")]
    for _ in range(20):
        steps += [r_(2), r_ok(2, None, 0)]
    steps += [w_(3, "b"), w_ok(3, 1), r_(2), r_ok(2, "b", 1), r_(2), r_ok(2, "a", 2)]
    assert lin(*steps)["valid"] is True


def test_info_write_never_observed_passes():
    # An indeterminate write that never happened: nobody sees it, versions stay in step.
    assert lin(w_(1, "a"), info(1, "write"), r_(2), r_ok(2, None, 0), w_(2, "b"),
               w_ok(2, 1), r_(2), r_ok(2, "b", 1))["valid"] is True


def test_info_write_seen_only_as_a_version_jump_passes():
    # Nobody reads the timed-out write's data, but the next write lands at version 2.
    assert lin(w_(1, "a"), info(1, "write"), w_(2, "b"), w_ok(2, 2))["valid"] is True


def test_invoke_without_completion_is_indeterminate():
    # A process's last invoke with no completion may still take effect.
    assert lin(r_(2), r_ok(2, None, 0), w_(1, "a"), r_(2), r_ok(2, "a", 1))["valid"] is True


def test_other_failed_write_is_dropped():
    # A write that failed definitely (not badversion) did not happen.
    assert lin(w_(1, "a"), (1, "fail", "write", "x", {"error": "nonode"}), r_(2),
               r_ok(2, None, 0))["valid"] is True


def test_unknown_initial_state_is_fixed_by_first_observation():
    # No initial state given: the first read fixes it, the rest must agree.
    assert lin(r_(1), r_ok(1, "z", 7), w_(1, "a"), w_ok(1, 8), r_(2), r_ok(2, "a", 8),
               initial=None)["valid"] is True


def test_keys_are_independent():
    # Two registers, each sequentially consistent on its own.
    events = make((1, "invoke", "write", "y", {"value": "q"}), w_(2, "a"),
                  (1, "ok", "write", "y", {"version": 1}), w_ok(2, 1),
                  (1, "invoke", "read", "y", None),
                  (1, "ok", "read", "y", {"value": "q", "version": 1}))
    r = linearizability.check(events, {"x": X0["x"], "y": X0["x"]})
    assert r["valid"] is True and r["keys"] == 2


# ---- linearizability: must fail ----------------------------------------------------

def test_read_of_value_never_written_fails():
    # "zzz" was never written.
    r = lin(w_(1, "a"), w_ok(1, 1), r_(2), r_ok(2, "zzz", 1))
    assert r["valid"] is False and r["failures"][0]["op"]["f"] == "read"


def test_stale_read_after_completed_write_fails():
    # The write completed before the read began, yet the read sees the initial state.
    assert lin(w_(1, "a"), w_ok(1, 1), r_(2), r_ok(2, None, 0))["valid"] is False


def test_two_cas_with_same_expected_version_both_ok_fails():
    # Both cas expected version 0 and both claim to have succeeded.
    assert lin(cas_(1, "a", 0), cas_(2, "b", 0), cas_ok(1, 1), cas_ok(2, 1))["valid"] is False


def test_badversion_cas_never_legal_fails():
    # Nothing moved the version off 0, yet the cas expecting 0 was refused.
    assert lin(r_(2), r_ok(2, None, 0), cas_(1, "a", 0), cas_bad(1), r_(2),
               r_ok(2, None, 0))["valid"] is False


def test_unknown_initial_state_still_catches_disagreement():
    # Two successive reads of one version with different data.
    assert lin(r_(1), r_ok(1, "z", 7), r_(1), r_ok(1, "y", 7), initial=None)["valid"] is False


def test_initial_state_mismatch_reports_whole_prefix():
    # Only the given initial state makes the first read wrong.
    r = lin(r_(1), r_ok(1, "z", 0))
    assert r["valid"] is False and r["failures"][0]["window_note"].startswith("fails only")


def test_window_is_small_and_holds_the_offending_op():
    # 30 good sequential writes and reads, then a stale read: the window is the last few.
    steps = []
    for n in range(1, 31):
        steps += [w_(1, f"v{n}"), w_ok(1, n), r_(2), r_ok(2, f"v{n}", n)]
    steps += [r_(3), r_ok(3, "v29", 29)]
    events = make(*steps)
    r = linearizability.check(events, X0)
    assert r["valid"] is False
    bad = events[-1]
    assert bad in r["window"] and len(r["window"]) <= 6
    assert "v29" in r["explanation"] and "'version': 30" in r["explanation"]


def test_budget_exhausted_is_unknown():
    # With no time at all the search gives up and says so instead of guessing.
    events, initial = register_sim.simulate_register(1, processes=5, ops_per_process=400)
    r = linearizability.check(events, initial, timeout=0.0)
    assert r["valid"] == "unknown" and r["unknown_keys"] == ["r"]


# ---- linearizability: cross-check against brute force on small random histories ------

def brute_force(events, initial):
    """Every order of every subset of indeterminate ops, respecting real time."""
    ops = []
    for op in history.pair_operations(events)[0]:
        converted = linearizability._register_input(op)
        if converted and converted != "malformed":
            ops.append((op.call, op.ret if converted[0] else None, converted[1]))
    from checkers.register_model import register_model, value_key
    model = register_model(initial, [])
    model.observed_pairs, model.observed_values = set(), set()
    model._fold = lambda value, version: value  # no folding: the plain model
    if initial is not None:
        model.init = (value_key(initial["value"]), initial["version"])

    def go(state, remaining):
        definite = [o for o in remaining if o[1] is not None]
        if not definite:
            return True
        frontier = min(o[1] for o in definite)
        for o in remaining:
            if o[0] < frontier:
                new = model.step(state, o[2])
                if new is not None and go(new, [r for r in remaining if r is not o]):
                    return True
        return False
    return go(model.init, ops)


def mutate(events, rng):
    """One ok result changed: its version moved, its data swapped for other written
    data, or the ok turned indeterminate."""
    events = [dict(e) for e in events]
    oks = [e for e in events if e["type"] == "ok"]
    if oks:
        e = rng.choice(oks)
        roll = rng.random()
        if roll < 0.4:
            e["value"] = dict(e["value"], version=e["value"]["version"] + rng.choice([-1, 1]))
        elif roll < 0.8 and "value" in e["value"]:
            written = [x["value"]["value"] for x in events
                       if x["type"] == "invoke" and x["f"] in ("write", "cas")]
            e["value"] = dict(e["value"], value=rng.choice(written + [None, "other"]))
        else:
            e["type"] = "info"
    return events


def test_search_agrees_with_brute_force():
    # The search's reductions (free reads, dead ops, info ops only when blocked, one per
    # class, wasted info writes) must not change a verdict: known and unknown initial
    # states, unique and repeated data, valid and corrupted histories.
    rng = random.Random(11)
    verdicts = {True: 0, False: 0}
    for case in range(600):
        events, initial = register_sim.simulate_register(
            case, processes=rng.choice([2, 3, 4]), ops_per_process=rng.choice([2, 3, 4]),
            info_rate=rng.choice([0.1, 0.3, 0.5]),
            value_pool=rng.choice([None, None, ["a", "b"], ["a", None]]))
        if case % 2:
            events = mutate(events, rng)
        if case % 3 == 0:
            initial = None
        expected = brute_force(events, (initial or {}).get("r"))
        got = linearizability.check(events, initial)["valid"]
        assert got is expected, (case, events)
        verdicts[expected] += 1
    assert min(verdicts.values()) > 50  # both verdicts well covered


# ---- linearizability at workload size ----------------------------------------------

@pytest.fixture(scope="module")
def big_history():
    return register_sim.simulate_register(2024, processes=10, ops_per_process=2000)


def test_simulated_register_at_size_is_valid_within_budget(big_history):
    # 10 processes x 2,000 ops on one key with ~5% indeterminate ops.
    events, initial = big_history
    started = time.monotonic()
    r = linearizability.check(events, initial, timeout=20.0)
    assert r["valid"] is True, r.get("explanation")
    assert r["ops"] == 20000 and r["indeterminate"] > 400
    assert time.monotonic() - started < 10.0


def test_simulated_register_with_one_corrupted_read_fails(big_history):
    # The same history with one read's data replaced: caught, with a small window.
    events = [dict(e) for e in big_history[0]]
    reads = [e for e in events if e["type"] == "ok" and e["f"] == "read"]
    bad = reads[len(reads) // 2]
    bad["value"] = dict(bad["value"], value="corrupted")
    r = linearizability.check(events, big_history[1], timeout=20.0)
    assert r["valid"] is False
    assert bad in r["window"] and len(r["window"]) < 40


# ---- set ---------------------------------------------------------------------------

def add(p, element, outcome, path=None):
    value = {"path": path} if outcome == "ok" else ({"error": "x"} if outcome != "ok" else None)
    return [(p, "invoke", "add", "s", {"element": element}), (p, outcome, "add", "s", value)]


def final(elements):
    return [(9, "invoke", "final-read", "s", None),
            (9, "ok", "final-read", "s", {"elements": elements})]


P = "/set/e-00000000"


def test_set_all_present_passes():
    # Two acknowledged adds, both present where they were created.
    r = set_checker.check(make(*add(1, "a", "ok", P + "00"), *add(2, "b", "ok", P + "01"),
                               *final({P + "00": "a", P + "01": "b"})))
    assert r["valid"] is True and r["ok"] == 2


@pytest.mark.parametrize("present", [True, False])
def test_set_info_add_present_or_absent_passes(present):
    # An indeterminate add may or may not have happened.
    elements = {P + "00": "a", **({P + "01": "b"} if present else {})}
    r = set_checker.check(make(*add(1, "a", "ok", P + "00"), *add(2, "b", "info"),
                               *final(elements)))
    assert r["valid"] is True and r["recovered_info"] == int(present)


def test_set_lost_acknowledged_add_fails():
    # "b" was acknowledged but is gone.
    r = set_checker.check(make(*add(1, "a", "ok", P + "00"), *add(2, "b", "ok", P + "01"),
                               *final({P + "00": "a"})))
    assert r["valid"] is False and r["lost"] == ["b"]


def test_set_phantom_fails():
    # "z" was never added by anyone.
    r = set_checker.check(make(*add(1, "a", "ok", P + "00"), *final({P + "00": "a", P + "01": "z"})))
    assert r["valid"] is False and r["phantom"] == ["z"]


def test_set_duplicate_fails():
    # One add created two znodes.
    r = set_checker.check(make(*add(1, "a", "ok", P + "00"), *final({P + "00": "a", P + "01": "a"})))
    assert r["valid"] is False and r["duplicated"] == {"a": [P + "00", P + "01"]}


def test_set_failed_add_present_fails():
    # A definitely failed add must have left nothing.
    r = set_checker.check(make(*add(1, "a", "fail"), *final({P + "00": "a"})))
    assert r["valid"] is False and r["failed_but_present"] == ["a"]


def test_set_wrong_path_and_reused_sequence_fail():
    # "a" sits elsewhere than acknowledged; two znodes share sequence number 5.
    r = set_checker.check(make(*add(1, "a", "ok", P + "00"), *add(2, "b", "info"),
                               *final({P + "05": "a", "/set/f-0000000005": "b"})))
    assert r["valid"] is False and "a" in r["wrong_path"] and "0000000005" in r["reused_sequence"]


# ---- lock --------------------------------------------------------------------------

def acq(p, outcome="ok"): return [(p, "invoke", "acquire", "L", None), (p, outcome, "acquire", "L", None)]
def rel(p): return [(p, "invoke", "release", "L", None), (p, "ok", "release", "L", None)]
def conn(p, state): return (p, "event", "connection", None, state)


def test_lock_sequential_handoff_passes():
    # Each process releases before the next acquires.
    assert lock_checker.check(make(*acq(1), *rel(1), *acq(2), *rel(2), *acq(1)))["valid"] is True


def test_lock_overlap_fails():
    # Process 2 acquires while process 1 still holds.
    r = lock_checker.check(make(*acq(1), *acq(2), *rel(1), *rel(2)))
    assert r["valid"] is False and {h["process"] for h in r["overlap"]} == {1, 2}
    assert len(r["window"]) == 6  # both acquires, both releases


def test_lock_overlap_after_suspended_passes():
    # Process 1's connection is suspended: it must assume the lock lost, 2 may take it.
    assert lock_checker.check(make(*acq(1), conn(1, "SUSPENDED"), *acq(2), *rel(1),
                                   *rel(2)))["valid"] is True


def test_lock_info_acquire_holds_nothing():
    # A timed-out acquire does not count as a hold.
    assert lock_checker.check(make(*acq(1, "info"), *acq(2), *rel(2)))["valid"] is True


def test_lock_hold_lasts_to_end_of_history():
    # Never released, never suspended: still held when process 2 acquires.
    assert lock_checker.check(make(*acq(1), conn(1, "CONNECTED"), *acq(2)))["valid"] is False


# ---- session order -----------------------------------------------------------------

def test_session_stale_read_after_own_write_fails():
    # Process 1 wrote version 3, then a plain read shows it version 2.
    r = session_order.check(make(w_(1, "a"), w_ok(1, 3), (1, "invoke", "plain-read", "x", None),
                                 (1, "ok", "plain-read", "x", {"value": "q", "version": 2})))
    assert r["valid"] is False and r["violations"][0]["seen"] == 3


def test_session_monotonic_across_reconnect_passes():
    # Versions never go back, across a connection loss and a reconnect.
    assert session_order.check(make(r_(1), r_ok(1, "a", 4), conn(1, "SUSPENDED"),
                                    conn(1, "CONNECTED"), r_(1), r_ok(1, "a", 4), w_(1, "b"),
                                    w_ok(1, 5), r_(1), r_ok(1, "c", 7)))["valid"] is True


def test_session_own_writes_out_of_order_fails():
    # Process 1's second write got a lower version than its first.
    assert session_order.check(make(w_(1, "a"), w_ok(1, 5), w_(1, "b"), w_ok(1, 4)))["valid"] is False


def test_session_other_processes_are_separate():
    # Process 2 reading an older version than process 1 saw is not a session violation.
    assert session_order.check(make(r_(1), r_ok(1, "a", 4), r_(2), r_ok(2, "b", 3)))["valid"] is True


# ---- watches -----------------------------------------------------------------------

def wread(p, version, watch=True, outcome="ok"):
    value = {"version": version, "watch": watch} if outcome == "ok" else {"error": "timeout"}
    return [(p, "invoke", "wread", "x", None), (p, outcome, "wread", "x", value)]


def watch_ev(p, what="changed"): return (p, "event", "watch", "x", what)
def session(p, what): return (p, "event", "session", None, what)


def test_watch_event_then_read_passes():
    # The change is notified before the client reads it.
    assert watch_checker.check(make(*wread(1, 1), watch_ev(1), *wread(1, 2)))["valid"] is True


def test_watch_change_read_before_event_fails():
    # The client reads version 2 while its watch at version 1 has not fired.
    r = watch_checker.check(make(*wread(1, 1), *wread(1, 2), watch_ev(1)))
    assert r["valid"] is False and r["violations"][0]["rule"] == "change before event"


def test_watch_session_new_clears_pending():
    # After session expiry the old watch is gone: reading newer data is fine...
    assert watch_checker.check(make(*wread(1, 1), session(1, "new"), *wread(1, 2, False)))["valid"] is True
    # ...and an event for the dropped watch is spurious.
    assert watch_checker.check(make(*wread(1, 1), session(1, "new"), watch_ev(1)))["valid"] is False


def test_watch_session_same_keeps_pending():
    # Reconnected to the same session: the watch survives and must fire first.
    assert watch_checker.check(make(*wread(1, 1), session(1, "same"), *wread(1, 2)))["valid"] is False


def test_watch_spurious_event_fails():
    # An event for a key the process never watched.
    r = watch_checker.check(make(*wread(1, 1, watch=False), watch_ev(1, "deleted")))
    assert r["valid"] is False and r["violations"][0]["rule"] == "spurious event"


def test_watch_event_after_timed_out_wread_allowed():
    # A wread that timed out may have set its watch; its event is no violation.
    assert watch_checker.check(make(*wread(1, 1, outcome="info"), watch_ev(1)))["valid"] is True


# ---- everything together, and the command line ---------------------------------------

def test_check_history_runs_all_and_ignores_foreign_ops():
    # A mixed history: each checker takes its own f values; unknown f are ignored.
    events = make(w_(1, "a"), w_ok(1, 1), *acq(2), *rel(2), (3, "invoke", "frobnicate", "x", None),
                  (3, "ok", "frobnicate", "x", 42), *wread(4, 1), watch_ev(4))
    r = check_history(events, X0)
    assert r["valid"] is True and set(r["checkers"]) == {
        "linearizability", "set", "lock", "session_order", "watches"}


@pytest.mark.parametrize("steps,code", [
    ([w_(1, "a"), w_ok(1, 1), r_(2), r_ok(2, "a", 1)], 0),
    ([w_(1, "a"), w_ok(1, 1), r_(2), r_ok(2, None, 0)], 1),
])
def test_command_line_exit_codes(tmp_path, steps, code):
    # python3 -m checkers prints the verdict and exits 0 valid / 1 invalid.
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in make(*steps)))
    initial = tmp_path / "initial.json"
    initial.write_text(json.dumps(X0))
    run = subprocess.run([sys.executable, "-m", "checkers", str(path), "--initial", str(initial)],
                         cwd=HERE, capture_output=True, text=True, timeout=30)
    assert run.returncode == code, run.stderr
    assert json.loads(run.stdout)["valid"] is (code == 0)


# --- tree digests at a quiet point ---------------------------------------------------------

from checkers import digest_checker  # noqa: E402


def test_digest_checker_parses_mntr_and_hash():
    mntr = "zk_version\t3.8.0\nzk_digest_mismatches_count\t2\nzk_tree_digest\t-17\n" \
           "zk_tree_digest_zxid\t4294967424\n"
    assert digest_checker.parse_mntr(mntr) == (4294967424, -17, 2)
    assert digest_checker.parse_mntr("zk_version\t3.8.0\n") == (None, None, None)
    assert digest_checker.parse_mntr(None) == (None, None, None)
    assert digest_checker.parse_hash("100000080: 123\n100000100: -4\nnoise\n") == {
        0x100000080: 123, 0x100000100: -4}


def test_digest_checker_compares_servers_at_the_same_zxid_only():
    views = {1: {"zxid": 10, "digest": 5, "hash": {0x80: 1}},
             2: {"zxid": 10, "digest": 5, "hash": {0x80: 1, 0x100: 2}},
             3: {"zxid": 9, "digest": 7, "hash": {}}}
    r = digest_checker.check(views)
    assert r["valid"] is True and r["compared"] == 2, r
    views[2]["digest"] = 6
    r = digest_checker.check(views)
    assert r["valid"] is False and "after zxid 0xa" in r["explanation"], r
    views[2]["digest"] = 5
    views[3]["hash"] = {0x80: 9}
    r = digest_checker.check(views)
    assert r["valid"] is False and "after zxid 0x80" in r["explanation"], r
    assert digest_checker.check({1: {"zxid": 1, "digest": 1}, 2: {"zxid": 2, "digest": 1}})[
        "valid"] == "unknown"
