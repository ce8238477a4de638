"""ACL enforcement as ZooKeeper 3.8 does it: digest and ip schemes, the auth scheme, each
permission bit checked by the operation that needs it (reads included), failed auth."""
import pytest
from kazoo.exceptions import AuthFailedError, InvalidACLError, NoAuthError
from kazoo.security import OPEN_ACL_UNSAFE, make_acl, make_digest_acl

DIGEST_ALL = [make_digest_acl("user", "pw", all=True)]


@pytest.fixture
def owner(client):
    zk = client()
    zk.add_auth("digest", "user:pw")
    return zk


def test_digest_acl_guards_every_operation_but_exists_and_sync(owner, client):
    stranger = client()
    owner.create("/acl-d", b"secret", acl=DIGEST_ALL)
    owner.create("/acl-d/kid", b"k")
    assert owner.get("/acl-d")[0] == b"secret"
    for read in (lambda: stranger.get("/acl-d"),
                 lambda: stranger.get_children("/acl-d"),
                 lambda: stranger.get_children("/acl-d", include_data=True),
                 lambda: stranger.get_acls("/acl-d")):
        with pytest.raises(NoAuthError):
            read()
    for write in (lambda: stranger.set("/acl-d", b"x"),
                  lambda: stranger.set_acls("/acl-d", OPEN_ACL_UNSAFE),
                  lambda: stranger.create("/acl-d/new"),
                  lambda: stranger.delete("/acl-d/kid")):
        with pytest.raises(NoAuthError):
            write()
    # exists and sync are not guarded by ACLs in ZooKeeper.
    assert stranger.exists("/acl-d").dataLength == 6
    assert stranger.sync("/acl-d") == "/acl-d"
    t = stranger.transaction()
    t.set_data("/acl-d", b"x")
    assert [type(r) for r in t.commit()] == [NoAuthError]
    assert owner.get("/acl-d")[0] == b"secret"
    assert owner.get_children("/acl-d") == ["kid"]


def test_the_same_credentials_on_another_session(owner, client):
    owner.create("/acl-same", b"v", acl=DIGEST_ALL)
    friend = client()
    friend.add_auth("digest", "user:pw")
    assert friend.get("/acl-same")[0] == b"v"
    impostor = client()
    impostor.add_auth("digest", "user:wrong")
    with pytest.raises(NoAuthError):
        impostor.get("/acl-same")


def test_each_permission_bit(owner, client):
    other = client()
    owner.create("/acl-w", b"w", acl=[make_acl("world", "anyone", write=True)])
    with pytest.raises(NoAuthError):
        other.get("/acl-w")
    assert other.set("/acl-w", b"z").version == 1
    owner.create("/acl-r", b"r", acl=[make_acl("world", "anyone", read=True)])
    assert other.get("/acl-r")[0] == b"r"
    with pytest.raises(NoAuthError):
        other.set("/acl-r", b"x")
    with pytest.raises(NoAuthError):
        other.create("/acl-r/kid")
    # Deleting needs DELETE on the parent, not on the node.
    other.delete("/acl-r")
    owner.create("/acl-c", acl=[make_acl("world", "anyone", create=True, read=True)])
    other.create("/acl-c/kid")
    with pytest.raises(NoAuthError):
        other.delete("/acl-c/kid")
    with pytest.raises(NoAuthError):
        other.set_acls("/acl-c", OPEN_ACL_UNSAFE)


def test_ip_scheme(owner, client):
    other = client()
    owner.create("/acl-ip-local", b"i", acl=[make_acl("ip", "127.0.0.1", all=True)])
    assert other.get("/acl-ip-local")[0] == b"i"
    owner.create("/acl-ip-net", b"i", acl=[make_acl("ip", "127.0.0.0/8", read=True)])
    assert other.get("/acl-ip-net")[0] == b"i"
    owner.create("/acl-ip-far", b"i", acl=[make_acl("ip", "10.0.0.0/8", all=True)])
    with pytest.raises(NoAuthError):
        other.get("/acl-ip-far")


def test_auth_scheme_expands_to_the_sessions_identities(owner, client):
    owner.create("/acl-auth", acl=[make_acl("auth", "", all=True)])
    acls, _ = owner.get_acls("/acl-auth")
    assert [(a.perms, a.id.scheme, a.id.id) for a in acls] == [
        (31, "digest", DIGEST_ALL[0].id.id)]
    # Without any identity the auth scheme is an invalid ACL.
    with pytest.raises(InvalidACLError):
        client().create("/acl-auth-none", acl=[make_acl("auth", "", all=True)])


def test_invalid_acls(zk):
    with pytest.raises(InvalidACLError):
        zk.create("/acl-bad", acl=[make_acl("nosuchscheme", "x", all=True)])
    with pytest.raises(InvalidACLError):
        zk.create("/acl-bad-digest", acl=[make_acl("digest", "no-colon", all=True)])
    with pytest.raises(InvalidACLError):
        zk.create("/acl-bad-ip", acl=[make_acl("ip", "not-an-address", all=True)])
    zk.create("/acl-ok")
    with pytest.raises(InvalidACLError):
        zk.set_acls("/acl-ok", [make_acl("nosuchscheme", "x", all=True)])
    assert zk.get_acls("/acl-ok")[1].aversion == 0
    # (kazoo turns an empty ACL list into the default one, so that case needs a raw client.)
    assert zk.exists("/acl-bad") is None and zk.exists("/acl-bad-digest") is None


def test_failed_auth_ends_the_session(client):
    zk = client()
    with pytest.raises(AuthFailedError):
        zk.add_auth("nosuchscheme", "x")
    with pytest.raises(AuthFailedError):
        zk.exists("/")
