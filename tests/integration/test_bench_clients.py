"""The bench clients against a real server: paddock-bench-zkc (the workloads on ZooKeeper's
C library) for about a second each, its --json beside paddock-bench's, its error counting,
and paddock-bench --hold (the scale scenario's idle sessions and watches)."""
import json
import os
import re
import signal
import subprocess
import time

import pytest

import harness

BIN = os.path.join(harness.REPO, "build", "bin")
BENCH = os.environ.get("PADDOCK_BENCH", os.path.join(BIN, "paddock-bench"))
ZKC = os.environ.get("PADDOCK_BENCH_ZKC", os.path.join(BIN, "paddock-bench-zkc"))


def run_bench(binary, server, *args, timeout=60):
    return subprocess.run([binary, "--server", server.hosts, *args], capture_output=True,
                          text=True, timeout=timeout)


def one_json_line(run):
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, run.stdout
    return json.loads(lines[0])


@pytest.mark.time_limit(120)
def test_zkc_runs_each_workload_for_a_second(server, zk):
    for workload in ("create", "set", "get", "mixed"):
        run = run_bench(ZKC, server, "--workload", workload, "--sessions", "4", "--outstanding",
                        "8", "--duration", "1", "--warmup", "0.2", "--key-space", "200",
                        "--server-pids", str(server.pid), "--json")
        result = one_json_line(run)
        assert result["workload"] == workload
        assert result["sessions"] == 4 and result["outstanding"] == 8
        assert result["ops"] > 0 and result["ops_per_sec"] > 0, result
        assert result["errors"] == 0 and result["verify_failures"] == 0, result
        assert 0 < result["p50_us"] <= result["p99_us"] <= result["p999_us"] <= result["max_us"]
        # The CPU window covers at least the measured replies, and the server did work.
        assert result["window_ops"] >= result["ops"], result
        assert result["server_cpu_s"] > 0 and result["server_cpu_us_per_op"] > 0, result
        # Everything it made is gone again, root included.
        assert zk.exists("/paddock-bench") is None, workload


def test_zkc_prints_the_same_json_fields_as_paddock_bench(server):
    args = ("--workload", "set", "--sessions", "2", "--outstanding", "4", "--ops", "300",
            "--warmup", "0", "--server-pids", str(server.pid), "--json")
    ours = one_json_line(run_bench(BENCH, server, *args))
    theirs = one_json_line(run_bench(ZKC, server, *args))
    assert sorted(ours) == sorted(theirs)
    assert ours["ops"] == theirs["ops"] == 300


def test_zkc_counts_error_replies(server, zk):
    from kazoo.security import make_acl
    # A root nobody may create under: every create of the workload fails with NoAuth.
    zk.create("/bench-locked", b"", acl=[make_acl("world", "anyone", read=True)])
    args = ("--root", "/bench-locked", "--workload", "create", "--sessions", "2",
            "--outstanding", "4", "--ops", "200", "--warmup", "0", "--json", "--keep")
    failing = run_bench(ZKC, server, *args)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    result = json.loads(failing.stdout)
    assert result["errors"] >= 200, result
    assert result["errors_by_name"].get("NoAuth", 0) == result["errors"], result
    assert "requests failed" in failing.stderr
    accepted = run_bench(ZKC, server, *args, "--allow-errors")
    assert accepted.returncode == 0, accepted.stderr
    zk.delete("/bench-locked")


def test_zkc_refuses_bad_usage_and_an_absent_server():
    assert subprocess.run([ZKC, "--workload", "scan"], capture_output=True,
                          timeout=30).returncode == 2
    absent = subprocess.run([ZKC, "--server", f"127.0.0.1:{harness.free_port()}", "--ops", "1"],
                            capture_output=True, text=True, timeout=60)
    assert absent.returncode == 3, absent.stderr


def total_watches(server):
    text = server.four_letter("wchs")
    match = re.search(r"Total watches:\s*(\d+)", text)
    assert match, text
    return int(match.group(1))


@pytest.mark.time_limit(120)
def test_hold_keeps_idle_sessions_with_their_watches(server, zk):
    spec = "znodes=3000,sessions=40,watches=1000"
    before = total_watches(server)
    holder = subprocess.Popen([BENCH, "--server", server.hosts, "--hold", spec, "--json",
                               "--duration", "90"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = json.loads(holder.stdout.readline())
        assert ready["hold"] == "ready", ready
        assert (ready["znodes"], ready["sessions"], ready["watches"]) == (3000, 40, 1000)
        assert len(zk.get_children("/paddock-preload")) == 3  # groups of 1,000
        assert zk.exists("/paddock-preload/g0002/z0002999") is not None
        assert total_watches(server) - before == 1000
        # The idle sessions outlive several session timeouts of the test server (10 s max)
        # only if they ping; let one timeout pass, then a watch must still fire.
        time.sleep(float(harness.BASE_CONFIG["maxSessionTimeout"]) / 1000 + 1)
        assert holder.poll() is None, holder.stderr.read()
        zk.set("/paddock-preload/g0000/z0000000", b"changed")  # watch 0: a getData watch
        harness.wait_for(lambda: total_watches(server) - before == 999, timeout=10,
                         what="the fired watch to be gone")
        holder.send_signal(signal.SIGTERM)
        out, err = holder.communicate(timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert holder.returncode == 0, err
    done = json.loads(out.strip().splitlines()[-1])
    assert done["hold"] == "done", done
    assert done["notifications"] == 1, done
    assert done["closed"] == 40, done
