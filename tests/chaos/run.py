#!/usr/bin/python3
"""Runs chaos campaigns against a Paddock (or Apache ZooKeeper) ensemble and judges them.

  run.py --ci                       the CI campaign: every fault twice against 3 servers and
                                    once against 5, fixed seeds plus one new random seed
  run.py --minutes N [--seed S]     a longer campaign: scenarios of every fault in a seeded
                                    order, alternating 3 and 5 servers, until N minutes
  run.py --seed S --servers 3 --faults kill-leader,partition-halves
                                    one scenario (replays a failing seed)
Common options: --target paddock|zookeeper, --out DIR (default build/chaos/<time>),
--no-netns (127.0.0.x addresses: process faults only), --list-faults, --read-only (the
servers run with readonlymode.enabled and local sessions: a member cut off by a
partition turns read-only, which the workloads' read-write clients must not notice),
--linearizable-reads (the servers run with paddock.linearizableReads=true, and the register
workload's reads without sync go to the linearizability checker too, under every fault),
--check-plain-reads (those reads checked, the switch left off: the control, which finds stale
reads under lag-follower or partitions). With either, the register workload adds one reader
per server; lag-follower runs only when named (plain_read_control.py runs the pair).

Exit status 0 when every scenario passed, 1 when any failed, 2 on bad arguments, 77 (SKIPPED,
ctest's SKIP_RETURN_CODE) when faults named with --faults need network namespaces and this
host cannot make them (not root, no nftables): nothing ran. The last
lines name each failing scenario with the command that replays it; DIR/report.md has the
details and DIR/<scenario>/ the history, fault log, verdict and timeline.png.
"""
import argparse
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import nemesis  # noqa: E402
import report  # noqa: E402
from hosts import netns_available  # noqa: E402
from scenario import Scenario  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SKIPPED = 77
CI_SEEDS = (101, 202, 303)
# localSessionsUpgradingEnabled too: ZooKeeper refuses an ephemeral of a local session without
# it (EphemeralOnLocalSession, -120, which kazoo 2.8 does not know: its connection thread dies).
READ_ONLY_CONFIG = {"readonlymode.enabled": "true", "localSessionsEnabled": "true",
                    "localSessionsUpgradingEnabled": "true"}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ci", action="store_true")
    p.add_argument("--minutes", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--servers", type=int, default=3)
    p.add_argument("--faults", help="comma-separated fault names (default: all available)")
    p.add_argument("--repeat", type=int, default=1, help="each fault this many times")
    p.add_argument("--target", choices=("paddock", "zookeeper"), default="paddock")
    p.add_argument("--out")
    p.add_argument("--no-netns", action="store_true")
    p.add_argument("--list-faults", action="store_true")
    p.add_argument("--read-only", action="store_true")
    p.add_argument("--linearizable-reads", action="store_true",
                   help="paddock.linearizableReads=true; reads without sync are checked")
    p.add_argument("--check-plain-reads", action="store_true",
                   help="reads without sync are checked (the control for the switch)")
    p.add_argument("--compare", nargs="+", metavar="DIR",
                   help="no run: the write-gap table of these campaigns' results side by side")
    p.add_argument("--paddock-bin", default=os.environ.get(
        "PADDOCK_BIN", os.path.join(REPO, "build", "bin", "paddock")))
    return p.parse_args(argv)


def plan(args, faults):
    """[(name, servers, seed, faults, repeat)] for the requested campaign."""
    if args.ci:
        fresh = random.SystemRandom().randrange(1, 2**31)
        print(f"chaos: CI campaign; this run's new random seed is {fresh}", flush=True)
        sample = random.Random(fresh).sample(faults, min(6, len(faults)))
        return [("ci-3-servers-a", 3, CI_SEEDS[0], faults, 1),
                ("ci-3-servers-b", 3, CI_SEEDS[1], faults, 1),
                ("ci-5-servers", 5, CI_SEEDS[2], faults, 1),
                (f"ci-random-{fresh}", 3, fresh, sample, 1)]
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    if args.minutes:
        # Scenarios of about two minutes each, until the budget is spent (checked as we go).
        return [(f"campaign-{i + 1}", 3 if i % 2 == 0 else 5, seed + i, faults, args.repeat)
                for i in range(1000)]
    return [(f"seed-{seed}", args.servers, seed, faults, args.repeat)]


def compare(dirs):
    """Prints the side-by-side write-gap table of earlier campaigns (their verdicts.json),
    labelled by target (and directory when two share one)."""
    campaigns = []
    for d in dirs:
        with open(os.path.join(d, "verdicts.json")) as f:
            verdicts = json.load(f)
        target = verdicts[0].get("target", "?") if verdicts else "?"
        campaigns.append((target, verdicts))
    labels = [label for label, _v in campaigns]
    if len(set(labels)) < len(labels):
        campaigns = [(f"{label} ({os.path.basename(os.path.normpath(d))})", v)
                     for (label, v), d in zip(campaigns, dirs)]
    print("\n".join(report.comparison_table(campaigns)))
    return 0


def main(argv):
    args = parse_args(argv)
    if args.compare:
        return compare(args.compare)
    actor_faults = args.target == "paddock"
    all_faults = nemesis.available_faults(network_faults=True, actor_faults=actor_faults)
    if args.list_faults:
        print("\n".join(all_faults))
        print("\n".join(f"{f} (only when named with --faults)" for f in nemesis.OPT_IN_FAULTS))
        return 0
    faults = all_faults
    if args.faults:
        faults = [f.strip() for f in args.faults.split(",") if f.strip()]
        unknown = [f for f in faults if f not in nemesis.FAULTS]
        if unknown:
            print(f"chaos: unknown faults {unknown}; known: {', '.join(nemesis.FAULTS)}",
                  file=sys.stderr)
            return 2
    if args.no_netns:
        faults = [f for f in faults if not nemesis.FAULTS[f][0]]
    if args.target == "paddock" and not os.access(args.paddock_bin, os.X_OK):
        print(f"chaos: no paddock binary at {args.paddock_bin} (tools/chaos builds it)",
              file=sys.stderr)
        return 2

    if args.linearizable_reads and args.target != "paddock":
        print("chaos: --linearizable-reads is a Paddock switch (use --check-plain-reads to "
              "check ZooKeeper's plain reads)", file=sys.stderr)
        return 2
    network = [f for f in faults if nemesis.FAULTS[f][0]]
    if args.faults and network:
        # Named network faults would fail every scenario on 127.0.0.x hosts (they have no
        # network to cut): a run that cannot do what was asked is skipped, not failed.
        why_not = netns_available(("nft",))
        if why_not:
            print(f"chaos: SKIPPED: the faults {', '.join(network)} need network namespaces "
                  f"({why_not}); --no-netns leaves them out", file=sys.stderr)
            return SKIPPED
    extra_config = dict(READ_ONLY_CONFIG) if args.read_only else {}
    if args.linearizable_reads:
        extra_config["paddock.linearizableReads"] = "true"
    plain_reads_checked = args.linearizable_reads or args.check_plain_reads
    mode_flags = ((" --read-only" if args.read_only else "")
                  + (" --linearizable-reads" if args.linearizable_reads else "")
                  + (" --check-plain-reads" if args.check_plain_reads else ""))

    out = args.out or os.path.join(REPO, "build", "chaos", time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out, exist_ok=True)
    started = time.monotonic()
    verdicts = []
    for name, servers, seed, scenario_faults, repeat in plan(args, faults):
        if args.minutes and time.monotonic() - started > args.minutes * 60:
            break
        scenario = Scenario(name, servers, seed, scenario_faults, repeat,
                            os.path.join(out, name), target=args.target,
                            prefer_netns=not args.no_netns, paddock_bin=args.paddock_bin,
                            extra_config=extra_config or None,
                            plain_reads_checked=plain_reads_checked)
        print(f"chaos: {scenario.describe()}", flush=True)
        t0 = time.monotonic()
        verdict = scenario.run(say=lambda m: print(m, flush=True))
        verdict["seconds"] = round(time.monotonic() - t0, 1)
        verdict["replay"] = (f"tools/chaos --seed {seed} --servers {servers} --target "
                             f"{args.target} --faults {','.join(scenario_faults)}"
                             + (f" --repeat {repeat}" if repeat > 1 else "")
                             + mode_flags)
        verdicts.append(verdict)
        checks = ", ".join(f"{k}: {'ok' if r.get('valid') is True else r.get('valid')}"
                           for k, r in verdict.get("checkers", {}).items())
        print(f"chaos: {name}: {'PASS' if verdict['valid'] else 'FAIL'} in "
              f"{verdict['seconds']} s, {verdict.get('operations', 0)} operations; {checks}",
              flush=True)
        for problem in verdict["problems"]:
            print(f"  problem: {problem}", flush=True)

    header = (f"# Chaos report: {args.target}, {len(verdicts)} scenarios, "
              f"{(time.monotonic() - started) / 60:.1f} minutes")
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(report.summary_markdown(verdicts, header))
    with open(os.path.join(out, "verdicts.json"), "w") as f:
        json.dump(verdicts, f, indent=1, default=str)
    failed = [v for v in verdicts if not v["valid"]]
    print(f"chaos: {len(verdicts) - len(failed)}/{len(verdicts)} scenarios passed; report in "
          f"{os.path.join(out, 'report.md')}")
    for v in failed:
        print(f"chaos: FAILED {v['scenario']}; replay: {v['replay']}")
    return 1 if failed or not verdicts else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
