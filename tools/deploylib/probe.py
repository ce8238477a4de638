"""What deploy sees of a running ensemble: four-letter words, and a write through a client.

`srvr` gives each server's mode and last zxid; an ensemble serves when every host answers,
exactly one leads and every other one follows (or observes). `verdict` is the pure part.
"""
import logging
import re
import socket
import time

SERVING_MODES = ("leader", "follower", "observer", "standalone")
# A one-server ensemble's server says "standalone": it is its own leader.
LEADING_MODES = ("leader", "standalone")


def four_letter(address, port, word, timeout=2.0):
    """The server's whole answer, or None when it cannot be reached."""
    try:
        with socket.create_connection((address, port), timeout=timeout) as s:
            s.sendall(word.encode())
            chunks = []
            while True:
                data = s.recv(4096)
                if not data:
                    break
                chunks.append(data)
    except OSError:
        return None
    return b"".join(chunks).decode(errors="replace")


def parse_srvr(text):
    """{"mode": ..., "zxid": int} from a `srvr` answer; mode "not serving" when the server
    answered without a mode (it is looking for a leader), None when there was no answer."""
    if text is None:
        return None
    mode = re.search(r"^Mode: (\w+)", text, re.M)
    zxid = re.search(r"^Zxid: (0x[0-9a-fA-F]+)", text, re.M)
    return {"mode": mode.group(1) if mode else "not serving",
            "zxid": int(zxid.group(1), 16) if zxid else None}


def srvr(host, timeout=2.0):
    return parse_srvr(four_letter(host.address, host.client_port, "srvr", timeout))


def verdict(answers, same_zxid=True):
    """(serving, why): answers is {server id: parse_srvr(...)}. Serving means every server
    answered, one is the leader, the others follow or observe, and (same_zxid) all have
    applied the same last zxid."""
    problems = []
    for sid, answer in sorted(answers.items()):
        if answer is None:
            problems.append(f"host {sid} does not answer")
        elif answer["mode"] not in SERVING_MODES:
            problems.append(f"host {sid} is {answer['mode']}")
    leaders = [sid for sid, a in answers.items() if a and a["mode"] in LEADING_MODES]
    if not problems and len(leaders) != 1:
        problems.append(f"{len(leaders)} leaders ({', '.join(map(str, sorted(leaders)))})")
    if not problems and same_zxid and not zxids_agree(answers):
        problems.append("zxids differ: " + ", ".join(
            f"host {sid} at {answers[sid]['zxid']:#x}" for sid in sorted(answers)))
    return (not problems), "; ".join(problems) or f"host {leaders[0]} leads"


def quorum_verdict(answers):
    """(serving, why): a majority of the servers serve and exactly one of them leads; the
    others may be down (what a rolling upgrade needs to go on, or to repair a host)."""
    serving = [sid for sid, a in answers.items() if a and a["mode"] in SERVING_MODES]
    leaders = [sid for sid in serving if answers[sid]["mode"] in LEADING_MODES]
    down = sorted(set(answers) - set(serving))
    if 2 * len(serving) <= len(answers) or len(leaders) != 1:
        return False, (f"{len(serving)} of {len(answers)} hosts serve, "
                       f"{len(leaders)} leading" + (f"; down: {down}" if down else ""))
    return True, f"host {leaders[0]} leads" + (f"; not serving: {down}" if down else "")


def zxids_agree(answers):
    """Every server has applied the same last txn. A zxid whose counter is 0 names no txn:
    it is the start of an epoch in which the server has seen nothing yet, which ZooKeeper
    reports (from a leader that has proposed nothing in its new epoch, and from some of its
    followers) while others still report the last txn before that epoch. So the txn zxids
    (counter above 0) must all be equal, and every epoch start must come after them."""
    zxids = [a["zxid"] for a in answers.values()]
    if any(z is None for z in zxids):
        return False
    txns = {z for z in zxids if z & 0xFFFFFFFF}
    if len(txns) > 1:
        return False
    return all(z > max(txns, default=-1) for z in zxids if not z & 0xFFFFFFFF)


def ensemble_answers(hosts):
    return {h.sid: srvr(h) for h in hosts}


def leader_of(answers):
    leaders = [sid for sid, a in answers.items() if a and a["mode"] in LEADING_MODES]
    return leaders[0] if len(leaders) == 1 else None


def wait_serving(hosts, timeout, same_zxid=True, on_wait=None):
    """Waits until the ensemble serves; (True, answers) or (False, why it did not)."""
    deadline = time.monotonic() + timeout
    while True:
        answers = ensemble_answers(hosts)
        ok, why = verdict(answers, same_zxid)
        if ok:
            return True, answers
        if time.monotonic() >= deadline:
            return False, why
        if on_wait:
            on_wait()
        time.sleep(0.3)


def write_through(host, timeout=10.0):
    """Creates and deletes an ephemeral znode through this host only: a write the quorum
    committed. Returns None on success, else what went wrong."""
    try:
        from kazoo.client import KazooClient
    except ImportError:
        return "kazoo is not installed (Debian: python3-kazoo); cannot check a write"
    logging.getLogger("kazoo").setLevel(logging.CRITICAL)
    client = KazooClient(hosts=host.endpoint(), timeout=timeout,
                         connection_retry={"max_tries": 3, "delay": 0.2},
                         command_retry={"max_tries": 0})
    path = f"/paddock-deploy-check-{host.sid}"
    try:
        client.start(timeout=timeout)
        if client.exists(path):
            client.delete(path)
        client.create(path, b"tools/deploy write check", ephemeral=True)
        client.delete(path)
        return None
    except Exception as e:  # kazoo raises many kinds; every one is "the write failed"
        return f"{type(e).__name__}: {e}"
    finally:
        try:
            client.stop()
            client.close()
        except Exception:
            pass
