"""TLS between servers (sslQuorum=true, ZooKeeper 3.8's ssl.quorum.* keys).

A 3-server TLS ensemble elects, replicates and re-elects after a leader kill; the quorum
port answers a TLS handshake that needs a client certificate from the trusted CA (what a
peer sees, and proof that the port does not speak plaintext); a server whose certificate
another CA signed, and a server without sslQuorum, cannot join, and the servers say why in
their logs; certificates are reloaded (sslQuorumReloadCertFiles) for new connections.
Every certificate is made here (quorum_pki.py). The ensemble tests run against ZooKeeper 3.8
too where ZooKeeper forms a TLS quorum (quorum_pki.ZOOKEEPER_SKIP_REASON: not Debian's 3.8.0
here); the log lines, the handshake probes and the reload are Paddock's.
"""
import os
import shutil
import socket
import ssl
import time

import pytest

import harness
import quorum_pki
import reconfig_support
from ensemble import Ensemble
from harness import TARGET
from test_reconfig import \
    test_a_follower_moves_to_new_quorum_and_election_ports as follower_moves_its_ports

START_TIMEOUT = 90 if TARGET == "zookeeper" else 30
paddock_only = pytest.mark.skipif(TARGET == "zookeeper",
                                  reason="Paddock's log lines and probes of its quorum port")


def wait_until(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def handshake(port, pki, cert=None, timeout=5.0):
    """A TLS handshake with a quorum port as a peer makes it, presenting `cert`
    (<pki>/<cert>-keystore.pem) or no certificate. Returns the server certificate's subject
    CN once the server has had the chance to refuse ours (a read after the handshake: with
    TLSv1.3 the server checks the client's certificate after the client's side finished)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(os.path.join(pki, "ca.pem"))
    if cert:
        ctx.load_cert_chain(os.path.join(pki, f"{cert}-keystore.pem"))
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        with ctx.wrap_socket(raw) as s:
            subject = dict(x[0] for x in s.getpeercert()["subject"])
            s.settimeout(1.0)
            try:
                data = s.recv(1)  # a refusal arrives here as an alert
                if data == b"":
                    raise ConnectionError("closed by the server after the handshake")
            except socket.timeout:
                pass  # accepted: the peer waits for our BASP handshake
            return subject["commonName"]


def write_and_read_everywhere(ens, path, data):
    alive = [i for i in ens.alive_indices() if ens.mode(i)]
    with harness.kazoo_client(ens.connect_string([alive[0]])) as zk:
        zk.create(path, data, makepath=True)
    for i in alive:
        with harness.kazoo_client(ens.connect_string([i])) as zk:
            zk.sync(path)
            assert zk.get(path)[0] == data, f"server {i + 1}"


@pytest.mark.time_limit(240)
@pytest.mark.skipif(TARGET == "zookeeper", reason=quorum_pki.ZOOKEEPER_SKIP_REASON)
def test_tls_ensemble_elects_replicates_and_survives_a_leader_kill():
    with Ensemble(3, quorum_tls=True) as ens:
        ens.start(timeout=START_TIMEOUT)
        leader, _ = ens.wait_for_leader(timeout=START_TIMEOUT)
        write_and_read_everywhere(ens, "/tls-quorum/before", b"written over TLS")
        ens.kill(leader)
        new_leader, waited = ens.wait_for_leader(timeout=START_TIMEOUT, exclude=leader)
        assert new_leader != leader
        write_and_read_everywhere(ens, "/tls-quorum/after", b"after the re-election")
        with harness.kazoo_client(ens.connect_string([new_leader])) as zk:
            assert zk.get("/tls-quorum/before")[0] == b"written over TLS"
        if TARGET != "zookeeper":
            for i in ens.alive_indices():
                assert "(TLS, sslQuorum=true)" in ens.log_text(i), ens.log_tail(i)


@pytest.fixture(scope="module")
def tls_ens():
    with Ensemble(3, quorum_tls=True,
                  extra_config={"sslQuorumReloadCertFiles": "true"}) as ens:
        ens.start(timeout=START_TIMEOUT)
        ens.wait_for_leader(timeout=START_TIMEOUT)
        yield ens


@paddock_only
def test_quorum_and_election_ports_need_a_trusted_client_certificate(tls_ens):
    pki = os.path.join(tls_ens.dir, "pki")
    m = tls_ens.server(0)
    for port in (m.quorum_port, m.election_port):
        assert handshake(port, pki, cert="server2") == "server1"
    # Mutual authentication: no certificate, or one from another CA, is refused.
    quorum_pki.make_ca(pki, "otherca")
    quorum_pki.make_server_cert(pki, "stranger", "otherca")
    for cert in (None, "stranger"):
        with pytest.raises((ssl.SSLError, ConnectionError)):
            handshake(m.quorum_port, pki, cert=cert)


@paddock_only
def test_quorum_port_sends_no_plaintext(tls_ens):
    """A plaintext BASP server speaks first (its handshake names the node); a TLS one waits
    for a ClientHello, and answers plaintext with a TLS alert or a close, never BASP."""
    m = tls_ens.server(1)
    with socket.create_connection(("127.0.0.1", m.quorum_port), timeout=5) as s:
        s.settimeout(1.0)
        try:
            first = s.recv(4096)
        except socket.timeout:
            first = b""
        assert first == b"", first
        s.sendall(b"\x00" * 64)  # not a ClientHello
        s.settimeout(5.0)
        try:
            answer = s.recv(4096)
        except (ConnectionResetError, socket.timeout):
            answer = b""
        # Nothing, or a TLS alert record (content type 21).
        assert answer == b"" or answer[0] == 0x15, answer


@paddock_only
@pytest.mark.time_limit(60)
def test_certificates_are_reloaded_for_new_connections(tls_ens):
    pki = os.path.join(tls_ens.dir, "pki")
    m = tls_ens.server(2)
    # Links may drop and come back while the servers start (two dialing each other at once);
    # only what happens from the reload on is this test's concern.
    log_before_reload = len(tls_ens.log_text(2))
    assert handshake(m.quorum_port, pki, cert="server1") == "server3"
    keystore = os.path.join(pki, "server3-keystore.pem")
    # A broken file is not used: an error, and the old certificate still served.
    saved = keystore + ".saved"
    shutil.copy(keystore, saved)
    with open(keystore + ".new", "w") as f:
        f.write("not a certificate\n")
    os.replace(keystore + ".new", keystore)
    assert wait_until(lambda: "changed certificate files are not used" in tls_ens.log_text(2),
                      10), tls_ens.log_tail(2)
    assert handshake(m.quorum_port, pki, cert="server1") == "server3"
    # A new certificate (same CA, another name) serves the next connection.
    quorum_pki.make_server_cert(pki, "server3-renewed", "ca")
    shutil.copy(os.path.join(pki, "server3-renewed-keystore.pem"), keystore + ".new")
    os.replace(keystore + ".new", keystore)
    assert wait_until(lambda: "certificates reloaded" in tls_ens.log_text(2), 10), \
        tls_ens.log_tail(2)
    assert handshake(m.quorum_port, pki, cert="server1") == "server3-renewed"
    # The ensemble still works: links already up keep their sessions.
    write_and_read_everywhere(tls_ens, "/tls-reload", b"still replicated")
    assert " down (" not in tls_ens.log_text(2)[log_before_reload:], tls_ens.log_tail(2)


def start_two_then_third(ens):
    for i in (0, 1):
        ens.start_server(i, wait=False)
    ens.wait_serving([0, 1], timeout=START_TIMEOUT)
    ens.start_server(2, wait=False)


@paddock_only
@pytest.mark.time_limit(120)
def test_server_signed_by_another_ca_cannot_join():
    with Ensemble(3, quorum_tls=True) as ens:
        pki = os.path.join(ens.dir, "pki")
        quorum_pki.make_ca(pki, "otherca")
        quorum_pki.make_server_cert(pki, "intruder", "otherca")
        config = dict(ens.server(2).config)
        config["ssl.quorum.keyStore.location"] = os.path.join(pki, "intruder-keystore.pem")
        ens.server(2).write_files(config)
        start_two_then_third(ens)
        since = [ens.log_size(i) for i in (0, 1)]
        time.sleep(5)
        assert ens.mode(2) is None, ens.log_tail(2)
        # The refused handshakes do not disturb the link between the two others (CAF's
        # OpenSSL module left OpenSSL's error queue dirty, which dropped healthy links:
        # actors/openssl_error_queue.cpp).
        for i, peer in ((0, 2), (1, 1)):
            assert f"peer link to server {peer} down" not in ens.log_text(i, since[i]), \
                ens.log_tail(i)
        # Each side names the other and TLS: the intruder cannot reach them, they cannot
        # reach it (each server connects to every other one).
        assert wait_until(lambda: "TLS connection to server 1" in ens.log_text(2), 10), \
            ens.log_tail(2)
        for i in (0, 1):
            assert wait_until(lambda: "TLS connection to server 3" in ens.log_text(i), 10), \
                ens.log_tail(i)
        with harness.kazoo_client(ens.connect_string([0])) as zk:
            zk.create("/only-two", b"x")
        assert ens.mode(0) in ("leader", "follower") and ens.mode(2) is None


@paddock_only
@pytest.mark.time_limit(120)
def test_plaintext_server_cannot_join():
    with Ensemble(3, quorum_tls=True) as ens:
        config = {k: v for k, v in ens.server(2).config.items()
                  if k != "sslQuorum" and not k.startswith("ssl.quorum.")}
        ens.server(2).write_files(config)
        start_two_then_third(ens)
        time.sleep(5)
        assert ens.mode(2) is None, ens.log_tail(2)
        for i in (0, 1):
            assert wait_until(lambda: "TLS connection to server 3" in ens.log_text(i), 10), \
                ens.log_tail(i)
        assert wait_until(lambda: "peer link to server 1" in ens.log_text(2)
                          and "not answering" in ens.log_text(2), 15), ens.log_tail(2)


@paddock_only
@pytest.mark.time_limit(reconfig_support.LIMIT)
def test_reconfig_moves_a_follower_to_new_tls_ports():
    """The reconfig case of test_reconfig.py on a TLS quorum: the follower listens with TLS on
    its new ports (peer_links asks the OpenSSL module, not the plaintext middleman), and the
    two others elect over them."""
    with Ensemble(3, quorum_tls=True, extra_config=reconfig_support.RECONFIG_CONFIG) as ens:
        ens.start(timeout=START_TIMEOUT)
        follower_moves_its_ports(ens)
        moved = [i for i in range(3) if "listening for peers on" in ens.log_text(i)]
        assert moved, "no server logged listening on new ports"
        pki = os.path.join(ens.dir, "pki")
        m = ens.server(moved[0])
        assert handshake(m.quorum_port, pki, cert="server1") == f"server{m.sid}"


@paddock_only
@pytest.mark.time_limit(60)
def test_an_unusable_key_store_stops_the_server_at_start():
    with Ensemble(3, quorum_tls=True) as ens:
        m = ens.server(0)
        broken = os.path.join(ens.dir, "broken-keystore.pem")
        with open(broken, "w") as f:
            f.write("not a key store\n")
        m.write_files({**m.config, "ssl.quorum.keyStore.location": broken})
        ens.start_server(0, wait=False)
        assert m.proc.wait(timeout=20) == 1
        log = ens.log_text(0)
        assert "ssl.quorum.keyStore.location " + broken in log, log
        assert "paddock-quorum-tls" not in log  # the operator's file is named, not a copy
