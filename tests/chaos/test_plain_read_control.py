"""Specifications of plain_read_control.py's judgement, without a server: which switch-off
verdicts count as the control failing the way it must (stale reads without sync and nothing
else), and that a run which wrote nothing is a failure, never an earlier run's verdict.

Run: cd tests/chaos && /usr/bin/python3 -m pytest -q -p no:cacheprovider test_plain_read_control.py
"""
import json
import os

import plain_read_control as control
import run as chaos_run
from checkers import check_history, register_sim

INITIAL = {"x": {"value": "init", "version": 0}, "y": {"value": "init", "version": 0}}
PLAIN = {"sync": False}


def make(*steps):
    """Events from (process, type, f, key, value) tuples; index and time follow order."""
    return [dict({"index": i, "time": float(i), "process": p, "type": kind, "f": f, "key": key},
                 **({"value": value} if value is not None else {}))
            for i, (p, kind, f, key, value) in enumerate(steps)]


def write(p, key, value, version):
    return [(p, "invoke", "write", key, {"value": value}), (p, "ok", "write", key,
                                                            {"version": version})]


def read(p, key, value, version, sync):
    return [(p, "invoke", "read", key, None if sync else PLAIN),
            (p, "ok", "read", key, {"value": value, "version": version})]


def scenario(tmp_path, *step_lists):
    """A switch-off scenario directory (history.jsonl, initial.json) and its verdict, as
    run.py writes them."""
    events = make(*[step for steps in step_lists for step in steps])
    with open(tmp_path / "history.jsonl", "w") as f:
        f.writelines(json.dumps(e) + "\n" for e in events)
    with open(tmp_path / "initial.json", "w") as f:
        json.dump(INITIAL, f)
    checked = check_history(events, initial=INITIAL)
    verdict = {"problems": [], "checkers": checked["checkers"], "valid": False}
    return str(tmp_path), verdict


# A read without sync, after a write on its key was acknowledged, returning the older value.
STALE_X = (write(1, "x", "a", 1), read(2, "x", "init", 0, sync=False))


def test_a_stale_read_without_sync_alone_is_the_control_failing_as_it_must(tmp_path):
    directory, verdict = scenario(tmp_path, *STALE_X, write(1, "y", "b", 1),
                                  read(3, "y", "b", 1, sync=True))
    assert verdict["checkers"]["linearizability"]["valid"] is False
    assert control.control_problems(verdict, directory) == []


def test_a_lost_write_on_another_key_fails_the_control(tmp_path):
    # y's read after sync misses an acknowledged write: a real bug, beside x's stale read.
    directory, verdict = scenario(tmp_path, *STALE_X, write(1, "y", "b", 1),
                                  read(3, "y", "init", 0, sync=True))
    problems = control.control_problems(verdict, directory)
    assert any("key 'y'" in p and "not a read without sync" in p for p in problems), problems


def test_a_lost_write_behind_a_stale_read_on_the_same_key_fails_the_control(tmp_path):
    # The checker stops x at its stale read; the write lost later shows only on a second
    # look at the history without reads without sync.
    directory, verdict = scenario(tmp_path, *STALE_X, write(1, "x", "c", 2),
                                  read(3, "x", "a", 1, sync=True))
    failures = verdict["checkers"]["linearizability"]["failures"]
    assert [f["op"]["input"] for f in failures] == [PLAIN]
    problems = control.control_problems(verdict, directory)
    assert problems and "still not linearizable" in problems[0], problems


def test_a_search_out_of_budget_is_inconclusive_not_a_pass(tmp_path):
    directory, verdict = scenario(tmp_path, *STALE_X)
    verdict["checkers"]["linearizability"] = {"valid": "unknown", "unknown_keys": ["x"],
                                              "note": "search budget of 30s ran out"}
    problems = control.control_problems(verdict, directory)
    assert len(problems) == 1 and problems[0].startswith("inconclusive"), problems
    # The same for the second look: with no time at all its search decides nothing either.
    events, initial = register_sim.simulate_register(1, processes=5, ops_per_process=400)
    with open(tmp_path / "history.jsonl", "w") as f:
        f.writelines(json.dumps(e) + "\n" for e in events)
    with open(tmp_path / "initial.json", "w") as f:
        json.dump(initial, f)
    problems = control.recheck_problems(directory, timeout=0.0)
    assert len(problems) == 1 and problems[0].startswith("inconclusive"), problems


def test_no_failure_or_another_checker_failing_fails_the_control(tmp_path):
    directory, verdict = scenario(tmp_path, write(1, "x", "a", 1), read(2, "x", "a", 1, False))
    assert "did not fail: True" in control.control_problems(verdict, directory)[0]
    directory, verdict = scenario(tmp_path, *STALE_X)
    verdict["checkers"]["set"] = {"valid": False, "explanation": "lost element"}
    assert control.control_problems(verdict, directory) == [
        "checker set failed too: lost element"]


def test_reads_without_sync_are_left_out_with_their_completions():
    events = make(*write(1, "x", "a", 1), *read(2, "x", "init", 0, sync=False),
                  *read(2, "x", "a", 1, sync=True), (3, "invoke", "read", "x", PLAIN))
    kept = control.without_plain_reads(events)
    assert [e["index"] for e in kept] == [0, 1, 4, 5]


def test_a_run_that_writes_nothing_is_a_problem_not_an_earlier_verdict(tmp_path):
    # An earlier run's verdict where this one writes: run.py refuses the flag (exit 2) before
    # writing anything, and the old file must not stand in for its verdict.
    directory = tmp_path / "switch-off"
    directory.mkdir()
    (directory / "verdicts.json").write_text(json.dumps([{"valid": False, "problems": []}]))
    status, verdict, problem = control.run("--no-such-flag", 606, str(directory))
    assert status == 2 and verdict is None
    assert "wrote no" in problem and not os.path.exists(directory / "verdicts.json")


def test_the_exit_status_of_each_run_is_required(tmp_path, monkeypatch):
    # Verdicts that would pass, but run.py's exit statuses are the other way round.
    directory, off = scenario(tmp_path, *STALE_X)
    on = {"valid": True, "problems": [], "checkers": {}}
    answers = {"--check-plain-reads": (0, off, None), "--linearizable-reads": (1, on, None)}
    monkeypatch.setattr(control, "run", lambda flag, seed, d: answers[flag])
    monkeypatch.setattr(control, "control_problems", lambda verdict, d: [])
    assert control.main(["--out", str(tmp_path)]) == 1
    answers["--check-plain-reads"] = (1, off, None)
    answers["--linearizable-reads"] = (0, on, None)
    assert control.main(["--out", str(tmp_path)]) == 0
    answers["--check-plain-reads"] = (1, None, "run.py wrote no verdicts.json")
    assert control.main(["--out", str(tmp_path)]) == 1


def test_a_skipped_run_skips_the_control(tmp_path, monkeypatch):
    monkeypatch.setattr(control, "run", lambda flag, seed, d: (control.SKIPPED, None, "none"))
    assert control.main(["--out", str(tmp_path)]) == control.SKIPPED


def test_run_py_skips_named_network_faults_without_namespaces(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(chaos_run, "netns_available", lambda tools: "not root")
    argv = ["--faults", "lag-follower", "--out", str(tmp_path), "--paddock-bin",
            os.path.realpath("/bin/true")]
    assert chaos_run.main(argv) == chaos_run.SKIPPED == control.SKIPPED
    assert "need network namespaces (not root)" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []
    # A bad argument is still an error (2), whatever the host.
    assert chaos_run.main(["--faults", "no-such-fault", "--out", str(tmp_path)]) == 2
