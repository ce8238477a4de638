"""Backups: `paddock-cli backup` takes a snapshot of a live server through its AdminServer
while writes go on, and `paddock restore` makes it a data directory again.
- Under a write load, the backup holds exactly the tree at its zxid: every znode created at
  or before it, with the value it had then, and none created after.
- The command is off unless admin.snapshot.enabled, and rate-limited.
- A whole ensemble restored from one member's backup serves the backup's state, and the
  writes made after the backup are gone."""
import os
import re
import subprocess
import threading
import urllib.error
import urllib.request

import pytest

import harness
from ensemble import Ensemble
from harness import TARGET, free_port

pytestmark = pytest.mark.skipif(TARGET == "zookeeper",
                                reason="paddock-cli backup and paddock restore are Paddock's")

CLI = os.environ.get("PADDOCK_CLI", os.path.join(os.path.dirname(harness.PADDOCK_BIN),
                                                 "paddock-cli"))


def admin_config(port, interval_ms=0, enabled=True):
    return {"admin.enableServer": "true", "admin.serverAddress": "127.0.0.1",
            "admin.serverPort": str(port), "admin.snapshot.enabled": str(enabled).lower(),
            "admin.snapshot.intervalInMS": str(interval_ms)}


def backup(admin_port, path):
    out = subprocess.run([CLI, "backup", "--server", f"127.0.0.1:{admin_port}", path],
                         capture_output=True, text=True, timeout=120)
    return out.returncode, out.stdout + out.stderr


def backup_zxid(text):
    return int(re.search(r"backup of zxid (0x[0-9a-f]+)", text).group(1), 16)


def restore(path, data_dir):
    out = subprocess.run([harness.PADDOCK_BIN, "restore", path, "--to", data_dir],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_backup_under_writes_is_the_tree_at_its_zxid(server_with, tmp_path):
    admin_port = free_port()
    srv = server_with(admin_config(admin_port))
    # The writer keeps, per key, the zxid that created it and the zxid that changed it.
    created, changed = {}, {}
    stop = threading.Event()

    def writer():
        with harness.kazoo_client(srv) as zk:
            zk.create("/w")
            i = 0
            while not stop.is_set():
                _, stat = zk.create(f"/w/k{i:06d}", b"v0", include_data=True)
                created[i] = stat.czxid
                if i > 0:
                    changed[i - 1] = zk.set(f"/w/k{i - 1:06d}", b"v1").mzxid
                i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        harness.wait_for(lambda: len(created) > 300, 30, what="writes")
        rc, text = backup(admin_port, str(tmp_path / "b.snap"))
        after = len(created)
        harness.wait_for(lambda: len(created) > after + 50, 30, what="writes after the backup")
    finally:
        stop.set()
        t.join(30)
    assert rc == 0, text
    zxid = backup_zxid(text)
    assert zxid < max(created.values()), "the writes went on after the backup"

    restored = harness.Server()
    try:
        restore(str(tmp_path / "b.snap"), restored.data_dir)
        restored.start()
        with harness.kazoo_client(restored) as zk:
            present = {int(name[1:]) for name in zk.get_children("/w")}
            expected = {i for i, z in created.items() if z <= zxid}
            assert present == expected
            for i in sorted(expected):
                data, stat = zk.get(f"/w/k{i:06d}")
                assert stat.czxid == created[i]
                assert data == (b"v1" if i in changed and changed[i] <= zxid else b"v0"), i
    finally:
        restored.cleanup()


def test_the_snapshot_command_is_off_by_default_and_rate_limited(server_with, tmp_path):
    off_port = free_port()
    server_with(admin_config(off_port, enabled=False))
    rc, text = backup(off_port, str(tmp_path / "off.snap"))
    assert rc == 1 and "403" in text and "admin.snapshot.enabled" in text
    assert not (tmp_path / "off.snap").exists()

    limited_port = free_port()
    server_with(admin_config(limited_port, interval_ms=600000))
    rc, text = backup(limited_port, str(tmp_path / "first.snap"))
    assert rc == 0, text
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://127.0.0.1:{limited_port}/commands/snapshot", timeout=30)
    assert refused.value.code == 429


def test_a_whole_ensemble_restored_from_a_backup_serves_its_state(tmp_path):
    with Ensemble(3) as ens:
        admin_port = free_port()
        member = ens.server(1)
        member.write_files({**member.config, **admin_config(admin_port)})
        ens.start()
        with harness.kazoo_client(ens.connect_string()) as zk:
            zk.create("/kept", b"before")
            for i in range(200):
                zk.create(f"/kept-{i}", b"x")
            zk.sync("/")
        rc, text = backup(admin_port, str(tmp_path / "ens.snap"))
        assert rc == 0, text
        with harness.kazoo_client(ens.connect_string()) as zk:
            zk.set("/kept", b"after")
            zk.create("/gone", b"written after the backup")
        ens.stop()
        for i in range(len(ens)):
            ens.wipe(i)
            restore(str(tmp_path / "ens.snap"), ens.server(i).data_dir)
        ens.start()
        with harness.kazoo_client(ens.connect_string()) as zk:
            assert zk.get("/kept")[0] == b"before"
            assert zk.exists("/gone") is None
            assert len([c for c in zk.get_children("/") if c.startswith("kept-")]) == 200
            zk.create("/new", b"after the restore")
        for i in range(len(ens)):
            with harness.kazoo_client(ens.server(i).hosts) as zk:
                zk.sync("/")
                assert zk.get("/new")[0] == b"after the restore"
