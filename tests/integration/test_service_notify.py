"""systemd's notify protocol (paddock.service is Type=notify): the server sends READY=1 once
its client port listens — standalone after recovery; an ensemble member before it has a
leader, so that `systemctl start` on the first host of an ensemble does not wait for the
others — and STOPPING=1 when a SIGTERM stops it. A datagram socket of the test stands in for
systemd's. Paddock's own: ZooKeeper does not speak the protocol."""
import os
import signal
import socket

import pytest

import harness
from ensemble import Ensemble

pytestmark = pytest.mark.skipif(harness.TARGET != "paddock",
                                reason="ZooKeeper does not notify systemd")


@pytest.fixture
def notify_socket(tmp_path):
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(30)
    yield path, sock
    sock.close()


def next_message(sock):
    """{key: value} of the next datagram (its lines are KEY=value)."""
    return dict(line.split("=", 1) for line in sock.recv(4096).decode().split("\n") if line)


def test_standalone_ready_once_serving_and_stopping_on_sigterm(notify_socket):
    path, sock = notify_socket
    srv = harness.Server(extra_env={"NOTIFY_SOCKET": path})
    try:
        with harness.kazoo_client(srv.start()) as zk:
            zk.create("/before-ready-check", b"x")
        ready = next_message(sock)
        assert ready["READY"] == "1"
        assert ready["STATUS"] == f"serving clients on 127.0.0.1:{srv.port} (standalone)"
        # Recovery came first: the log says so before the port is opened.
        log = srv.log_tail(200)
        assert log.index("recovered zxid") < log.index("listening for ZooKeeper clients")
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=30) == 0
        stopping = next_message(sock)
        assert stopping == {"STOPPING": "1", "STATUS": "stopping on a signal"}
    finally:
        srv.cleanup()


def test_ensemble_member_ready_before_it_has_a_leader(notify_socket, monkeypatch):
    path, sock = notify_socket
    # ensemble.py's servers inherit the environment.
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    with Ensemble(3) as ens:
        ens.start_server(0, wait=False)  # alone: no quorum, no leader
        ready = next_message(sock)
        member = ens.server(0)
        assert ready["READY"] == "1"
        assert ready["STATUS"] == (f"ensemble member {member.sid} listening on "
                                   f"127.0.0.1:{member.client_port}; serves once a leader is "
                                   "established")
        assert ens.mode(0) is None, "a lone member of three cannot have a leader"
        ens.stop_server(0)
        assert next_message(sock)["STOPPING"] == "1"
