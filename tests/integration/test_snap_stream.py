"""SNAP as a stream with flow control (issue 14), on a 3-server ensemble: a follower whose data
was wiped while the leader holds tens of MB of znodes is synced by SNAP, and
  - it catches up and serves the same data as the leader (every group's children, a sample
    of the znodes' data and Stat, the znode count, the last zxid);
  - (Paddock) the leader's log shows the image was windowed: the learner is stopped
    (SIGSTOP) for PAUSE_S as soon as the leader begins the image, and the leader sends
    exactly the window (4 MiB) unacked and no more, then completes the stream once the
    learner runs again; the image is several windows long, in pieces of 512 KiB; the
    learner logs the image received and installed; the leader kept serving writes
    meanwhile.
The same test runs against ZooKeeper (PADDOCK_TARGET=zookeeper) for the part ZooKeeper has:
the SNAP and the catch-up.
"""
import json
import os
import re
import signal
import subprocess
import threading
import time

import pytest
from kazoo.client import KazooClient

from ensemble import Ensemble
import harness
from harness import TARGET, wait_for

IS_ZK = TARGET == "zookeeper"
START_TIMEOUT = 90 if IS_ZK else 30
BIN = os.path.dirname(os.environ.get("PADDOCK_BIN", "build/bin/paddock"))
BENCH = os.environ.get("PADDOCK_BENCH", os.path.join(BIN, "paddock-bench"))
# ~150 bytes of snapshot per znode (100-byte values): ~20 MB, five times the 4 MiB window.
ZNODES = 130_000
ROOT = "/paddock-preload"
WINDOW_BYTES = 8 * 512 * 1024  # actors/messages/ensemble_wire.hpp: snap_window_chunks pieces

PAUSE_S = 1.5  # the learner is stopped this long mid-stream (initLimit is 4 s here)

STREAM_BEGUN = re.compile(r"SNAP stream \d+ of zxid 0x[0-9a-f]+ begun")
STREAM_SENT = re.compile(r"SNAP stream (?P<stream>\d+) to learner (?P<sid>\d+) sent: "
                         r"(?P<bytes>\d+) bytes in (?P<pieces>\d+) pieces, (?P<ms>\d+) ms, "
                         r"at most (?P<peak>\d+) bytes unacked \(window (?P<window>\d+) bytes\)")


def preload(hosts, znodes):
    """Creates `znodes` znodes of 100 bytes under ROOT (paddock-bench --hold), then lets the
    holder go: the znodes stay."""
    holder = subprocess.Popen([BENCH, "--server", hosts, "--hold",
                               f"znodes={znodes},sessions=0,watches=0", "--sessions", "8",
                               "--outstanding", "64", "--json", "--duration", "600"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready = json.loads(holder.stdout.readline())
        assert ready["hold"] == "ready", ready
        assert ready["znodes"] == znodes, ready
        holder.send_signal(signal.SIGTERM)
        holder.communicate(timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def client(hosts):
    zk = KazooClient(hosts=hosts, timeout=10.0, randomize_hosts=False)
    zk.start(timeout=15)
    return zk


def mntr(ens, i):
    return harness.mntr(ens.server(i).host, ens.server(i).client_port)


def snapshot_of(zk, groups, sample):
    """What a client sees of the preloaded tree: each group's children, and the data and
    Stat of `sample` znodes."""
    children = {g: sorted(zk.get_children(f"{ROOT}/{g}")) for g in groups}
    values = {}
    for path in sample:
        data, stat = zk.get(path)
        values[path] = (data, stat.czxid, stat.mzxid, stat.version, stat.pzxid)
    return children, values


@pytest.mark.time_limit(400)
def test_wiped_follower_is_synced_by_a_windowed_snap_stream():
    with Ensemble(3) as ens:
        ens.start(timeout=START_TIMEOUT)
        leader, down, sid = preloaded_then_one_follower_wiped(ens)
        # Writes go on while the follower is synced: the leader's store is not stopped.
        stop = threading.Event()
        acked = []
        writer = client(ens.server(leader).hosts)

        def write():
            k = 0
            while not stop.is_set():
                path = writer.create(f"/during-snap/w{k:06d}", b"x" * 100, makepath=True)
                acked.append(path)
                k += 1

        thread = threading.Thread(target=write, daemon=True)
        mark = ens.log_size(leader)
        thread.start()
        try:
            if IS_ZK:
                ens.start_server(down, timeout=START_TIMEOUT)
            else:
                # The learner stops (SIGSTOP) as soon as the leader begins its image: the
                # leader must fill the window, exactly, and wait; the stream resumes and
                # completes once the learner runs again.
                ens.start_server(down, wait=False)
                wait_for(lambda: STREAM_BEGUN.search(ens.log_text(leader, mark)), timeout=60,
                         interval=0.005, what="the leader to begin the SNAP image")
                os.kill(ens.server(down).pid, signal.SIGSTOP)
                time.sleep(PAUSE_S)
                os.kill(ens.server(down).pid, signal.SIGCONT)
                ens.wait_serving([down], timeout=START_TIMEOUT)
            time.sleep(1.0)  # a few writes after the sync too
        finally:
            stop.set()
            thread.join(timeout=30)
            writer.stop()
            writer.close()
        assert acked, "no write was acknowledged while the follower was synced"
        assert ens.leader() == leader, "the leader changed; the sync check needs the same one"
        events = ens.sync_events(leader, since=mark)
        assert (sid, "SNAP") in events, (f"no SNAP for sid {sid} in the leader's log; saw "
                                         f"{events}\n{ens.log_text(leader, mark)[-3000:]}")

        # The follower serves what the leader serves.
        groups = [f"g{g:04d}" for g in range(ZNODES // 1000)]
        sample = [f"{ROOT}/g{n // 1000:04d}/z{n:07d}" for n in range(0, ZNODES, ZNODES // 200)]
        zl, zf = client(ens.server(leader).hosts), client(ens.server(down).hosts)
        try:
            zf.sync("/")
            zl.sync("/")
            assert snapshot_of(zf, groups, sample) == snapshot_of(zl, groups, sample)
            assert sorted(zf.get_children("/during-snap")) == \
                sorted(zl.get_children("/during-snap"))
            assert len(zf.get_children("/during-snap")) >= len(acked)
        finally:
            for zk in (zl, zf):
                zk.stop()
                zk.close()
        wait_for(lambda: mntr(ens, down).get("zk_znode_count") ==
                 mntr(ens, leader).get("zk_znode_count"), timeout=10,
                 what="the same znode count on the follower and the leader")

        if IS_ZK:
            return
        # The stream was windowed: more bytes than the window, in pieces, never more than
        # the window unacked by the learner.
        lines = [m for m in STREAM_SENT.finditer(ens.log_text(leader, mark))
                 if int(m.group("sid")) == sid]
        assert lines, ens.log_text(leader, mark)[-3000:]
        sent = lines[-1]
        total, peak = int(sent.group("bytes")), int(sent.group("peak"))
        assert int(sent.group("window")) == WINDOW_BYTES
        assert total > 3 * WINDOW_BYTES, f"the image ({total} bytes) is too small to test the window"
        assert int(sent.group("pieces")) == -(-total // (512 * 1024))
        # The learner stopped mid-stream: the leader filled the window and went no further.
        assert peak == WINDOW_BYTES, sent.group(0)
        assert int(sent.group("ms")) >= PAUSE_S * 1000, sent.group(0)
        learner_log = ens.log_text(down)
        assert f"received: {total} bytes" in learner_log, learner_log[-3000:]
        assert "installed the leader's snapshot of zxid" in learner_log, learner_log[-3000:]
        print("SNAPSTREAM " + json.dumps({"bytes": total, "pieces": int(sent.group("pieces")),
                                          "ms": int(sent.group("ms")), "peak_unacked": peak,
                                          "writes_during": len(acked)}))


def preloaded_then_one_follower_wiped(ens):
    """The leader gets ZNODES znodes; then one follower is stopped and its data wiped, so it
    can only be synced by SNAP. Returns (leader, follower index, follower's sid)."""
    leader, _ = ens.wait_for_leader(timeout=30)
    down = [i for i in range(3) if i != leader][0]
    preload(ens.server(leader).hosts, ZNODES)
    ens.stop_server(down)
    ens.wipe(down)
    return leader, down, ens.server(down).sid


def received_files(ens, i):
    """The SNAP images (whole or partial) server i holds as received, not installed."""
    return [os.path.join(d, f) for d, _, files in os.walk(ens.server(i).data_dir)
            for f in files if f.endswith(".received")]


@pytest.mark.time_limit(400)
def test_a_learner_lost_mid_stream_releases_the_leaders_snapshot():
    """The learner dies in the middle of its SNAP (stopped once the first pieces are in its
    file, then killed): the leader abandons the stream and its store releases the
    copy-on-write snapshot — so the learner, restarted as it is, gets a new stream (one walk
    of the tree at a time: it could not begin while the first one held it), catches up, and
    the partial image it had received is gone."""
    with Ensemble(3) as ens:
        ens.start(timeout=START_TIMEOUT)
        leader, down, sid = preloaded_then_one_follower_wiped(ens)
        mark = ens.log_size(leader)
        if not IS_ZK:
            ens.start_server(down, wait=False)
            # Stopped once the first pieces are in its file, killed while stopped.
            wait_for(lambda: received_files(ens, down), timeout=60, interval=0.001,
                     what="the learner to receive the first pieces of its image")
            os.kill(ens.server(down).pid, signal.SIGSTOP)
            time.sleep(0.5)  # the leader fills the window and waits
            ens.kill(down)
            abandoned = re.compile(rf"SNAP stream (\d+) to learner {sid} abandoned: the link "
                                   r"broke")
            wait_for(lambda: abandoned.search(ens.log_text(leader, mark)), timeout=30,
                     what="the leader to abandon the stream")
            first = abandoned.search(ens.log_text(leader, mark)).group(1)
            wait_for(lambda: f"SNAP stream {first} abandoned after" in ens.log_text(leader, mark),
                     timeout=10, what="the store to release the stream's snapshot")
            # Restarted as it is: its log still empty, the part of the image it received left
            # in its snapshot directory (a new stream must remove it).
            assert received_files(ens, down)
        ens.start_server(down, timeout=START_TIMEOUT)
        zl, zf = client(ens.server(leader).hosts), client(ens.server(down).hosts)
        try:
            zf.sync("/")
            groups = [f"g{g:04d}" for g in range(ZNODES // 1000)]
            sample = [f"{ROOT}/g{n // 1000:04d}/z{n:07d}" for n in range(0, ZNODES, 997)]
            assert snapshot_of(zf, groups, sample) == snapshot_of(zl, groups, sample)
        finally:
            for zk in (zl, zf):
                zk.stop()
                zk.close()
        if IS_ZK:
            return
        sent = [m for m in STREAM_SENT.finditer(ens.log_text(leader, mark))
                if int(m.group("sid")) == sid]
        assert sent and sent[-1].group("stream") != first, ens.log_text(leader, mark)[-3000:]
        assert not received_files(ens, down)
