"""Client SASL authentication with DIGEST-MD5, as ZooKeeper 3.8 does it: the users of a JAAS
`Server` section (given as -Djava.security.auth.login.config, which Paddock reads from
SERVER_JVMFLAGS), the sasl ACL scheme, AuthFailed at once for a wrong password or an unknown
user, enforce.auth, and zkCli with a client JAAS file. Every test runs against Paddock and
against Apache ZooKeeper 3.8 (PADDOCK_TARGET=zookeeper) started with the same files."""
import os
import struct
import subprocess
import tempfile
import time

import pytest
from kazoo.exceptions import NoAuthError
from kazoo.protocol.states import KeeperState
from kazoo.security import make_acl

import harness
import raw_zk

pytest.importorskip("puresasl")
import puresasl.client  # noqa: E402

OP_SASL, OP_GET_CHILDREN = 102, 8
AUTH_FAILED, SESSION_CLOSED_REQUIRE_SASL_AUTH = -115, -124
SASL_PROVIDER = {"authProvider.1": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"}
USERS = {"bob": "bobsecret", "carol": "carolsecret"}

SERVER_JAAS = """// the section a ZooKeeper server reads
Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_bob="bobsecret"
    user_carol="carolsecret";
};
"""
CLIENT_JAAS = """Client {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    username="%s"
    password="%s";
};
"""


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


@pytest.fixture(scope="module")
def jaas_dir():
    d = tempfile.mkdtemp(prefix="paddock-sasl-")
    write(os.path.join(d, "server.jaas"), SERVER_JAAS)
    yield d
    subprocess.run(["rm", "-rf", d], check=False)


def jaas_flag(jaas_dir):
    return [f"-Djava.security.auth.login.config={os.path.join(jaas_dir, 'server.jaas')}"]


def sasl_options(user, password):
    return {"mechanism": "DIGEST-MD5", "username": user, "password": password}


def finish(srv):
    crashed = not srv.alive() and not srv.stopped_on_purpose
    tail = srv.log_tail()
    srv.cleanup()
    assert not crashed, f"the server died during the tests:\n{tail}"


@pytest.fixture(scope="module")
def sasl_server(jaas_dir):
    srv = harness.Server(SASL_PROVIDER, jvm_flags=jaas_flag(jaas_dir)).start()
    yield srv
    finish(srv)


def raw_sasl_exchange(srv, user, password, first_xid=1):
    """Runs DIGEST-MD5 over a raw connection with pure-sasl, as kazoo does. Returns
    (conn, [(xid, zxid, err, token)]) of the replies; the last one ends the exchange."""
    conn = raw_zk.Conn(srv.host, srv.port)
    assert conn.handshake() is not None
    cli = puresasl.client.SASLClient(host="zk-sasl-md5", service="zookeeper",
                                     mechanism="DIGEST-MD5", username=user, password=password)
    replies, xid = [], first_xid
    response = cli.process(None)  # DIGEST-MD5 has no initial response: an empty token
    while True:
        reply = conn.call(xid, OP_SASL, raw_zk.pack_string(response or b""))
        if reply is None:
            replies.append(None)
            break
        rxid, zxid, err, body = reply
        token, _ = raw_zk.unpack_buffer(body)
        replies.append((rxid, zxid, err, token))
        if err != 0:
            break
        response = cli.process(token or b"")
        if cli.complete and not response:
            break
        xid += 1
    return conn, cli, replies


def test_digest_md5_session_reads_a_sasl_acl_node(sasl_server, client):
    bob = client(sasl_server, sasl_options=sasl_options("bob", USERS["bob"]))
    bob.start(timeout=15)
    bob.create("/sasl-bob", b"for bob", acl=[make_acl("sasl", "bob", all=True)])
    assert bob.get("/sasl-bob")[0] == b"for bob"
    assert bob.get_acls("/sasl-bob")[0] == [make_acl("sasl", "bob", all=True)]

    anonymous = client(sasl_server)
    anonymous.start(timeout=15)
    with pytest.raises(NoAuthError):
        anonymous.get("/sasl-bob")
    # Another SASL user is not bob.
    carol = client(sasl_server, sasl_options=sasl_options("carol", USERS["carol"]))
    carol.start(timeout=15)
    with pytest.raises(NoAuthError):
        carol.get("/sasl-bob")
    with pytest.raises(NoAuthError):
        carol.set("/sasl-bob", b"not carol's")
    # The "auth" id expands to the session's sasl id.
    carol.create("/sasl-carol", acl=[make_acl("auth", "", all=True)])
    assert carol.get_acls("/sasl-carol")[0] == [make_acl("sasl", "carol", all=True)]


def test_the_exchange_adds_the_sasl_identity(sasl_server):
    conn, cli, replies = raw_sasl_exchange(sasl_server, "bob", USERS["bob"])
    try:
        assert cli.complete
        # Two round trips: the challenge for the empty first token, then rspauth.
        assert [r[:3] for r in replies] == [(1, 0, 0), (2, 0, 0)]
        assert replies[1][3].startswith(b"rspauth=")
        err, ids = raw_zk.who_am_i(conn, 3)
        assert err == 0
        assert sorted(ids) == [("ip", "127.0.0.1"), ("sasl", "bob")]
    finally:
        conn.close()


@pytest.mark.parametrize("user,password", [("bob", "wrong"), ("mallory", "whatever")])
def test_a_wrong_password_or_unknown_user_is_auth_failed_at_once(sasl_server, user, password):
    started = time.monotonic()
    conn, cli, replies = raw_sasl_exchange(sasl_server, user, password)
    try:
        # The challenge, then AuthFailed (zxid 0, a null token) and the connection closes.
        assert replies[0][:3] == (1, 0, 0)
        assert replies[-1] == (2, 0, AUTH_FAILED, None)
        assert conn.closed_by_server(5.0)
        assert time.monotonic() - started < 5.0
    finally:
        conn.close()


def test_kazoo_with_a_wrong_password_ends_in_auth_failed(sasl_server, caplog):
    from kazoo.client import KazooClient, KazooState
    zk = KazooClient(hosts=sasl_server.hosts, timeout=10.0,
                     sasl_options=sasl_options("bob", "wrong"))
    states = []
    zk.add_listener(states.append)
    try:
        started = time.monotonic()
        zk.start_async()
        # kazoo reports the session connected, runs the exchange, gets AuthFailed and gives
        # up: the session is lost, with no retry and no timeout.
        harness.wait_for(lambda: KazooState.LOST in states, timeout=10,
                         what="kazoo to give the session up")
        assert time.monotonic() - started < 10.0
        assert not zk.connected
        assert any("AUTH_FAILED" in r.getMessage() for r in caplog.records)
    finally:
        zk.stop()
        zk.close()


def test_a_sasl_packet_without_a_jaas_file_gets_a_null_token(server):
    # No JAAS file: ZooKeeper has no SASL server for the connection and answers ok, null.
    conn = raw_zk.Conn(server.host, server.port)
    try:
        assert conn.handshake() is not None
        xid, zxid, err, body = conn.call(1, OP_SASL, raw_zk.pack_string(b""))
        assert (xid, zxid, err) == (1, 0, 0)
        assert body == struct.pack(">i", -1)
    finally:
        conn.close()


class EnforcingServer(harness.Server):
    """A server with enforce.auth: the harness's readiness probe (an anonymous kazoo session)
    would be refused, so readiness is ruok plus a SASL-authenticated session."""

    def _serving(self):
        from kazoo.client import KazooClient
        try:
            if harness.four_letter(self.host, self.port, "ruok", timeout=1.0) != "imok":
                return False
        except OSError:
            return False
        zk = KazooClient(hosts=self.hosts, timeout=2.0,
                         sasl_options=sasl_options("bob", USERS["bob"]))
        try:
            zk.start(timeout=3.0)
            zk.get_children("/")
            return True
        except Exception:
            return False
        finally:
            zk.stop()
            zk.close()


@pytest.fixture(scope="module")
def enforcing_server(jaas_dir):
    srv = EnforcingServer(dict(SASL_PROVIDER, **{"enforce.auth.enabled": "true",
                                                  "enforce.auth.schemes": "sasl"}),
                          jvm_flags=jaas_flag(jaas_dir)).start()
    yield srv
    finish(srv)


def test_enforce_auth_refuses_an_unauthenticated_session(enforcing_server):
    conn = raw_zk.Conn(enforcing_server.host, enforcing_server.port)
    try:
        # The handshake itself is served; the first request is refused and the connection
        # closes.
        assert conn.handshake() is not None
        reply = conn.call(1, OP_GET_CHILDREN, raw_zk.pack_string(b"/") + b"\0")
        assert reply is not None
        assert reply[:3] == (1, 0, SESSION_CLOSED_REQUIRE_SASL_AUTH)
        assert reply[3] == b""
        assert conn.closed_by_server(5.0)
    finally:
        conn.close()


def test_enforce_auth_refuses_a_digest_only_session(enforcing_server):
    conn = raw_zk.Conn(enforcing_server.host, enforcing_server.port)
    try:
        assert conn.handshake() is not None
        assert raw_zk.add_auth(conn, "digest", "alice:pw") == 0
        reply = conn.call(1, OP_GET_CHILDREN, raw_zk.pack_string(b"/") + b"\0")
        assert reply is not None and reply[2] == SESSION_CLOSED_REQUIRE_SASL_AUTH
    finally:
        conn.close()


def test_enforce_auth_serves_a_sasl_session(enforcing_server, client):
    bob = client(enforcing_server, sasl_options=sasl_options("bob", USERS["bob"]))
    bob.start(timeout=15)
    bob.create("/enforced", b"x")
    assert bob.get("/enforced")[0] == b"x"


def test_enforce_auth_failed_sasl_is_session_closed_require_sasl_auth(enforcing_server):
    # With sasl required, a failed exchange answers SessionClosedRequireSaslAuth, not
    # AuthFailed (processSasl).
    conn, _cli, replies = raw_sasl_exchange(enforcing_server, "bob", "wrong")
    try:
        assert replies[-1] == (2, 0, SESSION_CLOSED_REQUIRE_SASL_AUTH, None)
        assert conn.closed_by_server(5.0)
    finally:
        conn.close()


ZKCLI = ["java", "-Xmx256m"]


def zkcli(server, jaas=None, *args):
    flags = [f"-Djava.security.auth.login.config={jaas}"] if jaas else []
    run = subprocess.run(ZKCLI + flags + ["-cp", harness.ZK_CLASSPATH,
                                          "org.apache.zookeeper.ZooKeeperMain",
                                          "-server", server.hosts, *args],
                         capture_output=True, text=True, timeout=90)
    return run.stdout + run.stderr


@pytest.mark.time_limit(240)
def test_zkcli_with_a_client_jaas_file(sasl_server, jaas_dir, client):
    owner = client(sasl_server, sasl_options=sasl_options("bob", USERS["bob"]))
    owner.start(timeout=15)
    owner.create("/zkcli-sasl", b"bob's data", acl=[make_acl("sasl", "bob", all=True)])
    bob_jaas = write(os.path.join(jaas_dir, "bob.jaas"), CLIENT_JAAS % ("bob", USERS["bob"]))
    out = zkcli(sasl_server, bob_jaas, "get", "/zkcli-sasl")
    assert "bob's data" in out, out
    out = zkcli(sasl_server, bob_jaas, "create", "/zkcli-sasl-made", "x", "sasl:bob:cdrwa")
    assert "Created /zkcli-sasl-made" in out, out
    assert owner.get_acls("/zkcli-sasl-made")[0] == [make_acl("sasl", "bob", all=True)]
    # Without a JAAS file zkCli has no sasl id: the node is closed to it.
    out = zkcli(sasl_server, None, "get", "/zkcli-sasl")
    assert "Insufficient permission" in out or "NoAuth" in out, out
    assert "bob's data" not in out
