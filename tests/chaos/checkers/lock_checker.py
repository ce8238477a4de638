"""Mutual exclusion for the kazoo Lock recipe: one lock name per key.

A process holds the lock from its acquire's ok until the first of: its next release
invoke, its next SUSPENDED or LOST connection event (a holder must assume the lock lost
as soon as the connection is suspended), or the end of the history. An indeterminate
or failed acquire holds nothing. Valid iff no two processes' holds of one key overlap.
"""

import math

from . import history

ENDING_STATES = ("SUSPENDED", "LOST")


class _hold:
    def __init__(self, process, key, acquire):
        self.process = process
        self.key = key
        self.acquire = acquire  # the acquire operation
        self.end_event = None  # None: held until the end of the history
        self.end_time = None

    @property
    def start(self):
        return self.acquire.complete["time"]

    def describe(self):
        return {"process": self.process, "key": self.key, "start": self.start,
                "end": self.end_time if self.end_event else None,
                "ended_by": self.end_event["type"] + " " + str(self.end_event.get("f"))
                if self.end_event else "end of history"}

    def events(self):
        out = list(self.acquire.events())
        if self.end_event is not None:
            out.append(self.end_event)
        return out


def _holds(events):
    operations, notifications, _ = history.pair_operations(events)
    steps = []  # (index, kind, payload) in history order
    for op in operations:
        if op.f == "acquire" and op.type == history.OK:
            steps.append((op.complete["index"], "acquired", op))
        elif op.f == "release":
            steps.append((op.call, "release", op))
    for event in notifications:
        if event.get("f") == "connection" and event.get("value") in ENDING_STATES:
            steps.append((event["index"], "connection", event))
    steps.sort(key=lambda s: s[0])
    holding = {}  # (process, key) -> _hold
    done = []
    for _, kind, payload in steps:
        if kind == "acquired":
            slot = (payload.process, payload.key)
            if slot not in holding:  # a re-acquire while held extends nothing
                holding[slot] = _hold(payload.process, payload.key, payload)
        elif kind == "release":
            hold = holding.pop((payload.process, payload.key), None)
            if hold is not None:
                hold.end_event, hold.end_time = payload.invoke, payload.invoke["time"]
                done.append(hold)
        else:
            for slot in [s for s in holding if s[0] == payload.get("process")]:
                hold = holding.pop(slot)
                hold.end_event, hold.end_time = payload, payload["time"]
                done.append(hold)
    for hold in holding.values():
        # Still held when the history ends: open-ended, so a hold taken by another
        # process at the history's last instant still overlaps it.
        hold.end_time = math.inf
        done.append(hold)
    return done


def check(events):
    holds = _holds(events)
    by_key = {}
    for hold in holds:
        by_key.setdefault(hold.key, []).append(hold)
    out = {"valid": True, "keys": len(by_key), "holds": len(holds)}
    for key, key_holds in sorted(by_key.items(), key=lambda kv: repr(kv[0])):
        key_holds.sort(key=lambda h: h.start)
        # Sorted by start, a hold overlaps a later one iff the later starts before the
        # latest end so far; touching ends (a handoff at one instant) do not overlap.
        latest = None
        for hold in key_holds:
            if latest is not None and hold.process != latest.process \
                    and hold.start < latest.end_time:
                out["valid"] = False
                out["overlap"] = [latest.describe(), hold.describe()]
                out["explanation"] = (
                    f"lock {key!r}: process {latest.process} held it from {latest.start} to "
                    f"{latest.describe()['end'] or 'the end of the history'} and process {hold.process} acquired it at "
                    f"{hold.start}, while the first still held it")
                out["window"] = sorted(latest.events() + hold.events(),
                                       key=lambda e: e["index"])
                return out
            if latest is None or hold.end_time > latest.end_time:
                latest = hold
    return out
