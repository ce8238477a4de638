"""`paddock --version`: one line naming the project's version (CMake's project VERSION),
the git commit the binary was built from and the build type (CMAKE_BUILD_TYPE). Paddock's
command line only: ZooKeeper has no such option."""
import os
import re
import subprocess

import pytest

import harness

pytestmark = pytest.mark.skipif(harness.TARGET != "paddock",
                                reason="paddock's own command line")

VERSION_LINE = re.compile(
    r"^paddock (?P<version>\d+\.\d+\.\d+) \(commit (?P<commit>[0-9a-f]{12}(-dirty)?|unknown), "
    r"(?P<build_type>\w+) build, ZooKeeper protocol 3\.8\.0-paddock-(?P=version)\)$")


def project_version():
    """The VERSION of CMakeLists.txt's project()."""
    with open(os.path.join(harness.REPO, "CMakeLists.txt")) as f:
        return re.search(r"project\(paddock VERSION (\S+)", f.read()).group(1)


def cache_value(key):
    """A value from the CMakeCache.txt of the build the binary comes from."""
    cache = os.path.join(os.path.dirname(os.path.dirname(harness.PADDOCK_BIN)), "CMakeCache.txt")
    with open(cache) as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split("=", 1)[1].strip()
    return None


def version_output(*args):
    done = subprocess.run([harness.PADDOCK_BIN, *args], capture_output=True, text=True,
                          timeout=10)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_names_version_commit_and_build_type(flag):
    out = version_output(flag)
    assert out.endswith("\n") and out.count("\n") == 1, out
    m = VERSION_LINE.match(out.rstrip("\n"))
    assert m, out
    assert m["version"] == project_version()
    assert m["build_type"] == cache_value("CMAKE_BUILD_TYPE")


def test_version_commit_is_a_commit_of_this_repository():
    commit = VERSION_LINE.match(version_output("--version").rstrip("\n"))["commit"]
    in_git = subprocess.run(["git", "-C", harness.REPO, "rev-parse", "--git-dir"],
                            capture_output=True, timeout=10).returncode == 0
    if not in_git:
        # A source tree without git (a tarball): the build cannot know its commit.
        assert commit == "unknown"
        return
    assert commit != "unknown"
    # The binary may be older than HEAD (built, then committed), but its commit exists here.
    sha = commit.removesuffix("-dirty")
    found = subprocess.run(["git", "-C", harness.REPO, "cat-file", "-e", sha + "^{commit}"],
                           capture_output=True, timeout=10)
    assert found.returncode == 0, f"{sha} is not a commit of {harness.REPO}"


def test_help_mentions_version():
    assert "--version" in version_output("--help")


def generated_commit(source_dir, tmp_path):
    """What tools/cmake/git_commit.cmake (run by every build) writes for `source_dir`."""
    out = tmp_path / "git_commit.hpp"
    subprocess.run(["cmake", f"-DSOURCE_DIR={source_dir}", f"-DOUT={out}", "-P",
                    os.path.join(harness.REPO, "tools", "cmake", "git_commit.cmake")],
                   check=True, capture_output=True, timeout=30)
    return re.search(r'git_commit = "([^"]*)"', out.read_text()).group(1)


def test_a_tree_without_git_says_unknown(tmp_path):
    tree = tmp_path / "tarball"
    tree.mkdir()
    assert generated_commit(tree, tmp_path) == "unknown"


def test_local_changes_mark_the_commit_dirty(tmp_path):
    tree = tmp_path / "checkout"
    tree.mkdir()
    git = ["git", "-C", str(tree), "-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    subprocess.run(git + ["init", "-q"], check=True, timeout=30)
    (tree / "f").write_text("one\n")
    subprocess.run(git + ["add", "f"], check=True, timeout=30)
    subprocess.run(git + ["commit", "-qm", "one"], check=True, timeout=30)
    head = subprocess.run(git + ["rev-parse", "--short=12", "HEAD"], check=True,
                          capture_output=True, text=True, timeout=30).stdout.strip()
    assert generated_commit(tree, tmp_path) == head
    (tree / "f").write_text("two\n")
    assert generated_commit(tree, tmp_path) == head + "-dirty"
