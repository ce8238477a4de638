"""Client SASL with Kerberos (GSSAPI), as ZooKeeper 3.8 does it, against a throwaway KDC.

The module starts its own KDC (Debian's krb5kdc) for the realm PADDOCK.TEST on a free
127.0.0.1 port, with krb5.conf and kdc.conf in a temporary directory (KRB5_CONFIG,
KRB5_KDC_PROFILE), and stops it at the end. The server's JAAS `Server` section names the
keytab of zookeeper/localhost@PADDOCK.TEST with Krb5LoginModule; clients are kazoo with
sasl_options={"mechanism": "GSSAPI"} (pure-sasl asks for service "zookeeper" on the host it
connects to, so they connect to "localhost"), each with a ticket cache (KRB5CCNAME) from
kinit -k -t of its own keytab. Every test runs against Paddock and against Apache ZooKeeper
3.8 (PADDOCK_TARGET=zookeeper), whose JVM is pointed at the same KDC with
-Djava.security.krb5.conf."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError
from kazoo.security import make_acl

import harness
import raw_zk

pytest.importorskip("puresasl")
pytest.importorskip("kerberos")  # pure-sasl's GSSAPI runs on pykerberos (python3-kerberos)
import puresasl.client  # noqa: E402

REALM = "PADDOCK.TEST"
SERVICE_PRINCIPAL = "zookeeper/localhost"
OTHER_SERVICE_PRINCIPAL = "other/localhost"
OP_SASL = 102
AUTH_FAILED = -115
SASL_PROVIDER = {"authProvider.1": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"}
KDC_TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit")
SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def tool(name):
    return shutil.which(name, path=SBIN_PATH)


class Kdc:
    """A KDC for REALM in its own directory, on a free port, for the module's lifetime."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="paddock-kdc-")
        self.port = harness.free_port()
        self.krb5_conf = os.path.join(self.dir, "krb5.conf")
        self.kdc_conf = os.path.join(self.dir, "kdc.conf")
        self.env = dict(os.environ, KRB5_CONFIG=self.krb5_conf, KRB5_KDC_PROFILE=self.kdc_conf)
        self.proc = None
        self.log = None

    def write_configs(self):
        # TCP only (udp_preference_limit = 1): Java's Kerberos and MIT's then take the same path.
        # No DNS and no reverse lookups: "localhost" stays "localhost" in service names.
        with open(self.krb5_conf, "w") as f:
            f.write(f"""[libdefaults]
  default_realm = {REALM}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  ticket_lifetime = 1h
[realms]
  {REALM} = {{
    kdc = 127.0.0.1:{self.port}
  }}
[domain_realm]
  localhost = {REALM}
""")
        with open(self.kdc_conf, "w") as f:
            f.write(f"""[kdcdefaults]
  kdc_listen = 127.0.0.1:{self.port}
  kdc_tcp_listen = 127.0.0.1:{self.port}
[realms]
  {REALM} = {{
    database_name = {self.dir}/principal
    key_stash_file = {self.dir}/stash
    acl_file = {self.dir}/kadm5.acl
    kdc_listen = 127.0.0.1:{self.port}
    kdc_tcp_listen = 127.0.0.1:{self.port}
    max_life = 1h
  }}
[logging]
  kdc = FILE:{self.dir}/kdc.log
""")

    def run(self, *cmd):
        done = subprocess.run([tool(cmd[0]), *cmd[1:]], env=self.env, capture_output=True,
                              text=True, timeout=30, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"{cmd}: {done.stdout}{done.stderr}"
        return done.stdout

    def start(self):
        self.write_configs()
        self.run("kdb5_util", "create", "-s", "-r", REALM, "-P", "paddock-master-key")
        self.log = open(os.path.join(self.dir, "krb5kdc.out"), "ab")
        self.proc = subprocess.Popen([tool("krb5kdc"), "-n", "-r", REALM], env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

        def listening():
            assert self.proc.poll() is None, f"krb5kdc exited with {self.proc.returncode}"
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            except OSError:
                return False

        harness.wait_for(listening, timeout=15, what="the KDC to listen")
        return self

    def add_principal(self, name):
        """Creates `name` with a random key and returns its keytab's path."""
        keytab = os.path.join(self.dir, name.replace("/", "_") + ".keytab")
        self.run("kadmin.local", "-r", REALM, "-q", f"addprinc -randkey {name}@{REALM}")
        self.run("kadmin.local", "-r", REALM, "-q", f"ktadd -k {keytab} {name}@{REALM}")
        return keytab

    def ticket_cache(self, name, keytab):
        """kinit -k -t: a ticket cache of `name`, for KRB5CCNAME."""
        cache = "FILE:" + os.path.join(self.dir, name.replace("/", "_") + ".ccache")
        env = dict(self.env, KRB5CCNAME=cache)
        done = subprocess.run([tool("kinit"), "-k", "-t", keytab, f"{name}@{REALM}"], env=env,
                              capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stdout + done.stderr
        return cache

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.log:
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def kdc():
    missing = [t for t in KDC_TOOLS if tool(t) is None]
    if missing:
        pytest.skip(f"no Kerberos KDC tools ({', '.join(missing)}): install krb5-kdc, "
                    "krb5-admin-server and krb5-user (tools/install-deps)")
    k = Kdc()
    try:
        k.start()
        k.service_keytab = k.add_principal(SERVICE_PRINCIPAL)
        k.add_principal(OTHER_SERVICE_PRINCIPAL)  # in the KDC, not in the server's keytab
        k.keytabs = {name: k.add_principal(name) for name in ("bob", "carol", "svc/localhost")}
        k.caches = {name: k.ticket_cache(name, keytab) for name, keytab in k.keytabs.items()}
        yield k
    finally:
        k.stop()


@pytest.fixture
def kerberos_env(kdc, monkeypatch):
    """The test process's Kerberos configuration (pykerberos reads it); use(name) selects
    the client's ticket cache."""
    monkeypatch.setenv("KRB5_CONFIG", kdc.krb5_conf)

    def use(name):
        monkeypatch.setenv("KRB5CCNAME", kdc.caches[name])
    return use


def start_server(kdc, extra_config=None):
    jaas = os.path.join(kdc.dir, "server.jaas")
    with open(jaas, "w") as f:
        f.write(f"""Server {{
    com.sun.security.auth.module.Krb5LoginModule required
    useKeyTab=true
    keyTab="{kdc.service_keytab}"
    storeKey=true
    useTicketCache=false
    principal="{SERVICE_PRINCIPAL}@{REALM}";
}};
""")
    flags = [f"-Djava.security.auth.login.config={jaas}",
             f"-Djava.security.krb5.conf={kdc.krb5_conf}"]
    # KRB5_CONFIG for Paddock's MIT Kerberos; the JVM reads -Djava.security.krb5.conf.
    srv = harness.Server(dict(SASL_PROVIDER, **(extra_config or {})), jvm_flags=flags,
                         extra_env={"KRB5_CONFIG": kdc.krb5_conf,
                                    "KRB5RCACHEDIR": kdc.dir})
    return srv.start()


def finish(srv):
    crashed = not srv.alive() and not srv.stopped_on_purpose
    tail = srv.log_tail()
    srv.cleanup()
    assert not crashed, f"the server died during the tests:\n{tail}"


@pytest.fixture(scope="module")
def gssapi_server(kdc):
    srv = start_server(kdc)
    yield srv
    finish(srv)


def gssapi_client(srv):
    # "localhost", not 127.0.0.1: kazoo asks for the service ticket of zookeeper@<host>.
    zk = KazooClient(hosts=f"localhost:{srv.port}", timeout=10.0,
                     sasl_options={"mechanism": "GSSAPI"})
    zk.start(timeout=15)
    return zk


def closing(*clients):
    for zk in clients:
        zk.stop()
        zk.close()


def raw_gssapi_exchange(srv, service="zookeeper"):
    """GSSAPI over a raw connection with pure-sasl, as kazoo runs it, for a ticket of
    <service>/localhost. Returns the connection, the client and the replies (xid, zxid, err,
    token); the last one ends the exchange."""
    conn = raw_zk.Conn(srv.host, srv.port)
    assert conn.handshake() is not None
    cli = puresasl.client.SASLClient(host="localhost", service=service, mechanism="GSSAPI")
    replies, xid = [], 1
    response = cli.process(None)  # the AP-REQ
    while True:
        reply = conn.call(xid, OP_SASL, raw_zk.pack_string(response or b""))
        assert reply is not None, "the server closed the connection during the exchange"
        rxid, zxid, err, body = reply
        token, _ = raw_zk.unpack_buffer(body)
        replies.append((rxid, zxid, err, token))
        if err != 0 or cli.complete:
            break
        response = cli.process(token or b"")
        xid += 1
        assert xid < 10, "the exchange did not end"
    return conn, cli, replies


@pytest.mark.time_limit(120)
def test_a_kerberos_client_reads_a_node_of_its_principal(gssapi_server, kerberos_env):
    kerberos_env("bob")
    bob = gssapi_client(gssapi_server)
    try:
        # ZooKeeper's sasl id keeps the realm unless kerberos.removeRealmFromPrincipal says not.
        bob.create("/krb-bob", b"for bob", acl=[make_acl("sasl", f"bob@{REALM}", all=True)])
        assert bob.get("/krb-bob")[0] == b"for bob"
        kerberos_env("carol")
        carol = gssapi_client(gssapi_server)
        anonymous = KazooClient(hosts=gssapi_server.hosts, timeout=10.0)
        anonymous.start(timeout=15)
        try:
            with pytest.raises(NoAuthError):
                carol.get("/krb-bob")
            with pytest.raises(NoAuthError):
                anonymous.get("/krb-bob")
            # "auth" expands to the session's sasl id, the whole principal.
            carol.create("/krb-carol", acl=[make_acl("auth", "", all=True)])
            assert carol.get_acls("/krb-carol")[0] == [make_acl("sasl", f"carol@{REALM}",
                                                                all=True)]
        finally:
            closing(carol, anonymous)
    finally:
        closing(bob)


@pytest.mark.time_limit(120)
def test_the_exchange_gives_the_session_its_principal(gssapi_server, kerberos_env):
    kerberos_env("bob")
    conn, cli, replies = raw_gssapi_exchange(gssapi_server)
    try:
        assert cli.complete
        assert all(err == 0 and zxid == 0 for _xid, zxid, err, _token in replies), replies
        err, ids = raw_zk.who_am_i(conn, 20)
        assert err == 0
        assert sorted(ids) == [("ip", "127.0.0.1"), ("sasl", f"bob@{REALM}")]
    finally:
        conn.close()


@pytest.mark.time_limit(120)
def test_a_token_that_is_not_kerberos_is_auth_failed_at_once(gssapi_server):
    conn = raw_zk.Conn(gssapi_server.host, gssapi_server.port)
    try:
        assert conn.handshake() is not None
        started = time.monotonic()
        reply = conn.call(1, OP_SASL, raw_zk.pack_string(b"not a Kerberos AP-REQ"))
        assert reply is not None
        xid, zxid, err, body = reply
        assert (xid, zxid, err) == (1, 0, AUTH_FAILED)
        assert raw_zk.unpack_buffer(body)[0] is None
        assert conn.closed_by_server(5.0)
        assert time.monotonic() - started < 5.0
    finally:
        conn.close()


@pytest.mark.time_limit(120)
def test_a_ticket_for_another_service_is_auth_failed_at_once(gssapi_server, kerberos_env):
    # A valid Kerberos ticket, but for other/localhost, whose key the server does not hold.
    kerberos_env("bob")
    started = time.monotonic()
    conn, cli, replies = raw_gssapi_exchange(gssapi_server, service="other")
    try:
        assert not cli.complete
        assert replies == [(1, 0, AUTH_FAILED, None)]
        assert conn.closed_by_server(5.0)
        assert time.monotonic() - started < 5.0
    finally:
        conn.close()


@pytest.mark.time_limit(240)
@pytest.mark.parametrize("remove_host,remove_realm,expected", [
    (False, False, f"svc/localhost@{REALM}"),
    (True, False, f"svc@{REALM}"),
    (False, True, "svc/localhost"),
    (True, True, "svc"),
])
def test_kerberos_keys_shorten_the_sasl_id(kdc, kerberos_env, remove_host, remove_realm,
                                           expected):
    srv = start_server(kdc, {"kerberos.removeHostFromPrincipal": str(remove_host).lower(),
                             "kerberos.removeRealmFromPrincipal": str(remove_realm).lower()})
    try:
        kerberos_env("svc/localhost")
        conn, cli, _replies = raw_gssapi_exchange(srv)
        try:
            assert cli.complete
            err, ids = raw_zk.who_am_i(conn, 20)
            assert err == 0
            assert ("sasl", expected) in ids, ids
        finally:
            conn.close()
        # The shortened id is the one sasl ACLs name.
        svc = gssapi_client(srv)
        try:
            svc.create("/svc", b"x", acl=[make_acl("sasl", expected, all=True)])
            assert svc.get("/svc")[0] == b"x"
        finally:
            closing(svc)
    finally:
        finish(srv)


def zkcli(kdc, server, jaas, *args):
    """zkCli (ZooKeeper's Java client) against `server` at "localhost", with a client JAAS
    file and the test KDC's krb5.conf."""
    flags = [f"-Djava.security.krb5.conf={kdc.krb5_conf}"]
    if jaas:
        flags.append(f"-Djava.security.auth.login.config={jaas}")
    run = subprocess.run(["java", "-Xmx256m", *flags, "-cp", harness.ZK_CLASSPATH,
                          "org.apache.zookeeper.ZooKeeperMain",
                          "-server", f"localhost:{server.port}", *args],
                         capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    return run.stdout + run.stderr


@pytest.mark.time_limit(240)
def test_zkcli_with_a_kerberos_client_jaas_file(kdc, gssapi_server, kerberos_env):
    # The Java client (zkCli, Curator, Kafka) logs in from its JAAS Client section and asks
    # for the ticket of zookeeper/<the host it connects to>.
    kerberos_env("bob")
    owner = gssapi_client(gssapi_server)
    try:
        owner.create("/krb-zkcli", b"bob's data",
                     acl=[make_acl("sasl", f"bob@{REALM}", all=True)])
    finally:
        closing(owner)
    jaas = os.path.join(kdc.dir, "bob-client.jaas")
    with open(jaas, "w") as f:
        f.write(f"""Client {{
    com.sun.security.auth.module.Krb5LoginModule required
    useKeyTab=true
    keyTab="{kdc.keytabs['bob']}"
    storeKey=true
    useTicketCache=false
    principal="bob@{REALM}";
}};
""")
    out = zkcli(kdc, gssapi_server, jaas, "get", "/krb-zkcli")
    assert "state:SaslAuthenticated" in out, out
    assert "bob's data" in out, out
    out = zkcli(kdc, gssapi_server, jaas, "create", "/krb-zkcli-made", "x",
                f"sasl:bob@{REALM}:cdrwa")
    assert "Created /krb-zkcli-made" in out, out
    # Without a JAAS file zkCli has no sasl id: the node is closed to it.
    out = zkcli(kdc, gssapi_server, None, "get", "/krb-zkcli")
    assert "Insufficient permission" in out or "NoAuth" in out, out
    assert "bob's data" not in out
