"""`paddock verify DATADIR`: a server's data directory after a clean stop and after SIGKILL
mid-write is sound and its last good zxid is the zxid a restart recovers; a
damaged log segment or snapshot makes it exit 1 naming the file, and nothing is changed."""
import glob
import os
import re
import subprocess
import threading

import pytest

import harness
from harness import TARGET

pytestmark = pytest.mark.skipif(TARGET == "zookeeper",
                                reason="paddock verify reads Paddock's data directory")


def verify(data_dir):
    out = subprocess.run([harness.PADDOCK_BIN, "verify", data_dir], capture_output=True,
                         text=True, timeout=120)
    return out.returncode, out.stdout + out.stderr


def served_zxid(srv):
    return int(re.search(r"Zxid: (0x[0-9a-f]+)", srv.four_letter("srvr")).group(1), 16)


def last_good(text):
    return int(re.search(r"last good zxid: (0x[0-9a-f]+)", text).group(1), 16)


def files_of(data_dir):
    paths = sorted(glob.glob(os.path.join(data_dir, "paddock", "*")))
    return {p: open(p, "rb").read() for p in paths}


@pytest.fixture
def busy_server(server_with):
    # Small snapCount: several snapshots and log segments.
    srv = server_with({"snapCount": "100"})
    with harness.kazoo_client(srv) as zk:
        zk.create("/v")
        for i in range(350):
            zk.create(f"/v/n{i}", b"x" * 40)
    return srv


def test_a_cleanly_stopped_data_dir_is_sound_and_ends_where_the_server_did(busy_server):
    zxid = served_zxid(busy_server)
    busy_server.stop()
    before = files_of(busy_server.data_dir)
    assert len([p for p in before if "/snapshot." in p]) >= 2
    rc, text = verify(busy_server.data_dir)
    assert rc == 0, text
    assert "verdict: sound" in text
    assert last_good(text) == zxid
    assert files_of(busy_server.data_dir) == before  # read-only


def test_after_sigkill_mid_write_the_last_good_zxid_is_what_a_restart_serves(busy_server):
    stop = threading.Event()

    def writer():
        with harness.kazoo_client(busy_server) as zk:
            i = 0
            while not stop.is_set():
                try:
                    # Bounded: a request queued while kazoo reconnects would otherwise wait
                    # for ever once the server is gone for good, and keep the process alive.
                    zk.create_async(f"/v/k{i}", b"y" * 100).get(timeout=10)
                except Exception:  # the kill: the connection goes
                    return
                i += 1

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    harness.wait_for(lambda: served_zxid(busy_server) > 600, 30, what="writes")
    busy_server.kill()  # SIGKILL while the writer's requests are in flight
    stop.set()
    t.join(30)
    rc, text = verify(busy_server.data_dir)
    assert rc == 0, text
    busy_server.start()
    # The restart's own log says what it recovered (its readiness check opens a session
    # afterwards, which moves the served zxid on).
    recovered = re.findall(r"recovered zxid (0x[0-9a-f]+)", open(busy_server.log_path).read())
    assert int(recovered[-1], 16) == last_good(text)


def test_a_damaged_log_segment_is_named_and_nothing_is_changed(busy_server):
    busy_server.stop()
    segments = sorted(glob.glob(os.path.join(busy_server.data_dir, "paddock", "log.*")))
    assert len(segments) >= 3
    victim = segments[1]  # an older segment, in the middle of the history
    data = bytearray(open(victim, "rb").read())
    data[len(data) // 2] ^= 0x5A
    open(victim, "wb").write(data)
    before = files_of(busy_server.data_dir)
    rc, text = verify(busy_server.data_dir)
    assert rc == 1, text
    assert "verdict: DAMAGED" in text
    assert os.path.basename(victim) in text
    assert files_of(busy_server.data_dir) == before


def test_a_damaged_snapshot_is_named(busy_server):
    busy_server.stop()
    snapshots = sorted(glob.glob(os.path.join(busy_server.data_dir, "paddock", "snapshot.*")))
    data = bytearray(open(snapshots[-1], "rb").read())
    data[len(data) // 2] ^= 0x5A
    open(snapshots[-1], "wb").write(data)
    rc, text = verify(busy_server.data_dir)
    assert rc == 1, text
    assert f"snapshot {snapshots[-1]}: DAMAGED" in text


def test_a_bad_command_line_exits_2():
    rc, text = verify("/nonexistent/paddock-verify")
    assert rc == 2 and "is not a directory" in text
