"""TLS on the secure client port (secureClientPort and ZooKeeper 3.8's ssl.* keys), beside the
plaintext client port: kazoo and zkCli over TLS, the certificates a server must refuse (wrong
CA, expired, none with ssl.clientAuth=need), a plaintext client and garbage on the secure port,
and the x509 ACL scheme. Every certificate is made here, with the openssl command, in a
temporary directory.

Against ZooKeeper (PADDOCK_TARGET=zookeeper) the server runs NettyServerCnxnFactory (the NIO
factory has no TLS) with the x509 authentication provider registered (authProvider.x509): with
ssl.clientAuth want or need, ZooKeeper 3.8 closes every TLS connection when that provider is
missing. Debian's netty jars are on the classpath; the ones zookeeper.jar's manifest leaves
out (codec, resolver, native-unix-common) are added here.
"""
import os
import socket
import ssl
import struct
import subprocess
import tempfile
import time

import pytest
from kazoo.exceptions import NoAuthError
from kazoo.security import make_acl

import harness

NETTY_EXTRA = ":".join(f"/usr/share/java/netty-{name}.jar"
                       for name in ("codec", "resolver", "transport-native-unix-common"))
CLASSPATH = harness.ZK_CLASSPATH + ":" + NETTY_EXTRA
X509_PROVIDER = "org.apache.zookeeper.server.auth.X509AuthenticationProvider"
CLIENT_SUBJECT = "/C=US/O=Paddock Tests/OU=Integration/CN=client"
# Java's X500Principal.getName() of CLIENT_SUBJECT: the x509 auth id ZooKeeper gives it.
CLIENT_ID = "CN=client,OU=Integration,O=Paddock Tests,C=US"
OTHER_SUBJECT = "/O=Paddock Tests/CN=other, with a comma"
OTHER_ID = "CN=other\\, with a comma,O=Paddock Tests"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN=Paddock Test {name}", cwd=d)


def make_cert(d, name, subject, ca, days=2, extfile=None):
    """A key and a certificate signed by `ca`; also `name`-keystore.pem, the two in one file
    (what ssl.keyStore.type=PEM takes)."""
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=d)
    args = ["x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", f"{name}.crt", "-days", str(days)]
    if extfile:
        args += ["-extfile", extfile]
    openssl(*args, cwd=d)
    with open(os.path.join(d, f"{name}-keystore.pem"), "w") as out:
        for part in (f"{name}.key", f"{name}.crt"):
            with open(os.path.join(d, part)) as f:
                out.write(f.read())


def make_expired_cert(d, name, subject, ca):
    """A certificate whose validity ended in 2021: `openssl ca` sets the dates explicitly."""
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=d)
    db = os.path.join(d, "cadb")
    os.makedirs(db, exist_ok=True)
    open(os.path.join(db, "index.txt"), "w").close()
    with open(os.path.join(db, "serial"), "w") as f:
        f.write("1000\n")
    conf = os.path.join(d, "ca.cnf")
    with open(conf, "w") as f:
        f.write(f"""[ca]
default_ca = test_ca
[test_ca]
database = {db}/index.txt
serial = {db}/serial
new_certs_dir = {db}
default_md = sha256
policy = anything
[anything]
commonName = supplied
organizationName = optional
""")
    openssl("ca", "-batch", "-config", conf, "-cert", f"{ca}.pem", "-keyfile", f"{ca}.key",
            "-in", f"{name}.csr", "-out", f"{name}.crt", "-notext",
            "-startdate", "20200101000000Z", "-enddate", "20210101000000Z", cwd=d)


@pytest.fixture(scope="module")
def pki():
    d = tempfile.mkdtemp(prefix="paddock-tls-")
    make_ca(d, "ca")
    make_ca(d, "otherca")
    ext = os.path.join(d, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    make_cert(d, "server", "/CN=localhost", "ca", extfile=ext)
    make_cert(d, "client", CLIENT_SUBJECT, "ca")
    make_cert(d, "other", OTHER_SUBJECT, "ca")
    make_cert(d, "stranger", "/CN=stranger", "otherca")
    make_expired_cert(d, "expired", "/O=Paddock Tests/CN=expired", "ca")
    openssl("pkcs12", "-export", "-in", "server.crt", "-inkey", "server.key",
            "-out", "server.p12", "-passout", "pass:secret", cwd=d)
    yield d
    subprocess.run(["rm", "-rf", d], check=False)


class TlsServer(harness.Server):
    """A server with the plaintext port (the harness waits on it) and a secure port."""

    def __init__(self, pki_dir, **ssl_config):
        self.secure_port = harness.free_port()
        config = {
            "secureClientPort": str(self.secure_port),
            "secureClientPortAddress": "127.0.0.1",
            "ssl.keyStore.location": os.path.join(pki_dir, "server-keystore.pem"),
            "ssl.keyStore.type": "PEM",
            "ssl.trustStore.location": os.path.join(pki_dir, "ca.pem"),
            "ssl.trustStore.type": "PEM",
        }
        if harness.TARGET == "zookeeper":
            config["serverCnxnFactory"] = "org.apache.zookeeper.server.NettyServerCnxnFactory"
            config["authProvider.x509"] = X509_PROVIDER
        config.update(ssl_config)
        super().__init__(extra_config=config)
        self.secure_hosts = f"127.0.0.1:{self.secure_port}"

    def command(self):
        cmd = super().command()
        if harness.TARGET == "zookeeper":
            cmd[cmd.index(harness.ZK_CLASSPATH)] = CLASSPATH
        return cmd

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


@pytest.fixture
def server(pki):
    s = TlsServer(pki).start()
    yield s
    s.stop()
    s.cleanup()


def tls_kazoo(server, pki, name="client", **kw):
    return harness.kazoo_client(server.secure_hosts, use_ssl=True,
                                ca=os.path.join(pki, "ca.pem"),
                                certfile=os.path.join(pki, f"{name}.crt"),
                                keyfile=os.path.join(pki, f"{name}.key"), **kw)


def connect_request():
    """A ZooKeeper ConnectRequest frame (protocol 0, timeout 10 s, no session)."""
    body = struct.pack(">iqiiq", 0, 0, 10000, 0, 0) + struct.pack(">i", 16) + b"\0" * 16
    return struct.pack(">i", len(body)) + body


def tls_handshake(server, pki, cert=None, timeout=5.0):
    """A TLS 1.2 connection to the secure port with `cert` (a name from pki, or None), then a
    ConnectRequest; returns the first bytes of the answer, or raises what the client saw
    (ssl.SSLError, ConnectionError) when the server refused."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_verify_locations(os.path.join(pki, "ca.pem"))
    if cert:
        ctx.load_cert_chain(os.path.join(pki, f"{cert}.crt"), os.path.join(pki, f"{cert}.key"))
    raw = socket.create_connection(("127.0.0.1", server.secure_port), timeout=timeout)
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        s.sendall(connect_request())
        data = s.recv(4)
        if not data:
            raise ConnectionError("closed by the server")
        return data


def wait_for_log(server, pattern, timeout=10.0):
    """Waits for the server's log line. Only for Paddock: Debian's ZooKeeper, started as the
    harness starts it, has no SLF4J binding on its classpath and logs nothing."""
    import re
    if harness.TARGET == "zookeeper":
        return
    harness.wait_for(lambda: re.search(pattern, server.log_text()) is not None, timeout=timeout,
                     what=f"a log line matching {pattern!r}")


def test_kazoo_reads_and_writes_over_tls(server, pki):
    with tls_kazoo(server, pki) as zk:
        zk.create("/tls", b"secret")
        assert zk.get("/tls")[0] == b"secret"
        zk.set("/tls", b"changed")
        # Large replies (several TLS records each), many at once.
        big = os.urandom(900 * 1024)
        zk.create("/tls-big", big)
        results = [zk.get_async("/tls-big") for _ in range(20)]
        assert all(r.get(timeout=30)[0] == big for r in results)
    # The same data through the plaintext port, side by side.
    with harness.kazoo_client(server) as zk:
        assert zk.get("/tls")[0] == b"changed"


def test_zkcli_over_tls(server, pki):
    flags = ["-Dzookeeper.client.secure=true",
             "-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
             f"-Dzookeeper.ssl.keyStore.location={pki}/client-keystore.pem",
             "-Dzookeeper.ssl.keyStore.type=PEM",
             f"-Dzookeeper.ssl.trustStore.location={pki}/ca.pem",
             "-Dzookeeper.ssl.trustStore.type=PEM"]
    cli = ["java", "-Xmx256m", *flags, "-cp", CLASSPATH, "org.apache.zookeeper.ZooKeeperMain",
           "-server", server.secure_hosts]
    out = subprocess.run(cli + ["create", "/from-zkcli", "over-tls"], capture_output=True,
                         text=True, timeout=60)
    assert "Created /from-zkcli" in out.stdout + out.stderr, out.stdout + out.stderr
    out = subprocess.run(cli + ["get", "/from-zkcli"], capture_output=True, text=True, timeout=60)
    assert "over-tls" in out.stdout, out.stdout + out.stderr


def test_certificate_from_another_ca_is_rejected(server, pki):
    with pytest.raises((ssl.SSLError, ConnectionError)):
        tls_handshake(server, pki, cert="stranger")
    wait_for_log(server, r"TLS handshake with 127\.0\.0\.1:\d+ failed: client certificate "
                 r"rejected: unable to get local issuer certificate")
    assert server.alive()


def test_expired_certificate_is_rejected(server, pki):
    with pytest.raises((ssl.SSLError, ConnectionError)):
        tls_handshake(server, pki, cert="expired")
    wait_for_log(server, r"TLS handshake with 127\.0\.0\.1:\d+ failed: client certificate "
                 r"rejected: certificate has expired")
    assert server.alive()


def test_no_client_certificate_is_rejected_when_needed(server, pki):
    with pytest.raises((ssl.SSLError, ConnectionError)):
        tls_handshake(server, pki, cert=None)
    wait_for_log(server, r"TLS handshake with 127\.0\.0\.1:\d+ failed: .*peer did not return "
                 r"a certificate")
    # The right certificate still gets in.
    assert len(tls_handshake(server, pki, cert="client")) == 4


def test_plaintext_client_on_secure_port_is_closed(server, pki):
    with socket.create_connection(("127.0.0.1", server.secure_port), timeout=10) as s:
        s.sendall(connect_request())
        deadline = time.monotonic() + 10
        got = b""
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(4096)
            except ConnectionResetError:
                break
            if not chunk:
                break
            got += chunk
        else:
            pytest.fail("the secure port kept a plaintext connection open")
        # Whatever came back (a TLS alert at most) is not a ZooKeeper ConnectResponse.
        assert not got or got[0] in (0x15, 0x16), got
    wait_for_log(server, r"TLS handshake with 127\.0\.0\.1:\d+ failed: .*plaintext client")
    # Garbage of every length does not hurt the server either.
    for garbage in (b"\x16\x03\x01\x00\x05hello", b"\x16\x03\x03\xff\xff" + os.urandom(64),
                    os.urandom(3), b"ruok"):
        with socket.create_connection(("127.0.0.1", server.secure_port), timeout=10) as s:
            s.sendall(garbage)
            s.settimeout(10)
            try:
                while s.recv(4096):
                    pass
            except (ConnectionResetError, socket.timeout):
                pass
    assert server.alive()
    with tls_kazoo(server, pki) as zk:
        zk.create("/still-serving", b"yes")
    assert server.four_letter("ruok") == "imok"


def test_x509_acl(server, pki):
    acl = make_acl("x509", CLIENT_ID, all=True)
    with tls_kazoo(server, pki) as zk:
        zk.create("/x509-only", b"mine", acl=[acl])
        assert zk.get("/x509-only")[0] == b"mine"
        assert zk.get_acls("/x509-only")[0][0].id.id == CLIENT_ID
        zk.set("/x509-only", b"still mine")
        # The session knows the client's own address too: ip ACLs work over TLS.
        zk.create("/ip-only", b"local", acl=[make_acl("ip", "127.0.0.1", all=True)])
        assert zk.get("/ip-only")[0] == b"local"
        zk.create("/ip-other", b"", acl=[make_acl("ip", "10.1.2.3", all=True)])
        with pytest.raises(NoAuthError):
            zk.get("/ip-other")
    # Another certificate of the same CA is another identity; plaintext has none.
    with tls_kazoo(server, pki, name="other") as zk:
        with pytest.raises(NoAuthError):
            zk.get("/x509-only")
        # Its own subject, as RFC 2253 escapes it, is its id.
        zk.create("/x509-other", b"", acl=[make_acl("x509", OTHER_ID, read=True, admin=True)])
        zk.get("/x509-other")
    with harness.kazoo_client(server) as zk:
        with pytest.raises(NoAuthError):
            zk.get("/x509-only")


def test_pkcs12_key_store(pki):
    s = TlsServer(pki, **{"ssl.keyStore.location": os.path.join(pki, "server.p12"),
                          "ssl.keyStore.type": "PKCS12",
                          "ssl.keyStore.password": "secret"}).start()
    try:
        with tls_kazoo(s, pki) as zk:
            zk.create("/p12", b"ok")
    finally:
        s.stop()
        s.cleanup()


def test_client_auth_none_serves_without_certificate(pki):
    s = TlsServer(pki, **{"ssl.clientAuth": "none"}).start()
    try:
        assert len(tls_handshake(s, pki, cert=None)) == 4
    finally:
        s.stop()
        s.cleanup()


@pytest.mark.skipif(harness.TARGET == "zookeeper", reason="ZooKeeper reads JKS key stores")
def test_jks_key_store_is_refused_naming_the_key(pki):
    s = TlsServer(pki, **{"ssl.keyStore.location": os.path.join(pki, "server.jks"),
                          "ssl.keyStore.type": "JKS"})
    with pytest.raises(RuntimeError) as err:
        s.start(timeout=10)
    s.cleanup()
    assert "ssl.keyStore.type" in str(err.value) and "JKS" in str(err.value)


@pytest.mark.skipif(harness.TARGET == "zookeeper", reason="Paddock's start-up check")
def test_missing_key_store_file_is_a_start_up_error(pki):
    s = TlsServer(pki, **{"ssl.keyStore.location": os.path.join(pki, "nowhere.pem")})
    with pytest.raises(RuntimeError) as err:
        s.start(timeout=10)
    s.cleanup()
    assert "ssl.keyStore.location" in str(err.value) and "nowhere.pem" in str(err.value)


def test_client_auth_want(pki):
    """ssl.clientAuth=want: a certificate sent is checked and gives the x509 id."""
    s = TlsServer(pki, **{"ssl.clientAuth": "want"}).start()
    try:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            tls_handshake(s, pki, cert="stranger")
        with tls_kazoo(s, pki) as zk:
            zk.create("/want", b"", acl=[make_acl("x509", CLIENT_ID, all=True)])
            zk.get("/want")
        # Without a certificate: served (with no x509 id), by both.
        assert len(tls_handshake(s, pki, cert=None)) == 4
    finally:
        s.stop()
        s.cleanup()


@pytest.mark.skipif(harness.TARGET == "zookeeper",
                    reason="ZooKeeper's cons lists only the connections of the port it is asked "
                           "on (each port has its own connection factory)")
def test_cons_shows_the_tls_client_address(server, pki):
    with tls_kazoo(server, pki) as zk:
        zk.get("/")
        local_port = zk._connection._socket.getsockname()[1]
        assert f"/127.0.0.1:{local_port}[" in server.four_letter("cons")


class SecureOnlyServer(TlsServer):
    """secureClientPort and no clientPort: the server has no plaintext client port."""

    def __init__(self, pki_dir, **ssl_config):
        super().__init__(pki_dir, **ssl_config)
        self.pki = pki_dir
        del self.config["clientPort"], self.config["clientPortAddress"]
        with open(self.cfg_path, "w") as f:
            for k, v in self.config.items():
                f.write(f"{k}={v}\n")

    def _serving(self):
        try:
            return len(tls_handshake(self, self.pki, cert="client", timeout=2.0)) == 4
        except (OSError, ssl.SSLError):
            return False


def test_secure_port_only(pki):
    s = SecureOnlyServer(pki).start()
    try:
        with tls_kazoo(s, pki) as zk:
            zk.create("/secure-only", b"ok")
            assert zk.get("/secure-only")[0] == b"ok"
        # Nothing listens where the plaintext port would have been.
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", s.port), timeout=5).close()
    finally:
        s.stop()
        s.cleanup()


@pytest.mark.skipif(harness.TARGET == "zookeeper",
                    reason="ZooKeeper's Netty factory has its own handshake timeout keys")
def test_silent_client_on_secure_port_is_closed_after_the_timeout(pki):
    s = TlsServer(pki, **{"nio.sessionlessCnxnTimeout": "1000"}).start()
    try:
        with socket.create_connection(("127.0.0.1", s.secure_port), timeout=10) as c:
            started = time.monotonic()
            assert c.recv(16) == b""  # closed by the server, not by our timeout
            assert time.monotonic() - started < 5
        wait_for_log(s, r"TLS handshake with 127\.0\.0\.1:\d+ failed: not done within 1000 ms")
        assert s.alive()
    finally:
        s.stop()
        s.cleanup()


def test_close_session_reply_arrives_before_the_close(server, pki):
    """The server writes its reply to closeSession and closes: over TLS the reply still comes
    first, then the end of the connection."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(os.path.join(pki, "ca.pem"))
    ctx.load_cert_chain(os.path.join(pki, "client.crt"), os.path.join(pki, "client.key"))
    raw = socket.create_connection(("127.0.0.1", server.secure_port), timeout=10)
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        s.sendall(connect_request())
        got = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
            if len(got) >= 4 and len(got) >= 4 + struct.unpack(">i", got[:4])[0]:
                (n,) = struct.unpack(">i", got[:4])
                got = got[4 + n:]
                s.sendall(struct.pack(">iii", 8, 1, -11))  # closeSession, xid 1
                break
        rest = b""
        while True:
            try:
                chunk = s.recv(4096)
            except ssl.SSLError:
                break
            if not chunk:
                break
            rest += chunk
    reply = got + rest
    assert len(reply) >= 20, reply
    (length, xid, _zxid, err) = struct.unpack(">iiqi", reply[:20])
    assert (xid, err) == (1, 0)


def server_cert_serial(server, pki):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(os.path.join(pki, "ca.pem"))
    ctx.load_cert_chain(os.path.join(pki, "client.crt"), os.path.join(pki, "client.key"))
    raw = socket.create_connection(("127.0.0.1", server.secure_port), timeout=10)
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        return s.getpeercert()["serialNumber"]


@pytest.mark.skipif(harness.TARGET == "zookeeper",
                    reason="ZooKeeper 3.8 reloads certificates only for the quorum "
                           "(sslQuorumReloadCertFiles), not for the client port")
def test_certificates_reload_when_their_files_change(pki):
    d = tempfile.mkdtemp(prefix="paddock-tls-reload-", dir=pki)
    keystore = os.path.join(d, "keystore.pem")
    with open(os.path.join(pki, "server-keystore.pem")) as f, open(keystore, "w") as out:
        out.write(f.read())
    s = TlsServer(pki, **{"ssl.keyStore.location": keystore}).start()
    try:
        before = server_cert_serial(s, pki)
        with tls_kazoo(s, pki) as zk:
            zk.create("/before-reload", b"")
            # A new server certificate, put in place by rename as a deployment would.
            ext = os.path.join(pki, "server.ext")
            make_cert(d, "renewed", "/CN=localhost", os.path.join("..", "ca"), extfile=ext)
            os.rename(os.path.join(d, "renewed-keystore.pem"), keystore)
            harness.wait_for(lambda: server_cert_serial(s, pki) != before, timeout=10,
                             what="a handshake with the renewed certificate")
            wait_for_log(s, r"secure client port: certificates reloaded")
            # The connection made before the reload goes on.
            zk.create("/after-reload", b"")
        # A broken file is not taken: the renewed certificate stays in use.
        renewed = server_cert_serial(s, pki)
        with open(keystore + ".tmp", "w") as f:
            f.write("not a certificate\n")
        os.rename(keystore + ".tmp", keystore)
        wait_for_log(s, r"certificate files changed but cannot be used; keeping the previous")
        assert server_cert_serial(s, pki) == renewed
    finally:
        s.stop()
        s.cleanup()


def tls13_handshake(server, pki):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(os.path.join(pki, "ca.pem"))
    ctx.load_cert_chain(os.path.join(pki, "client.crt"), os.path.join(pki, "client.key"))
    raw = socket.create_connection(("127.0.0.1", server.secure_port), timeout=10)
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        s.sendall(connect_request())
        return s.version(), s.recv(4)


def test_protocol_versions(server, pki):
    # ssl.protocol's default, TLSv1.2, is the only version enabled (as ZooKeeper 3.8).
    with pytest.raises((ssl.SSLError, ConnectionError)):
        tls13_handshake(server, pki)
    # ssl.enabledProtocols does not go above ssl.protocol (Java's SSLContext of that name).
    s = TlsServer(pki, **{"ssl.enabledProtocols": "TLSv1.2,TLSv1.3"}).start()
    try:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            tls13_handshake(s, pki)
    finally:
        s.stop()
        s.cleanup()
    # ZooKeeper 3.8.0's default cipher suites are TLS 1.2 ones only: TLS 1.3 needs its own
    # suites listed there (Paddock's default, OpenSSL's, has them).
    s = TlsServer(pki, **{"ssl.protocol": "TLSv1.3",
                          "ssl.enabledProtocols": "TLSv1.2,TLSv1.3",
                          "ssl.ciphersuites": "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,"
                                              "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}).start()
    try:
        version, first = tls13_handshake(s, pki)
        assert version == "TLSv1.3" and len(first) == 4
        with tls_kazoo(s, pki) as zk:  # kazoo takes the highest: TLS 1.3
            zk.create("/tls13", b"")
    finally:
        s.stop()
        s.cleanup()


def test_four_letter_word_over_tls(server, pki):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(os.path.join(pki, "ca.pem"))
    ctx.load_cert_chain(os.path.join(pki, "client.crt"), os.path.join(pki, "client.key"))
    raw = socket.create_connection(("127.0.0.1", server.secure_port), timeout=10)
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        s.sendall(b"ruok")
        answer = b""
        try:
            while True:
                chunk = s.recv(64)
                if not chunk:
                    break
                answer += chunk
        except (ssl.SSLError, ConnectionResetError):
            pass
    assert answer == b"imok"
