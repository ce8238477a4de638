"""Quorum SASL (quorum.auth.*): ensemble members authenticate each other with DIGEST-MD5 from
the JAAS file's QuorumServer (the names a server accepts) and QuorumLearner (the name it
presents) sections. Every test runs against Paddock and against Apache ZooKeeper 3.8
(PADDOCK_TARGET=zookeeper; the JAAS file reaches it as -Djava.security.auth.login.config,
see ensemble.py).

(a) three servers with the same JAAS file and every switch on form a quorum and replicate;
(b) a server whose QuorumLearner password is wrong never joins, the other two serve, its log
    names the failure; with the password fixed and a restart it joins; a server without
    quorum SASL never joins two that require it;
(a) and (b) run with the quorum in plaintext and over TLS (sslQuorum=true).
(c) quorum.auth.enableSasl turned on, then learnerRequireSasl, then serverRequireSasl, one
    restart at a time, a write served after every restart."""
import os
import re
import time

import pytest
from kazoo.client import KazooClient

import harness
import quorum_pki
from ensemble import Ensemble
from harness import TARGET

PASSWORD = "quorumsecret"

JAAS = """// quorum SASL: every server accepts the name "zkpeer" and presents it
QuorumServer {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_zkpeer="%s";
};
QuorumLearner {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    username="zkpeer"
    password="%s";
};
"""

ALL_ON = {
    "quorum.auth.enableSasl": "true",
    "quorum.auth.learnerRequireSasl": "true",
    "quorum.auth.serverRequireSasl": "true",
}

# What the server that presents a wrong password logs about it (ZooKeeper: at every retry).
LEARNER_REFUSED = {
    "paddock": re.compile(r"quorum SASL: the link to server \d+ is refused: the server rejected"),
    "zookeeper": re.compile(r"SaslException: Authentication failed against server addr"),
}
# What the servers it tries to authenticate to log (server 3 is the one with the wrong
# password; ZooKeeper does not name it).
SERVER_REFUSED = {
    "paddock": re.compile(r"quorum SASL: server 3 failed to authenticate, its link is refused"),
    "zookeeper": re.compile(r"SaslQuorumAuthServer@\d+\] - Failed to authenticate using SASL"),
}

SERVE_TIMEOUT = 90 if TARGET == "zookeeper" else 30


def write_jaas(directory, learner_password, name="quorum.jaas"):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(JAAS % (PASSWORD, learner_password))
    return path


def client(hosts):
    zk = KazooClient(hosts=hosts, timeout=10.0)
    zk.start(timeout=30)
    return zk


def write_and_read_everywhere(ens, path, value, indices):
    """Writes `path` through the first of `indices`, then reads it back (after a sync) from
    each of them."""
    writer = client(ens.server(indices[0]).hosts)
    try:
        writer.create(path, value, makepath=True)
    finally:
        writer.stop()
        writer.close()
    for i in indices:
        reader = client(ens.server(i).hosts)
        try:
            reader.sync(path)
            assert reader.get(path)[0] == value, f"server {i}"
        finally:
            reader.stop()
            reader.close()


def set_config(ens, i, changes):
    m = ens.server(i)
    config = dict(m.config)
    config.update(changes)
    m.write_files(config)


# Quorum SASL keeps working over TLS between servers (sslQuorum=true, issue 17).
over_tls = pytest.mark.parametrize("quorum_tls", [False, pytest.param(True, marks=pytest.mark.skipif(
    TARGET == "zookeeper", reason=quorum_pki.ZOOKEEPER_SKIP_REASON))], ids=["plaintext", "tls"])


@pytest.mark.time_limit(240 if TARGET == "zookeeper" else 60)
@over_tls
def test_three_servers_authenticate_and_replicate(quorum_tls):
    with Ensemble(3, quorum_tls=quorum_tls) as ens:
        jaas = write_jaas(ens.dir, PASSWORD)
        for i in range(3):
            set_config(ens, i, {**ALL_ON, "jaasLoginConfig": jaas})
        ens.start(timeout=SERVE_TIMEOUT)
        write_and_read_everywhere(ens, "/quorum-sasl/a", b"replicated", [0, 1, 2])
        assert ens.leader() is not None
        assert len(ens.followers()) == 2
        if TARGET == "paddock":
            # Each server authenticated the two others (as their server) and itself to them.
            # The two followers' own link needs no hurry once they follow: it may come a
            # little after the ensemble serves (seen over TLS on a loaded machine).
            def authenticated_both(i):
                text = ens.log_text(i)
                return (len(set(re.findall(r"quorum SASL: server (\d+) authenticated", text))) == 2
                        and len(set(re.findall(r"quorum SASL: authenticated to server (\d+)",
                                               text))) == 2)
            for i in range(3):
                harness.wait_for(lambda i=i: authenticated_both(i), timeout=15,
                                 what=f"server {i + 1} and both others authenticating each other")


@pytest.mark.time_limit(300 if TARGET == "zookeeper" else 90)
@over_tls
def test_a_wrong_learner_password_never_joins_until_fixed(quorum_tls):
    with Ensemble(3, quorum_tls=quorum_tls) as ens:
        good = write_jaas(ens.dir, PASSWORD)
        bad = write_jaas(ens.dir, "not-the-password", name="wrong.jaas")
        for i in range(3):
            set_config(ens, i, {**ALL_ON, "jaasLoginConfig": good if i < 2 else bad})
        ens.server(0).launch()
        ens.server(1).launch()
        ens.wait_serving([0, 1], timeout=SERVE_TIMEOUT)
        ens.server(2).launch()
        # It keeps trying (and failing) for a while; it never serves.
        deadline = time.monotonic() + (20 if TARGET == "zookeeper" else 6)
        while time.monotonic() < deadline:
            assert ens.server(2).alive(), ens.log_tail(2)
            assert ens.mode(2) is None, "the server with the wrong password serves"
            time.sleep(0.5)
        assert LEARNER_REFUSED[TARGET].search(ens.log_text(2)), ens.log_tail(2)
        # The others log the failure too.
        assert any(SERVER_REFUSED[TARGET].search(ens.log_text(i)) for i in (0, 1))
        # The other two keep serving.
        write_and_read_everywhere(ens, "/quorum-sasl/b", b"two of three", [0, 1])
        ens.stop_server(2)
        set_config(ens, 2, {"jaasLoginConfig": good})
        ens.start_server(2, timeout=SERVE_TIMEOUT)
        write_and_read_everywhere(ens, "/quorum-sasl/b2", b"three again", [2, 0, 1])
        reader = client(ens.server(2).hosts)
        try:
            reader.sync("/quorum-sasl/b")
            assert reader.get("/quorum-sasl/b")[0] == b"two of three"
        finally:
            reader.stop()
            reader.close()


@pytest.mark.time_limit(300 if TARGET == "zookeeper" else 90)
def test_a_server_without_quorum_sasl_is_not_heard_where_it_is_required():
    with Ensemble(3) as ens:
        jaas = write_jaas(ens.dir, PASSWORD)
        for i in range(2):
            set_config(ens, i, {**ALL_ON, "jaasLoginConfig": jaas})
        ens.server(0).launch()
        ens.server(1).launch()
        ens.wait_serving([0, 1], timeout=SERVE_TIMEOUT)
        ens.server(2).launch()
        deadline = time.monotonic() + (20 if TARGET == "zookeeper" else 6)
        while time.monotonic() < deadline:
            assert ens.server(2).alive(), ens.log_tail(2)
            assert ens.mode(2) is None, "a server without quorum SASL joined"
            time.sleep(0.5)
        if TARGET == "paddock":
            # The two log, once each, that they drop what it sends, and refuse to use the
            # link to it (it does not run the handshake).
            for i in (0, 1):
                text = ens.log_text(i)
                assert len(re.findall(r"dropping ZAB and election messages from server 3",
                                      text)) == 1, ens.log_tail(i)
                assert re.search(r"the link to server 3 is refused: the server does not run "
                                 r"quorum SASL", text), ens.log_tail(i)
        write_and_read_everywhere(ens, "/quorum-sasl/d", b"without it", [0, 1])


@pytest.mark.time_limit(480 if TARGET == "zookeeper" else 150)
def test_rolling_enablement_one_restart_at_a_time():
    with Ensemble(3) as ens:
        jaas = write_jaas(ens.dir, PASSWORD)
        ens.start(timeout=SERVE_TIMEOUT)
        step = 0
        # The JAAS file comes with the first switch (it has no client Server section, which
        # a server without quorum SASL would require of a JAAS file it is given).
        for switch in ("quorum.auth.enableSasl", "quorum.auth.learnerRequireSasl",
                       "quorum.auth.serverRequireSasl"):
            for i in range(3):
                ens.stop_server(i)
                # The other two still form a quorum while this one restarts.
                others = [j for j in range(3) if j != i]
                ens.wait_serving(others, timeout=SERVE_TIMEOUT)
                set_config(ens, i, {switch: "true", "jaasLoginConfig": jaas})
                ens.start_server(i, timeout=SERVE_TIMEOUT)
                step += 1
                write_and_read_everywhere(ens, f"/quorum-sasl/c{step}", str(switch).encode(),
                                          [i] + others)
        # At the end every server requires SASL of the others, and each authenticated both.
        for i in range(3):
            assert all(ens.server(i).config[k] == "true" for k in ALL_ON)
            text = ens.log_text(i)
            if TARGET == "paddock":
                assert len(set(re.findall(r"quorum SASL: server (\d+) authenticated",
                                          text))) == 2
            else:  # ZooKeeper's log does not name the learner's id
                assert "Successfully completed the authentication using SASL" in text
