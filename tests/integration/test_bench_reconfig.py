"""tools/bench-reconfig end to end at a tiny size, against the system under test only (Paddock,
or ZooKeeper with PADDOCK_TARGET=zookeeper): one round of every step with two writers; the
tables must have their shape, every step a window and every reconfig a latency, no step may
fail and every acknowledged write must be read back. Once with the 3-server ensemble and once
with --ensemble 5 (shrink 5 -> 3 and grow back one at a time, then the leader out and in)."""
import os
import re
import signal
import subprocess

import pytest

import harness

SYSTEM = "zookeeper" if harness.TARGET == "zookeeper" else "paddock"
STEPS = {3: ["baseline", "remove follower", "add follower", "remove leader", "add leader"],
         5: ["baseline", "remove follower 5->4", "remove follower 4->3", "add follower 3->4",
             "add follower 4->5", "remove leader 5->4", "add leader 4->5"]}
ARGS = ["--servers", SYSTEM, "--rounds", "1", "--writers", "2", "--before", "0.3", "--after",
        "0.5", "--settle-timeout", "60", "--bin-dir", os.path.dirname(harness.PADDOCK_BIN)]
LIMIT = 180 if SYSTEM == "zookeeper" else 120


def run_bench(limit, extra_args):
    """Runs tools/bench-reconfig; past `limit` seconds it gets SIGTERM (it stops its servers)."""
    proc = subprocess.Popen([os.path.join(harness.REPO, "tools", "bench-reconfig"), *ARGS,
                             *extra_args],
                            cwd=harness.REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        out, err = proc.communicate(timeout=limit)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        pytest.fail(f"bench-reconfig still running after {limit} s:\n{err[-3000:]}")


def table_rows(out, header_start):
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return lines[start], rows


def number(cell):
    assert re.fullmatch(r"[\d,]+", cell), cell
    return int(cell.replace(",", ""))


@pytest.mark.parametrize("size", [3, 5])
@pytest.mark.time_limit(LIMIT + 90)
def test_bench_reconfig_tiny(size):
    steps = STEPS[size]
    rc, out, err = run_bench(LIMIT, ["--ensemble", "5"] if size == 5 else [])
    assert rc == 0, f"{out[-3000:]}\n{err[-3000:]}"
    assert out.startswith(f"command: tools/bench-reconfig --servers {SYSTEM} --rounds 1"), out

    header, rows = table_rows(out, "| step | system |")
    assert header.count("|") == 12, header
    assert [(r[0], r[1], r[2]) for r in rows] == [(s, SYSTEM, "1") for s in steps], out
    for step, _, _, least, median, worst, p99, reconfig, settled, writes, errors in rows:
        # One round: min = median = max.
        assert number(least) == number(median) == number(worst) > 0, out
        assert number(p99) >= 0 and number(writes) > 0, out
        if step == "baseline":
            assert reconfig == settled == "-", out
        else:
            # "174 (1 ConnectionLoss)": the call's answer was lost (its server dropped its
            # clients); the tool then read the outcome back.
            latency = re.fullmatch(r"([\d,]+)( \(\d+ \w+(, \d+ \w+)*\))?", reconfig)
            assert latency and number(latency.group(1)) > 0 and number(settled) >= 0, out
        assert errors == "0" or re.fullmatch(r"\d+ \w+(, \d+ \w+)*", errors), errors

    _, per_round = table_rows(out, "| system | round | step |")
    assert [(r[0], r[1], r[2]) for r in per_round] == [(SYSTEM, "1", s) for s in steps], out

    read_back = re.search(rf"^writes read back \({SYSTEM}\): ([\d,]+) acknowledged on (\d+) "
                          r"znodes, (\d+) lost$", out, re.M)
    assert read_back, out
    assert number(read_back.group(1)) > 0 and read_back.group(2) == str(2 * len(steps)), out
    assert read_back.group(3) == "0", out
    assert f"failures ({SYSTEM}): none" in out, out
