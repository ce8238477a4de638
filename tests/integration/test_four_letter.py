"""Four-letter words on the client port, in ZooKeeper's formats, honouring the whitelist."""
import re

import harness


def mntr(server):
    return harness.mntr(server.host, server.port)


def test_ruok_isro(server):
    assert server.four_letter("ruok") == "imok"
    assert server.four_letter("isro") == "rw"


def test_srvr_and_stat(server, zk):
    srvr = server.four_letter("srvr")
    assert "Mode: standalone\n" in srvr
    assert re.search(r"^Zxid: 0x[0-9a-f]+$", srvr, re.M)
    assert re.search(r"^Node count: \d+$", srvr, re.M)
    assert re.search(r"^Latency min/avg/max: \d+/[\d.]+/\d+$", srvr, re.M)
    stat = server.four_letter("stat")
    assert "Clients:\n" in stat and "Mode: standalone" in stat
    assert re.search(r"^ /127\.0\.0\.1:\d+\[\d+\]\(queued=\d+,recved=\d+,sent=\d+\)$", stat, re.M)


def test_mntr_counts(server, zk, client):
    before = mntr(server)
    for key in ("zk_version", "zk_server_state", "zk_znode_count", "zk_watch_count",
                "zk_ephemerals_count", "zk_num_alive_connections", "zk_outstanding_requests",
                "zk_avg_latency", "zk_approximate_data_size", "zk_packets_received"):
        assert key in before, key
    assert before["zk_server_state"] == "standalone"
    zk.create("/mntr")
    for i in range(3):
        zk.create(f"/mntr/n{i}")
    zk.create("/mntr/e", ephemeral=True)
    other = client()
    other.get("/mntr/n0", watch=lambda e: None)
    other.get_children("/mntr", watch=lambda e: None)
    after = mntr(server)
    assert int(after["zk_znode_count"]) == int(before["zk_znode_count"]) + 5
    assert int(after["zk_ephemerals_count"]) == int(before["zk_ephemerals_count"]) + 1
    assert int(after["zk_watch_count"]) == int(before["zk_watch_count"]) + 2
    assert int(after["zk_num_alive_connections"]) >= 2


def test_conf_cons_and_watch_listings(server, zk):
    conf = server.four_letter("conf")
    assert f"clientPort={server.port}\n" in conf and "tickTime=200\n" in conf
    assert "dataDir=" in conf
    zk.create("/listed")
    zk.get("/listed", watch=lambda e: None)
    sid = "0x%x" % zk.client_id[0]
    assert f"sid={sid}" in server.four_letter("cons")
    wchs = server.four_letter("wchs")
    assert re.match(r"\d+ connections watching \d+ paths\nTotal watches:\d+\n", wchs)
    assert f"{sid}\n\t/listed\n" in server.four_letter("wchc")
    assert f"/listed\n\t{sid}\n" in server.four_letter("wchp")
    assert server.four_letter("envi").startswith("Environment:\n")


def test_whitelist(server_with):
    srv = server_with({"4lw.commands.whitelist": "ruok"})
    assert srv.four_letter("ruok") == "imok"
    assert "Mode: standalone" in srv.four_letter("srvr")  # always allowed
    assert srv.four_letter("mntr") == "mntr is not executed because it is not in the whitelist.\n"
