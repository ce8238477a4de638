"""pytest fixtures: a server per module (or per test), and kazoo clients that always stop."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


def _server(extra=None):
    srv = harness.Server(extra).start()
    return srv


def _finish(srv):
    crashed = not srv.alive()
    tail = srv.log_tail() if crashed else ""
    srv.cleanup()
    # A server that died on its own is a failure even if every test passed.
    assert not crashed, f"the server process died during the tests:\n{tail}"


@pytest.fixture(scope="module")
def server():
    srv = _server()
    yield srv
    _finish(srv)


@pytest.fixture
def fresh_server():
    srv = _server()
    yield srv
    _finish(srv)


@pytest.fixture
def server_with():
    """server_with({"key": "value"}) starts a server with extra zoo.cfg keys."""
    started = []

    def start(extra):
        srv = _server(extra)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        _finish(srv)


@pytest.fixture
def client(server):
    from kazoo.client import KazooClient
    clients = []

    def make(srv=None, **kwargs):
        kwargs.setdefault("timeout", 10.0)
        zk = KazooClient(hosts=(srv or server).hosts, **kwargs)
        zk.start(timeout=15)
        clients.append(zk)
        return zk

    yield make
    for zk in clients:
        try:
            zk.stop()
            zk.close()
        except Exception:
            pass


@pytest.fixture
def zk(client):
    return client()
