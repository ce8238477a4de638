"""Certificates for TLS between servers (sslQuorum=true), made with the openssl command.

ensemble.py uses it for Ensemble(n, quorum_tls=True); test_quorum_tls.py for the cases that
must fail (a server signed by another CA). Every key store is ZooKeeper 3.8's PEM key store
(the private key and the certificate chain in one file, ssl.quorum.keyStore.type=PEM), which
both Paddock and ZooKeeper read.
"""
import os
import subprocess

# Debian's ZooKeeper 3.8.0 did not form a TLS quorum under the test harness here: each
# server's election listener accepts the first TLS connection, then leaves ("As I'm leaving
# the listener thread, I won't be able to participate in leader election any longer"), with
# tickTime 200 and 2000 alike. Until that is understood the TLS-quorum cases run against
# Paddock only.
ZOOKEEPER_SKIP_REASON = ("Debian's ZooKeeper 3.8.0 forms no TLS quorum under this harness "
                         "(its election listener leaves after the first TLS connection)")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_ca(d, name):
    """`name`.pem (a self-signed CA certificate) and `name`.key, in directory d."""
    if os.path.exists(os.path.join(d, f"{name}.pem")):
        return
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN=Paddock Quorum Test {name}", cwd=d)


def make_server_cert(d, name, ca):
    """`name`-keystore.pem: a new key and its certificate for 127.0.0.1, signed by `ca`."""
    ext = os.path.join(d, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=d)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", "-extfile", ext, cwd=d)
    path = os.path.join(d, f"{name}-keystore.pem")
    with open(path, "w") as out:
        for part in (f"{name}.key", f"{name}.crt"):
            with open(os.path.join(d, part)) as f:
                out.write(f.read())
    return path


def quorum_tls_config(d, name, ca="ca"):
    """The zoo.cfg keys of one server of a TLS quorum: its key store, the CA it trusts."""
    return {
        "sslQuorum": "true",
        "ssl.quorum.keyStore.location": os.path.join(d, f"{name}-keystore.pem"),
        "ssl.quorum.keyStore.type": "PEM",
        "ssl.quorum.trustStore.location": os.path.join(d, f"{ca}.pem"),
        "ssl.quorum.trustStore.type": "PEM",
        # Paddock checks the chain only (never the host name) and refuses true; ZooKeeper
        # is told the same, so both targets run one configuration.
        "ssl.quorum.hostnameVerification": "false",
    }
