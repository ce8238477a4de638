"""The peer protocol version of a Paddock binary (`paddock --peer-protocol-version`): servers
of different versions cannot form an ensemble (docs/operator-guide.md, "Upgrades and the
on-disk format"), so a rolling upgrade is refused between them."""
import subprocess

from .access import LocalAccess


def of_binary(binary, run=None, timeout=10.0):
    """The version `binary` speaks, or None when it does not tell (a build from before the
    version check, which does not know the option, not a Paddock binary at all, or none that
    runs). `run` (command, timeout) -> (exit status, stdout) runs it in an empty directory:
    here, or on a host (access.py's run_in_scratch_dir). A failure to reach the host
    (AccessError) is no answer of the binary's: it propagates."""
    run = run or LocalAccess().run_in_scratch_dir
    try:
        code, out = run([binary, "--peer-protocol-version"], timeout)
    except (OSError, subprocess.TimeoutExpired):  # here: missing, not executable, hung
        return None
    answer = out.strip()
    return int(answer) if code == 0 and answer.isdigit() else None


def rolling_upgrade_verdict(new_version, installed):
    """Whether a rolling upgrade to a binary of `new_version` may start, given `installed`:
    {host id: the version of the binary it runs now, or None}, for the hosts still to
    upgrade. Returns (refusal or None, [warnings])."""
    if new_version is None:
        return None, ["the new binary does not tell its peer protocol version (a build from "
                      "before the check, or one that does not run on that host): not compared "
                      "with the hosts' binaries"]
    differ = {sid: v for sid, v in installed.items() if v is not None and v != new_version}
    if differ:
        hosts = ", ".join(f"host {sid} runs peer protocol {v}" for sid, v in sorted(
            differ.items()))
        return (f"not a rolling upgrade: {hosts}, the new binary {new_version}; servers of "
                "different peer protocol versions cannot form an ensemble. Upgrade with a full "
                "stop and start instead: `tools/deploy down INVENTORY`, copy the new binary over "
                "every host's ROOT/bin/paddock, `tools/deploy up INVENTORY`"), []
    unknown = sorted(sid for sid, v in installed.items() if v is None)
    if unknown:
        return None, [f"host(s) {', '.join(map(str, unknown))} run a binary that does not tell "
                      "its peer protocol version (a build from before the check, or one that "
                      "does not start): if it is a Paddock build from before the check, the new "
                      f"binary (peer protocol {new_version}) cannot form an ensemble with it and "
                      "the upgrade aborts at the first host; use a full stop and start then"]
    return None, []
