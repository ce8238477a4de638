"""The AdminServer: ZooKeeper's HTTP commands (GET /commands/<name>) and their JSON.

The same file runs against Paddock and against Debian's ZooKeeper 3.8 (PADDOCK_TARGET=
zookeeper): every command's keys and value types are checked against one schema. Keys that
ZooKeeper reports and Paddock leaves out (JVM figures, counters Paddock does not keep) are
listed in ZOOKEEPER_ONLY: against ZooKeeper they must be there too, so the lists stay true.
"""
import json
import socket
import time
import urllib.error
import urllib.request

import pytest

import harness
from ensemble import Ensemble
from harness import TARGET, free_port, kazoo_client, wait_for

ZOOKEEPER = TARGET == "zookeeper"

# Every primary name Paddock serves, as /commands lists it.
COMMANDS = ["configuration", "connection_stat_reset", "connections", "dirs", "dump",
            "environment", "initial_configuration", "is_read_only", "last_snapshot", "leader",
            "monitor", "ruok", "server_stats", "stat_reset", "stats", "system_properties",
            "voting_view", "watch_summary", "watches", "watches_by_path", "zabstate"]
# ZooKeeper's commands Paddock does not serve (docs/operator-guide.md says why).
ZOOKEEPER_ONLY_COMMANDS = ["get_trace_mask", "hash", "observer_connection_stat_reset",
                           "observers", "set_trace_mask"]
ALIASES = {"conf": "configuration", "config": "configuration", "crst": "connection_stat_reset",
           "cons": "connections", "env": "environment", "envi": "environment",
           "icfg": "initial_configuration", "isro": "is_read_only", "lsnp": "last_snapshot",
           "lead": "leader", "mntr": "monitor", "srvr": "server_stats", "stat": "stats",
           "srst": "stat_reset", "sysp": "system_properties", "wchs": "watch_summary",
           "wchc": "watches", "wchp": "watches_by_path"}

INT, FLOAT, BOOL, STR, LIST, DICT, NULL = "int", "float", "bool", "str", "list", "dict", "null"


def kind(value):
    for name, t in ((BOOL, bool), (INT, int), (FLOAT, float), (STR, str), (LIST, list),
                    (DICT, dict)):
        if type(value) is t:
            return name
    return NULL


SERVER_STATS = {"packets_sent": INT, "packets_received": INT, "data_dir_size": INT,
                "log_dir_size": INT, "server_state": STR, "last_processed_zxid": INT,
                "outstanding_requests": INT, "avg_latency": FLOAT, "max_latency": INT,
                "min_latency": INT, "num_alive_client_connections": INT, "uptime": INT}
SERVER_STATS_ZOOKEEPER_ONLY = {"fsync_threshold_exceed_count", "client_response_stats",
                               "provider_null", "auth_failed_count",
                               "non_mtlsremote_conn_count", "non_mtlslocal_conn_count"}
SRVR = {"version": STR, "read_only": BOOL, "server_stats": DICT, "node_count": INT}
BRIEF_CONNECTION = {"remote_socket_address": STR, "outstanding_requests": INT,
                    "packets_received": INT, "packets_sent": INT}
FULL_CONNECTION = {**BRIEF_CONNECTION, "session_id": INT, "last_operation": STR,
                   "established": INT, "session_timeout": INT, "last_cxid": INT,
                   "last_zxid": INT, "last_response_time": INT, "last_latency": INT,
                   "min_latency": INT, "avg_latency": INT, "max_latency": INT}
CONNECTION_ZOOKEEPER_ONLY = {"interest_ops"}

# command -> {key: kind} of a standalone server's answer, "command" and "error" aside.
STANDALONE = {
    "configuration": {"client_port": INT, "data_dir": STR, "data_log_dir": STR,
                      "tick_time": INT, "max_client_cnxns": INT, "min_session_timeout": INT,
                      "max_session_timeout": INT, "server_id": INT,
                      "client_port_listen_backlog": INT},
    "connection_stat_reset": {},
    "connections": {"connections": LIST, "secure_connections": LIST},
    "dirs": {"datadir_size": INT, "logdir_size": INT},
    "dump": {"expiry_time_to_session_ids": DICT, "session_id_to_ephemeral_paths": DICT},
    "environment": {"zookeeper.version": STR, "host.name": STR, "os.name": STR,
                    "os.arch": STR, "os.version": STR, "user.name": STR, "user.home": STR,
                    "user.dir": STR},
    "initial_configuration": {"initial_configuration": STR},
    "is_read_only": {"read_only": BOOL},
    "last_snapshot": {"zxid": STR, "timestamp": INT},
    "leader": {},  # standalone: an error
    "ruok": {},
    "server_stats": SRVR,
    "stat_reset": {},
    "stats": {**SRVR, "connections": LIST, "secure_connections": LIST},
    "system_properties": {"file.separator": STR, "line.separator": STR, "os.arch": STR,
                          "os.name": STR, "os.version": STR, "path.separator": STR,
                          "user.dir": STR, "user.home": STR, "user.name": STR},
    "voting_view": {"current_config": DICT},
    "watch_summary": {"num_connections": INT, "num_paths": INT, "num_total_watches": INT},
    "watches": {"session_id_to_watched_paths": DICT},
    "watches_by_path": {"path_to_session_ids": DICT},
    "zabstate": {"voting": BOOL, "zabstate": STR},
}
# What ZooKeeper adds to a command's top level (JVM figures, counters Paddock does not keep).
ZOOKEEPER_ONLY = {
    "environment": {"java.version", "java.vendor", "java.home", "java.class.path",
                    "java.library.path", "java.io.tmpdir", "java.compiler", "os.memory.free",
                    "os.memory.max", "os.memory.total"},
    "server_stats": {"client_response"},
    "stats": {"client_response"},
    "system_properties": {"java.version", "java.home", "java.class.path", "java.vm.name",
                          "user.language", "user.timezone", "file.encoding"},
}
# Keys Paddock reports that ZooKeeper does not.
PADDOCK_ONLY = {"environment": {"paddock.version"}}
# monitor: mntr's keys without "zk_"; every one Paddock's mntr has must be in ZooKeeper's too.
MONITOR_COMMON = {"version": STR, "server_state": STR, "ephemerals_count": INT,
                  "num_alive_connections": INT, "avg_latency": FLOAT,
                  "outstanding_requests": INT, "znode_count": INT, "global_sessions": INT,
                  "packets_sent": INT, "packets_received": INT, "watch_count": INT,
                  "min_latency": INT, "max_file_descriptor_count": INT,
                  "approximate_data_size": INT, "open_file_descriptor_count": INT,
                  "local_sessions": INT, "uptime": INT, "max_latency": INT}


# -- helpers ----------------------------------------------------------------------------------

def http_get(port, path, timeout=15.0):
    """(status, body text, content type) of GET http://127.0.0.1:port/path."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, r.read().decode(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers.get("Content-Type", "")


def command(port, name):
    status, body, content_type = http_get(port, f"/commands/{name}")
    assert status == 200, (name, status, body)
    assert content_type.startswith("application/json"), content_type
    return json.loads(body)


def admin_config(port):
    return {"admin.enableServer": "true", "admin.serverAddress": "127.0.0.1",
            "admin.serverPort": str(port)}


def check_keys(name, answer, schema, zookeeper_only=frozenset(), paddock_only=frozenset()):
    """The answer's keys and kinds are the schema's ("command" and "error" aside); against
    ZooKeeper the answer has the ZooKeeper-only keys too, against Paddock nothing more."""
    keys = set(answer) - {"command", "error"}
    expected = set(schema)
    if ZOOKEEPER:
        assert expected | set(zookeeper_only) <= keys, (name, expected - keys)
    else:
        assert keys == expected | set(paddock_only), (name, keys ^ expected)
    for key, want in schema.items():
        assert kind(answer[key]) == want, (name, key, answer[key])


@pytest.fixture(scope="module")
def admin():
    """A standalone server with its AdminServer on a free port: (server, admin port)."""
    port = free_port()
    srv = harness.Server(admin_config(port)).start()
    try:
        wait_for(lambda: _answers(port), timeout=30, what="the AdminServer")
        yield srv, port
    finally:
        srv.cleanup()


def _answers(port):
    try:
        return http_get(port, "/commands/ruok", timeout=2)[0] == 200
    except OSError:
        return False


# -- standalone -------------------------------------------------------------------------------

def test_listing_names_every_command(admin):
    _, port = admin
    status, body, _ = http_get(port, "/commands")
    assert status == 200
    listed = [line[len('<a href="/commands/'):].split('"')[0]
              for line in body.splitlines() if line.startswith("<a href=")]
    assert listed == sorted(listed)
    expected = sorted(COMMANDS + ZOOKEEPER_ONLY_COMMANDS) if ZOOKEEPER else sorted(COMMANDS)
    assert listed == expected
    assert '<a href="/commands/ruok">ruok</a>\n<br/>\n' in body
    assert http_get(port, "/commands/")[1] == body


def test_every_command_answers_its_primary_name(admin):
    _, port = admin
    for name in COMMANDS:
        answer = command(port, name)
        assert answer["command"] == name, answer
        if name != "leader":
            assert answer["error"] is None, answer
    for alias, primary in ALIASES.items():
        assert command(port, alias)["command"] == primary, alias


def test_unknown_command_is_an_error_in_the_body(admin):
    _, port = admin
    assert command(port, "nosuch") == {"command": "nosuch", "error": "Unknown command: nosuch"}
    for name in ZOOKEEPER_ONLY_COMMANDS if not ZOOKEEPER else []:
        assert command(port, name)["error"] == f"Unknown command: {name}"
    assert http_get(port, "/")[0] == 404


def test_standalone_keys_and_types(admin):
    srv, port = admin
    with kazoo_client(srv) as zk:
        zk.ensure_path("/schema")
        zk.get("/schema", watch=lambda e: None)  # so the listings have an entry to check
        zk.create("/schema/e", ephemeral=True)
        check_standalone_schema(port)


def check_standalone_schema(port):
    for name, schema in STANDALONE.items():
        answer = command(port, name)
        check_keys(name, answer, schema, ZOOKEEPER_ONLY.get(name, ()),
                   PADDOCK_ONLY.get(name, ()))
    for name in ("server_stats", "stats"):
        check_keys(name, command(port, name)["server_stats"], SERVER_STATS,
                   SERVER_STATS_ZOOKEEPER_ONLY)
    brief = command(port, "stats")["connections"]
    full = command(port, "connections")["connections"]
    assert brief and full
    for c in brief:
        check_keys("stats connection", c, BRIEF_CONNECTION, CONNECTION_ZOOKEEPER_ONLY)
    for c in full:
        check_keys("connection", c, FULL_CONNECTION, CONNECTION_ZOOKEEPER_ONLY)
    leader = command(port, "leader")
    assert leader == {"command": "leader", "error": "server is not initialized"}
    assert list(leader) == ["error", "command"]  # as ZooKeeper orders a command's own error
    monitor = command(port, "monitor")
    for key, want in MONITOR_COMMON.items():
        assert kind(monitor[key]) == want, (key, monitor[key])


def test_monitor_is_mntr(admin):
    srv, port = admin
    if ZOOKEEPER:
        # ZooKeeper's monitor adds every metric of its metrics provider, beyond mntr's lines.
        pytest.skip("ZooKeeper's monitor is mntr plus its metrics provider's summaries")
    mntr = {}
    for line in srv.four_letter("mntr").splitlines():
        key, _, value = line.partition("\t")
        mntr[key[3:]] = value
    monitor = command(port, "monitor")
    assert set(monitor) - {"command", "error"} == set(mntr)
    steady = {"version", "server_state", "znode_count", "ephemerals_count", "watch_count",
              "approximate_data_size", "max_file_descriptor_count", "local_sessions"}
    for key in steady:
        value = monitor[key]
        assert (str(value) if not isinstance(value, float) else f"{value:.4f}") == mntr[key], key


def test_values_follow_the_data(admin):
    srv, port = admin
    before = command(port, "server_stats")["node_count"]
    with kazoo_client(srv) as zk:
        zk.create("/values")
        for i in range(4):
            zk.create(f"/values/n{i}", b"x")
        zk.create("/values/e", ephemeral=True)
        assert command(port, "server_stats")["node_count"] == before + 6
        assert command(port, "monitor")["znode_count"] == before + 6
        sid = zk.client_id[0]
        connections = command(port, "connections")["connections"]
        mine = [c for c in connections if c["session_id"] == sid]
        assert len(mine) == 1, connections
        assert mine[0]["remote_socket_address"].startswith("127.0.0.1:")
        assert mine[0]["session_timeout"] == 10000
        assert mine[0]["packets_received"] >= 6
        zk.get("/values/n1", watch=lambda e: None)
        zk.exists("/values/n2", watch=lambda e: None)
        watches = command(port, "watches")["session_id_to_watched_paths"]
        assert sorted(watches[str(sid)]) == ["/values/n1", "/values/n2"]
        by_path = command(port, "watches_by_path")["path_to_session_ids"]
        assert sid in by_path["/values/n1"] and sid in by_path["/values/n2"]
        summary = command(port, "watch_summary")
        assert summary["num_paths"] >= 2 and summary["num_total_watches"] >= 2
        assert summary["num_connections"] >= 1
        dump = command(port, "dump")
        assert "/values/e" in dump["session_id_to_ephemeral_paths"][str(sid)]
        expiring = [s for ids in dump["expiry_time_to_session_ids"].values() for s in ids]
        assert sid in expiring
    # The session closed: its watches and ephemerals went with it.
    wait_for(lambda: str(sid) not in command(port, "watches")["session_id_to_watched_paths"],
             what="the closed session's watches to go")
    assert command(port, "server_stats")["node_count"] == before + 5


def test_configuration_and_initial_configuration(admin):
    srv, port = admin
    conf = command(port, "configuration")
    assert conf["client_port"] == srv.port
    assert conf["tick_time"] == 200
    assert conf["min_session_timeout"] == 400 and conf["max_session_timeout"] == 10000
    assert conf["max_client_cnxns"] == 0 and conf["server_id"] == 0
    assert conf["data_dir"].startswith(srv.data_dir + "/")
    initial = command(port, "initial_configuration")["initial_configuration"]
    with open(srv.cfg_path) as f:
        assert initial == f.read()
    assert command(port, "is_read_only")["read_only"] is False
    assert command(port, "server_stats")["server_stats"]["server_state"] == "standalone"
    assert command(port, "zabstate") == {"voting": False, "zabstate": "", "command": "zabstate",
                                         "error": None}
    assert command(port, "voting_view")["current_config"] == {}


def test_stat_reset_clears_the_counters(admin):
    srv, port = admin
    with kazoo_client(srv) as zk:
        for _ in range(20):
            zk.exists("/")
    assert command(port, "server_stats")["server_stats"]["packets_received"] >= 20
    assert command(port, "stat_reset")["error"] is None
    assert command(port, "server_stats")["server_stats"]["packets_received"] < 20


def test_last_snapshot(admin):
    _, port = admin
    snap = command(port, "last_snapshot")
    # Lower-case hex without 0x (Long.toHexString): "ffffffffffffffff" when there is none.
    int(snap["zxid"], 16)
    assert snap["zxid"] == snap["zxid"].lower() and not snap["zxid"].startswith("0x")
    if snap["zxid"] == "ffffffffffffffff":
        assert snap["timestamp"] == -1
    else:
        assert abs(snap["timestamp"] - time.time()) < 3600


@pytest.mark.time_limit(120)
def test_last_snapshot_after_a_restart_names_the_recovered_snapshot():
    port = free_port()
    srv = harness.Server({**admin_config(port), "snapCount": "100"})
    try:
        srv.start()
        wait_for(lambda: _answers(port), timeout=30, what="the AdminServer")
        with kazoo_client(srv) as zk:
            for i in range(300):
                zk.create(f"/s{i}")
        wait_for(lambda: command(port, "last_snapshot")["zxid"] not in ("ffffffffffffffff", "0"),
                 timeout=30, what="a snapshot")
        srv.restart()
        wait_for(lambda: _answers(port), timeout=30, what="the AdminServer again")
        snap = command(port, "last_snapshot")
        assert int(snap["zxid"], 16) > 0
        assert abs(snap["timestamp"] - time.time()) < 600
    finally:
        srv.cleanup()


# -- start-up ---------------------------------------------------------------------------------

def test_a_taken_port_stops_a_standalone_server():
    # ZooKeeperServerMain: "Unable to start AdminServer, exiting abnormally" (exit 4).
    # Paddock exits with its status for a port it cannot listen on (1), naming the port.
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        srv = harness.Server(admin_config(port))
        try:
            with pytest.raises(RuntimeError, match="server exited with"):
                srv.start(timeout=60)
            assert srv.proc.returncode == (4 if ZOOKEEPER else 1)
            assert "AdminServer" in srv.log_tail()
            if not ZOOKEEPER:  # the harness gives ZooKeeper no logger: one line on stderr
                assert f"127.0.0.1, port {port}" in srv.log_tail()
        finally:
            srv.cleanup()


def test_admin_server_is_on_by_default():
    if ZOOKEEPER:
        pytest.skip("Paddock's default; ZooKeeper's is the same (admin.enableServer=true)")
    with socket.socket() as probe:
        try:
            probe.bind(("0.0.0.0", 8080))
        except OSError:
            pytest.skip("port 8080 is taken here; the config unit test checks the default")
    srv = harness.Server()
    del srv.config["admin.enableServer"]
    with open(srv.cfg_path, "w") as f:
        f.writelines(f"{k}={v}\n" for k, v in srv.config.items())
    try:
        srv.start()
        wait_for(lambda: _answers(8080), timeout=15, what="the AdminServer on 8080")
        assert command(8080, "configuration")["client_port"] == srv.port
    finally:
        srv.cleanup()


def test_other_command_url():
    port = free_port()
    srv = harness.Server({**admin_config(port), "admin.commandURL": "/zk"})
    try:
        srv.start()
        wait_for(lambda: http_get(port, "/zk/ruok", timeout=2)[0] == 200, timeout=30,
                 what="the AdminServer")
        assert json.loads(http_get(port, "/zk/srvr")[1])["command"] == "server_stats"
        assert http_get(port, "/commands/ruok")[0] == 404
    finally:
        srv.cleanup()


# -- ensemble ---------------------------------------------------------------------------------

@pytest.mark.time_limit(240)
def test_ensemble_roles_and_views():
    ens = Ensemble(3)
    ports = []
    for m in ens.members:
        ports.append(free_port())
        m.write_files({**m.config, **admin_config(ports[-1])})
    try:
        ens.start()
        for p in ports:
            wait_for(lambda p=p: _answers(p), timeout=30, what="every AdminServer")
        leader = ens.leader()
        with kazoo_client(ens.server(leader).hosts) as zk:
            zk.create("/ens", b"x")
        wait_for(lambda: all(command(p, "zabstate")["zabstate"] == "broadcast" for p in ports),
                 timeout=30, what="every server in broadcast")
        for i, p in enumerate(ports):
            m = ens.server(i)
            lead = command(p, "leader")
            assert lead["error"] is None
            assert lead["is_leader"] is (i == leader), (i, lead)
            assert lead["leader_id"] == ens.server(leader).sid
            assert lead["leader_ip"] == "127.0.0.1"
            z = command(p, "zabstate")
            check_keys("zabstate", z, {"myid": INT, "is_leader": BOOL, "quorum_address": DICT,
                                       "election_address": DICT, "client_address": STR,
                                       "voting": BOOL, "last_zxid": STR, "zab_epoch": INT,
                                       "zab_counter": INT, "zabstate": STR})
            assert z["myid"] == m.sid and z["voting"] is True and z["is_leader"] is (i == leader)
            assert z["client_address"] == m.hosts
            assert z["quorum_address"]["one"] == f"127.0.0.1:{m.quorum_port}"
            assert z["election_address"]["all_ports"] == [m.election_port]
            assert int(z["last_zxid"], 16) >> 32 == z["zab_epoch"] >= 1
            view = command(p, "voting_view")["current_config"]
            assert sorted(view) == ["1", "2", "3"]
            for sid, member in view.items():
                other = ens.server(int(sid) - 1)
                assert member["server_addresses"] == [f"127.0.0.1:{other.quorum_port}"]
                assert member["election_addresses"] == [f"127.0.0.1:{other.election_port}"]
                assert member["learner_type"] == "participant"
                assert member["client_address"] == (m.hosts if other is m else "")
            conf = command(p, "configuration")
            assert conf["server_id"] == m.sid and conf["client_port"] == m.client_port
            stats = command(p, "server_stats")
            assert stats["server_stats"]["server_state"] == ("leader" if i == leader
                                                             else "follower")
            assert command(p, "initial_configuration")["initial_configuration"] is None
            assert command(p, "monitor")["server_state"] == stats["server_stats"]["server_state"]
        # A follower that lost its leader and the other follower serves nothing.
        followers = ens.followers()
        ens.kill(leader)
        ens.kill(followers[0])
        p = ports[followers[1]]
        not_serving = "This ZooKeeper instance is not currently serving requests"
        wait_for(lambda: command(p, "server_stats")["error"] == not_serving, timeout=30,
                 what="the last server to stop serving")
        assert command(p, "leader") == {"command": "leader", "error": not_serving}
        # Looking, ZooKeeper has no ZooKeeperServer: zabstate names no phase.
        assert command(p, "zabstate") == {"voting": False, "zabstate": "",
                                          "command": "zabstate", "error": None}
        assert command(p, "environment")["error"] is None
        if not ZOOKEEPER:  # ZooKeeper's monitor fails with HTTP 500 (NullPointerException)
            assert command(p, "monitor") == {"command": "monitor", "error": not_serving}
    finally:
        ens.cleanup()


@pytest.mark.time_limit(240)
def test_ensemble_member_runs_without_an_admin_server_it_cannot_start():
    # QuorumPeer.start: "Problem starting AdminServer", and the server goes on.
    ens = Ensemble(3)
    port = free_port()
    for m in ens.members:
        m.write_files({**m.config, **admin_config(port)})  # all three on one port
    try:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", port))
            taken.listen()
            ens.start()
            assert all(ens.server(i).alive() for i in range(3))
            with kazoo_client(ens.connect_string()) as zk:
                zk.create("/still-serving")
            assert all("AdminServer" in ens.log_tail(i, 400) for i in range(3))
    finally:
        ens.cleanup()
