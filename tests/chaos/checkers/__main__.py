"""python3 -m checkers HISTORY.jsonl [--initial FILE.json] [--timeout SECONDS]

Prints the JSON verdict; exits 0 when valid, 1 when invalid, 2 when undecided."""

import argparse
import json
import sys

from . import check_history, history, linearizability


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m checkers", description=__doc__)
    parser.add_argument("history", help="JSON-lines history file")
    parser.add_argument("--initial", help="JSON file {key: {value, version}} of known "
                        "initial register states")
    parser.add_argument("--timeout", type=float, default=linearizability.DEFAULT_TIMEOUT,
                        help="linearizability search budget in seconds")
    args = parser.parse_args(argv)
    initial = None
    if args.initial:
        with open(args.initial, encoding="utf-8") as stream:
            initial = json.load(stream)
    verdict = check_history(history.load_jsonl(args.history), initial, args.timeout)
    json.dump(verdict, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
    return {True: 0, False: 1}.get(verdict["valid"], 2)


if __name__ == "__main__":
    sys.exit(main())
