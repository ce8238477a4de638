#!/usr/bin/env python3
"""One clock: the server reads the time only through server_context::clock.

actors/system_clock.cpp is the one file of the server that asks the operating system for the
time; every other file of actors/ (and of the pure folders, which read no clock at all) goes
through the clock::source the server context holds, so that a test's clock::manual governs
everything the actors do with time. CAF's own timers (delayed_send, request timeouts) are
not reads: the test coordinator drives them.
Usage: check_clock.py REPO_ROOT   (exit 1 and one line per violation)
"""
import pathlib
import re
import sys

CHECKED = ["actors", "protocol", "store", "config"]
ALLOWED = {"actors/system_clock.cpp"}
CLOCK_READ = re.compile(
    r"\b(steady_clock|system_clock|high_resolution_clock)::now\b"
    r"|\bclock_gettime\s*\(|\bgettimeofday\s*\(|\bstd::time\s*\(|(?<![\w:.>])time\s*\(\s*(nullptr|NULL|0)\s*\)")


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    violations = []
    for folder in CHECKED:
        for path in sorted((root / folder).glob("**/*")):
            if path.suffix not in (".hpp", ".cpp", ".h"):
                continue
            rel = path.relative_to(root).as_posix()
            if rel in ALLOWED:
                continue
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                code = line.split("//", 1)[0]
                if CLOCK_READ.search(code):
                    violations.append(f"{rel}:{number}: reads a clock; use ctx->clock "
                                      f"(protocol/clock/source.hpp)")
    for v in violations:
        print(v)
    if violations:
        print(f"{len(violations)} clock read(s) outside actors/system_clock.cpp")
        return 1
    print("the server reads the time only through its clock")
    return 0


if __name__ == "__main__":
    sys.exit(main())
