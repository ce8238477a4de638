#!/usr/bin/env python3
"""The dependency rules of docs/architecture.md, checked on every #include.

The CMake link graph already refuses a call into a library a folder does not link, but a
header-only use (an inline function, a type) would slip past it; this check reads every
#include under the rule's folders and fails on one the rules do not allow.
Usage: check_includes.py REPO_ROOT   (exit 1 and one line per violation)
"""
import pathlib
import re
import sys

# Folder -> the project folders its files may include (its own folder is always allowed).
# A folder not listed here (actors/, tools/, tests/) may include anything.
PROJECT_RULES = {
    "protocol/clock": [],  # the clock interface: includes nothing, anyone may include it
    "protocol/bytes": [],  # byte order in buffers: includes nothing, anyone may include it
    "protocol/jute": [],
    "protocol/zab": [],  # ZAB knows no tree, no store, no actors
    "protocol/admin": ["protocol/jute"],
    "protocol/client": ["protocol/jute"],  # read-only mode's decisions name opcodes
    "protocol/sasl": ["config"],
    "protocol/tls": ["config"],  # OpenSSL set up from config's TLS settings; no sockets, no actors  # Cyrus set up from config's SASL settings; no store, no actors
    "store/tree": ["protocol/jute"],
    "store/watches": ["protocol/jute", "store/tree"],
    "store/requests": ["protocol/jute", "store/tree", "store/watches"],
    "store/sessions": [],
    "store/disk": ["protocol/jute", "protocol/proto", "store/tree"],
    # ZooKeeper's files in and out: its own parsing, the tree, Paddock's snapshot writer.
    "store/zookeeper": ["protocol/jute", "store/tree", "store/disk"],
    "config": [],
}

# System headers a folder must not use: the pure cores open no files, sockets or threads
# and read no clock (<cstdio> stays allowed: snprintf formats, it opens nothing);
# disk code knows no actors.
FILE_AND_OS = ["fstream", "fcntl.h", "unistd.h", "filesystem", "sys/", "thread",
               "chrono", "mutex", "caf/", "spdlog/"]
FORBIDDEN_SYSTEM = {
    "protocol/clock": FILE_AND_OS,  # an interface and a manual clock: neither reads the OS
    "protocol/bytes": FILE_AND_OS,
    "protocol/jute": FILE_AND_OS,
    "protocol/zab": FILE_AND_OS,
    "protocol/client": FILE_AND_OS,
    # Cyrus keeps process-wide state (a mutex guards its settings) and logs through spdlog;
    # it opens no files or sockets of its own and knows no actors.
    "protocol/sasl": ["fstream", "fcntl.h", "unistd.h", "filesystem", "sys/", "thread",
                      "chrono", "caf/"],
    "protocol/tls": ["fstream", "fcntl.h", "unistd.h", "filesystem", "sys/", "thread",
                     "chrono", "mutex", "caf/", "spdlog/"],
    "store/tree": FILE_AND_OS,
    "store/watches": FILE_AND_OS,
    "store/requests": FILE_AND_OS,
    "store/sessions": FILE_AND_OS,
    "store/disk": ["caf/", "thread", "mutex"],
    "store/zookeeper": ["caf/", "thread", "mutex"],
}

# Leaf folders every folder may include: they include nothing themselves.
EVERYONE_MAY_INCLUDE = ["protocol/clock", "protocol/bytes"]

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def folder_of(rel: str) -> str | None:
    for folder in sorted(PROJECT_RULES, key=len, reverse=True):
        if rel.startswith(folder + "/"):
            return folder
    return None


def project_folder(included: str) -> str | None:
    parts = included.split("/")
    if parts[0] in ("protocol", "store") and len(parts) > 2:
        return "/".join(parts[:2])
    if parts[0] in ("config", "actors", "tools", "tests") and len(parts) > 1:
        return parts[0]
    return None


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    violations = []
    for path in sorted(root.glob("**/*")):
        if path.suffix not in (".hpp", ".cpp", ".h") or "build" in path.relative_to(root).parts[0]:
            continue
        rel = path.relative_to(root).as_posix()
        folder = folder_of(rel)
        if folder is None:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            included = match.group(2)
            target = project_folder(included)
            if target is not None:
                if target != folder and target not in PROJECT_RULES[folder] + EVERYONE_MAY_INCLUDE:
                    violations.append(f"{rel}:{number}: {folder} may not include {included}")
                continue
            for banned in FORBIDDEN_SYSTEM.get(folder, []):
                if included == banned or (banned.endswith("/") and included.startswith(banned)):
                    violations.append(f"{rel}:{number}: {folder} may not include <{included}>")
    for v in violations:
        print(v)
    if violations:
        print(f"{len(violations)} include(s) break the rules in tests/layout/check_includes.py")
        return 1
    print("every #include follows the dependency rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
