"""tools/bench-compare and tools/bench-ensemble end to end at a tiny size, against the system
under test only (Paddock, or ZooKeeper with PADDOCK_TARGET=zookeeper): both clients, a list of
requests in flight, two runs per cell, a small preload; the table with its CPU columns, the
holder's lines and the charts must come out."""
import os
import shutil
import signal
import subprocess
import tempfile

import pytest

import harness

BIN_DIR = os.path.dirname(harness.PADDOCK_BIN)
SYSTEM = "zookeeper" if harness.TARGET == "zookeeper" else "paddock"
COMMON = ["--servers", SYSTEM, "--bin-dir", BIN_DIR, "--workloads", "set",
          "--outstanding", "1,4", "--client", "both", "--runs", "2", "--duration", "0.5",
          "--warmup", "0.2", "--preload", "znodes=300,sessions=12,watches=60"]


def run_script(name, args, limit):
    """Runs tools/NAME; past `limit` seconds it gets SIGTERM (its trap stops its servers)."""
    proc = subprocess.Popen([os.path.join(harness.REPO, "tools", name), *args],
                            cwd=harness.REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        pytest.fail(f"{name} still running after {limit} s:\n{err[-3000:]}")
    return proc.returncode, out, err


def results_table(out):
    """The rows of the first table (the results); a later table, such as the one comparing
    runs with a snapshot in their window against runs without, starts its rows alike."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| workload |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def check_output(out, out_dir, preload_lines):
    table = [line for line in results_table(out) if line.startswith("| set |")]
    assert len(table) == 4, out  # 2 clients x 2 outstanding
    assert any("| paddock-bench-zkc |" in line for line in table), out
    header = next(line for line in out.splitlines() if line.startswith("| workload |"))
    assert f"{SYSTEM} server CPU µs/op" in header, header
    assert "median of its runs (2 per cell)" in out, out
    assert "errors across all runs: 0" in out, out
    assert out.count('"hold":"ready"') == preload_lines, out
    assert out.count('"notifications":0') == preload_lines, out
    assert "Total watches:" in out, out
    pngs = sorted(f for f in os.listdir(out_dir) if f.endswith(".png"))
    assert pngs == ["set-paddock-bench-zkc.png", "set-paddock-bench.png"], pngs
    for png in pngs:
        with open(os.path.join(out_dir, png), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.path.exists(os.path.join(out_dir, "report.md"))
    with open(os.path.join(out_dir, "results.tsv")) as f:
        assert len(f.read().splitlines()) == 8  # 4 cells x 2 runs


@pytest.mark.time_limit(400)
def test_bench_compare_tiny():
    out_dir = tempfile.mkdtemp(prefix="paddock-it-bench-compare-")
    try:
        rc, out, err = run_script("bench-compare", COMMON + ["--sessions", "2", "--out", out_dir],
                                  360)
        assert rc == 0, err[-3000:]
        check_output(out, out_dir, preload_lines=1)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


@pytest.mark.time_limit(400)
def test_bench_ensemble_tiny():
    out_dir = tempfile.mkdtemp(prefix="paddock-it-bench-ensemble-")
    try:
        rc, out, err = run_script("bench-ensemble", COMMON + ["--sessions", "3",
                                                              "--failover-rounds", "0",
                                                              "--out", out_dir], 360)
        assert rc == 0, err[-3000:]
        check_output(out, out_dir, preload_lines=1)
        # The CPU is that of all three servers: the client was given three pids.
        assert "--server-pids PID1,PID2,PID3" in out, out
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
