"""The log file (paddock.log.* in zoo.cfg, --log-file / --log-level): written, rotated at its
size into FILE.1..FILE.N, reopened on SIGHUP after a rename (logrotate's way); and the lines of
the significant events: elections, syncs of learners, snapshots, slow fsyncs, client errors.

Paddock's own keys: ZooKeeper configures its log in log4j's file, so these tests skip there."""
import os
import signal
import socket
import struct

import pytest

import harness
from ensemble import Ensemble
from harness import TARGET, kazoo_client, wait_for

pytestmark = pytest.mark.skipif(
    TARGET == "zookeeper",
    reason="paddock.log.* and --log-file are Paddock's; ZooKeeper logs through log4j")

MAX_FILE_SIZE = 4096  # the smallest paddock.log.maxFileSize allows
MAX_FILES = 2


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def oversized_frame(server):
    """A connection whose first frame claims more than jute.maxbuffer: the server logs the
    error and the close, and closes it."""
    with socket.create_connection((server.host, server.port), timeout=5) as s:
        s.sendall(struct.pack(">i", 0x100000))
        try:
            while s.recv(1024):
                pass
        except OSError:
            pass


@pytest.fixture
def logged_server():
    srv = harness.Server(extra_config={
        "paddock.log.maxFileSize": str(MAX_FILE_SIZE),
        "paddock.log.maxFiles": str(MAX_FILES),
    })
    srv.log_file = os.path.join(srv.dir, "paddock.log")
    # zoo.cfg is written by the constructor: the file key goes in through the flag here, and
    # through zoo.cfg in test_zoo_cfg_keys_and_level.
    srv.extra_args = ["--log-file", srv.log_file]
    srv.start()
    yield srv
    srv.cleanup()


def test_file_written_and_rotated_at_its_size(logged_server):
    srv = logged_server
    path = srv.log_file
    wait_for(lambda: "listening for ZooKeeper clients" in read(path), 10,
             what="the startup line in the log file")
    # Standard error no longer gets the lines once the file is open.
    assert "listening for ZooKeeper clients" not in srv.log_tail(200)
    lines_before = read(path).count("\n")
    # Each bad connection logs two lines (the error, the close) of ~100 bytes: 100 of them
    # are more than the three files of 4 KiB the settings keep.
    for _ in range(100):
        oversized_frame(srv)
    wait_for(lambda: os.path.exists(path + ".2"), 10, what="a second rotation")
    assert not os.path.exists(path + f".{MAX_FILES + 1}"), "more rotated files than maxFiles"
    for p in (path, path + ".1", path + ".2"):
        assert os.path.getsize(p) <= MAX_FILE_SIZE, p
    # Rotation keeps whole lines, and the newest lines are in the current file.
    assert read(path + ".1").endswith("\n")
    newest = read(path)
    assert "is over the limit of jute.maxbuffer" in newest
    assert "closing connection 127.0.0.1:" in newest
    assert lines_before > 0
    assert srv.alive()


def test_sighup_reopens_after_rename(logged_server):
    srv = logged_server
    path = srv.log_file
    moved = path + ".moved"
    wait_for(lambda: os.path.exists(path), 10, what="the log file")
    os.rename(path, moved)
    oversized_frame(srv)  # still written to the renamed file: the descriptor follows it
    wait_for(lambda: "is over the limit" in read(moved), 10, what="a line in the moved file")
    assert not os.path.exists(path)
    os.kill(srv.pid, signal.SIGHUP)
    wait_for(lambda: "log file reopened (SIGHUP)" in read(path), 10,
             what="the reopened file at the old path")
    size_moved = os.path.getsize(moved)
    oversized_frame(srv)
    wait_for(lambda: "is over the limit" in read(path), 10, what="a new line in the new file")
    assert os.path.getsize(moved) == size_moved, "the renamed file still grows"
    assert srv.alive(), "SIGHUP stopped the server"
    with kazoo_client(srv) as zk:
        zk.create("/after-sighup", b"x")


def test_sigterm_stops_cleanly_with_a_log_file(logged_server):
    # The log file's reopener thread must not take SIGTERM (its default action would kill
    # the process before the clean stop): exit status 0 and the stop logged.
    srv = logged_server
    with kazoo_client(srv) as zk:
        zk.create("/before-sigterm", b"x")
    srv.proc.send_signal(signal.SIGTERM)
    assert srv.proc.wait(timeout=30) == 0
    assert "received signal 15, shutting down" in read(srv.log_file)


def test_zoo_cfg_keys_and_level():
    """The file and level from zoo.cfg; --log-level over paddock.log.level; every fsync over
    fsync.warningthresholdms=0 logged with ZooKeeper's words."""
    srv = harness.Server(extra_config={
        "paddock.log.level": "debug",
        "fsync.warningthresholdms": "0",
        "forceSync": "yes",
    })
    path = os.path.join(srv.dir, "from-cfg.log")
    with open(srv.cfg_path, "a") as f:
        f.write(f"paddock.log.file={path}\n")
    srv.extra_args = ["--log-level", "warn"]
    try:
        srv.start()
        with kazoo_client(srv) as zk:
            for i in range(5):
                zk.create(f"/fsync-{i}", b"x")
        wait_for(lambda: "fsync-ing the write ahead log" in read(path), 10,
                 what="the slow-fsync warning")
        text = read(path)
        assert "adversely effect operation latency" in text
        assert "[warning]" in text
        # warn from the command line beats debug from zoo.cfg: no info or debug lines.
        assert "[info]" not in text and "[debug]" not in text, text[:2000]
    finally:
        srv.cleanup()


def test_bad_log_settings_refused():
    srv = harness.Server(extra_config={"paddock.log.maxFiles": "0"})
    try:
        import subprocess
        out = subprocess.run(srv.command(), capture_output=True, text=True, timeout=20)
        assert out.returncode == 2
        assert "paddock.log.maxFiles" in out.stderr
        out = subprocess.run([harness.PADDOCK_BIN, "--log-level", "loud", srv.cfg_path],
                             capture_output=True, text=True, timeout=20)
        assert out.returncode == 2
        assert "unknown log level 'loud'" in out.stderr
    finally:
        srv.cleanup()


@pytest.mark.time_limit(120)
def test_election_sync_and_snapshot_lines():
    """Each server logs its election (start, result, duration); the leader logs each
    learner's sync mode; a snapshot logs its zxid, duration and size."""
    with Ensemble(3, extra_config={"snapCount": "20"}) as ens:
        ens.start()
        leader, _ = ens.wait_for_leader(30)
        with kazoo_client(ens.connect_string()) as zk:
            for i in range(60):
                zk.create(f"/snap-{i}", b"x" * 100)

        def logged(i, needle):
            return needle in ens.log_text(i)

        for i in range(3):
            wait_for(lambda: logged(i, "leader election started"), 10, what="election start")
            wait_for(lambda: logged(i, "leader election took"), 10, what="election result")
        text = ens.log_text(leader)
        assert f"ms: server {ens.server(leader).sid} leads; this server: leader" in text
        wait_for(lambda: len(ens.sync_events(leader)) >= 2, 10, what="two learner syncs")
        def snapshot_lines():
            return [line for line in ens.log_text(leader).splitlines()
                    if "snapshot of zxid" in line and "written in" in line]

        wait_for(lambda: snapshot_lines(), 20, what="a snapshot line")
        assert " bytes)" in snapshot_lines()[0] and "(-1 bytes)" not in snapshot_lines()[0]

        # Killing the leader: the others log an election that ends in a new leader.
        before = {i: ens.log_size(i) for i in range(3) if i != leader}
        ens.kill(leader)
        new_leader, _ = ens.wait_for_leader(30, exclude=[leader])
        for i, since in before.items():
            wait_for(lambda: "leader election took" in ens.log_text(i, since), 10,
                     what=f"server {i}'s second election")
        assert "leader election started" in ens.log_text(new_leader, before[new_leader])
