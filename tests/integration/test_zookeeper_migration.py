"""`paddock import-zookeeper` and `paddock export-zookeeper` against Debian's ZooKeeper 3.8:
data written there by kazoo (every znode kind, ACLs, quotas, deletes, setData versions, a
multi, 100,000 small znodes) imports into Paddock with every znode's data, Stat and ACL
equal to what ZooKeeper served; the same with ZooKeeper writing its snapshots compressed
(zookeeper.snapshot.compression.method gz and snappy: snapshot.<zxid>.gz / .snappy, 5,000
small znodes and a low snapCount, so the import starts from a compressed snapshot full of
them); a compressed newest snapshot cut short falls back to the one before, as ZooKeeper's
own start-up does; exported back, ZooKeeper serves the same again (a ZooKeeper set to
compress reads the export's plain snapshot too); a ZooKeeper killed mid-write (and with a
torn log tail) imports what ZooKeeper itself recovers from the same files; ZooKeeper's own
tree digests (the snapshot's, every logged txn's) agree with the imported tree, and ZooKeeper
agrees with the exported snapshot's digest; damaged input is refused with exit status 2 and
nothing written.

This test always runs both servers (ZooKeeper writes the data, Paddock imports it), whatever
PADDOCK_TARGET says."""
import os
import re
import shutil
import struct
import subprocess
import threading
import time
import zlib

import pytest

import harness
import raw_zk
from kazoo.security import make_acl, make_digest_acl

ZK_CONFIG = {"extendedTypesEnabled": "true", "forceSync": "no"}
PADDOCK_CONFIG = {"extendedTypesEnabled": "true"}
BULK_PARENTS, BULK_CHILDREN = 100, 1000  # 100,000 small znodes
STEP = 60  # seconds: the bound of any one step
HOUR_MS = 3600 * 1000
# zookeeper.snapshot.compression.method: "" (plain snapshot.<zxid>), gz, snappy. ZooKeeper
# reads it only as a JVM system property (SnapStream, once per JVM).
COMPRESSIONS = ["", "gz", "snappy"]
AUTH = "alice:secret"  # the digest identity that may read /app/digest


class ZooKeeper(harness.Server):
    """Debian's ZooKeeper 3.8, whatever PADDOCK_TARGET says."""

    def __init__(self, extra_config=None, compression=""):
        flags = [f"-Dzookeeper.snapshot.compression.method={compression}"] if compression else []
        super().__init__(extra_config, jvm_flags=flags)

    def command(self):
        return ["java", "-Xmx512m", *harness.jvm_system_properties(self.config),
                *self.jvm_flags, "-cp", harness.ZK_CLASSPATH,
                "org.apache.zookeeper.server.ZooKeeperServerMain", self.cfg_path]


class Paddock(harness.Server):
    """The Paddock server, whatever PADDOCK_TARGET says."""

    def command(self):
        return [harness.PADDOCK_BIN, "--config", self.cfg_path]


def paddock_cli(*args):
    return subprocess.run([harness.PADDOCK_BIN, *args], capture_output=True, text=True,
                          timeout=STEP)


def stat_of(stat):
    return (stat.czxid, stat.mzxid, stat.ctime, stat.mtime, stat.version, stat.cversion,
            stat.aversion, stat.ephemeralOwner, stat.dataLength, stat.numChildren, stat.pzxid)


def read_tree(srv, auth=None, batch=5000):
    """Every znode: path -> (data, full Stat, ACLs), read over one raw connection with the
    requests pipelined in batches (getData and getACL per znode, getChildren where it has
    children): several times faster than kazoo's async calls for 100,000 znodes."""
    started = time.monotonic()
    deadline = started + STEP
    conn = raw_zk.Conn(srv.host, srv.port, timeout=STEP)
    try:
        assert conn.handshake(timeout_ms=10000) is not None
        if auth:
            assert raw_zk.add_auth(conn, "digest", auth) == 0
        xid = 0

        def pipeline(requests):
            """Sends (opcode, body) requests at once; returns their (err, body) in order."""
            nonlocal xid
            first = xid + 1
            out = []
            for opcode, body in requests:
                xid += 1
                out.append(raw_zk.request(xid, opcode, body))
            conn.send(b"".join(out))
            replies = []
            while len(replies) < len(requests):
                frame = conn.read_frame()
                assert frame is not None, "the server closed the connection"
                rxid, _zxid, err, rest = raw_zk.parse_frame(frame)
                if rxid == raw_zk.NOTIFICATION_XID:
                    continue
                assert rxid == first + len(replies), "replies out of order"
                replies.append((err, rest))
            return replies

        tree, todo = {}, ["/"]
        while todo:
            assert time.monotonic() < deadline, "reading the tree took too long"
            chunk, todo = todo[:batch], todo[batch:]
            requests = []
            for p in chunk:
                requests.append((raw_zk.OP_GET_DATA, raw_zk.path_watch_body(p)))
                requests.append((OP_GET_ACL, raw_zk.pack_string(p)))
            replies = pipeline(requests)
            parents = []
            for i, p in enumerate(chunk):
                (err_d, data_body), (err_a, acl_body) = replies[2 * i], replies[2 * i + 1]
                assert err_d == 0 and err_a == 0, f"{p}: getData {err_d}, getACL {err_a}"
                data, stat = raw_zk.parse_get_data(data_body)
                tree[p] = (data, stat, parse_acls(acl_body))
                if stat[9]:  # numChildren
                    parents.append(p)
            replies = pipeline([(raw_zk.OP_GET_CHILDREN, raw_zk.path_watch_body(p))
                                for p in parents])
            for p, (err, body) in zip(parents, replies):
                assert err == 0, f"{p}: getChildren {err}"
                base = "" if p == "/" else p
                todo.extend(f"{base}/{c}" for c in parse_children(body))
    finally:
        conn.close()
    print(f"read {len(tree)} znodes in {time.monotonic() - started:.1f} s")
    return tree


OP_GET_ACL = 6


def parse_acls(body):
    """A GetACLResponse's ACLs as sorted (perms, scheme, id) tuples."""
    (n,), at, acls = struct.unpack(">i", body[:4]), 4, []
    for _ in range(n):
        (perms,) = struct.unpack(">i", body[at:at + 4])
        scheme, at = raw_zk.unpack_buffer(body, at + 4)
        ident, at = raw_zk.unpack_buffer(body, at)
        acls.append((perms, scheme.decode(), ident.decode()))
    return sorted(acls)


def parse_children(body):
    (n,), at, names = struct.unpack(">i", body[:4]), 4, []
    for _ in range(n):
        name, at = raw_zk.unpack_buffer(body, at)
        names.append(name.decode())
    return names


def assert_digests_agree(result):
    """The import compared ZooKeeper's own tree digests (the snapshot's, every logged txn's)
    with the tree it rebuilt, and none differed."""
    m = re.search(r"digest checked (\d+) times, (\d+) mismatches", result.stdout)
    assert m, result.stdout
    assert int(m.group(1)) > 0 and int(m.group(2)) == 0, result.stdout + result.stderr
    assert "digest mismatch" not in result.stderr


def zookeeper_digest_mismatches(srv):
    """ZooKeeper's count of digest mismatches (it compares a loaded snapshot's digest with the
    tree it built)."""
    for line in srv.four_letter("mntr").splitlines():
        if line.startswith("zk_digest_mismatches_count"):
            return int(line.split()[1])
    raise AssertionError("mntr has no zk_digest_mismatches_count")


def compare(expected, served, what):
    missing = sorted(set(expected) - set(served))[:5]
    extra = sorted(set(served) - set(expected))[:5]
    assert not missing and not extra, f"{what}: missing {missing}, unexpected {extra}"
    differ = [p for p in expected if expected[p] != served[p]]
    assert not differ, (f"{what}: {len(differ)} znodes differ, e.g. {differ[0]}: "
                        f"expected {expected[differ[0]]}, served {served[differ[0]]}")


def write_everything(zk, srv):
    """Every kind of znode and change the import must carry."""
    zk.create("/app", b"root data")
    zk.create("/app/persistent", b"p")
    zk.create("/app/empty", b"")
    seq = [zk.create("/app/seq-", b"s%d" % i, sequence=True) for i in range(3)]
    zk.delete(seq[1])  # a gap in the counter, kept in cversion
    zk.create("/app/versions", b"v0")
    for i in range(5):
        zk.set("/app/versions", b"v%d" % (i + 1))
    # ACLs: digest, ip, world; and setACL's aversion.
    zk.add_auth("digest", "alice:secret")
    zk.create("/app/digest", b"d", acl=[make_digest_acl("alice", "secret", all=True)])
    zk.create("/app/ip", b"i", acl=[make_acl("ip", "127.0.0.1", all=True),
                                    make_acl("world", "anyone", read=True)])
    zk.create("/app/acl-changed", b"a")
    zk.set_acls("/app/acl-changed", [make_acl("world", "anyone", read=True, write=True, admin=True)])
    zk.set_acls("/app/acl-changed", [make_acl("world", "anyone", all=True)])
    # A quota on /app/quota (what zkCli's setquota writes) and znodes under it.
    zk.create("/zookeeper/quota/app/quota/zookeeper_limits", b"count=10,bytes=1000",
              makepath=True)
    zk.create("/zookeeper/quota/app/quota/zookeeper_stats", b"count=0,bytes=0")
    zk.create("/app/quota", b"q")
    zk.create("/app/quota/a", b"12345")
    # Deletes, and a multi.
    zk.create("/app/gone", b"x")
    zk.create("/app/gone/child", b"y")
    zk.delete("/app/gone/child")
    zk.delete("/app/gone")
    tx = zk.transaction()
    tx.create("/app/multi", b"m")
    tx.create("/app/multi/a", b"ma")
    tx.set_data("/app/versions", b"from a multi")
    tx.check("/app/persistent", 0)
    tx.commit()
    failed = zk.transaction()
    failed.create("/app/never", b"n")
    failed.check("/app/persistent", 42)
    failed.commit()
    # Null data (a -1 length), apart from empty data.
    zk.create("/app/null", None)
    # Container and TTL znodes (kazoo cannot create them: a raw session). Each has a child,
    # so the container / TTL sweeper of either server leaves them alone.
    raw = raw_zk.Session(srv)
    try:
        err, _ = raw.call(raw_zk.OP_CREATE_CONTAINER,
                          raw_zk.create_body("/app/container", b"c", raw_zk.MODE_CONTAINER))
        assert err == 0
        err, _ = raw.call(raw_zk.OP_CREATE_TTL,
                          raw_zk.create_ttl_body("/app/ttl", HOUR_MS, b"t"))
        assert err == 0
        err, _ = raw.call(raw_zk.OP_CREATE_TTL, raw_zk.create_ttl_body(
            "/app/ttl-seq-", HOUR_MS, b"ts", raw_zk.MODE_PERSISTENT_SEQUENTIAL_WITH_TTL))
        assert err == 0
    finally:
        raw.close()
    zk.create("/app/container/child", b"")
    zk.create("/app/ttl/child", b"")


def write_bulk(zk, parents=BULK_PARENTS):
    """parents x 1,000 small znodes (100,000 by default), async creates in batches."""
    started = time.monotonic()
    deadline = started + STEP
    zk.create("/bulk")
    for p in range(parents):
        zk.create(f"/bulk/p{p}")
    for p in range(parents):
        assert time.monotonic() < deadline, "the bulk creates took too long"
        futures = [zk.create_async(f"/bulk/p{p}/n{c}", b"%d" % c) for c in range(BULK_CHILDREN)]
        for f in futures:
            f.get(timeout=STEP)
    print(f"created {parents * BULK_CHILDREN} znodes in {time.monotonic() - started:.1f} s")


def snapshot_used(result):
    """The file name of the ZooKeeper snapshot an import started from (its last line)."""
    m = re.search(r"/version-2/(snapshot\.[0-9a-f]+\S*) \(\d+ log records replayed",
                  result.stdout)
    assert m, result.stdout
    return m.group(1)


@pytest.mark.time_limit(240)
@pytest.mark.parametrize("compression", COMPRESSIONS, ids=["plain", "gz", "snappy"])
def test_import_and_export_carry_every_znode(compression):
    # Compressed: 5,000 znodes, and a snapshot every 500 to 1,000 txns (ZooKeeper's
    # snapCount, randomized from half of it), so the newest snapshot holds most of them.
    parents = 5 if compression else BULK_PARENTS
    zk_config = {**ZK_CONFIG, "snapCount": "1000"} if compression else ZK_CONFIG
    zk_srv = ZooKeeper(zk_config, compression)
    paddock = Paddock(PADDOCK_CONFIG)
    back = ZooKeeper(zk_config, compression)
    holder = None
    try:
        zk_srv.start(timeout=STEP)
        # A session that stays open, with an ephemeral znode; its client may move on to the
        # Paddock server, where the imported session (same id, same password) lives on.
        from kazoo.client import KazooClient
        holder = KazooClient(hosts=f"{zk_srv.hosts},{paddock.hosts}", timeout=10.0)
        holder.start(timeout=STEP)
        holder.create("/app-ephemeral", b"mine", ephemeral=True)
        holder_session = holder.client_id
        with harness.kazoo_client(zk_srv) as zk:
            write_everything(zk, zk_srv)
            write_bulk(zk, parents)
        before = read_tree(zk_srv, AUTH)
        assert len(before) > parents * BULK_CHILDREN
        assert before["/app-ephemeral"][1][7] == holder_session[0]
        zk_srv.stop(timeout=30)

        # ZooKeeper's data dir -> Paddock.
        started = time.monotonic()
        r = paddock_cli("import-zookeeper", "--from", zk_srv.data_dir, "--to", paddock.data_dir)
        assert r.returncode == 0, r.stderr + r.stdout
        print(r.stdout, r.stderr, f"import took {time.monotonic() - started:.1f} s")
        assert_digests_agree(r)
        # ZooKeeper wrote every snapshot in the configured stream, and the import started from
        # one that holds the bulk znodes (not the empty one of zxid 0), skipping none.
        version2 = os.path.join(zk_srv.data_dir, "version-2")
        snaps = [f for f in os.listdir(version2) if f.startswith("snapshot.")]
        suffix = f".{compression}" if compression else ""
        assert snaps and all(f.count(".") == (2 if compression else 1) and f.endswith(suffix)
                             for f in snaps), snaps
        used = snapshot_used(r)
        used_zxid = int(used.split(".")[1], 16)
        assert used.endswith(suffix) and used_zxid > parents * BULK_CHILDREN // 3, (used, snaps)
        assert "skipped" not in r.stderr, r.stderr
        paddock.start(timeout=STEP)
        on_paddock = read_tree(paddock, AUTH)
        compare(before, on_paddock, "Paddock after the import")
        # The open session carried over: its client reconnects to Paddock with the id and
        # password ZooKeeper gave it, and keeps its ephemeral znode.
        harness.wait_for(lambda: holder.connected and holder.client_id == holder_session,
                         timeout=STEP, what="the held session to resume on Paddock")
        assert holder.get("/app-ephemeral")[0] == b"mine"
        # Closing it deletes its ephemeral znode, which changes only the root (pzxid,
        # numChildren): read those again rather than the whole tree.
        holder.stop()
        holder.close()
        holder = None
        with harness.kazoo_client(paddock) as zk:
            assert zk.exists("/app-ephemeral") is None
            del on_paddock["/app-ephemeral"]
            _, stat = zk.get("/")
            on_paddock["/"] = (on_paddock["/"][0], stat_of(stat), on_paddock["/"][2])
        paddock.stop(timeout=30)

        # Paddock -> ZooKeeper again: the way back.
        r = paddock_cli("export-zookeeper", "--from", paddock.data_dir, "--to", back.data_dir)
        assert r.returncode == 0, r.stderr + r.stdout
        back.start(timeout=STEP)
        compare(on_paddock, read_tree(back, AUTH), "ZooKeeper on the exported snapshot")
        # The exported snapshot's digest (of its own zxid, so ZooKeeper compares it as it
        # loads) is the one ZooKeeper computes from the tree.
        assert zookeeper_digest_mismatches(back) == 0
    finally:
        if holder:
            holder.stop()
            holder.close()
        for s in (zk_srv, paddock, back):
            s.cleanup()


def tear_newest_log(version2):
    """Zeros the newest log from the middle of a record three quarters of the way in to the
    end of its data; returns that record's offset (where the data now ends)."""
    logs = sorted((f for f in os.listdir(version2) if f.startswith("log.")),
                  key=lambda f: int(f.split(".")[1], 16))
    path = os.path.join(version2, logs[-1])
    with open(path, "r+b") as f:
        data = f.read()
        records, at = [], 16  # after the FileHeader
        while at + 12 <= len(data):
            (length,) = struct.unpack(">i", data[at + 8:at + 12])
            if length <= 0:
                break
            records.append((at, length))
            at += 12 + length + 1  # checksum, length, txn, 'B'
        assert len(records) > 100, f"{path} has only {len(records)} records"
        start, length = records[len(records) * 3 // 4]
        cut = start + 12 + length // 2
        f.seek(cut)
        f.write(b"\0" * (at - cut))
    return start


@pytest.mark.time_limit(180)
def test_a_zookeeper_killed_mid_write_imports_what_zookeeper_recovers():
    zk_srv = ZooKeeper(ZK_CONFIG)
    paddock = Paddock(PADDOCK_CONFIG)
    reference = None
    try:
        zk_srv.start(timeout=STEP)
        stop = threading.Event()
        created = []

        def writer():
            with harness.kazoo_client(zk_srv, timeout=4.0, connection_retry=None) as zk:
                zk.create("/w")
                i = 0
                try:
                    while not stop.is_set():
                        futures = [zk.create_async(f"/w/n{i + k}", b"x" * 10) for k in range(200)]
                        if i % 1000 == 0:
                            zk.set_async("/w", b"%d" % i)
                        i += 200
                        for f in futures:
                            f.get(timeout=5)
                        created.append(i)
                except Exception:
                    pass  # the server was killed under us

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        harness.wait_for(lambda: created and created[-1] >= 4000, timeout=STEP,
                         what="the writer to get going")
        zk_srv.kill()  # kill -9 while writes are in flight
        stop.set()
        t.join(timeout=STEP)

        # A torn write as well, on top of the kill: the newest log's records from the middle
        # of one three quarters in are zeros (a power loss with pages never written).
        torn_at = tear_newest_log(os.path.join(zk_srv.data_dir, "version-2"))

        # What ZooKeeper itself recovers: start it on a copy of the same files.
        reference = ZooKeeper(ZK_CONFIG)
        shutil.rmtree(reference.data_dir)
        shutil.copytree(zk_srv.data_dir, reference.data_dir)
        r = paddock_cli("import-zookeeper", "--from", zk_srv.data_dir, "--to", paddock.data_dir)
        assert r.returncode == 0, r.stderr + r.stdout
        print(r.stdout, r.stderr)
        assert_digests_agree(r)
        assert f"a torn record at offset {torn_at}" in r.stderr
        reference.start(timeout=STEP)
        expected = read_tree(reference)
        # Three quarters of the (at least 4,000) creates survive the tear.
        assert expected["/w"][1][9] >= 2000
        reference.stop(timeout=30)
        paddock.start(timeout=STEP)
        compare(expected, read_tree(paddock), "Paddock after importing a killed ZooKeeper")
    finally:
        for s in (zk_srv, paddock, reference):
            if s:
                s.cleanup()


@pytest.mark.time_limit(120)
@pytest.mark.parametrize("compression", ["gz", "snappy"])
def test_a_cut_compressed_snapshot_falls_back_as_zookeeper_does(compression):
    """ZooKeeper's newest snapshot.<zxid>.gz / .snappy cut in half (a copy that stopped
    short): the import skips it with a note saying why and starts from the one before, and
    serves what ZooKeeper itself recovers from the same files."""
    zk_srv = ZooKeeper({**ZK_CONFIG, "snapCount": "1000"}, compression)
    paddock = Paddock(PADDOCK_CONFIG)
    reference = None
    try:
        zk_srv.start(timeout=STEP)
        with harness.kazoo_client(zk_srv) as zk:
            write_bulk(zk, 3)
        zk_srv.stop(timeout=30)
        version2 = os.path.join(zk_srv.data_dir, "version-2")
        snaps = sorted((f for f in os.listdir(version2) if f.startswith("snapshot.")),
                       key=lambda f: int(f.split(".")[1], 16))
        assert len(snaps) >= 3 and all(f.endswith(f".{compression}") for f in snaps), snaps
        newest = os.path.join(version2, snaps[-1])
        os.truncate(newest, os.path.getsize(newest) // 2)

        reference = ZooKeeper(ZK_CONFIG, compression)
        shutil.rmtree(reference.data_dir)
        shutil.copytree(zk_srv.data_dir, reference.data_dir)
        r = paddock_cli("import-zookeeper", "--from", zk_srv.data_dir, "--to", paddock.data_dir)
        assert r.returncode == 0, r.stderr + r.stdout
        print(r.stdout, r.stderr)
        stream = "gzip" if compression == "gz" else "snappy"
        assert f"skipped {snaps[-1]}: {stream}: truncated" in r.stderr, r.stderr
        assert snapshot_used(r) == snaps[-2]
        reference.start(timeout=STEP)
        expected = read_tree(reference)
        assert len(expected) > 3 * BULK_CHILDREN
        reference.stop(timeout=30)
        paddock.start(timeout=STEP)
        compare(expected, read_tree(paddock), f"Paddock after a cut {snaps[-1]}")
    finally:
        for s in (zk_srv, paddock, reference):
            if s:
                s.cleanup()


def test_damaged_input_is_refused_and_nothing_is_written(tmp_path):
    zk_srv = ZooKeeper(ZK_CONFIG)
    try:
        zk_srv.start(timeout=STEP)
        with harness.kazoo_client(zk_srv) as zk:
            zk.create("/x", b"1")
        zk_srv.stop(timeout=30)
        version2 = os.path.join(zk_srv.data_dir, "version-2")
        snaps = sorted(f for f in os.listdir(version2) if f.startswith("snapshot."))
        assert snaps

        # A non-empty target is refused.
        target = tmp_path / "occupied"
        target.mkdir()
        (target / "something").write_text("x")
        r = paddock_cli("import-zookeeper", "--from", zk_srv.data_dir, "--to", str(target))
        assert r.returncode == 2 and "not empty" in r.stderr

        # Every snapshot damaged (a byte flipped: the checksum no longer matches): refused.
        for name in snaps:
            path = os.path.join(version2, name)
            with open(path, "r+b") as f:
                f.seek(20)
                b = f.read(1)
                f.seek(20)
                f.write(bytes([b[0] ^ 0xFF]))
        target = tmp_path / "fresh"
        r = paddock_cli("import-zookeeper", "--from", zk_srv.data_dir, "--to", str(target))
        assert r.returncode == 2, r.stdout + r.stderr
        assert "no valid snapshot" in r.stderr
        assert not target.exists()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".fresh")]

        # A bad magic: refused too.
        with open(os.path.join(version2, snaps[-1]), "r+b") as f:
            f.write(b"XXXX")
        r = paddock_cli("import-zookeeper", "--from", zk_srv.data_dir, "--to", str(target))
        assert r.returncode == 2 and "bad magic" in r.stderr
        assert not target.exists()
    finally:
        zk_srv.cleanup()


def test_zookeeper_compares_the_exported_digest():
    """The export's digest is checked by ZooKeeper as it loads the snapshot: the true one
    counts no mismatch, one changed by a bit (seal recomputed, so the file stays valid)
    counts one. What makes zk_digest_mismatches_count == 0 above mean something."""
    zk_srv, paddock = ZooKeeper(ZK_CONFIG), Paddock(PADDOCK_CONFIG)
    backs = []
    try:
        zk_srv.start(timeout=STEP)
        with harness.kazoo_client(zk_srv) as zk:
            for i in range(20):
                zk.create(f"/n{i}", b"x")
        zk_srv.stop(timeout=30)
        r = paddock_cli("import-zookeeper", "--from", zk_srv.data_dir, "--to", paddock.data_dir)
        assert r.returncode == 0, r.stderr + r.stdout
        mismatches = []
        for tamper in (False, True):
            back = ZooKeeper(ZK_CONFIG)
            backs.append(back)
            r = paddock_cli("export-zookeeper", "--from", paddock.data_dir, "--to", back.data_dir)
            assert r.returncode == 0, r.stderr + r.stdout
            version2 = os.path.join(back.data_dir, "version-2")
            (name,) = [f for f in os.listdir(version2) if f.startswith("snapshot.")]
            if tamper:
                path = os.path.join(version2, name)
                with open(path, "rb") as f:
                    b = bytearray(f.read())
                seal = len(b) - 13  # long Adler-32, ustring "/"
                b[seal - 1] ^= 1  # the digest's low byte
                b[seal:seal + 8] = struct.pack(">q", zlib.adler32(bytes(b[:seal])))
                with open(path, "wb") as f:
                    f.write(b)
            back.start(timeout=STEP)
            mismatches.append(zookeeper_digest_mismatches(back))
            back.stop(timeout=30)
        assert mismatches == [0, 1]
    finally:
        for s in (zk_srv, paddock, *backs):
            s.cleanup()


@pytest.mark.skipif(harness.TARGET == "zookeeper", reason="the ensemble is Paddock's")
@pytest.mark.time_limit(180)
def test_an_ensemble_migrates_by_importing_on_one_server():
    """The operator guide's ensemble procedure: import on one server, move the result into
    its dataDir next to myid, start all three; the others join by SNAP and every server
    serves the tree ZooKeeper served (but /zookeeper/config, which takes the ensemble's
    configuration)."""
    from ensemble import Ensemble
    zk_srv = ZooKeeper(ZK_CONFIG)
    try:
        zk_srv.start(timeout=STEP)
        with harness.kazoo_client(zk_srv) as zk:
            write_everything(zk, zk_srv)
            futures = [zk.create_async(f"/app/many-{i}", b"%d" % i) for i in range(2000)]
            for f in futures:
                f.get(timeout=STEP)
        before = read_tree(zk_srv, AUTH)
        zk_srv.stop(timeout=30)
        del before["/zookeeper/config"]

        with Ensemble(3, extra_config=PADDOCK_CONFIG) as ens:
            imported = os.path.join(ens.dir, "import")
            r = paddock_cli("import-zookeeper", "--from", zk_srv.data_dir, "--to", imported)
            assert r.returncode == 0, r.stderr + r.stdout
            os.rename(os.path.join(imported, "paddock"),
                      os.path.join(ens.server(0).data_dir, "paddock"))
            # As the guide says: the imported server, then one more, and the third only once
            # the imported one leads. Started together, the two empty ones may elect each
            # other before its first vote reaches them, and truncate it.
            ens.start_server(0, wait=False)
            ens.start_server(1, wait=False)
            ens.wait_serving([0, 1], timeout=STEP)
            leader, _ = ens.wait_for_leader(timeout=STEP)
            assert leader == 0, "the imported server has the highest zxid and leads"
            ens.start_server(2, wait=False)
            ens.wait_serving(timeout=STEP)
            leader, _ = ens.wait_for_leader(timeout=STEP)
            assert leader == 0, "the imported server has the highest zxid and leads"
            for i in range(3):
                with harness.kazoo_client(ens.server(i).hosts) as zk:
                    harness.wait_for(lambda: zk.exists("/app/many-1999") is not None,
                                     timeout=STEP, what=f"server {i} to have synced")
                served = read_tree(ens.server(i), AUTH)
                del served["/zookeeper/config"]
                compare(before, served, f"ensemble server {i + 1}")
            assert {learner for learner, kind in ens.sync_events(leader) if kind == "SNAP"} \
                == {2, 3}
    finally:
        zk_srv.cleanup()
