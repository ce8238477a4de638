"""tools/deploy's commands: up, status, upgrade, down. Progress goes to standard error
(`deploy: ...` lines); `up` prints the connect string alone on standard output."""
import os
import signal
import sys
import time

from . import hostproc, inventory, peerversion, probe
from .access import for_host
from .supervisor import sha256_of


class DeployError(Exception):
    pass


def say(message):
    print(f"deploy: {message}", file=sys.stderr, flush=True)


def _log_tails(hosts):
    return "\n".join(f"--- host {h.sid}: {h.path('server.log')} (end) ---\n"
                     + hostproc.tail(h, "server.log", 8) +
                     f"\n--- host {h.sid}: supervisor.log (end) ---\n"
                     + hostproc.tail(h, "supervisor.log", 4) for h in hosts)


def _fail_if_a_supervisor_ended(hosts):
    for h in hosts:
        seen = hostproc.look(h)
        if seen.supervisor_pid is None:
            st = seen.state
            raise DeployError(f"host {h.sid}: its supervisor is not running ({st.get('status')}, "
                              f"last exit: {st.get('last_exit')}):\n"
                              + _log_tails([h]))


# -- up -----------------------------------------------------------------------------------

def prepare(inv, host):
    """Writes the host's files: root, binary (only if it has none), supervisor, zoo.cfg, myid."""
    access = for_host(host)
    access.makedirs(host.root)
    if not access.exists(host.installed_binary):
        if not host.binary:
            raise DeployError(f"host {host.sid} has no binary yet and the inventory names none "
                              "(`binary = PATH`)")
        if not os.access(host.binary, os.X_OK):
            raise DeployError(f"binary {host.binary} is not an executable file")
        hostproc.install(host, host.binary, host.installed_binary)
        say(f"host {host.sid}: installed {host.binary} as {host.installed_binary}")
    hostproc.install(host, hostproc.SUPERVISOR_SOURCE, host.installed_supervisor)
    for key in ("dataDir", "dataLogDir"):
        if key in host.zoo:
            access.makedirs(host.zoo[key])
    access.write_file(os.path.join(host.data_dir, "myid"), f"{host.sid}\n")
    access.write_file(host.cfg_path, inventory.render_zoo_cfg(inv, host))


def up(inv, timeout):
    for host in inv.hosts:
        prepare(inv, host)
    for host in inv.hosts:
        pid = hostproc.supervisor_pid(host)
        if pid:
            say(f"host {host.sid}: already running (supervisor {pid}); a changed zoo.cfg takes "
                "effect when its server restarts")
            continue
        pid = hostproc.start_supervisor(host)
        say(f"host {host.sid}: started supervisor {pid} at {host.endpoint()}"
            + (f" ({host.where()})" if host.netns or host.ssh else ""))
    say(f"waiting up to {timeout:.0f} s for a quorum (one leader, the others following, "
        "the same zxid)")
    ok, result = probe.wait_serving(inv.hosts, timeout, same_zxid=True,
                                    on_wait=lambda: _fail_if_a_supervisor_ended(inv.hosts))
    if not ok:
        raise DeployError(f"no quorum after {timeout:.0f} s: {result}\n" + _log_tails(inv.hosts))
    say(f"serving: host {probe.leader_of(result)} leads, zxid "
        f"{next(iter(result.values()))['zxid']:#x}")
    print(inv.connect_string(), flush=True)
    return 0


# -- status -------------------------------------------------------------------------------

def status(inv):
    answers = probe.ensemble_answers(inv.hosts)
    rows = [("host", "client", "where", "supervisor", "server", "starts", "mode", "zxid",
             "binary")]
    for h in inv.hosts:
        seen = hostproc.look(h)
        st, sup = seen.state, seen.supervisor_pid
        answer = answers[h.sid]
        rows.append((str(h.sid), h.endpoint(), h.where() or "-",
                     str(sup) if sup else f"down({st.get('status', 'never started')})",
                     str(seen.server_pid or "-"), str(st.get("starts", 0)),
                     answer["mode"] if answer else "no answer",
                     f"{answer['zxid']:#x}" if answer and answer["zxid"] is not None else "-",
                     (st.get("binary_sha256") or "-")[:12]))
    # One word per cell (`no-answer`, `down(gave-up)`), so that scripts can split the lines.
    rows = [tuple(c.replace(" ", "-") for c in r) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    ok, why = probe.verdict(answers, same_zxid=False)
    print(f"ensemble: {'serving' if ok else 'NOT serving'}: {why}")
    return 0 if ok else 1


# -- upgrade ------------------------------------------------------------------------------

def _runs(seen, digest):
    """Whether the host's running server (a hostproc.Look) was started from a binary with
    this hash."""
    return seen.state.get("binary_sha256") == digest and seen.server_pid is not None


def _wait_back(inv, host, starts_before, digest, timeout):
    """Waits until the host runs the new binary, serves, and a write through it commits;
    then until the whole ensemble serves. Returns None, or why not."""
    deadline = time.monotonic() + timeout
    why = "its server did not start again"
    while time.monotonic() < deadline:
        seen = hostproc.look(host)
        st = seen.state
        if seen.supervisor_pid is None:
            return (f"its supervisor ended ({st.get('status')}, last exit: "
                    f"{st.get('last_exit')})")
        if st.get("starts", 0) <= starts_before or not _runs(seen, digest):
            why = (f"its server has not started from the new binary (supervisor: "
                   f"{st.get('status')}, last exit: {st.get('last_exit')})")
        else:
            answer = probe.srvr(host)
            if answer is None or answer["mode"] not in probe.SERVING_MODES:
                why = f"it is {answer['mode'] if answer else 'not answering'}"
            else:
                failure = probe.write_through(host, timeout=min(10.0, max(
                    1.0, deadline - time.monotonic())))
                if failure is None:
                    ok, result = probe.wait_serving(inv.hosts, max(
                        0.0, deadline - time.monotonic()), same_zxid=False)
                    return None if ok else f"the ensemble does not serve: {result}"
                why = f"a write through it failed: {failure}"
        time.sleep(0.3)
    return why


def _check_peer_versions(new_binary, pending):
    """Refuses (DeployError) a rolling upgrade between peer protocol versions. The new
    binary is asked on the first host still to upgrade (inventory order), where it will run
    (copied there if that host is reached over ssh): this machine may not run a build for
    another OS or architecture. Each host's own binary is asked on that host."""
    first = pending[0]
    new_version = hostproc.peer_version_on(first, new_binary)
    say(f"peer protocol version of the new binary, run on host {first.sid} "
        f"({f'ssh={first.ssh}' if first.ssh else 'this machine'}): "
        + (str(new_version) if new_version is not None else "none told"))
    refusal, warnings = peerversion.rolling_upgrade_verdict(new_version, {
        h.sid: hostproc.installed_peer_version(h) for h in pending} if (
            new_version is not None) else {})
    if refusal:
        raise DeployError(refusal)
    for w in warnings:
        say(f"warning: {w}")


def upgrade(inv, new_binary, timeout):
    if not os.path.isfile(new_binary) or not os.access(new_binary, os.X_OK):
        raise DeployError(f"{new_binary} is not an executable file")
    digest = sha256_of(new_binary)
    answers = probe.ensemble_answers(inv.hosts)
    ok, why = probe.quorum_verdict(answers)
    if not ok:
        raise DeployError(f"no quorum serves ({why}); not starting an upgrade")
    pending = [h for h in inv.hosts if not _runs(hostproc.look(h), digest)]
    if pending:
        _check_peer_versions(new_binary, pending)
    say(f"upgrade to {new_binary} (sha256 {digest[:12]}): "
        + (f"{len(pending)} of {len(inv.hosts)} hosts to upgrade: hosts that do not serve "
           "first, then followers, the leader last" if pending
           else "every host already runs it"))
    order = []
    while pending:
        answers = probe.ensemble_answers(inv.hosts)
        leader = probe.leader_of(answers)

        def rank(h):
            answer = answers[h.sid]
            serving = answer is not None and answer["mode"] in probe.SERVING_MODES
            return (2 if h.sid == leader else 1 if serving else 0, h.sid)

        host = min(pending, key=rank)
        role = ("leader" if host.sid == leader else answers[host.sid]["mode"]
                if answers[host.sid] else "not serving")
        starts_before = hostproc.state(host).get("starts", 0)
        # The old binary stays next to the new one, for going back by hand.
        hostproc.keep_previous_binary(host)
        hostproc.install(host, new_binary, host.installed_binary)
        if hostproc.signal_supervisor(host, signal.SIGHUP):
            say(f"upgrading host {host.sid} ({role}): new binary installed, restarting its "
                "server")
        else:  # its supervisor gave up on the old binary (or was stopped): start a new one
            hostproc.install(host, hostproc.SUPERVISOR_SOURCE, host.installed_supervisor)
            hostproc.start_supervisor(host)
            starts_before = 0  # a new supervisor counts its starts from 0
            say(f"upgrading host {host.sid} ({role}): new binary installed, supervisor "
                "started")
        why = _wait_back(inv, host, starts_before, digest, timeout)
        if why is not None:
            done = ", ".join(str(sid) for sid in order) or "none"
            rest = ", ".join(str(h.sid) for h in pending if h is not host) or "none"
            raise DeployError(
                f"ABORTED: host {host.sid} did not come back within {timeout:.0f} s: {why}.\n"
                f"Upgraded before it: {done}; not touched: {rest}. Host {host.sid}'s previous "
                f"binary is {host.installed_binary}.previous; to go back, run `tools/deploy "
                f"upgrade INVENTORY --binary` with it.\n" + _log_tails([host]))
        order.append(host.sid)
        pending.remove(host)
        say(f"host {host.sid} is back ({probe.srvr(host)['mode']}, a write through it "
            "committed)")
    if order:
        say("upgrade order: " + ", ".join(map(str, order)))
    ok, answers = probe.wait_serving(inv.hosts, timeout, same_zxid=False)
    if not ok:
        raise DeployError(f"after the upgrade the ensemble does not serve: {answers}")
    say(f"upgrade done; host {probe.leader_of(answers)} leads")
    return 0


# -- down ---------------------------------------------------------------------------------

def down(inv, wipe):
    for host in inv.hosts:
        stopped = hostproc.stop(host)
        say(f"host {host.sid}: " + (f"stopped {', '.join(stopped)}" if stopped
                                    else "was not running"))
    if wipe:
        for host in inv.hosts:
            for key in ("dataDir", "dataLogDir"):
                if key in host.zoo and for_host(host).remove_tree(host.zoo[key]):
                    say(f"host {host.sid}: removed {key} {host.zoo[key]}")
    return 0
