"""TTL and container znodes on a standalone server: createTTL's checks, and the sweeper that
deletes an expired childless TTL znode or an emptied container (ZooKeeper's ContainerManager,
run every znode.container.checkIntervalMs). kazoo 2.8 cannot create either kind, so they are
made with the raw client; kazoo watches and reads the results.

Every wait is bounded; the sweep interval is 200 ms here, so a due znode goes within a few
passes. "Not deleted" is checked over several passes (1.5 s = 7 passes)."""
import os
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
import raw_zk  # noqa: E402
from raw_zk import (MODE_CONTAINER, MODE_PERSISTENT, MODE_PERSISTENT_SEQUENTIAL_WITH_TTL,  # noqa: E402
                    OP_CREATE_CONTAINER, OP_CREATE_TTL)

SWEEP_MS = 200
SWEEP_CONFIG = {"extendedTypesEnabled": "true", "znode.container.checkIntervalMs": str(SWEEP_MS)}
# Enough passes for a due znode to go, with room for a loaded machine.
GONE_WITHIN = 10.0
# Seven passes: long enough that a wrong sweep would have happened.
KEPT_FOR = 1.5

ERR_OK, ERR_UNIMPLEMENTED, ERR_BAD_ARGUMENTS = 0, -6, -8
MAX_TTL_MS = (1 << 40) - 1  # EphemeralType.TTL: the low 40 bits of ephemeralOwner


@pytest.fixture(scope="module")
def server():
    srv = harness.Server(SWEEP_CONFIG).start()
    yield srv
    crashed = not srv.alive() and not srv.stopped_on_purpose
    srv.cleanup()
    assert not crashed, "the server process died during the tests"


class Raw(raw_zk.Session):
    """A raw session with the TTL and container creates."""

    def create_ttl(self, path, ttl, flags=raw_zk.MODE_PERSISTENT_WITH_TTL, data=b""):
        return self.call(OP_CREATE_TTL, raw_zk.create_ttl_body(path, ttl, data, flags))

    def create_container(self, path):
        return self.call(OP_CREATE_CONTAINER, raw_zk.create_body(path, b"", MODE_CONTAINER))


@pytest.fixture
def raw(server):
    r = Raw(server)
    yield r
    r.close()


def gone(zk, path, timeout=GONE_WITHIN):
    harness.wait_for(lambda: zk.exists(path) is None, timeout=timeout,
                     what=f"the sweeper to delete {path}")


def kept(zk, path, seconds=KEPT_FOR):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert zk.exists(path) is not None, f"{path} was deleted too early"
        time.sleep(0.1)


def test_create_ttl_checks_its_arguments(raw, zk):
    err, body = raw.create_ttl("/ttl-args", 60000)
    assert err == ERR_OK
    path, stat = raw_zk.parse_create2(body)
    assert path == "/ttl-args"
    assert stat[7] == 0  # ephemeralOwner: TTL znodes show 0 to clients
    assert raw.create_ttl("/ttl-zero", 0)[0] == ERR_BAD_ARGUMENTS
    assert raw.create_ttl("/ttl-negative", -5)[0] == ERR_BAD_ARGUMENTS
    assert raw.create_ttl("/ttl-huge", MAX_TTL_MS + 1)[0] == ERR_BAD_ARGUMENTS
    assert raw.create_ttl("/ttl-max", MAX_TTL_MS)[0] == ERR_OK
    # A TTL with a mode that has none.
    assert raw.create_ttl("/ttl-mode", 1000, flags=MODE_PERSISTENT)[0] == ERR_BAD_ARGUMENTS
    assert zk.exists("/ttl-zero") is None and zk.exists("/ttl-mode") is None
    # Sequential TTL znodes are named like any sequential znode.
    zk.create("/ttl-seq")
    err, body = raw.create_ttl("/ttl-seq/n-", 60000, flags=MODE_PERSISTENT_SEQUENTIAL_WITH_TTL)
    assert err == ERR_OK
    assert raw_zk.parse_create2(body)[0] == "/ttl-seq/n-0000000000"


def test_ttl_znode_expires_when_childless(raw, zk):
    assert raw.create_ttl("/ttl-expires", 1000, data=b"x")[0] == ERR_OK
    created = time.monotonic()
    assert zk.exists("/ttl-expires") is not None
    # Not before its TTL: still there half-way.
    while time.monotonic() - created < 0.5:
        assert zk.exists("/ttl-expires") is not None
        time.sleep(0.05)
    gone(zk, "/ttl-expires")


def test_sequential_ttl_znode_expires(raw, zk):
    zk.ensure_path("/ttl-seq2")
    err, body = raw.create_ttl("/ttl-seq2/n-", 300, flags=MODE_PERSISTENT_SEQUENTIAL_WITH_TTL)
    assert err == ERR_OK
    gone(zk, raw_zk.parse_create2(body)[0])


def test_ttl_znode_with_a_child_is_kept_until_the_child_goes(raw, zk):
    assert raw.create_ttl("/ttl-parent", 200)[0] == ERR_OK
    zk.create("/ttl-parent/child")
    kept(zk, "/ttl-parent")
    zk.delete("/ttl-parent/child")
    gone(zk, "/ttl-parent")


def test_set_data_postpones_ttl_expiry(raw, zk):
    assert raw.create_ttl("/ttl-touched", 1200)[0] == ERR_OK
    # mtime moves with each setData; the TTL counts from the last one.
    for _ in range(4):
        time.sleep(0.5)
        zk.set("/ttl-touched", b"alive")
    assert zk.exists("/ttl-touched") is not None
    gone(zk, "/ttl-touched")


def test_container_is_deleted_after_its_last_child_goes(raw, zk):
    assert raw.create_container("/box")[0] == ERR_OK
    stat = zk.exists("/box")
    assert stat.ephemeralOwner == 0
    zk.create("/box/a")
    zk.create("/box/b")
    zk.delete("/box/a")
    kept(zk, "/box", seconds=0.6)  # one child left
    zk.delete("/box/b")
    gone(zk, "/box")


def test_container_that_never_had_a_child_is_kept(raw, zk):
    assert raw.create_container("/unused-box")[0] == ERR_OK
    kept(zk, "/unused-box")
    zk.delete("/unused-box")


def test_sweep_fires_delete_watches(raw, zk, client):
    zk.ensure_path("/watched")
    assert raw.create_container("/watched/box")[0] == ERR_OK
    zk.create("/watched/box/child")
    watcher = client()
    events = []
    seen = threading.Event()

    def record(event):
        events.append((event.type, event.path))
        if len(events) == 2:
            seen.set()

    assert watcher.exists("/watched/box", watch=record) is not None
    watcher.get_children("/watched", watch=record)
    # The child's own delete fires neither watch: the container's deletion fires both.
    zk.delete("/watched/box/child")
    assert seen.wait(GONE_WITHIN), f"events so far: {events}"
    assert sorted(events) == [("CHILD", "/watched"), ("DELETED", "/watched/box")]


def test_create_ttl_needs_extended_types_enabled():
    srv = harness.Server({"znode.container.checkIntervalMs": str(SWEEP_MS)}).start()
    try:
        r = Raw(srv)
        assert r.create_ttl("/ttl-off", 60000)[0] == ERR_UNIMPLEMENTED
        # The connection goes on, and containers need no flag.
        assert r.create_container("/box-anyway")[0] == ERR_OK
        r.close()
    finally:
        srv.cleanup()


def test_ttl_znodes_expire_after_a_restart(server, raw):
    assert raw.create_ttl("/ttl-restart", 400)[0] == ERR_OK
    assert raw.create_container("/box-restart")[0] == ERR_OK
    raw.call(raw_zk.OP_CREATE, raw_zk.create_body("/box-restart/c"))
    raw.close()
    server.restart()
    with harness.kazoo_client(server) as zk:
        zk.delete("/box-restart/c")
        gone(zk, "/ttl-restart")
        gone(zk, "/box-restart")
