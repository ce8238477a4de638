"""The set workload: each `add` creates a sequential znode holding a unique element; one
`final-read` after healing lists what survived ({path: element}).

Valid iff every acknowledged element survived, at the path its add returned; nothing
survived that was never added; a failed add left nothing; no element sits under two
paths; and no two surviving paths share a sequence number (the parent's cversion suffix,
which ZooKeeper never hands out twice). Indeterminate adds may or may not survive.
"""

import re

from . import history

MAX_WINDOW_EVENTS = 50
_SEQUENCE = re.compile(r"(\d{10})$")


def _sequence(path):
    match = _SEQUENCE.search(str(path).rsplit("/", 1)[-1])
    return match.group(1) if match else None


def check(events):
    operations, _, _ = history.pair_operations(events)
    adds = {}  # element -> add operation
    final = None
    malformed = 0
    for op in operations:
        if op.f == "add":
            try:
                adds[op.input["element"]] = op
            except (KeyError, TypeError):
                malformed += 1
        elif op.f == "final-read" and op.type == history.OK:
            final = op
    counts = {"ok": 0, "info": 0, "fail": 0, "recovered_info": 0, "malformed": malformed}
    for op in adds.values():
        counts[op.type] += 1
    if final is None:
        if not adds:
            return {"valid": True, **counts}
        return {"valid": "unknown", **counts, "explanation": "no ok final-read in the history"}
    try:
        surviving = dict(final.output["elements"])
    except (KeyError, TypeError):
        return {"valid": "unknown", **counts, "explanation": "final-read has no elements map"}

    paths_of = {}
    for path, element in surviving.items():
        paths_of.setdefault(element, []).append(path)
    lost = sorted(e for e, op in adds.items() if op.type == history.OK and e not in paths_of)
    phantom = sorted(e for e in paths_of if e not in adds)
    failed_present = sorted(e for e, op in adds.items()
                            if op.type == history.FAIL and e in paths_of)
    duplicated = {e: sorted(p) for e, p in paths_of.items() if len(p) > 1}
    wrong_path = {}
    for element, op in adds.items():
        if op.type == history.OK and element in paths_of and not isinstance(op.output, dict):
            wrong_path[element] = {"acknowledged": None, "present": paths_of[element]}
        elif op.type == history.OK and element in paths_of \
                and op.output.get("path") not in paths_of[element]:
            wrong_path[element] = {"acknowledged": op.output.get("path"),
                                   "present": paths_of[element]}
    by_sequence = {}
    for path in surviving:
        sequence = _sequence(path)
        if sequence is not None:
            by_sequence.setdefault(sequence, []).append(path)
    reused = {s: sorted(p) for s, p in by_sequence.items() if len(p) > 1}
    counts["recovered_info"] = sum(1 for e, op in adds.items()
                                   if op.type == history.INFO and e in paths_of)

    problems = {"lost": lost, "phantom": phantom, "failed_but_present": failed_present,
                "duplicated": duplicated, "wrong_path": wrong_path, "reused_sequence": reused}
    out = {"valid": not any(problems.values()), **counts, "surviving": len(surviving),
           **{name: found for name, found in problems.items()}}
    if out["valid"]:
        return out
    out["explanation"] = "; ".join(
        f"{len(found)} {name.replace('_', ' ')}: {_preview(found)}"
        for name, found in problems.items() if found)
    involved = set(lost) | set(failed_present) | set(duplicated) | set(wrong_path)
    window = [e for element in sorted(involved) for e in adds[element].events()]
    window = sorted(window, key=lambda e: e["index"])[:MAX_WINDOW_EVENTS]
    out["window"] = window + [final.complete]
    return out


def _preview(found, limit=5):
    items = list(found)
    shown = ", ".join(repr(i) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
