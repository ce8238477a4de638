"""ZooKeeper's per-client order: a client never sees an older state than it has seen,
even across reconnects to other servers, and its own writes apply in order.

Per process and key: an ok read or plain-read (getData without sync) returns a version at
least the highest the process has learned from its own earlier ok reads and writes; an
ok write or cas returns a version above everything the process has learned (its write is
applied after every state it saw, each of which is committed). The first violation per
process is reported.
"""

from . import history

READS = ("read", "plain-read")
WRITES = ("write", "cas")


def check(events):
    operations, _, _ = history.pair_operations(events)
    learned = {}  # (process, key) -> (highest version, the op that taught it)
    violations = {}
    checked = 0
    for op in sorted((o for o in operations if o.type == history.OK), key=lambda o: o.ret):
        if op.f not in READS + WRITES:
            continue
        try:
            version = int(op.output["version"])
        except (KeyError, TypeError, ValueError):
            continue
        checked += 1
        slot = (op.process, op.key)
        seen, teacher = learned.get(slot, (None, None))
        if seen is not None and op.process not in violations:
            stale = version < seen if op.f in READS else version <= seen
            if stale:
                violations[op.process] = {
                    "process": op.process, "key": op.key, "f": op.f, "version": version,
                    "seen": seen, "seen_from": teacher.f,
                    "window": teacher.events() + op.events()}
        if seen is None or version > seen:
            learned[slot] = (version, op)
    out = {"valid": not violations, "checked": checked, "processes": len({p for p, _ in learned})}
    if violations:
        out["violations"] = list(violations.values())
        out["explanation"] = "; ".join(
            f"process {v['process']} key {v['key']!r}: {v['f']} returned version "
            f"{v['version']} after it had seen version {v['seen']} (from its {v['seen_from']})"
            for v in out["violations"])
        first = min(out["violations"], key=lambda v: v["window"][-1]["index"])
        out["window"] = first["window"]
    return out
