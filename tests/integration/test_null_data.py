"""Null data is not empty data. A client may send a znode's data as a jute buffer of length -1
(the Java client's `null`, kazoo 2.8's `None`: its write_buffer sends -1 for None, and its
read_buffer gives None back for -1). ZooKeeper 3.8 stores such data as null and answers getData
with a -1 length again, while empty data (length 0) stays empty; Stat.dataLength is 0 for both.
Checked with kazoo and with the raw client (raw_zk: the length field itself, multi, multiRead),
across a restart (snapshot + log) and through the followers of a 3-server ensemble (live
replication, DIFF and SNAP sync). Runs against both targets (PADDOCK_TARGET=zookeeper)."""
import glob
import os
import re
import struct

import pytest

import harness
import raw_zk
from ensemble import Ensemble
from harness import TARGET, wait_for

IS_ZK = TARGET == "zookeeper"
START_TIMEOUT = 90 if IS_ZK else 30
OP_MULTI = 14
DATA_LENGTH = 8  # the index of dataLength in a raw_zk stat tuple


# -- raw wire helpers ----------------------------------------------------------------------

def raw_get(session, path):
    """(length field of the data buffer, data or None, Stat.dataLength) of a raw getData."""
    err, rest = session.call(raw_zk.OP_GET_DATA, raw_zk.path_watch_body(path))
    assert err == 0, f"getData {path}: error {err}"
    (length,) = struct.unpack(">i", rest[:4])
    data, stat = raw_zk.parse_get_data(rest)
    return length, data, stat[DATA_LENGTH]


def assert_null(session, path):
    assert raw_get(session, path) == (-1, None, 0), path


def assert_empty(session, path):
    assert raw_get(session, path) == (0, b"", 0), path


def raw_sync(session, path="/"):
    err, _ = session.call(raw_zk.OP_SYNC, raw_zk.pack_string(path))
    assert err == 0


def multi_body(ops):
    """A MultiOperationRecord: ops = [(opcode, body)], each behind MultiHeader{type, false, -1},
    closed by {-1, true, -1}."""
    out = b""
    for opcode, body in ops:
        out += struct.pack(">i?i", opcode, False, -1) + body
    return out + struct.pack(">i?i", -1, True, -1)


def multi_errors(rest):
    """The per-op err of a MultiResponse (a failed op: its ErrorResponse's code)."""
    errors, offset = [], 0
    while True:
        opcode, done, err = struct.unpack(">i?i", rest[offset:offset + 9])
        offset += 9
        if done:
            return errors
        if opcode == raw_zk.OP_ERROR:
            (code,) = struct.unpack(">i", rest[offset:offset + 4])
            errors.append(code)
            offset += 4
        elif opcode == raw_zk.OP_CREATE:
            _, offset = raw_zk.unpack_buffer(rest, offset)
            errors.append(0)
        elif opcode == raw_zk.OP_SET_DATA:
            offset += raw_zk.STAT_SIZE
            errors.append(0)
        else:
            raise AssertionError(f"unexpected op {opcode} in the multi response")


def write_nulls(zk, session, root):
    """Every way to end up with null or empty data, through kazoo and the raw client;
    returns ({null paths}, {empty paths})."""
    zk.create(root)
    zk.create(f"{root}/kazoo-null", None)           # kazoo sends -1 for None
    zk.create(f"{root}/kazoo-empty", b"")
    zk.create(f"{root}/kazoo-set-null", b"value")
    zk.set(f"{root}/kazoo-set-null", None)
    zk.create(f"{root}/kazoo-set-empty", None)
    zk.set(f"{root}/kazoo-set-empty", b"")
    err, _ = session.call(raw_zk.OP_CREATE, raw_zk.create_body(f"{root}/raw-null", None))
    assert err == 0
    err, _ = session.call(raw_zk.OP_CREATE, raw_zk.create_body(f"{root}/raw-empty", b""))
    assert err == 0
    # kazoo's transaction refuses None, so the multi is sent raw.
    err, rest = session.call(OP_MULTI, multi_body([
        (raw_zk.OP_CREATE, raw_zk.create_body(f"{root}/multi-null", None)),
        (raw_zk.OP_CREATE, raw_zk.create_body(f"{root}/multi-empty", b"")),
        (raw_zk.OP_CREATE, raw_zk.create_body(f"{root}/multi-set-null", b"x")),
        (raw_zk.OP_SET_DATA, raw_zk.set_data_body(f"{root}/multi-set-null", None)),
    ]))
    assert err == 0 and multi_errors(rest) == [0, 0, 0, 0]
    nulls = {f"{root}/{n}" for n in ("kazoo-null", "kazoo-set-null", "raw-null", "multi-null",
                                     "multi-set-null")}
    empties = {f"{root}/{n}" for n in ("kazoo-empty", "kazoo-set-empty", "raw-empty",
                                       "multi-empty")}
    return nulls, empties


def check_nulls(session, nulls, empties, zk=None):
    for p in sorted(nulls):
        assert_null(session, p)
    for p in sorted(empties):
        assert_empty(session, p)
    if zk is not None:
        for p in nulls:
            data, stat = zk.get(p)
            assert data is None and stat.dataLength == 0, p
        for p in empties:
            data, stat = zk.get(p)
            assert data == b"" and stat.dataLength == 0, p


# -- one server ----------------------------------------------------------------------------

def test_null_and_empty_data_read_back_as_sent(server):
    with harness.kazoo_client(server) as zk:
        session = raw_zk.Session(server)
        try:
            nulls, empties = write_nulls(zk, session, "/nd")
            check_nulls(session, nulls, empties, zk)
            # Data set over null is data again; null set over it is null again.
            zk.set("/nd/kazoo-null", b"back")
            assert raw_get(session, "/nd/kazoo-null") == (4, b"back", 4)
            # The Stats of setData and create2 say 0 bytes for null, as for empty.
            assert zk.set("/nd/kazoo-null", None).dataLength == 0
            assert_null(session, "/nd/kazoo-null")
            assert zk.create("/nd/create2-null", None, include_data=True)[1].dataLength == 0
            assert_null(session, "/nd/create2-null")
        finally:
            session.close()


def test_multi_read_answers_null_with_minus_one(server):
    with harness.kazoo_client(server) as zk:
        zk.create("/nd-mr-null", None)
        zk.create("/nd-mr-empty", b"")
    session = raw_zk.Session(server)
    try:
        err, rest = session.call(raw_zk.OP_MULTI_READ, raw_zk.multi_read_body(
            [(raw_zk.OP_GET_DATA, "/nd-mr-null"), (raw_zk.OP_GET_DATA, "/nd-mr-empty")]))
        assert err == 0
        (length,) = struct.unpack(">i", rest[9:13])  # after the first MultiHeader
        assert length == -1
        results = raw_zk.parse_multi_read(rest)
        assert [(kind, data, stat[DATA_LENGTH]) for kind, data, stat in results] == [
            ("data", None, 0), ("data", b"", 0)]
    finally:
        session.close()


# -- restart: snapshot and log -------------------------------------------------------------

def snapshot_zxids(data_dir):
    """The zxids of the finished snapshots under data_dir (Paddock's paddock/snapshot.<hex>,
    ZooKeeper's version-2/snapshot.<hex>)."""
    out = []
    for path in glob.glob(os.path.join(data_dir, "*", "snapshot.*")):
        m = re.fullmatch(r"snapshot\.([0-9a-fA-F]+)", os.path.basename(path))
        if m:
            out.append(int(m.group(1), 16))
    return out


@pytest.mark.parametrize("hard", [False, True], ids=["sigterm", "sigkill"])
def test_null_data_survives_a_restart_from_snapshot_and_log(server_with, hard):
    # snapCount 40: a snapshot after 20..40 txns (both servers roll at snapCount/2 + random),
    # so the ~10 txns written after the first snapshot cannot all land in a second one.
    srv = server_with({"snapCount": "40"})
    with harness.kazoo_client(srv) as zk:
        session = raw_zk.Session(srv)
        try:
            nulls, empties = write_nulls(zk, session, "/snap")
            written = zk.exists("/snap/multi-set-null").mzxid
            # Filler writes until a snapshot holds everything above.
            k = 0

            def snapshotted():
                nonlocal k
                zk.create(f"/filler-{k}")
                k += 1
                return max(snapshot_zxids(srv.data_dir), default=0) >= written
            wait_for(snapshotted, timeout=30, interval=0.05, what="a snapshot of the null data")
            # These only the log holds.
            log_nulls, log_empties = write_nulls(zk, session, "/log")
            assert zk.exists("/log/multi-set-null").mzxid > max(snapshot_zxids(srv.data_dir))
        finally:
            session.close()
    srv.restart(hard=hard)
    with harness.kazoo_client(srv) as zk:
        session = raw_zk.Session(srv)
        try:
            check_nulls(session, nulls | log_nulls, empties | log_empties, zk)
        finally:
            session.close()


# -- a 3-server ensemble -------------------------------------------------------------------

@pytest.fixture(scope="module")
def ens3():
    with Ensemble(3) as ens:
        ens.start(timeout=START_TIMEOUT)
        yield ens


def connect(member, timeout=15.0):
    """A raw session on a server that was just (re)started. start_server returns once srvr
    reports a mode; a Paddock follower may still close a connection for a moment after that,
    until it has synced with the leader, so the handshake is retried as kazoo would."""
    sessions = []

    def attempt():
        try:
            sessions.append(raw_zk.Session(member))
            return True
        except (AssertionError, OSError):
            return False
    wait_for(attempt, timeout=timeout, interval=0.1, what=f"a session on sid {member.sid}")
    return sessions[0]


def read_on(ens, i, nulls, empties):
    """Checks the data as server i alone answers it, after a sync through it."""
    session = connect(ens.server(i))
    try:
        raw_sync(session)
        check_nulls(session, nulls, empties)
    finally:
        session.close()


def write_through_leader(ens, root):
    leader = ens.leader()
    with harness.kazoo_client(ens.server(leader).hosts) as zk:
        session = raw_zk.Session(ens.server(leader))
        try:
            return write_nulls(zk, session, root)
        finally:
            session.close()


@pytest.mark.time_limit(180)
def test_followers_read_null_data(ens3):
    nulls, empties = write_through_leader(ens3, "/ens")
    followers = ens3.followers()
    assert len(followers) == 2
    for i in followers:
        read_on(ens3, i, nulls, empties)


@pytest.mark.time_limit(180)
def test_a_follower_synced_by_diff_reads_null_data(ens3):
    down = ens3.followers()[0]
    ens3.kill(down)
    nulls, empties = write_through_leader(ens3, "/diff")
    ens3.start_server(down, timeout=START_TIMEOUT)
    read_on(ens3, down, nulls, empties)


@pytest.mark.time_limit(180)
def test_a_wiped_follower_synced_by_snap_reads_null_data(ens3):
    leader = ens3.leader()
    down = ens3.followers()[0]
    sid = ens3.server(down).sid
    before, before_empty = write_through_leader(ens3, "/before-wipe")
    ens3.stop_server(down)
    ens3.wipe(down)
    nulls, empties = write_through_leader(ens3, "/snap-sync")
    mark = ens3.log_size(leader)
    ens3.start_server(down, timeout=START_TIMEOUT)
    read_on(ens3, down, nulls | before, empties | before_empty)
    if ens3.leader() == leader:
        # How the leader synced it (for the record: ZooKeeper may DIFF from its txn log).
        print("sync of the wiped follower:", [e for e in ens3.sync_events(leader, since=mark)
                                              if e[0] == sid])
