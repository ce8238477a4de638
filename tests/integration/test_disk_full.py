"""The data directory fills up during writes, then is freed: no acknowledged write is lost
and no failed one appears.

The server's dataDir is a 16 MiB tmpfs (preAllocSize=64 KB, snapCount=1000). After some
writes, a filler file leaves only a little room; 1 KB creates then go on until they fail.
What this proves about the server:
  - a write it could not make durable is answered with an error (SystemErrorException) or by
    closing the connection, never with success; it stays alive (or, if it stops, says why
    in its log: "No space left on device");
  - every write acknowledged before and during the disk-full phase is readable;
  - once the filler is deleted, writes succeed again within ~10 s without a restart;
  - after a SIGKILL and restart on the same data directory, every acknowledged write is
    there with its data, and no write that was answered with SystemErrorException is.

Needs root and `mount -t tmpfs`; skipped otherwise."""
import os
import shutil
import subprocess
import tempfile
import time

import pytest
from kazoo.exceptions import (ConnectionClosedError, ConnectionLoss, NoNodeError,
                              SessionExpiredError, SystemErrorException)
from kazoo.handlers.threading import KazooTimeoutError

import harness

TMPFS_SIZE = 16 << 20
ROOM_LEFT = 256 << 10            # bytes left free by the filler file
VALUE = 1024                     # bytes per znode
CONFIG = {"preAllocSize": "64", "snapCount": "1000", "forceSync": "yes"}
WRITES_BEFORE = 50
WRITES_AFTER = 50
FAILURES_WANTED = 5              # failed writes to see before freeing the disk
REQUEST_TIMEOUT = 10.0           # seconds for one write's answer
RECOVERY_TIMEOUT = 10.0          # seconds for writes to work again once the disk is freed
ROOT = "/full"

# Errors that mean "the connection went away": the write's outcome is unknown.
CONNECTION_ERRORS = (ConnectionLoss, ConnectionClosedError, SessionExpiredError,
                     KazooTimeoutError)


def mount_tmpfs(size):
    """A fresh directory with a tmpfs of `size` bytes mounted on it, or pytest.skip."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs")
    mount_point = tempfile.mkdtemp(prefix="paddock-diskfull-")
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                        mount_point], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        os.rmdir(mount_point)
        detail = getattr(e, "stderr", b"") or b""
        pytest.skip(f"`mount -t tmpfs` does not work here: {e} {detail.decode().strip()}")
    return mount_point


def unmount(mount_point):
    # A lazy unmount as the fallback: the test must never leave a mount behind.
    if subprocess.run(["umount", mount_point], capture_output=True, timeout=30).returncode:
        subprocess.run(["umount", "-l", mount_point], capture_output=True, timeout=30)
    shutil.rmtree(mount_point, ignore_errors=True)


@pytest.fixture
def small_tmpfs():
    mount_point = mount_tmpfs(TMPFS_SIZE)
    try:
        yield mount_point
    finally:
        unmount(mount_point)


class Writes:
    """Every create of the test and what the server answered."""

    def __init__(self):
        self.acked = {}           # path -> data: the server said yes
        self.refused = {}         # path -> data: SystemErrorException, must never appear
        self.unknown = {}         # path -> data: connection lost or no answer in time
        self.counter = 0

    def create(self, zk, prefix):
        """One 1 KB create; returns its outcome ("acked", "refused", "unknown")."""
        self.counter += 1
        path = f"{ROOT}/{prefix}-{self.counter}"
        data = (f"{path}:".encode() * (VALUE // len(path) + 1))[:VALUE]
        try:
            zk.create_async(path, data).get(timeout=REQUEST_TIMEOUT)
        except SystemErrorException:
            self.refused[path] = data
            return "refused"
        except CONNECTION_ERRORS:
            self.unknown[path] = data
            return "unknown"
        self.acked[path] = data
        return "acked"


def fill_up(mount_point, room_left):
    """Writes a filler file so that only about `room_left` bytes stay free."""
    st = os.statvfs(mount_point)
    free = st.f_bavail * st.f_frsize
    filler = os.path.join(mount_point, "filler")
    chunk = b"\0" * (1 << 20)
    remaining = max(0, free - room_left)
    with open(filler, "wb") as f:
        while remaining > 0:
            remaining -= f.write(chunk[:min(len(chunk), remaining)])
    return filler


def write_until_refused(srv, zk, writes, room):
    """Creates until FAILURES_WANTED writes have failed, or the server is gone. Fails the
    test if far more than `room` bytes were acknowledged: they cannot all be on disk."""
    failures = []
    acked_before = len(writes.acked)
    deadline = time.monotonic() + 60
    while len(failures) < FAILURES_WANTED and time.monotonic() < deadline:
        outcome = writes.create(zk, "during")
        if outcome != "acked":
            failures.append(outcome)
        elif (len(writes.acked) - acked_before) * VALUE > 4 * room:
            pytest.fail(f"{len(writes.acked) - acked_before} writes of {VALUE} bytes were "
                        f"acknowledged with only {room} bytes free on the data directory's "
                        f"disk: they cannot all have been stored")
        if not srv.alive():
            break
        if outcome == "unknown":
            # The server closed the connection: let kazoo reconnect before the next write.
            wait_connected(zk, timeout=REQUEST_TIMEOUT)
    return failures


def wait_connected(zk, timeout):
    deadline = time.monotonic() + timeout
    while not zk.connected and time.monotonic() < deadline:
        time.sleep(0.05)


def server_stopped_clearly(srv):
    """A server that stops on a full disk must say why in its log."""
    log = srv.log_tail(200)
    return "No space left on device" in log or "ENOSPC" in log


def write_until_accepted(zk, writes, timeout):
    """Retries creates for up to `timeout` seconds; True once one is acknowledged."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if writes.create(zk, "recovered") == "acked":
            return True
        wait_connected(zk, timeout=1.0)
        time.sleep(0.2)
    return False


def missing_or_wrong(zk, expected):
    """Paths of `expected` (path -> data) that are absent or hold other data."""
    bad = []
    for path, data in expected.items():
        try:
            got, _ = zk.get(path)
        except NoNodeError:
            bad.append(f"{path} (missing)")
            continue
        if got != data:
            bad.append(f"{path} (wrong data)")
    return bad


def present(zk, paths):
    return [p for p in paths if zk.exists(p) is not None]


def fill_disk_and_write(srv, zk, mount_point, writes):
    """Fills the disk, writes until writes fail; returns the filler's path."""
    filler = fill_up(mount_point, ROOM_LEFT)
    failures = write_until_refused(srv, zk, writes, ROOM_LEFT)
    assert failures, (f"{len(writes.acked)} writes, none failed, with {ROOM_LEFT} bytes "
                      f"free: the disk never filled up")
    if srv.alive():
        lost = missing_or_wrong(zk, writes.acked)
        assert not lost, f"acknowledged writes unreadable while the disk is full: {lost}"
        shown = present(zk, writes.refused)
        assert not shown, f"writes answered with SystemErrorException are visible: {shown}"
    elif harness.TARGET != "zookeeper":
        assert server_stopped_clearly(srv), (f"the server died on a full disk without "
                                             f"saying so in its log:\n{srv.log_tail()}")
    # What ZooKeeper 3.8.0 (Debian) does here, observed: the txn log's IOException makes it
    # exit with status 1 at the first write that does not fit; its clients see
    # ConnectionLoss, never SystemError. It says nothing: this harness runs it with
    # SLF4J's no-op logger, so the log check above is waived for it. Everything else in
    # this test holds for ZooKeeper too: restarted on the freed disk, it has every
    # acknowledged write.
    return filler


@pytest.mark.time_limit(120)
def test_disk_full_loses_nothing_acknowledged(small_tmpfs):
    srv = harness.Server(dict(CONFIG, dataDir=small_tmpfs))
    writes = Writes()
    try:
        srv.start()
        with harness.kazoo_client(srv) as zk:
            zk.create(ROOT)
            for _ in range(WRITES_BEFORE):
                assert writes.create(zk, "before") == "acked"
            filler = fill_disk_and_write(srv, zk, small_tmpfs, writes)
        stopped = not srv.alive()

        os.remove(filler)
        if stopped:
            srv.start()
        # A new session: a client whose server went away may have given up reconnecting.
        with harness.kazoo_client(srv) as zk:
            assert write_until_accepted(zk, writes, RECOVERY_TIMEOUT), (
                f"writes still fail {RECOVERY_TIMEOUT} s after the disk was freed:\n"
                f"{srv.log_tail()}")
            for _ in range(WRITES_AFTER):
                assert writes.create(zk, "after") == "acked"

        # SIGKILL: what is on disk is all the restarted server can know.
        srv.restart(hard=True)
        with harness.kazoo_client(srv) as zk:
            lost = missing_or_wrong(zk, writes.acked)
            assert not lost, (f"{len(lost)} of {len(writes.acked)} acknowledged writes lost "
                              f"after the restart: {lost[:20]}\n{srv.log_tail()}")
            resurrected = present(zk, writes.refused)
            assert not resurrected, (f"writes answered with SystemErrorException exist after "
                                     f"the restart: {resurrected}")
        print(f"{len(writes.acked)} writes acknowledged, {len(writes.refused)} refused, "
              f"{len(writes.unknown)} unanswered; the server "
              f"{'stopped' if stopped else 'stayed up'} when the disk filled")
    finally:
        # Stopped before the fixture unmounts the tmpfs under it.
        srv.stop()
        shutil.rmtree(srv.dir, ignore_errors=True)
