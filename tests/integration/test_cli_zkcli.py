"""paddock-cli as zkCli: every command one-shot, its output compared with Debian's zkCli on the
same server; exit statuses; --json; the interactive shell through a pseudo-terminal (prompt,
history and redo, tab completion, watch events, a lost connection).

The same file runs against ZooKeeper (PADDOCK_TARGET=zookeeper): paddock-cli must print the
same there."""
import json
import os
import re
import select
import subprocess
import time

import pexpect
import pytest

import harness

ZKCLI = ["java", "-Xmx256m", "-cp", harness.ZK_CLASSPATH, "org.apache.zookeeper.ZooKeeperMain"]
CLI = os.environ.get("PADDOCK_CLI", os.path.join(harness.REPO, "build", "bin", "paddock-cli"))
# zkCli starts a JVM per command.
LIMIT = 300


def cli(server, *args, options=()):
    return subprocess.run([CLI, "-server", server.hosts, *options, *args], capture_output=True,
                          text=True, timeout=30)


def zkcli(server, *args):
    return subprocess.run(ZKCLI + ["-server", server.hosts, *args], capture_output=True,
                          text=True, timeout=90)


# What zkCli prints around a one-shot command: the JVM's logging, "Connecting to", and the
# event of its own connection. Blank lines go too (zkCli's events bring some).
NOISE = re.compile(r"^(SLF4J:|Connecting to |WATCHER::|WatchedEvent state:SyncConnected type:None"
                   r"|\d{4}-\d\d-\d\d |\s*$)")
# Values that differ between two znodes made the same way.
VOLATILE = re.compile(r"^(cZxid|ctime|mZxid|mtime|pZxid|ephemeralOwner) = .*$")


def lines(text, base=None, mask=False):
    out = []
    for line in text.splitlines():
        if NOISE.match(line):
            continue
        if base:
            line = line.replace(base, "BASE")
        if mask:
            line = VOLATILE.sub(r"\1 = *", line)
        out.append(line)
    return out


def same_output(server, args, ours_base=None, theirs_base=None):
    """Runs `args` through both clients (BASE in an argument becomes each one's base path) and
    asserts the same lines on stdout and on stderr."""
    ours = cli(server, *[a.replace("BASE", ours_base or "") for a in args])
    theirs = zkcli(server, *[a.replace("BASE", theirs_base or "") for a in args])
    mask = ours_base is not None
    assert lines(ours.stdout, ours_base, mask) == lines(theirs.stdout, theirs_base, mask), \
        (args, ours.stdout, theirs.stdout)
    assert lines(ours.stderr, ours_base, mask) == lines(theirs.stderr, theirs_base, mask), \
        (args, ours.stderr, theirs.stderr)
    return ours


@pytest.mark.time_limit(LIMIT)
def test_reads_print_what_zkcli_prints(server, zk):
    from kazoo.security import make_digest_acl
    zk.create("/cmp", b"hello")
    zk.create("/cmp/a", b"")
    zk.create("/cmp/b")  # kazoo sends empty data
    zk.create("/cmp/a/deep", b"x")
    zk.create("/secret", b"s", acl=[make_digest_acl("u", "p", all=True)])
    assert cli(server, "setquota", "-n", "10", "/cmp").returncode == 0
    for args in (["ls", "/cmp"], ["ls", "-s", "/cmp"], ["ls", "-R", "/cmp"], ["ls", "/"],
                 ["get", "/cmp"], ["get", "-s", "/cmp"], ["get", "/cmp/b"], ["stat", "/cmp"],
                 ["getAcl", "/cmp"], ["getAcl", "-s", "/secret"],
                 ["getAllChildrenNumber", "/cmp"], ["getEphemerals", "/cmp"], ["sync", "/cmp"],
                 ["listquota", "/cmp"], ["listquota", "/cmp/a"], ["config"], ["config", "-c"],
                 ["whoami"], ["addauth", "digest", "u:p"], ["sync", "/missing"],
                 # the shell's own commands, one-shot
                 ["history"], ["printwatches"], ["redo", "0"],
                 # failures
                 ["get", "/missing"], ["ls", "/missing"], ["stat", "/missing"],
                 ["get", "/secret"], ["delete", "/cmp"], ["set", "-v", "9", "/cmp", "x"],
                 ["create", "/cmp"], ["ls", "cmp"], ["ls", "/cmp/"], ["get", "/a//b"],
                 ["ls"], ["ls", "-x", "/"], ["removewatches", "/cmp"]):
        same_output(server, args)
    assert zk.get("/cmp")[0] == b"hello"


@pytest.mark.time_limit(LIMIT)
def test_writes_print_what_zkcli_prints(server, zk):
    # Two twin subtrees: paddock-cli writes under one, zkCli under the other, same commands.
    for base in ("/ours", "/theirs"):
        zk.create(base, b"")
        zk.create(base + "/tree/x/y", b"1", makepath=True)
    for args in (["create", "BASE/n", "d"], ["create", "BASE/n", "again"],
                 ["create", "-s", "BASE/s-", "x"], ["create", "-s", "BASE/s-"],
                 ["create", "-e", "BASE/e", "x"], ["create", "-c", "BASE/c"],
                 ["create", "-t", "100000", "BASE/t", "x"], ["create", "-c", "-e", "BASE/bad"],
                 ["create", "-t", "x", "BASE/bad"], ["create", "BASE/ro", "x", "world:anyone:r"],
                 ["set", "BASE/ro", "y"], ["create", "BASE/n/c", "x", "nonsense"],
                 ["set", "-s", "BASE/n", "v2"], ["set", "-v", "7", "BASE/n", "v3"],
                 ["get", "-s", "BASE/n"], ["setAcl", "-s", "BASE/n", "world:anyone:cdrwa"],
                 ["setAcl", "-R", "BASE/tree", "world:anyone:cdrw"], ["getAcl", "BASE/tree/x/y"],
                 ["setAcl", "-v", "9", "BASE/n", "world:anyone:r"],
                 ["delete", "-v", "5", "BASE/n"], ["delete", "BASE/n"], ["delete", "BASE/n"],
                 ["deleteall", "BASE/tree"], ["ls", "-R", "BASE"],
                 ["setquota", "-n", "10", "BASE"], ["setquota", "-b", "1", "BASE"],
                 ["listquota", "BASE"], ["delquota", "-b", "BASE"], ["listquota", "BASE"],
                 ["delquota", "BASE"], ["listquota", "BASE"], ["delquota", "BASE"],
                 ["setquota", "-n", "1", "/zookeeper/quota/BASE"], ["setquota", "-n", "0", "BASE"],
                 ["setquota", "-n", "1", "BASE/missing"], ["addWatch", "BASE"],
                 ["addWatch", "-m", "odd", "BASE"], ["getEphemerals", "BASE"],
                 ["getAllChildrenNumber", "BASE"], ["sync", "BASE"]):
        same_output(server, args, "/ours", "/theirs")
        if args[:2] == ["create", "-e"]:
            # paddock-cli closes its one-shot session, so its ephemeral is gone already;
            # zkCli exits without closing, so its ephemeral lives until the session expires
            # (the server's maxSessionTimeout, 10 s). Wait for that, or `ls -R` below would
            # depend on how long the zkCli runs in between take.
            deadline = time.monotonic() + 30
            while zk.exists("/theirs/e") is not None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert zk.exists("/ours/e") is None and zk.exists("/theirs/e") is None
    # The writes happened, the same under both.
    assert sorted(zk.get_children("/ours")) == sorted(zk.get_children("/theirs"))
    assert zk.get("/ours/ro")[0] == b"x" and zk.exists("/ours/tree") is None


def test_effects_and_exit_statuses(server, zk):
    ok = cli(server, "create", "/fx", "one")
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "", "Created /fx\n")
    assert cli(server, "set", "/fx", "quoted words").returncode == 0
    assert zk.get("/fx")[0] == b"quoted words"
    # An ephemeral znode lives as long as the one-shot session: gone once paddock-cli exits.
    assert cli(server, "create", "-e", "/fx/e").returncode == 0
    assert zk.exists("/fx/e") is None
    # No data argument: null data, as zkCli sends it; get prints "null".
    assert cli(server, "create", "/fx/null").returncode == 0
    assert cli(server, "get", "/fx/null").stdout == "null\n"
    assert cli(server, "get", "/fx/none").returncode == 1
    assert cli(server, "get").returncode == 2
    assert cli(server, "get", "-q", "/fx").returncode == 2
    assert cli(server, "nosuchcommand").returncode == 127
    unreachable = subprocess.run([CLI, "-server", f"127.0.0.1:{harness.free_port()}", "ls", "/"],
                                 capture_output=True, text=True, timeout=30)
    assert unreachable.returncode == 3 and unreachable.stderr
    # Commands without a session need no server.
    assert "ls [-s] [-w] [-R] path" in subprocess.run(
        [CLI, "-server", f"127.0.0.1:{harness.free_port()}", "help"], capture_output=True,
        text=True, timeout=30).stdout
    assert cli(server, "4lw", "ruok").stdout == "imok\n"
    # deleteall removes the subtree in multis of -b deletes.
    for i in range(5):
        zk.create(f"/fx/many/{i}", makepath=True)
    assert cli(server, "deleteall", "/fx/many", "-b", "2").returncode == 0
    assert zk.exists("/fx/many") is None
    # A subtree it may not delete: zkCli's multi callback sees no error (the server answers a
    # failed multi with per-op errors) and prints nothing; paddock-cli reads the per-op
    # results, says what zkCli says when it notices, and exits 1.
    zk.create("/fx/kept/leaf", makepath=True)
    assert cli(server, "setAcl", "/fx/kept", "world:anyone:rw").returncode == 0
    refused = cli(server, "deleteall", "/fx/kept")
    assert (refused.returncode, refused.stderr) == (
        1, "Failed to delete some node(s) in the subtree!\n")
    assert zk.exists("/fx/kept/leaf")


def test_auth(server, zk):
    digest = harness.digest_id("u", "p")
    assert cli(server, "create", "/auth", "x", f"digest:{digest}:cdrwa").returncode == 0
    refused = cli(server, "get", "/auth")
    assert (refused.returncode, refused.stderr) == (1, "Insufficient permission : /auth\n")
    allowed = cli(server, "get", "/auth", options=["--auth", "digest:u:p"])
    assert (allowed.returncode, allowed.stdout) == (0, "x\n")
    who = cli(server, "whoami", options=["--auth", "digest:u:p"])
    assert who.stdout.splitlines() == ["Auth scheme: User", "ip: 127.0.0.1", "digest: u"]
    bad = cli(server, "ls", "/", options=["--auth", "nosuchscheme:x"])
    assert bad.returncode == 1 and "AuthFailed" in bad.stderr


def test_json_lines(server, zk):
    zk.create("/js", b"data")
    zk.create("/js/kid")

    def one(*args):
        run = cli(server, *args, options=["--json"])
        out = run.stdout.splitlines()
        assert len(out) == 1, run.stdout
        return run.returncode, json.loads(out[0])

    status, ls = one("ls", "-s", "/js")
    assert status == 0 and ls["command"] == "ls" and ls["ok"] is True
    assert ls["children"] == ["kid"] and ls["stat"]["numChildren"] == 1
    status, got = one("get", "/js")
    assert got["data"] == "data" and got["path"] == "/js"
    status, created = one("create", "-s", "/js/q-")
    assert created["path"] == "/js/q-0000000001"
    status, missing = one("get", "/nope")
    assert status == 1 and missing["ok"] is False and missing["error"] == "NoNode"
    assert missing["message"] == "Node does not exist: /nope"
    status, acl = one("getAcl", "/js")
    assert acl["acl"] == [{"scheme": "world", "id": "anyone", "perms": "cdrwa"}]
    status, count = one("getAllChildrenNumber", "/js")
    assert count["count"] == 2
    status, tree = one("ls", "-R", "/js")
    assert tree["paths"] == ["/js", "/js/kid", "/js/q-0000000001"]
    status, usage = one("ls")
    assert status == 2 and usage["error"] == "usage"


def read_line(proc, timeout=15):
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "no line from paddock-cli"
    return proc.stdout.readline()


def test_json_shell_prints_events(server, zk):
    zk.create("/jw", b"1")
    proc = subprocess.Popen([CLI, "-server", server.hosts, "--json"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        connected = json.loads(read_line(proc))
        assert connected == {"event": {"state": "SyncConnected", "type": "None", "path": None}}
        proc.stdin.write("get -w /jw\n")
        proc.stdin.flush()
        assert json.loads(read_line(proc))["data"] == "1"
        zk.set("/jw", b"2")
        event = json.loads(read_line(proc))
        assert event == {"event": {"state": "SyncConnected", "type": "NodeDataChanged",
                                   "path": "/jw"}}
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def prompt(number, state="CONNECTED"):
    return re.escape("(") + state + re.escape(f") {number}] ")


def spawn_shell(server):
    child = pexpect.spawn(CLI, ["-server", server.hosts], encoding="utf-8", timeout=15,
                          dimensions=(40, 200))
    child.expect_exact(f"[zk: {server.hosts}(CONNECTED) 0] ")
    return child


def test_shell_through_a_terminal(server, zk):
    child = spawn_shell(server)
    try:
        child.sendline("create /tty hello")
        child.expect_exact("Created /tty")
        child.expect(prompt(1))
        child.sendline("get -w /tty")
        child.expect_exact("hello")
        child.expect(prompt(2))
        # Another client changes the node: the event is printed as it arrives.
        zk.set("/tty", b"changed")
        child.expect_exact("WATCHER::")
        child.expect_exact("WatchedEvent state:SyncConnected type:NodeDataChanged path:/tty")
        # ... and the prompt is drawn again below it.
        child.expect(prompt(2))
        child.sendline("history")
        child.expect_exact("0 - create /tty hello")
        child.expect_exact("1 - get -w /tty")
        child.expect_exact("2 - history")
        child.expect(prompt(3))
        child.sendline("redo 1")
        child.expect_exact("changed")
        child.expect(prompt(4))
        # Tab completes a znode path: /tt -> /tty (libedit redraws only what it adds).
        child.send("ls -s /tt\t")
        child.expect_exact("y")
        child.sendline("")
        child.expect_exact("dataLength = 7")  # the Stat of /tty: "/tt" would be NoNode
        child.expect(prompt(5))
        # ... and a command name.
        child.send("getAl\t")
        child.expect_exact("lChildrenNumber")
        child.sendline("/tty")
        child.expect(r"\r\n0\r\n")
        child.expect(prompt(6))
        child.sendline("history")
        child.expect_exact("4 - ls -s /tty")
        child.expect_exact("5 - getAllChildrenNumber /tty")
        child.expect(prompt(7))
        child.sendline("close")
        child.expect_exact("WatchedEvent state:Closed type:None path:null")
        child.expect(prompt(8, "CLOSED"))
        child.sendline("ls /")
        child.expect_exact("Not connected")
        child.sendline(f"connect {server.hosts}")
        child.expect_exact("WatchedEvent state:SyncConnected type:None path:null")
        child.expect(prompt(10))
        child.sendline("quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus is not None


def test_shell_reports_a_lost_connection(fresh_server):
    child = spawn_shell(fresh_server)
    try:
        child.sendline("ls /zookeeper")
        child.expect_exact("config")
        fresh_server.stop()
        child.expect_exact("WatchedEvent state:Disconnected type:None path:null")
        child.sendline("ls /")
        child.expect_exact("Not connected")
        child.expect(prompt(2, "NOT_CONNECTED"))
        child.sendline("quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_ttl_and_container_znodes(server_with, client):
    srv = server_with({"extendedTypesEnabled": "true", "znode.container.checkIntervalMs": "200"})
    zk = client(srv)
    made = cli(srv, "create", "-t", "500", "/ttl", "x")
    assert (made.returncode, made.stderr) == (0, "Created /ttl\n")
    kept = cli(srv, "create", "-s", "-t", "600000", "/ttl-s-")
    assert kept.stderr == "Created /ttl-s-0000000001\n"
    box = cli(srv, "create", "-c", "/box")
    assert box.returncode == 0
    assert cli(srv, "create", "/box/item").returncode == 0
    # The sweeper deletes the TTL znode once its TTL passed without a change, and the
    # container once its last child is gone: what makes them TTL and container znodes.
    harness.wait_for(lambda: zk.exists("/ttl") is None, timeout=20, what="the TTL znode expiring")
    assert zk.exists("/ttl-s-0000000001") is not None
    zk.delete("/box/item")
    harness.wait_for(lambda: zk.exists("/box") is None, timeout=20, what="the container going")


def test_shell_keeps_an_idle_session(server):
    # A 1 s session idle for 3 s: only the shell's pings keep it (the server's minimum is 2
    # ticks of 200 ms here).
    child = pexpect.spawn(CLI, ["-server", server.hosts, "-timeout", "1000"], encoding="utf-8",
                          timeout=15)
    try:
        child.expect_exact("(CONNECTED) 0] ")
        child.sendline("create -e /idle")
        child.expect_exact("Created /idle")
        child.expect(prompt(1))
        time.sleep(3)
        child.sendline("getEphemerals")
        child.expect_exact("[/idle]")
        child.expect(prompt(2))
        assert "Disconnected" not in child.before
        child.sendline("quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_old_spellings_still_work(server, zk):
    zk.create("/old", b"v")
    run = cli(server, "get", "/old", "watch")
    assert run.stdout == "v\n"
    assert run.stderr == ("'get path [watch]' has been deprecated. Please use 'get [-s] [-w] "
                          "path' instead.\n")
    same_output(server, ["ls", "/old", "1"])
    same_output(server, ["stat", "/missing", "watch"])
    zk.create("/old-ours")
    zk.create("/old-theirs")
    same_output(server, ["delete", "BASE", "5"], "/old-ours", "/old-theirs")
    # `delete path version` ignores the version, as zkCli does.
    assert zk.exists("/old-ours") is None and zk.exists("/old-theirs") is None


@pytest.mark.time_limit(LIMIT)
def test_piped_session_prints_what_zkcli_prints(server, zk):
    # Lines on standard input, the same script through both shells on twin znodes. The watch
    # event comes from another thread in both, so the lines are compared as sets of lines.
    script = ("create BASE x\nget -w BASE\nset BASE y\nhistory\nredo 1\nprintwatches off\n"
              "set BASE z\nprintwatches\nls -w BASE\ncreate BASE/kid\nstat -w BASE/none\n"
              "create BASE/none\naddauth digest u:p\nwhoami\nquit\n")
    runs = {}
    for name, command, base in (("ours", [CLI, "-server", server.hosts], "/piped-ours"),
                                ("theirs", ZKCLI + ["-server", server.hosts], "/piped-theirs")):
        run = subprocess.run(command, input=script.replace("BASE", base), capture_output=True,
                             text=True, timeout=90)
        runs[name] = sorted(line for line in lines(run.stdout + run.stderr, base)
                            if not line.startswith(("Welcome to", "JLine support")))
    assert runs["ours"] == runs["theirs"]
    assert "WatchedEvent state:SyncConnected type:NodeDataChanged path:BASE" in runs["ours"]
