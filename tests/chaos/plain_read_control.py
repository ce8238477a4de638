#!/usr/bin/python3
"""The plain-read control as a pair of outcomes, for CI: one `lag-follower` fault (the
leader's traffic to one follower narrowed, so that follower applies commits late while it
keeps serving), the same seed twice:

  run.py --check-plain-reads   switch off: run.py must exit 1, its linearizability checker
                               failing on every failing key at a read without sync that
                               returned an older value than a write acknowledged before it;
                               the same history without those reads must be linearizable,
                               and every other checker must pass;
  run.py --linearizable-reads  switch on: run.py must exit 0, the scenario passing.

Without the first, a green second run would prove little (the control would not show that
the checker can see a stale read at all). Each run's directory is emptied first, so nothing
of an earlier run can stand in for a run that wrote nothing. Exit status 0 when both
outcomes hold, 1 when not, 77 when run.py skipped (no network namespaces here).
"""
import argparse
import bisect
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from checkers import history, linearizability  # noqa: E402

FAULTS = "lag-follower"
# (output directory under --out, run.py's mode flag, the exit status it must give)
RUNS = (("switch-off", "--check-plain-reads", 1), ("switch-on", "--linearizable-reads", 0))
SKIPPED = 77  # run.py's: the fault needs network namespaces and there are none
PLAIN_READ = {"sync": False}  # the input of a read without sync


def run(flag, seed, directory):
    """Runs one scenario into `directory`, emptied first; returns (run.py's exit status, its
    verdict or None, what went wrong reading it or None). run.py exits 2 before writing
    anything on bad arguments, and a crash or a kill writes nothing either."""
    shutil.rmtree(directory, ignore_errors=True)
    status = subprocess.run([sys.executable, os.path.join(HERE, "run.py"), flag,
                             "--seed", str(seed), "--servers", "3", "--faults", FAULTS,
                             "--out", directory], check=False).returncode
    path = os.path.join(directory, "verdicts.json")
    try:
        with open(path) as f:
            verdicts = json.load(f)
    except FileNotFoundError:
        return status, None, f"run.py wrote no {path}"
    except (OSError, ValueError) as e:
        return status, None, f"unreadable {path}: {e}"
    if not isinstance(verdicts, list) or len(verdicts) != 1:
        return status, None, f"{path} does not hold one verdict"
    return status, verdicts[0], None


def is_plain_read(op):
    """op: an operation as the linearizability checker describes it (its `op`)."""
    return op.get("f") == "read" and op.get("input") == PLAIN_READ


def without_plain_reads(events):
    """The history without its reads without sync (invokes and their completions)."""
    operations, _, _ = history.pair_operations(events)
    dropped = {e["index"] for op in operations
               if op.f == "read" and op.input == PLAIN_READ for e in op.events()}
    return [e for e in history.ordered(events) if e["index"] not in dropped]


def recheck_problems(scenario_dir, timeout=linearizability.DEFAULT_TIMEOUT):
    """The switch-off history checked again without its reads without sync: the rest
    (writes, cas, reads after a sync) must be linearizable. The checker stops each key at
    its first failure, so a lost or duplicated write after a key's first stale read would
    otherwise pass unseen."""
    try:
        events = history.load_jsonl(os.path.join(scenario_dir, "history.jsonl"))
        with open(os.path.join(scenario_dir, "initial.json")) as f:
            initial = json.load(f)
    except (OSError, ValueError) as e:
        return [f"cannot check the history again without its reads without sync: {e}"]
    rest = without_plain_reads(events)
    result = linearizability.check(rest, initial, timeout=timeout)
    if result["valid"] == "unknown":
        return ["inconclusive: without its reads without sync the history could not be "
                f"checked: {result.get('note')} (keys {result.get('unknown_keys')})"]
    if result["valid"] is not True:
        return ["without its reads without sync the history is still not linearizable: "
                f"{result.get('explanation', result['valid'])}"]
    left_out = sum(e.get("type") == "invoke" for e in events) - sum(
        e.get("type") == "invoke" for e in rest)
    print(f"plain-read control: without its {left_out} reads without sync the history is "
          f"linearizable ({result['ops']} register operations)")
    return []


def control_problems(verdict, scenario_dir):
    """What is wrong with the switch-off run: [] when only the linearizability checker
    failed, every failing key at a stale read without sync, and the history is linearizable
    once those reads are left out."""
    problems = list(verdict.get("problems", []))
    checkers = verdict.get("checkers", {})
    lin = checkers.get("linearizability", {})
    valid = lin.get("valid")
    if valid == "unknown":
        problems.append("inconclusive: the linearizability search ran out of budget "
                        f"({lin.get('note')}, keys {lin.get('unknown_keys')}) and found no "
                        "failure")
    elif valid is not False:
        problems.append(f"the linearizability checker did not fail: {valid}")
    else:
        failures = lin.get("failures", [])
        if not failures:
            problems.append("the linearizability checker failed on no key")
        # Each failing key's first operation that cannot be linearized.
        problems += [f"the linearizability checker failed on key {f.get('key')!r} at an "
                     f"operation that is not a read without sync: {f.get('explanation')}"
                     for f in failures if not is_plain_read(f.get("op", {}))]
        if failures and all(is_plain_read(f.get("op", {})) for f in failures):
            print(f"plain-read control: {len(failures)} key(s) with a stale read; first: "
                  f"{lin.get('explanation')}")
        problems += recheck_problems(scenario_dir)
    problems += [f"checker {name} failed too: {r.get('explanation', r.get('valid'))}"
                 for name, r in checkers.items()
                 if name != "linearizability" and r.get("valid") is False]
    return problems


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
        if e["f"] == "read" and start.get("value") == PLAIN_READ:
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


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=606)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    problems, verdicts = [], {}
    for label, flag, wanted in RUNS:
        directory = os.path.join(args.out, label)
        status, verdict, problem = run(flag, args.seed, directory)
        if status == SKIPPED:
            print("plain-read control: skipped: run.py cannot run the fault here (see above)")
            return SKIPPED
        if status != wanted:
            problems.append(f"{flag}: run.py exited with {status}, not {wanted}")
        if problem:
            problems.append(f"{flag}: {problem}")
        if verdict is None:
            continue
        verdicts[label] = verdict
        scenario_dir = os.path.join(directory, f"seed-{args.seed}")
        if flag == "--check-plain-reads":
            problems += [f"{flag}: {issue}"
                         for issue in control_problems(verdict, scenario_dir)]
        elif verdict.get("valid") is not True:
            problems.append(f"{flag} did not pass: see {directory}/report.md")
    for problem in problems:
        print(f"plain-read control: FAIL: {problem}")
    for label, verdict in verdicts.items():
        path = os.path.join(args.out, label, f"seed-{args.seed}", "history.jsonl")
        try:
            reads, stale = stale_reads(path)
        except (OSError, ValueError, KeyError) as e:
            print(f"plain-read control: {label}: no stale-read count ({e!r})")
            continue
        print(f"plain-read control: {label}: {verdict.get('operations')} operations, {reads} "
              f"reads without sync, {stale} returned a value older than an acknowledged write")
    if not problems:
        print(f"plain-read control: ok (seed {args.seed})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
