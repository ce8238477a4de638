#!/usr/bin/python3
"""The plain-read control as a pair of outcomes, for CI: one `lag-follower` fault (the
leader's traffic to one follower narrowed, so that follower applies commits late while it
keeps serving), the same seed twice:

  run.py --check-plain-reads   switch off: the linearizability checker must FAIL, on a read
                               without sync that returned an older value than a write
                               acknowledged before it, and every other checker must pass;
  run.py --linearizable-reads  switch on: the scenario must PASS.

Without the first, a green second run would prove little (the control would not show that
the checker can see a stale read at all). Exit status 0 when both outcomes hold.
"""
import argparse
import bisect
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FAULTS = "lag-follower"
MODES = {"switch off": "check-plain-reads", "switch on": "linearizable-reads"}


def run(mode, seed, out):
    """Runs one scenario; returns its verdict (verdicts.json)."""
    subprocess.run([sys.executable, os.path.join(HERE, "run.py"), mode, "--seed", str(seed),
                    "--servers", "3", "--faults", FAULTS, "--out", out], check=False)
    with open(os.path.join(out, "verdicts.json")) as f:
        return json.load(f)[0]


def stale_reads(history_path):
    """(reads without sync that completed, those that returned an older version of their key
    than a write on it acknowledged before the read was invoked): a count beside the
    checker's verdict, which names one such read per key."""
    with open(history_path) as f:
        events = [json.loads(line) for line in f]
    invoked, acks, reads = {}, {}, []
    for e in events:
        if e.get("f") not in ("read", "write", "cas"):
            continue
        if e["type"] == "invoke":
            invoked[e["process"]] = e
            continue
        start = invoked.pop(e["process"], None)
        if start is None or e["type"] != "ok":
            continue
        if e["f"] == "read" and start.get("value") == {"sync": False}:
            reads.append((start["time"], start["key"], e["value"]["version"]))
        elif e["f"] != "read":
            acks.setdefault(start["key"], []).append((e["time"], e["value"]["version"]))
    newest = {}  # key -> (ack times, newest version acknowledged by each)
    for key, entries in acks.items():
        entries.sort()
        versions, top = [], 0
        for _t, version in entries:
            top = max(top, version)
            versions.append(top)
        newest[key] = ([t for t, _v in entries], versions)
    stale = 0
    for time, key, version in reads:
        times, versions = newest.get(key, ([], []))
        before = bisect.bisect_left(times, time)
        if before and versions[before - 1] > version:
            stale += 1
    return len(reads), stale


def control_problems(verdict):
    """What is wrong with the switch-off run: [] when only the linearizability checker
    failed, and on a stale read without sync."""
    problems = list(verdict["problems"])
    checkers = verdict.get("checkers", {})
    lin = checkers.get("linearizability", {})
    if lin.get("valid") is not False:
        problems.append(f"the linearizability checker did not fail: {lin.get('valid')}")
    else:
        # Each failing key's first read that cannot be linearized.
        stale = [f["op"] for f in lin.get("failures", [lin])
                 if f.get("op", {}).get("f") == "read"
                 and f["op"].get("input") == {"sync": False}]
        if not stale:
            problems.append("the linearizability checker failed, but not on a read without "
                            f"sync: {lin.get('explanation')}")
        else:
            print(f"plain-read control: {len(stale)} key(s) with a stale read; first: "
                  f"{lin.get('explanation')}")
    problems += [f"checker {name} failed too: {r.get('explanation', r.get('valid'))}"
                 for name, r in checkers.items()
                 if name != "linearizability" and r.get("valid") is False]
    return problems


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=606)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    control = run("--check-plain-reads", args.seed,
                  os.path.join(args.out, MODES["switch off"]))
    switch_on = run("--linearizable-reads", args.seed,
                    os.path.join(args.out, MODES["switch on"]))
    problems = [f"--check-plain-reads: {problem}" for problem in control_problems(control)]
    if not switch_on["valid"]:
        problems.append(f"--linearizable-reads did not pass: see {args.out}/linearizable-reads"
                        f"/report.md")
    for problem in problems:
        print(f"plain-read control: FAIL: {problem}")
    for label, verdict in (("switch off", control), ("switch on", switch_on)):
        reads, stale = stale_reads(os.path.join(args.out, MODES[label], f"seed-{args.seed}",
                                                "history.jsonl"))
        print(f"plain-read control: {label}: {verdict['operations']} operations, {reads} "
              f"reads without sync, {stale} returned a value older than an acknowledged write")
    if not problems:
        print(f"plain-read control: ok (seed {args.seed})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
