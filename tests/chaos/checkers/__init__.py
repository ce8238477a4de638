"""History checkers for Paddock's chaos tests.

check_history(events) runs every checker on one history (the list of event dicts of a
JSON-lines file, see history.py) and returns {"valid": ..., "checkers": {name: result}}.
Each checker picks the `f` values it owns and ignores the rest, so one history can mix
workloads. A result's `valid` is True, False, or "unknown" (a checker could not decide,
e.g. the linearizability search ran out of budget); unknown is not a failure, but the
overall verdict reports it.
"""

from . import (linearizability, lock_checker, session_order, set_checker,
               watch_checker)


def check_history(events, initial=None, timeout=linearizability.DEFAULT_TIMEOUT):
    """initial: {key: {"value": V, "version": N}} for the register keys whose initial
    state is known; other keys start unknown."""
    results = {
        "linearizability": linearizability.check(events, initial, timeout=timeout),
        "set": set_checker.check(events),
        "lock": lock_checker.check(events),
        "session_order": session_order.check(events),
        "watches": watch_checker.check(events),
    }
    verdicts = [r["valid"] for r in results.values()]
    if False in verdicts:
        valid = False
    elif "unknown" in verdicts:
        valid = "unknown"
    else:
        valid = True
    return {"valid": valid, "checkers": results}
