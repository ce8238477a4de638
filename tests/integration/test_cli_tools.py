"""Command-line clients against the server: Debian's zkCli (ZooKeeperMain) and our own
paddock-cli and paddock-bench."""
import os
import subprocess

import harness

ZKCLI = ["java", "-Xmx256m", "-cp", harness.ZK_CLASSPATH, "org.apache.zookeeper.ZooKeeperMain"]
CLI = os.environ.get("PADDOCK_CLI", os.path.join(harness.REPO, "build", "bin", "paddock-cli"))
BENCH = os.environ.get("PADDOCK_BENCH",
                       os.path.join(harness.REPO, "build", "bin", "paddock-bench"))


def zkcli(server, *args):
    run = subprocess.run(ZKCLI + ["-server", server.hosts, *args], capture_output=True,
                         text=True, timeout=90)
    return run.stdout + run.stderr


def cli(server, *args):
    return subprocess.run([CLI, "--server", server.hosts, *args], capture_output=True,
                          text=True, timeout=30)


def test_zkcli(server, zk):
    zk.create("/zkcli", b"from-kazoo")
    zk.create("/zkcli/child")
    # One JVM per command: zkCli runs the command given after its options and exits.
    out = zkcli(server, "create", "/zkcli/made-by-zkcli", "hello")
    assert "Created /zkcli/made-by-zkcli" in out, out
    out = zkcli(server, "get", "/zkcli")
    assert "from-kazoo" in out, out
    out = zkcli(server, "ls", "-s", "/zkcli")
    assert "[child, made-by-zkcli]" in out or "[made-by-zkcli, child]" in out, out
    assert "numChildren = 2" in out, out
    assert zk.get("/zkcli/made-by-zkcli")[0] == b"hello"


def test_paddock_cli(server):
    assert cli(server, "create", "/cli", "one").returncode == 0
    got = cli(server, "get", "/cli")
    assert got.returncode == 0 and "one" in got.stdout
    assert cli(server, "set", "/cli", "two", "-v", "0").returncode == 0
    # Failures as zkCli words them (test_cli_zkcli.py covers every command).
    stale = cli(server, "set", "/cli", "three", "-v", "0")
    assert stale.returncode == 1 and stale.stderr == "version No is not valid : /cli\n"
    missing = cli(server, "get", "/cli-missing")
    assert missing.returncode == 1 and missing.stderr == "Node does not exist: /cli-missing\n"
    assert "cli" in cli(server, "ls", "/").stdout.strip("[]\n").split(", ")
    assert "zk_server_state\tstandalone" in cli(server, "4lw", "mntr").stdout
    assert cli(server, "delete", "/cli").returncode == 0
    refused = subprocess.run([CLI, "--server", f"127.0.0.1:{harness.free_port()}", "ls", "/"],
                             capture_output=True, text=True, timeout=30)
    assert refused.returncode == 3


def test_paddock_bench_runs_every_workload(server):
    for workload in ("create", "set", "get", "mixed"):
        run = subprocess.run([BENCH, "--server", server.hosts, "--workload", workload,
                              "--sessions", "4", "--outstanding", "8", "--ops", "2000"],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "errors      0" in run.stdout, run.stdout


def test_null_data_prints_as_null(server, zk):
    # kazoo sends None as a -1 length: the znode's data is null, which zkCli's get prints as
    # "null"; empty data is an empty line.
    zk.create("/cli-null", None)
    zk.create("/cli-empty", b"")
    assert cli(server, "get", "/cli-null").stdout == "null\n"
    assert cli(server, "get", "/cli-empty").stdout == "\n"
    out = zkcli(server, "get", "/cli-null")
    assert "null" in out.splitlines(), out
