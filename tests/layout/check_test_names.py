#!/usr/bin/env python3
"""Catch2 test names without ';': ctest would never run such a test.

catch_discover_tests registers each TEST_CASE under its name, and CMake keeps lists as
';'-separated strings, so a name with a ';' becomes several ctest tests whose filters match
no test case ("No test cases matched"), and the test itself silently stops running.
Usage: check_test_names.py REPO_ROOT   (exit 1 and one line per violation)
"""
import pathlib
import re
import sys

# The name: the first string literal after TEST_CASE( / SCENARIO(, possibly split over
# adjacent literals on several lines.
NAME = re.compile(r'\b(?:TEST_CASE|SCENARIO)\s*\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', re.S)


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    violations = []
    for path in sorted((root / "tests").glob("**/*.cpp")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in NAME.finditer(text):
            name = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
            if ";" in name:
                line = text.count("\n", 0, m.start()) + 1
                violations.append(f"{path.relative_to(root)}:{line}: ';' in test name {name!r}")
    for v in violations:
        print(v)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
