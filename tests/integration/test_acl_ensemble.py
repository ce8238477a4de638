"""ACLs through a follower of a 3-server ensemble behave as on the leader: the ids a write
carries are checked where the txn is applied, addauth and whoAmI are answered by the server
the client is attached to, digest ids are masked the same way. One ensemble for the module:
ensembles are slow to start. Runs against Paddock and ZooKeeper 3.8.0 alike."""
import pytest
from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError
from kazoo.security import OPEN_ACL_UNSAFE, make_acl, make_digest_acl

import raw_zk
from ensemble import Ensemble
from harness import TARGET
from harness import digest_id

START_TIMEOUT = 90 if TARGET == "zookeeper" else 30
SUPER = ("super", "ens-secret")


@pytest.fixture(scope="module")
def ens():
    with Ensemble(3, extra_config={"DigestAuthenticationProvider.superDigest":
                                   digest_id(*SUPER)}) as e:
        e.start(timeout=START_TIMEOUT)
        yield e


@pytest.fixture
def on(ens):
    """on(i) -> a started kazoo client attached to server i only."""
    clients = []

    def make(i):
        zk = KazooClient(hosts=ens.server(i).hosts, timeout=10.0)
        zk.start(timeout=20)
        clients.append(zk)
        return zk

    yield make
    for zk in clients:
        zk.stop()
        zk.close()


@pytest.mark.time_limit(180)
def test_acls_on_a_follower_match_the_leader(ens, on):
    leader = ens.leader()
    follower = ens.followers()[0]
    owner = on(follower)
    owner.add_auth("digest", "own:pw")
    owner.create("/ens-acl", b"v", acl=[make_digest_acl("own", "pw", all=True),
                                        make_acl("world", "anyone", read=True)])
    owner.create("/ens-acl/kid", b"")
    for i in (leader, follower):
        stranger = on(i)
        stranger.sync("/ens-acl")
        assert stranger.get("/ens-acl")[0] == b"v"
        acls, st = stranger.get_acls("/ens-acl")
        # No ADMIN: the digest comes back masked.
        assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == \
            [(31, "digest", "own:x"), (1, "world", "anyone")]
        for write in (lambda: stranger.set("/ens-acl", b"x"),
                      lambda: stranger.create("/ens-acl/new"),
                      lambda: stranger.delete("/ens-acl/kid"),
                      lambda: stranger.set_acls("/ens-acl", OPEN_ACL_UNSAFE)):
            with pytest.raises(NoAuthError):
                write()
        t = stranger.transaction()
        t.create("/ens-free")
        t.set_data("/ens-acl", b"x")
        assert [type(r).__name__ for r in t.commit()] == ["RolledBackError", "NoAuthError"]
        assert stranger.exists("/ens-free") is None
        # The same credentials on this server: the owner's rights.
        stranger.add_auth("digest", "own:pw")
        acls, _ = stranger.get_acls("/ens-acl")
        assert acls[0].id.id == digest_id("own", "pw")
        stranger.set("/ens-acl", b"v")
    # The super digest is every server's setting.
    root = on(follower)
    root.add_auth("digest", "{}:{}".format(*SUPER))
    root.set_acls("/ens-acl", [make_acl("world", "anyone", read=True)])
    with pytest.raises(NoAuthError):
        owner.set("/ens-acl", b"z")
    root.delete("/ens-acl/kid")
    root.delete("/ens-acl")


@pytest.mark.time_limit(60)
def test_who_am_i_on_each_server(ens):
    for i in range(3):
        srv = ens.server(i)
        conn = raw_zk.Conn(srv.host, srv.port)
        try:
            assert conn.handshake() is not None
            assert raw_zk.add_auth(conn, "digest", "w:pw") == 0
            err, infos = raw_zk.who_am_i(conn)
            assert err == 0
            assert sorted(infos) == [("digest", "w"), ("ip", "127.0.0.1")]
        finally:
            conn.close()
