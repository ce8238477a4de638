"""pytest fixtures: a server per module (or per test), kazoo clients that always stop, a time
limit on every test (pytest-timeout is not installed here), and the server log's tail in the
report of every failing test.

Fixtures:
  server         one server for the whole module
  fresh_server   a server of its own for one test
  server_with    server_with({"zoo.cfg key": "value"}) starts extra servers for one test
  client         client(srv=None, **kazoo_kwargs) -> started KazooClient (default: `server`)
  zk             one started KazooClient on `server`
Marker:
  @pytest.mark.time_limit(seconds)   overrides the default per-test limit
"""
import os
import signal
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

# Seconds per test call; Java is slower to do everything, so it gets more.
DEFAULT_LIMIT = float(os.environ.get("PADDOCK_TEST_TIME_LIMIT",
                                     "120" if harness.TARGET == "zookeeper" else "60"))


def pytest_configure(config):
    config.addinivalue_line("markers", "time_limit(seconds): per-test wall-clock limit")


class TestTimeLimit(Exception):
    pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    marker = item.get_closest_marker("time_limit")
    limit = float(marker.args[0]) if marker else DEFAULT_LIMIT

    def expired(signum, frame):
        raise TestTimeLimit(f"test exceeded its time limit of {limit} s")

    # SIGALRM interrupts the main thread even inside a blocking join/wait/recv.
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    seen = set()
    for value in getattr(item, "funcargs", {}).values():
        servers = value if isinstance(value, list) else [value]
        for srv in servers:
            # An ensemble (ensemble.py) reports each of its servers.
            for one in getattr(srv, "members", [srv]):
                if hasattr(one, "log_tail") and hasattr(one, "log_path") and id(one) not in seen:
                    seen.add(id(one))
                    state = ("running" if one.alive()
                             else f"exited ({one.proc and one.proc.returncode})")
                    report.sections.append((f"server log {one.log_path} [{state}]",
                                            one.log_tail(60)))


def _finish(srv):
    crashed = not srv.alive() and not srv.stopped_on_purpose
    tail = srv.log_tail() if crashed else ""
    code = srv.proc.returncode if srv.proc else None
    srv.cleanup()
    # A server that died on its own is a failure even if every test passed.
    assert not crashed, f"the server process died (exit {code}) during the tests:\n{tail}"


@pytest.fixture(scope="module")
def server():
    srv = harness.Server().start()
    yield srv
    _finish(srv)


@pytest.fixture
def fresh_server():
    srv = harness.Server().start()
    yield srv
    _finish(srv)


@pytest.fixture
def server_with():
    """server_with({"key": "value"}) starts a server with extra zoo.cfg keys."""
    started = []

    def start(extra):
        srv = harness.Server(extra)
        started.append(srv)
        return srv.start()

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
        clients.append(zk)
        zk.start(timeout=15)
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
