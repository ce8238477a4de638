"""A chaos history: JSON-lines events, paired into operations.

Each line is one event: {index, time, process, type, f, key?, value?} with type one of
invoke / ok / fail / info / event. An operation is an invoke and the next completion
(ok, fail or info) of the same process. An invoke that never completes is indeterminate,
exactly like an info completion: it may take effect at any time after its invoke, or never.
Events of type "event" (watch notifications, connection states) are not operations.
"""

import json
import math
from dataclasses import dataclass
from typing import Optional

INVOKE, OK, FAIL, INFO, EVENT = "invoke", "ok", "fail", "info", "event"
COMPLETIONS = (OK, FAIL, INFO)


@dataclass
class operation:
    process: object
    f: str
    key: object
    invoke: dict
    complete: Optional[dict]  # None: the process never heard back

    @property
    def type(self):
        return self.complete["type"] if self.complete is not None else INFO

    @property
    def call(self):
        return self.invoke["index"]

    @property
    def ret(self):
        """Position of the completion; +inf for an indeterminate op, which may still be
        in flight when the history ends."""
        if self.type == INFO:
            return math.inf
        return self.complete["index"]

    @property
    def input(self):
        return self.invoke.get("value")

    @property
    def output(self):
        return self.complete.get("value") if self.complete is not None else None

    def events(self):
        return [self.invoke] if self.complete is None else [self.invoke, self.complete]


def load_jsonl(path):
    with open(path, encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


def ordered(events):
    """Events in file order. The `index` field is the position in the file; a history
    built by hand may leave it out, then the list order stands in for it."""
    out = []
    for position, event in enumerate(events):
        if "index" not in event:
            event = dict(event, index=position)
        out.append(event)
    out.sort(key=lambda e: e["index"])
    return out


def pair_operations(events):
    """Returns (operations in invoke order, the type=event events, count of malformed
    events). A completion with no invoke in flight is malformed and skipped; an invoke
    while the process already has one in flight closes the older one as indeterminate,
    since a process never has two operations in flight."""
    in_flight = {}
    operations = []
    notifications = []
    malformed = 0
    for event in ordered(events):
        kind = event.get("type")
        process = event.get("process")
        if kind == EVENT:
            notifications.append(event)
        elif kind == INVOKE:
            if process in in_flight:
                malformed += 1
            op = operation(process, event.get("f"), event.get("key"), event, None)
            in_flight[process] = op
            operations.append(op)
        elif kind in COMPLETIONS and process in in_flight:
            in_flight.pop(process).complete = event
        else:
            malformed += 1
    return operations, notifications, malformed
