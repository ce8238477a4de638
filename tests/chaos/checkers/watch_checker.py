"""Data watches: a watch set by getData fires before the client can read the change.

Per process, in history order: an ok `wread` with watch true at version v leaves a watch
pending at v; a watch event for the key consumes it; a `session new` event (the session
expired) drops every pending watch, while `session same` keeps them (SetWatches re-arms
them on reconnect). Violations: a later wread of the key returns a version above v while
the watch is still pending (the change reached the client before its notification), or
a watch event arrives for a key with no watch pending. A wread that failed or timed out
may or may not have set its watch, so an event for it is allowed but not required.
"""

from . import history


def check(events):
    operations, notifications, _ = history.pair_operations(events)
    steps = [(op.ret if op.type != history.INFO else op.call, "wread", op)
             for op in operations if op.f == "wread"]
    steps += [(e["index"], "event", e) for e in notifications
              if e.get("f") in ("watch", "session")]
    steps.sort(key=lambda s: s[0])
    pending = {}  # (process, key) -> the wread whose watch is pending
    maybe = set()  # (process, key) whose watch may have been set by an unfinished wread
    violations = []
    counts = {"wreads": 0, "watch_events": 0, "session_events": 0}
    for _, kind, item in steps:
        if kind == "wread":
            counts["wreads"] += 1
            _on_wread(item, pending, maybe, violations)
        elif item.get("f") == "session":
            counts["session_events"] += 1
            if item.get("value") == "new":
                for slot in [s for s in pending if s[0] == item.get("process")]:
                    del pending[slot]
                for slot in [s for s in maybe if s[0] == item.get("process")]:
                    maybe.discard(slot)
        else:
            counts["watch_events"] += 1
            slot = (item.get("process"), item.get("key"))
            if slot in pending:
                del pending[slot]
            elif slot in maybe:
                maybe.discard(slot)
            else:
                violations.append({"rule": "spurious event", "event": item, "window": [item],
                                   "explanation": f"process {slot[0]} got a "
                                   f"{item.get('value')!r} watch event for key {slot[1]!r} "
                                   f"with no watch pending"})
    out = {"valid": not violations, **counts}
    if violations:
        out["violations"] = violations
        out["explanation"] = "; ".join(v["explanation"] for v in violations)
        out["window"] = violations[0]["window"]
    return out


def _on_wread(op, pending, maybe, violations):
    slot = (op.process, op.key)
    if op.type != history.OK:
        maybe.add(slot)
        return
    try:
        version = int(op.output["version"])
        watch = bool(op.output.get("watch"))
    except (KeyError, TypeError, ValueError):
        return
    armed = pending.get(slot)
    if armed is not None:
        armed_version = int(armed.output["version"])
        if version > armed_version:
            violations.append({
                "rule": "change before event", "window": armed.events() + op.events(),
                "explanation": f"process {op.process} read key {op.key!r} at version "
                f"{version} while its watch set at version {armed_version} had not fired"})
            # Re-arm at the new version so one late event is not reported twice.
            pending[slot] = op
        return  # a pending watch stays at its version; getData does not move it
    if watch:
        pending[slot] = op
