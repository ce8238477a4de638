"""Records a history: every invocation and completion of every client operation, and the
events clients observe (watch notifications, connection states), with monotonic timestamps
relative to the start of the run. The format is the one tests/chaos/checkers reads: JSON
lines of {index, time, process, type: invoke|ok|fail|info|event, f, key?, value?}.

A process is one client thread with at most one operation in flight. When an operation's
outcome is unknown (`info`), the thread continues as a new process, as in Jepsen: the old
operation may still take effect at any later time.
"""
import json
import threading
import time


class Recorder:
    def __init__(self, start=None):
        self.start = time.monotonic() if start is None else start
        self.events = []
        self._lock = threading.Lock()
        self._next_process = 0

    def now(self):
        return time.monotonic() - self.start

    def new_process(self):
        with self._lock:
            self._next_process += 1
            return self._next_process - 1

    def record(self, process, type, f, key=None, value=None):
        with self._lock:
            event = {"index": len(self.events), "time": round(self.now(), 6),
                     "process": process, "type": type, "f": f}
            if key is not None:
                event["key"] = key
            if value is not None:
                event["value"] = value
            self.events.append(event)
            return event

    def save(self, path):
        with self._lock:
            with open(path, "w") as f:
                for event in self.events:
                    f.write(json.dumps(event, sort_keys=True) + "\n")


class Process:
    """One client thread's identity in the history; `invoke` then one of ok/fail/info."""

    def __init__(self, recorder):
        self.recorder = recorder
        self.id = recorder.new_process()
        self.pending = None

    def invoke(self, f, key=None, value=None):
        assert self.pending is None, "a process has one operation in flight"
        self.pending = (f, key)
        return self.recorder.record(self.id, "invoke", f, key, value)

    def _complete(self, type, value):
        f, key = self.pending
        self.pending = None
        event = self.recorder.record(self.id, type, f, key, value)
        if type == "info":
            # The operation may still be in flight: later ones belong to a new process.
            self.id = self.recorder.new_process()
        return event

    def ok(self, value=None):
        return self._complete("ok", value)

    def fail(self, value=None):
        return self._complete("fail", value)

    def info(self, value=None):
        return self._complete("info", value)

    def event(self, f, key=None, value=None):
        return self.recorder.record(self.id, "event", f, key, value)
