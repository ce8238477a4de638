"""The peer protocol version check between servers (docs/operator-guide.md, "Upgrades and the
on-disk format"): a server that advertises another version than the others is never linked
to. Three servers, the third advertising another version: the first two elect a leader and
serve writes; the third never joins (srvr: not serving), and every server logs one ERROR
line per mismatched peer naming both versions, however often it retries; restarted without
the override, the third joins and has the data. The same over each way a link forms: in
plaintext, over TLS (sslQuorum), through unified ports (portUnification) and with quorum
SASL (whose handshake comes after the check). With PADDOCK_PREVIOUS_BIN naming an earlier
build of another version (or one from before the check), that build is kept out too.

The override is PADDOCK_TEST_PEER_PROTOCOL_VERSION, a test hook and not a setting: the
server reads it once at start and advertises that version instead of its own (and warns that
it does). Paddock only: ZooKeeper has no such check (its peers exchange a protocol version in
the learner handshake and election notifications of their own)."""
import os
import re
import subprocess
import time

import pytest

import harness
from ensemble import Ensemble
from harness import TARGET
from test_quorum_sasl import ALL_ON, PASSWORD, write_jaas

pytestmark = pytest.mark.skipif(TARGET == "zookeeper",
                                reason="Paddock's own peer protocol version check")

# The test hook (actors/peer_protocol_check.hpp); for tests only.
OVERRIDE = "PADDOCK_TEST_PEER_PROTOCOL_VERSION"


def compiled_version():
    done = subprocess.run([harness.PADDOCK_BIN, "--peer-protocol-version"], capture_output=True,
                          text=True, timeout=10)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def mismatch_line(peer, theirs, ours):
    """The ERROR line a server logs about `peer` (a Member) advertising `theirs`."""
    return re.compile(
        rf"\berror\b.*server {peer.sid} \(127\.0\.0\.1:{peer.quorum_port}\) speaks peer protocol "
        rf"{theirs}, this server {ours}: they cannot form an ensemble; upgrade every server with "
        rf"a full stop and start", re.I)


def count(ens, i, pattern):
    return len(pattern.findall(ens.log_text(i)))


def configure(ens, transport):
    """Every member's zoo.cfg for the way its links form."""
    extra = {}
    if transport == "unified":
        extra = {"portUnification": "true"}
    elif transport == "sasl":
        extra = {**ALL_ON, "jaasLoginConfig": write_jaas(ens.dir, PASSWORD)}
    for m in ens.members:
        m.write_files({**m.config, **extra})


@pytest.mark.time_limit(90)
@pytest.mark.parametrize("transport", ["plaintext", "tls", "unified", "sasl"])
def test_a_server_of_another_version_never_joins_and_joins_once_it_speaks_ours(transport):
    ours = compiled_version()
    theirs = ours + 1000
    with Ensemble(3, quorum_tls=transport in ("tls", "unified")) as ens:
        configure(ens, transport)
        s1, s2, s3 = (ens.server(i) for i in range(3))
        s3.extra_env = {OVERRIDE: str(theirs)}
        for m in (s1, s2, s3):
            m.launch()
        ens.wait_serving([0, 1], timeout=30)
        assert ens.leader() in (0, 1)

        with harness.kazoo_client(ens.connect_string([0, 1])) as zk:
            zk.create("/versioned", b"before")
            for n in range(20):
                zk.create(f"/versioned/n{n}", str(n).encode())
            zk.set("/versioned", b"after")

        # Each side tells the other's version: the third about both others, they about it.
        expected = {
            2: [mismatch_line(s1, ours, theirs), mismatch_line(s2, ours, theirs)],
            0: [mismatch_line(s3, theirs, ours)],
            1: [mismatch_line(s3, theirs, ours)],
        }
        harness.wait_for(lambda: all(count(ens, i, p) >= 1 for i, ps in expected.items()
                                     for p in ps), timeout=15,
                         what="every server's error line about the mismatched peer")
        assert "advertises peer protocol " + str(theirs) in ens.log_text(2)

        # Links are retried with backoff (at most a second apart): after several retries the
        # third still does not serve, and each error was logged once, not at every retry.
        time.sleep(4)
        assert s3.srvr_mode() == "not serving", s3.srvr_mode()
        assert all(ens.mode(i) in ("leader", "follower") for i in (0, 1))
        for i, patterns in expected.items():
            for p in patterns:
                assert count(ens, i, p) == 1, (i, p.pattern, ens.log_tail(i))
        # The two that agree found no mismatch between them.
        for i, mismatched_peers in ((0, 1), (1, 1), (2, 2)):
            assert ens.log_text(i).count("they cannot form an ensemble") == mismatched_peers

        # The third, restarted speaking the others' version, joins and has every write.
        ens.stop_server(2)
        s3.extra_env = {}
        ens.start_server(2, timeout=30)
        assert ens.mode(2) in ("leader", "follower")
        with harness.kazoo_client(s3.hosts) as zk:
            zk.sync("/versioned")
            assert zk.get("/versioned")[0] == b"after"
            assert sorted(zk.get_children("/versioned")) == sorted(f"n{n}" for n in range(20))
        # The links formed the way the transport says.
        if transport == "unified":
            assert "takes TLS and plaintext peers (portUnification" in ens.log_text(2)
        if transport == "sasl":
            harness.wait_for(lambda: "quorum SASL: authenticated to server" in ens.log_text(2),
                             timeout=10, what="the third's quorum SASL handshake")
        # And the others say the link is now good.
        harness.wait_for(
            lambda: all(f"server {s3.sid} now speaks peer protocol {ours}" in ens.log_text(i)
                        for i in (0, 1)), timeout=10, what="the others' line about the rejoin")


def binary_version(binary):
    """`binary --peer-protocol-version`, or None (a build from before the check)."""
    done = subprocess.run([binary, "--peer-protocol-version"], capture_output=True, text=True,
                          timeout=10)
    answer = done.stdout.strip()
    return int(answer) if done.returncode == 0 and answer.isdigit() else None


PREVIOUS_BIN = os.environ.get("PADDOCK_PREVIOUS_BIN")


@pytest.mark.time_limit(60)
@pytest.mark.skipif(not PREVIOUS_BIN, reason="PADDOCK_PREVIOUS_BIN names no earlier build")
def test_an_earlier_build_of_another_version_is_not_linked_to():
    """With PADDOCK_PREVIOUS_BIN (as for test_deploy.py) naming a build of another peer
    protocol version, or one from before the check (which advertises none and does not check
    itself): it runs as the third server and never joins the two others, whichever side
    connects first; they name its version (or its lack of one) in their error line."""
    ours = compiled_version()
    previous = binary_version(PREVIOUS_BIN)
    if previous == ours:
        pytest.skip(f"{PREVIOUS_BIN} speaks peer protocol {ours} too")
    with Ensemble(3) as ens:
        s3 = ens.server(2)
        s3.command = lambda: [PREVIOUS_BIN, "--config", s3.cfg_path]
        for m in ens.members:
            m.launch()
        ens.wait_serving([0, 1], timeout=30)
        what = (f"speaks peer protocol {previous}" if previous is not None else
                "advertises no peer protocol version (a build from before the version check)")
        line = (f"server 3 (127.0.0.1:{s3.quorum_port}) {what}, this server {ours}: they cannot "
                "form an ensemble")
        harness.wait_for(lambda: all(line in ens.log_text(i) for i in (0, 1)), timeout=15,
                         what="the error line about the earlier build")
        time.sleep(3)
        assert s3.srvr_mode() == "not serving", s3.srvr_mode()
        assert all(ens.mode(i) in ("leader", "follower") for i in (0, 1))
        with harness.kazoo_client(ens.connect_string([0, 1])) as zk:
            zk.create("/without-the-earlier-build", b"yes")
