"""What the workloads share: kazoo clients that fail fast instead of retrying, and the
classification of an operation's outcome (ok / definitely failed / unknown)."""
import logging
import random
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import (BadVersionError, ConnectionLoss, KazooException, NoNodeError,
                              NodeExistsError, OperationTimeoutError, SessionExpiredError)
from kazoo.handlers.threading import KazooTimeoutError

# Clients' sessions: short, so that pausing a server (6 s) outlives them.
SESSION_TIMEOUT = 4.0
# How long one operation may take before the client gives up on it (outcome unknown).
OPERATION_TIMEOUT = 5.0

logging.getLogger("kazoo").setLevel(logging.CRITICAL)

# Outcomes a write may have had effect despite: the request may have reached the leader.
INDETERMINATE = (ConnectionLoss, SessionExpiredError, OperationTimeoutError, KazooTimeoutError)


def make_client(connect_string, rng, read_only=False, home=None):
    """A started kazoo client over every server (in a random order) with no command retries:
    a retried write could apply twice, and the history must show what the client saw. With
    `home` (an index into the connect string) it connects there first and then tries the
    others in the string's order."""
    hosts = connect_string.split(",")
    if home is None:
        rng.shuffle(hosts)
    else:
        hosts = hosts[home:] + hosts[:home]
    give_up = time.monotonic() + 60.0
    while True:
        client = KazooClient(hosts=",".join(hosts), timeout=SESSION_TIMEOUT,
                             connection_retry=dict(max_tries=-1, delay=0.1, backoff=1.5,
                                                   max_delay=1.0),
                             randomize_hosts=home is None)
        try:
            client.start(timeout=30)
            return client
        except KazooTimeoutError:
            # kazoo 2.8's start() raises this at once, not after the timeout, when its first
            # connection is lost before start() looks (seen in CI: a server killed just after
            # it accepted the session). It has stopped the client; try a new one.
            if time.monotonic() > give_up:
                raise
            time.sleep(0.2)


def error_name(exc):
    return type(exc).__name__


def attempt_write(process, call):
    """Runs a write already invoked on `process`; returns (result, None), or (None, error)
    after recording `fail` when the write definitely did not happen (a badversion too, as
    {"error": "badversion"}: the checkers read it) or `info` when it may have."""
    try:
        return call(), None
    except BadVersionError:
        process.fail({"error": "badversion"})
        return None, "badversion"
    except INDETERMINATE as e:
        process.info({"error": error_name(e)})
        return None, error_name(e)
    except Exception as e:
        process.fail({"error": error_name(e)})
        return None, error_name(e)


class Worker:
    """A client thread running `step()` until stopped."""

    def __init__(self, name, seed):
        self.name = name
        self.rng = random.Random(seed)
        self._stopping = threading.Event()
        self._thread = None
        self.error = None

    def start(self):
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stopping(self):
        return self._stopping.is_set()

    def stop(self):
        self._stopping.set()

    def join(self, timeout=30.0):
        if self._thread:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.error = self.error or f"{self.name} did not stop within {timeout} s"

    def pause(self, low=0.0, high=0.05):
        self._stopping.wait(self.rng.uniform(low, high))

    def back_off(self):
        """After a failure: while a client is disconnected every call fails at once, and the
        history need not hold thousands of those."""
        self.pause(0.1, 0.3)

    def _run(self):
        try:
            self.run()
        except Exception as e:  # a harness bug, not a server fault: report it
            import traceback
            self.error = f"{self.name}: {e!r}\n{traceback.format_exc()}"

    def run(self):
        raise NotImplementedError


class Workload:
    """Client threads (`self.workers`) started and stopped together."""

    def setup(self, client):
        pass

    def start(self):
        for w in self.workers:
            w.start()

    def stop(self, join_timeout=30.0):
        for w in self.workers:
            w.stop()
        for w in self.workers:
            w.join(join_timeout)

    def errors(self):
        return [w.error for w in self.workers if w.error]


__all__ = ["Workload", "attempt_write", "BadVersionError", "ConnectionLoss", "INDETERMINATE", "KazooException",
           "NoNodeError", "NodeExistsError", "OPERATION_TIMEOUT", "SESSION_TIMEOUT", "Worker",
           "error_name", "make_client"]
