"""Dynamic reconfiguration through the clients people use besides kazoo: ZooKeeper's own zkCli
(`config`, `reconfig -add/-remove/-members/-file/-v`) and ZooKeeper's C client (zoo_getconfig,
zoo_wgetconfig, zoo_reconfig, through c_client/c_config_client.c). Whatever a client prints or
returns is compared with /zookeeper/config as kazoo reads it from the same ensemble. The watch
on /zookeeper/config (Curator's EnsembleTracker relies on it) must fire after a reconfig for
the clients of every server, a follower's too. Run with PADDOCK_TARGET=zookeeper to see
ZooKeeper 3.8 give the same answers. Each test has an ensemble of its own (test_reconfig.py's
settings: reconfigEnabled and a super digest)."""
import contextlib
import os
import re
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from reconfig_support import (LIMIT, SUPER_PASSWORD, config_node, ens,  # noqa: E402,F401
                              parse_config, spec, super_client, wait_mode)

ZKCLI = ["java", "-Xmx256m", "-cp", harness.ZK_CLASSPATH, "org.apache.zookeeper.ZooKeeperMain"]
C_CONFIG_CLIENT = os.environ.get(
    "PADDOCK_C_CONFIG_CLIENT",
    os.path.join(harness.REPO, "build", "bin", "paddock-c-config-client"))
ADD_AUTH = f"addauth digest super:{SUPER_PASSWORD}"
CONFIG_PATH = "/zookeeper/config"
# The C client's ZOO_CHANGED_EVENT and error codes (zookeeper.h).
ZOO_CHANGED_EVENT = 3
ZOK, ZBADARGUMENTS, ZNOAUTH, ZBADVERSION = 0, -8, -102, -103
# What zkCli prints for the refusals (its CliWrapperException texts, measured on ZooKeeper 3.8).
ZKCLI_NO_AUTH = "Insufficient permission"
ZKCLI_BAD_VERSION = "version No is not valid"
CONFIG_CHANGED_EVENT = ("WatchedEvent state:SyncConnected type:NodeDataChanged "
                        f"path:{CONFIG_PATH}")


# -- what kazoo reads -------------------------------------------------------------------------

def absent_observer(sid):
    """A spec for an observer that no process serves: adding it changes every member's
    /zookeeper/config without changing any running server's role or the quorum."""
    return (f"server.{sid}=127.0.0.1:{harness.free_port()}:{harness.free_port()}:observer;"
            f"127.0.0.1:{harness.free_port()}")


# -- zkCli ------------------------------------------------------------------------------------

def zkcli(hosts, *commands):
    """Runs the commands in one zkCli session (one JVM, one ZooKeeper session: an addauth holds
    for the commands after it) fed on stdin, as a user types them; returns stdout + stderr."""
    run = subprocess.run(ZKCLI + ["-server", hosts], input="\n".join([*commands, "quit"]) + "\n",
                         capture_output=True, text=True, timeout=120)
    return run.stdout + run.stderr


CONFIG_LINE = re.compile(r"^(server\.\d+=\S+|version=[0-9a-f]+)$")


def config_blocks(out):
    """Every configuration zkCli printed (`config`, `reconfig`), in order: runs of server.N
    lines closed by their version= line, each joined as /zookeeper/config holds it."""
    blocks, lines = [], []
    for line in out.splitlines():
        if not CONFIG_LINE.match(line):
            lines = []
            continue
        lines.append(line)
        if line.startswith("version="):
            blocks.append("\n".join(lines))
            lines = []
    return blocks


def committed_block(out):
    """The configuration `reconfig` printed after "Committed new configuration:"."""
    _, marker, rest = out.partition("Committed new configuration:\n")
    assert marker, out
    blocks = config_blocks(rest)
    assert blocks, out
    return blocks[0]


def stat_fields(out):
    """zkCli's Stat print (`config -s`, `reconfig -s`): {"mZxid": "0x…", …}."""
    return dict(re.findall(r"^(\w+) = (.*)$", out, re.M))


# -- the C client -----------------------------------------------------------------------------

def parse_c_output(out):
    """c_config_client's answers: [{"rc": int, "mzxid": int, "version": int, "data": str}],
    and the watch events [(type, path)], in order."""
    results, events = [], []
    lines = iter(out.splitlines())
    for line in lines:
        if m := re.match(r"^rc=(-?\d+) ", line):
            results.append({"rc": int(m.group(1))})
        elif m := re.match(r"^stat mzxid=0x([0-9a-f]+) version=(-?\d+) data_length=(\d+)$", line):
            results[-1].update(mzxid=int(m.group(1), 16), version=int(m.group(2)),
                               data_length=int(m.group(3)))
        elif line == "data:":
            data = []
            for more in lines:
                if more == "end":
                    break
                data.append(more)
            results[-1]["data"] = "\n".join(data)
        elif m := re.match(r"^event type=(-?\d+) path=(.*)$", line):
            events.append((int(m.group(1)), m.group(2)))
    return results, events


def c_client(hosts, *args):
    """Runs c_config_client once; returns (exit code, its results, the whole output)."""
    assert os.access(C_CONFIG_CLIENT, os.X_OK), f"{C_CONFIG_CLIENT} is not built"
    run = subprocess.run([C_CONFIG_CLIENT, hosts, *args], capture_output=True, text=True,
                         timeout=60)
    out = run.stdout + run.stderr
    return run.returncode, parse_c_output(run.stdout)[0], out


class CWatch:
    """c_config_client `watch` / `watch-default` running in the background: started, it has
    read the configuration and set its watch; finish() collects what it printed after."""

    def __init__(self, hosts, command, seconds=40):
        assert os.access(C_CONFIG_CLIENT, os.X_OK), f"{C_CONFIG_CLIENT} is not built"
        self.proc = subprocess.Popen([C_CONFIG_CLIENT, hosts, command, str(seconds)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        # The watch is set once it printed "watching"; read on a thread so a silent client
        # cannot hang the test past the deadline.
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                if line.strip() == "watching":
                    ready.set()
            ready.set()

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        ready.wait(30)
        if "watching" not in self.lines:
            self.stop()
            raise AssertionError(f"no watch set:\n{self.output()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def output(self):
        return "\n".join(self.lines)

    def finish(self, timeout=50):
        try:
            self.proc.wait(timeout=timeout)
        finally:
            self.stop()
        self.reader.join(5)
        results, events = parse_c_output(self.output())
        return self.proc.returncode, results, events


# -- zkCli tests ------------------------------------------------------------------------------

@pytest.mark.time_limit(LIMIT)
def test_zkcli_config_prints_the_config_node(ens):
    for m in ens.members:
        out = zkcli(m.hosts, "config", "config -s")
        text, stat = config_node(m.hosts)
        assert config_blocks(out) == [text, text], out
        fields = stat_fields(out)
        assert fields["mZxid"] == hex(stat.mzxid), out
        assert text.endswith(f"version={stat.mzxid:x}")
        assert (fields["dataVersion"], fields["dataLength"]) == ("-1", str(len(text))), out
        assert (fields["cZxid"], fields["numChildren"], fields["aclVersion"]) == (
            "0x0", "0", str(stat.aversion)), out


@pytest.mark.time_limit(LIMIT)
def test_zkcli_remove_add_members_file(ens, tmp_path):
    leader = ens.server(ens.leader())
    follower_index = ens.followers()[0]
    follower = ens.server(follower_index)
    other = ens.server(ens.followers()[1])

    out = zkcli(leader.hosts, ADD_AUTH, f"reconfig -remove {follower.sid}")
    removed = committed_block(out)
    servers, version = parse_config(removed.encode())
    assert sorted(servers) == sorted([leader.sid, other.sid]), out
    assert config_node(other.hosts)[0] == removed

    out = zkcli(leader.hosts, ADD_AUTH, f"reconfig -add {spec(follower)}")
    added = committed_block(out)
    servers, _ = parse_config(added.encode())
    assert sorted(servers) == [1, 2, 3] and servers[follower.sid] == spec(follower), out
    assert config_node(leader.hosts)[0] == added
    wait_mode(ens, follower_index, "follower")
    # The server that came back reads the same configuration, zkCli's `config` too.
    assert config_blocks(zkcli(follower.hosts, "config")) == [config_node(follower.hosts)[0]]

    # Bulk form on the command line: the same members, the follower an observer. The leader's
    # line is left as it is (see test_adding_the_leaders_client_address_keeps_the_leader).
    servers[follower.sid] = spec(follower, "observer")
    out = zkcli(leader.hosts, ADD_AUTH, "reconfig -members " + ",".join(servers.values()))
    as_observer = committed_block(out)
    assert parse_config(as_observer.encode())[0] == servers, out
    assert config_node(other.hosts)[0] == as_observer
    wait_mode(ens, follower_index, "observer")

    # Bulk form from a file in zoo.cfg.dynamic's format: the follower a participant again.
    servers[follower.sid] = spec(follower)
    members_file = tmp_path / "members.cfg"
    members_file.write_text("".join(line + "\n" for line in servers.values()))
    out = zkcli(leader.hosts, ADD_AUTH, f"reconfig -file {members_file}")
    from_file = committed_block(out)
    assert parse_config(from_file.encode())[0] == servers, out
    assert config_node(leader.hosts)[0] == from_file
    wait_mode(ens, follower_index, "follower")
    assert config_node(follower.hosts)[0] == from_file

    # `config -c`: the version, then the client addresses that the lines carry, in an order
    # of zkCli's own (an empty entry for a line without one).
    out = zkcli(follower.hosts, "config -c")
    version = parse_config(from_file.encode())[1]
    found = [line for line in out.splitlines() if line.startswith(f"{version:x} ")]
    assert len(found) == 1, out
    clients = found[0].split(" ", 1)[1].split(",")
    assert sorted(clients) == sorted(line.partition(";")[2] for line in servers.values()), out


@pytest.mark.time_limit(LIMIT)
def test_zkcli_refusals_versions_and_the_config_watch(ens):
    follower = ens.server(ens.followers()[0])
    before, stat = config_node(follower.hosts)

    # Without the super user's digest (and with a wrong password) nothing changes.
    for session in ([f"reconfig -remove {follower.sid}"],
                    ["addauth digest super:wrong", f"reconfig -remove {follower.sid}"]):
        out = zkcli(follower.hosts, *session)
        assert ZKCLI_NO_AUTH in out and "Committed" not in out, out
    assert config_node(follower.hosts)[0] == before

    # -v with the active version (hex, as `config` prints it) succeeds; -s prints the Stat;
    # `config -w` set a watch in the same session, which fires with the change.
    out = zkcli(follower.hosts, "config -w", ADD_AUTH,
                f"reconfig -s -v {stat.mzxid:x} -add {absent_observer(4)}")
    assert config_blocks(out)[0] == before, out
    assert CONFIG_CHANGED_EVENT in out, out
    after = committed_block(out)
    servers, version = parse_config(after.encode())
    assert sorted(servers) == [1, 2, 3, 4], out
    assert stat_fields(out)["mZxid"] == hex(version) and version > stat.mzxid, out
    assert config_node(follower.hosts)[0] == after

    # The version it started from is stale now: BadVersion, nothing changes.
    out = zkcli(follower.hosts, ADD_AUTH, f"reconfig -v {stat.mzxid:x} -remove 4")
    assert ZKCLI_BAD_VERSION in out and "Committed" not in out, out
    assert config_node(follower.hosts)[0] == after


# -- C client tests ---------------------------------------------------------------------------

@pytest.mark.time_limit(LIMIT)
def test_c_client_getconfig_and_reconfig(ens):
    for m in ens.members:
        code, results, out = c_client(m.hosts, "getconfig")
        text, stat = config_node(m.hosts)
        assert code == 0 and len(results) == 1, out
        assert results[0] == {"rc": ZOK, "mzxid": stat.mzxid, "version": -1,
                              "data_length": len(text), "data": text}, out

    leader = ens.server(ens.leader())
    follower_index = ens.followers()[0]
    follower = ens.server(follower_index)
    before, stat = config_node(leader.hosts)
    auth = ["--auth", f"super:{SUPER_PASSWORD}"]

    code, results, out = c_client(leader.hosts, "reconfig", "--remove", str(follower.sid))
    assert code == 1 and [r["rc"] for r in results] == [ZNOAUTH], out
    code, results, out = c_client(leader.hosts, "reconfig", *auth, "--remove",
                                  str(follower.sid), "--from-version", f"{stat.mzxid + 1:x}")
    assert "auth rc=0" in out and [r["rc"] for r in results] == [ZBADVERSION], out
    code, results, out = c_client(leader.hosts, "reconfig", *auth, "--remove", "1,2,3")
    assert [r["rc"] for r in results] == [ZBADARGUMENTS], out  # no voter would be left
    assert config_node(leader.hosts)[0] == before

    code, results, out = c_client(leader.hosts, "reconfig", *auth, "--remove",
                                  str(follower.sid), "--from-version", f"{stat.mzxid:x}")
    assert code == 0 and results[0]["rc"] == ZOK, out
    servers, version = parse_config(results[0]["data"].encode())
    assert follower.sid not in servers and len(servers) == 2, out
    assert results[0]["mzxid"] == version and results[0]["version"] == -1, out
    assert config_node(leader.hosts)[0] == results[0]["data"]

    code, results, out = c_client(leader.hosts, "reconfig", *auth, "--add", spec(follower))
    assert code == 0 and results[0]["rc"] == ZOK, out
    servers, _ = parse_config(results[0]["data"].encode())
    assert sorted(servers) == [1, 2, 3] and servers[follower.sid] == spec(follower), out
    wait_mode(ens, follower_index, "follower")
    code, results, out = c_client(follower.hosts, "getconfig")
    assert code == 0 and results[0]["data"] == config_node(follower.hosts)[0], out


# -- the watch on /zookeeper/config -----------------------------------------------------------

@pytest.mark.time_limit(LIMIT)
def test_config_watches_fire_on_every_server(ens):
    """kazoo's get(watch=...) on every server, zoo_wgetconfig on a follower and zoo_getconfig
    with the session's watcher on the other: one reconfig, sent to a follower, fires them
    all, and each then reads the new configuration."""
    follower_a, follower_b = (ens.server(i) for i in ens.followers())
    events = {m.sid: [] for m in ens.members}
    fired = threading.Event()
    with contextlib.ExitStack() as stack:
        for m in ens.members:
            client = stack.enter_context(harness.kazoo_client(m.hosts))
            client.sync(CONFIG_PATH)

            def watch(event, sid=m.sid):
                events[sid].append(event)
                if all(events.values()):
                    fired.set()

            client.get(CONFIG_PATH, watch=watch)
        c_own = CWatch(follower_a.hosts, "watch")
        stack.callback(c_own.stop)
        c_session = CWatch(follower_b.hosts, "watch-default")
        stack.callback(c_session.stop)

        with super_client(follower_b.hosts) as zk:
            data, _ = zk.reconfig(joining=absent_observer(4), leaving=None, new_members=None)
        new_config = data.decode()
        assert sorted(parse_config(data)[0]) == [1, 2, 3, 4]

        assert fired.wait(30), events
        for sid, got in events.items():
            assert [(e.type, e.path) for e in got] == [("CHANGED", CONFIG_PATH)], (sid, got)
        for watcher in (c_own, c_session):
            code, results, events_c = watcher.finish()
            assert code == 0, watcher.output()
            assert events_c == [(ZOO_CHANGED_EVENT, CONFIG_PATH)], watcher.output()
            assert [r["rc"] for r in results] == [ZOK, ZOK], watcher.output()
            assert results[1]["data"] == new_config, watcher.output()
        for m in ens.members:
            assert config_node(m.hosts)[0] == new_config


# -- two behaviours first seen on ZooKeeper, now Paddock's too -------------------------------

@pytest.mark.time_limit(LIMIT)
def test_a_removed_follower_keeps_serving_its_clients(ens):
    leader = ens.server(ens.leader())
    follower_index = ens.followers()[0]
    follower = ens.server(follower_index)
    out = zkcli(leader.hosts, ADD_AUTH, f"reconfig -remove {follower.sid}")
    removed = committed_block(out)
    assert follower.sid not in parse_config(removed.encode())[0], out
    # It goes on as a non-voting follower; give it time to do otherwise.
    time.sleep(3)
    assert follower.mode() == "follower"
    out = zkcli(follower.hosts, "create /via-removed x", "config")
    assert "Created /via-removed" in out, out
    assert config_blocks(out) == [removed], out
    with harness.kazoo_client(leader.hosts) as zk:
        zk.sync("/via-removed")
        assert zk.get("/via-removed")[0] == b"x"


@pytest.mark.time_limit(LIMIT)
def test_adding_the_leaders_client_address_keeps_the_leader(ens):
    """A dynamic file or `reconfig -file` usually gives every line its client address; on an
    ensemble whose zoo.cfg lines had none, that changes the leader's line only in an address
    the quorum does not use."""
    leader_index = ens.leader()
    leader = ens.server(leader_index)
    follower = ens.server(ens.followers()[0])
    before, stat = config_node(follower.hosts)
    states = []
    with harness.kazoo_client(leader.hosts) as watcher:
        watcher.add_listener(states.append)
        out = zkcli(follower.hosts, ADD_AUTH, f"reconfig -add {spec(leader)}")
        servers, version = parse_config(committed_block(out).encode())
        assert servers[leader.sid] == spec(leader), out
        time.sleep(3)  # long enough for an election here, on either target
        assert ens.leader() == leader_index
        assert version >> 32 == stat.mzxid >> 32
        assert states == []  # the leader's own clients kept their connection
        watcher.create("/after", b"")
        assert watcher.exists("/after").czxid >> 32 == stat.mzxid >> 32
