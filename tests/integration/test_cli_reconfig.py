"""paddock-cli's reconfig and config against a 3-server ensemble, with zkCli's meaning: a follower
removed and added back, a bulk change by --members and by --file (zkCli's one-dash spellings
too), refusals by name and exit status (BadVersion, NoAuth, ReconfigDisabled), and config equal
to what kazoo reads from /zookeeper/config. PADDOCK_TARGET=zookeeper runs the same file against
Apache ZooKeeper: paddock-cli speaks to both."""
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from ensemble import Ensemble  # noqa: E402
from reconfig_support import (LIMIT, START_TIMEOUT, SUPER_PASSWORD,  # noqa: E402,F401
                              config_node, ens, parse_config, spec)

ZKCLI = ["java", "-Xmx256m", "-cp", harness.ZK_CLASSPATH, "org.apache.zookeeper.ZooKeeperMain"]
CLI = os.environ.get("PADDOCK_CLI", os.path.join(harness.REPO, "build", "bin", "paddock-cli"))
SUPER_AUTH = f"digest:super:{SUPER_PASSWORD}"
COMMITTED = "Committed new configuration:\n"


def cli(member, *args, auth=True):
    """paddock-cli against one server, as the super user unless auth=False."""
    options = ["--server", member.hosts] + (["--auth", SUPER_AUTH] if auth else [])
    return subprocess.run([CLI, *options, *args], capture_output=True, text=True, timeout=60)


def committed(run):
    """The configuration a successful `reconfig` printed (without the Stat)."""
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith(COMMITTED), run.stdout
    body = run.stdout[len(COMMITTED):]
    return parse_config(body.split("\ncZxid = ")[0].rstrip("\n"))


def stat_lines(out):
    return dict(line.split(" = ", 1) for line in out.splitlines() if " = " in line)


@pytest.mark.time_limit(LIMIT)
def test_remove_a_follower_and_add_it_back(ens):
    follower = ens.followers()[0]
    gone = ens.server(follower)
    via = ens.server(ens.leader())
    run = cli(via, "reconfig", "--remove", str(gone.sid), "--stat")
    servers, version = committed(run)
    assert sorted(servers) == sorted(m.sid for m in ens.members if m.sid != gone.sid)
    # --stat: the Stat of /zookeeper/config, whose mZxid is the new version.
    assert stat_lines(run.stdout)["mZxid"] == hex(version)
    # The removed server goes on as a non-voting follower (test_reconfig.py checks it); here
    # the members' view.
    for m in ens.members:
        if m.sid != gone.sid:
            data, _ = config_node(m.hosts)
            assert parse_config(data) == (servers, version)

    servers, version = committed(cli(via, "reconfig", "--add", spec(gone)))
    assert sorted(servers) == [1, 2, 3] and servers[gone.sid] == spec(gone)
    harness.wait_for(lambda: gone.mode() == "follower", timeout=30, what="the server back")
    data, _ = config_node(gone.hosts)
    assert parse_config(data) == (servers, version)


@pytest.mark.time_limit(LIMIT)
def test_bulk_change_by_members_then_by_file(ens, tmp_path):
    follower = ens.followers()[0]
    member = ens.server(follower)
    via = ens.server(ens.leader())
    # zkCli's spellings: -members and -s.
    everyone_but = [spec(m) for m in ens.members if m.sid != member.sid]
    run = cli(via, "reconfig", "-members", ",".join(everyone_but + [spec(member, "observer")]),
              "-s")
    servers, _ = committed(run)
    assert servers[member.sid] == spec(member, "observer")
    assert "numChildren = 0" in run.stdout
    harness.wait_for(lambda: member.mode() == "observer", timeout=30, what="an observer")

    # A dynamic file as ZooKeeper writes one: server lines and a version line (ignored).
    path = tmp_path / "zoo.cfg.dynamic.next"
    path.write_text("".join(spec(m) + "\n" for m in ens.members) + "version=deadbeef\n")
    servers, version = committed(cli(via, "reconfig", "-file", str(path)))
    assert servers == {m.sid: spec(m) for m in ens.members}
    harness.wait_for(lambda: member.mode() == "follower", timeout=30, what="a follower again")
    data, _ = config_node(member.hosts)
    assert parse_config(data) == (servers, version)


@pytest.mark.time_limit(LIMIT)
def test_config_and_refusals(ens):
    follower = ens.followers()[0]
    gone = ens.server(follower)
    via = ens.server(ens.leader())
    data, stat = config_node(via.hosts)
    # config: /zookeeper/config's data, as kazoo reads it; --stat adds its Stat.
    run = cli(via, "config", auth=False)
    assert run.returncode == 0 and run.stdout == data + "\n", run.stdout + run.stderr
    run = cli(via, "config", "--stat", auth=False)
    assert run.returncode == 0 and run.stdout.startswith(data + "\n")
    fields = stat_lines(run.stdout)
    assert fields["mZxid"] == hex(stat.mzxid) and fields["dataVersion"] == str(stat.version)
    assert fields["dataLength"] == str(len(data))
    _, version = parse_config(data)
    # zkCli's own `config -s` prints the same lines.
    zkcli = subprocess.run(ZKCLI + ["-server", via.hosts, "config", "-s"], capture_output=True,
                           text=True, timeout=90)
    assert run.stdout in zkcli.stdout, (run.stdout, zkcli.stdout, zkcli.stderr)
    # config -c: "VERSION host:port,..." in the order zkCli prints the servers (an empty
    # place for each server whose line has no client address).
    run = cli(via, "config", "-c", auth=False)
    zkcli = subprocess.run(ZKCLI + ["-server", via.hosts, "config", "-c"], capture_output=True,
                           text=True, timeout=90)
    assert run.returncode == 0 and run.stdout.startswith(format(version, "x") + " ")
    assert run.stdout in zkcli.stdout, (run.stdout, zkcli.stdout, zkcli.stderr)

    no_auth = cli(via, "reconfig", "--remove", str(gone.sid), auth=False)
    assert no_auth.returncode == 1 and "Insufficient permission" in no_auth.stderr, no_auth.stderr
    assert no_auth.stdout == ""
    stale = cli(via, "reconfig", "--remove", str(gone.sid), "--version", format(version + 1, "x"))
    assert stale.returncode == 1 and "version No is not valid" in stale.stderr, stale.stderr
    no_voter = cli(via, "reconfig", "--remove", "1,2,3")
    assert no_voter.returncode == 1 and "Arguments are not valid" in no_voter.stderr, \
        no_voter.stderr
    # Refused before anything is sent: mixed modes, nothing to do, a version that is not hex.
    for args in (["--add", spec(gone), "--members", spec(gone)], [], ["--remove", "2", "-v", "x"]):
        usage = cli(via, "reconfig", *args)
        assert usage.returncode == 2 and "reconfig" in usage.stderr, (args, usage.stderr)
    # A scheme the server has no provider for: AuthFailed on addAuth, nothing else is sent.
    bad_scheme = subprocess.run([CLI, "--server", via.hosts, "--auth", "nosuchscheme:x",
                                 "config"], capture_output=True, text=True, timeout=60)
    assert bad_scheme.returncode == 1 and "AuthFailed" in bad_scheme.stderr, bad_scheme.stderr
    assert config_node(via.hosts)[0] == data

    # The version config printed is the one reconfig expects (hex, zkCli's -v).
    servers, new_version = committed(cli(via, "reconfig", "--remove", str(gone.sid),
                                         "-v", format(version, "x")))
    assert gone.sid not in servers and new_version > version


@pytest.mark.time_limit(LIMIT)
def test_reconfig_disabled():
    with Ensemble(3) as e:
        e.start(timeout=START_TIMEOUT)
        run = cli(e.server(0), "reconfig", "--remove", "3")
        assert run.returncode == 1 and "Reconfig is disabled" in run.stderr, run.stderr
        assert run.stdout == ""
        # Reading the configuration needs no permission.
        config = cli(e.server(0), "config", auth=False)
        assert config.returncode == 0, config.stderr
        assert sorted(parse_config(config.stdout.rstrip("\n"))[0]) == [1, 2, 3]


@pytest.mark.time_limit(LIMIT)
def test_the_leader_made_an_observer_through_a_follower(ens):
    """Every server drops its clients while a new leader is elected, sometimes before the
    answer to the reconfig itself is out (ZooKeeper too): paddock-cli then exits 3 and says
    the change may have committed. Either way, config shows it committed."""
    leader = ens.server(ens.leader())
    via = ens.server(ens.followers()[0])
    run = cli(via, "reconfig", "--add", spec(leader, "observer"))
    if run.returncode == 0:
        servers, _ = committed(run)
        assert servers[leader.sid] == spec(leader, "observer")
    else:
        assert run.returncode == 3, run.stdout + run.stderr
        assert "the change may have committed" in run.stderr, run.stderr
    harness.wait_for(lambda: leader.mode() == "observer", timeout=30,
                     what="the old leader observes")
    harness.wait_for(lambda: via.mode() in ("leader", "follower"), timeout=30,
                     what="the follower serves again")
    config = cli(via, "config", auth=False)
    assert config.returncode == 0, config.stderr
    servers, _ = parse_config(config.stdout.rstrip("\n"))
    assert servers[leader.sid] == spec(leader, "observer")
