"""tools/grafana/paddock.json and tools/grafana/alerts.yml against a real Prometheus (Debian's
/usr/bin/prometheus) scraping a 3-server ensemble under a small load of kazoo writes and reads:

- every query of the dashboard (template variables substituted as Grafana would) returns data,
  and each of its template variables finds values;
- every alert rule loads with health "ok" and its expression evaluates; the rules that watch
  for trouble (no leader, quorum at risk, ...) are silent while all is well;
- no query or rule names a metric the servers do not export (checked against their /metrics);
- killing the leader makes the quorum-at-risk rule go pending or firing, and then killing a
  second server the no-leader rule (a copy of the rules with `for: 1s`).

Debian's ZooKeeper 3.8 ships no Prometheus metrics provider: the tests skip there."""
import json
import os
import re
import subprocess
import tempfile
import threading
import time
import urllib.request

import pytest

from ensemble import Ensemble
from harness import TARGET, free_port, kazoo_client, wait_for
from prometheus_server import PrometheusServer, exported_names, metric_names

pytestmark = pytest.mark.skipif(
    TARGET == "zookeeper", reason="Debian's ZooKeeper 3.8 ships no Prometheus metrics provider")

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DASHBOARD = os.path.join(REPO, "tools", "grafana", "paddock.json")
ALERTS = os.path.join(REPO, "tools", "grafana", "alerts.yml")
PROVIDER = "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider"
JOB = "paddock"
# Series Prometheus makes itself for every target.
SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
             "scrape_samples_post_metric_relabeling", "scrape_series_added"}
# What Grafana puts in place of its built-in variables: $__rate_interval is at least four
# scrape intervals.
GRAFANA_BUILTINS = {"$__rate_interval": "10s", "$__interval": "2s", "$__range": "1m"}


def dashboard():
    with open(DASHBOARD) as f:
        return json.load(f)


def substitute(expr, variables):
    for name, value in {**GRAFANA_BUILTINS, **variables}.items():
        expr = expr.replace(name, value)
    return expr


def dashboard_queries():
    """(panel title, expr) for every query of every panel, rows' panels included."""
    out = []

    def walk(panels):
        for p in panels:
            walk(p.get("panels", []))
            for t in p.get("targets", []):
                out.append((p["title"], t["expr"]))

    walk(dashboard()["panels"])
    return out


def rules_with_short_for(path):
    """alerts.yml with every `for:` cut to 1s, so that a test sees states change quickly."""
    with open(ALERTS) as f:
        text = f.read()
    text = re.sub(r"(\n\s+for:\s*)\S+", r"\g<1>1s", text)
    with open(path, "w") as f:
        f.write(text)
    return path




class Load:
    """Writes and reads through kazoo until stopped: the latency summaries and counters get
    observations, the session and connection gauges something to count."""

    def __init__(self, hosts):
        self.hosts = hosts
        self.stopping = threading.Event()
        self.error = None
        self.ops = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        try:
            with kazoo_client(self.hosts) as zk:
                zk.ensure_path("/load")
                zk.create("/load/ephemeral", b"", ephemeral=True)
                zk.get("/load", watch=lambda event: None)
                i = 0
                while not self.stopping.is_set():
                    zk.set("/load", str(i).encode())
                    zk.create(f"/load/n-{i}", b"x" * 64)
                    zk.get(f"/load/n-{i}")
                    zk.get_children("/load")
                    self.ops += 4
                    i += 1
                    time.sleep(0.02)
        except Exception as e:  # the leader-kill test ends the load by killing its server
            if not self.stopping.is_set():
                self.error = e

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=15)


@pytest.fixture(scope="module")
def stack():
    tmp = tempfile.mkdtemp(prefix="paddock-dashboard-test-")
    # Three voters and an observer, so that the Role panel shows all three roles.
    # snapCount 100: snapshots within the load, for the snapshot panel.
    with Ensemble(3, observers=1, extra_config={"snapCount": "100"}) as ens:
        for m in ens.members:
            config = dict(m.config)
            config.update({"metricsProvider.className": PROVIDER,
                           "metricsProvider.httpHost": "127.0.0.1",
                           "metricsProvider.httpPort": str(free_port())})
            m.write_files(config)
        ens.start()
        ens.wait_for_leader(30)
        targets = [f"127.0.0.1:{m.config['metricsProvider.httpPort']}" for m in ens.members]
        load = Load(ens.connect_string())
        load.thread.start()
        rules = rules_with_short_for(os.path.join(tmp, "alerts.yml"))
        with PrometheusServer({JOB: targets}, rule_files=[rules]) as prom:
            prom.wait_targets_up(len(targets))
            # Enough scrapes for every rate() window and a few load operations in them.
            wait_for(lambda: load.ops > 200 or load.error, 60, what="some load")
            time.sleep(4)
            yield ens, prom, targets, load
            load.stop()


def scrape_all(targets):
    names = set()
    for t in targets:
        try:
            with urllib.request.urlopen(f"http://{t}/metrics", timeout=5) as r:
                names |= exported_names(r.read().decode())
        except OSError:
            pass  # a killed server
    return names


def test_targets_up_and_scraped(stack):
    ens, prom, targets, load = stack
    assert load.error is None, load.error
    up = prom.query(f'up{{job="{JOB}"}}')
    assert sorted(s["metric"]["instance"] for s in up) == sorted(targets)
    assert all(s["value"][1] == "1" for s in up)


def test_template_variables_find_values(stack):
    ens, prom, targets, load = stack
    variables = {v["name"]: v for v in dashboard()["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    # label_values(metric{matchers}, label): what Grafana asks Prometheus for.
    for name in ("job", "instance"):
        query = variables[name]["query"]["query"]
        m = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", query)
        assert m, query
        series = substitute(m.group(1), {"$job": JOB})
        values = {s["metric"][m.group(2)] for s in prom.query(series)}
        expected = {JOB} if name == "job" else set(targets)
        assert values == expected, (name, query, values)


def test_every_dashboard_query_returns_data(stack):
    ens, prom, targets, load = stack
    exported = scrape_all(targets) | SYNTHETIC
    queries = dashboard_queries()
    assert len(queries) >= 20
    # All servers, and the leader alone (Grafana's regex for one selected instance; the
    # leader exports every metric a follower does, and its own gauges).
    leader_only = re.escape(targets[ens.leader()]).replace("\\", "\\\\")
    def no_data(query, all_servers):
        # A summary with no observation in its window answers NaN: across all servers, at
        # least one number is asked for, or the panel would draw nothing.
        values = [float(s["value"][1]) for s in prom.query(query)]
        return not values or (all_servers and all(v != v for v in values))

    empty = set()  # (panel title, query, all servers) without data
    for title, expr in queries:
        names = metric_names(expr)
        assert names, (title, expr)
        assert names <= exported, f"{title}: {sorted(names - exported)} not exported"
        for instance in (".*", leader_only):
            query = substitute(expr, {"$job": JOB, "$instance": instance})
            if no_data(query, instance == ".*"):
                empty.add((title, query, instance == ".*"))
    # Rates need two scrapes in their window: give the last ones a few more seconds.
    deadline = time.monotonic() + 20
    while empty and time.monotonic() < deadline:
        time.sleep(1)
        empty = {(t, q, a) for t, q, a in empty if no_data(q, a)}
    assert not empty, f"queries without data: {empty}"


def test_role_panel_shows_each_role(stack):
    ens, prom, targets, load = stack
    (title, expr), = [(t, e) for t, e in dashboard_queries() if t == "Role"]
    roles = {s["metric"]["instance"]: float(s["value"][1])
             for s in prom.query(substitute(expr, {"$job": JOB, "$instance": ".*"}))}
    shown = {"leader": 3, "observer": 2, "follower": 1}
    expected = {targets[i]: shown[ens.mode(i)] for i in range(len(targets))}
    assert roles == expected
    assert sorted(expected.values()) == [1, 1, 2, 3]


def test_dashboard_model_is_importable_as_is():
    """What Grafana 9/10 needs to import the file unchanged: a uid, a schema version, every
    query on the datasource variable, unique panel ids, panels inside the 24-column grid."""
    model = dashboard()
    assert model["uid"] and model["title"] and model["schemaVersion"] >= 36
    assert model.get("id") is None  # an import must not carry another instance's id
    variables = [v["name"] for v in model["templating"]["list"]]
    assert variables == ["datasource", "job", "instance"]
    ids = []
    for p in model["panels"]:
        ids.append(p["id"])
        g = p["gridPos"]
        assert g["x"] >= 0 and g["w"] > 0 and g["x"] + g["w"] <= 24, p["title"]
        for t in p.get("targets", []):
            assert t["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, p["title"]
            assert t["refId"]
    assert len(ids) == len(set(ids))


def test_alert_rules_pass_promtool():
    run = subprocess.run(["promtool", "check", "rules", ALERTS], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SUCCESS: 6 rules found" in run.stdout


def rules_by_name(prom):
    return {r["name"]: r for g in prom.rules() for r in g["rules"]}


def test_every_alert_rule_loads_evaluates_and_is_silent(stack):
    ens, prom, targets, load = stack
    exported = scrape_all(targets) | SYNTHETIC
    rules = rules_by_name(prom)
    with open(ALERTS) as f:
        names_in_file = re.findall(r"- alert:\s*(\S+)", f.read())
    assert sorted(rules) == sorted(names_in_file)
    # A rule is evaluated every second: after a few, each has a health.
    wait_for(lambda: all(r["health"] != "unknown" for r in rules_by_name(prom).values()), 10,
             what="every rule evaluated")
    for name, rule in rules_by_name(prom).items():
        assert rule["health"] == "ok", (name, rule.get("lastError"))
        names = metric_names(rule["query"])
        assert names and names <= exported, f"{name}: {sorted(names - exported)} not exported"
        # All servers up, a leader and two synced followers, a light load: nothing fires.
        assert prom.query(rule["query"]) == [], (name, rule["query"])
        assert rule["state"] == "inactive", (name, rule["state"])


def test_plot_metrics_renders_the_main_panels(stack, tmp_path):
    ens, prom, targets, load = stack
    tool = os.path.join(REPO, "tools", "plot-metrics")
    run = subprocess.run([tool, "--prometheus", prom.url, "--last", "1m", "--step", "1s",
                          str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    written = run.stdout.split()
    assert len(written) == 10, written
    for png in written:
        with open(png, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", png
        assert os.path.getsize(png) > 5000, png  # axes, lines and a key, not an empty frame
    # A panel that is not in the dashboard is refused, naming it.
    run = subprocess.run([tool, "--prometheus", prom.url, "--panel", "No such panel",
                          str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "No such panel" in run.stderr


@pytest.mark.time_limit(120)
def test_killing_servers_raises_the_alerts(stack):
    """Last in this file: it kills servers of the module's ensemble."""
    ens, prom, targets, load = stack
    load.stop()

    def state(name):
        return rules_by_name(prom)[name]["state"]

    old_leader = ens.leader()
    ens.kill(old_leader)
    new_leader, _ = ens.wait_for_leader(30, exclude=[old_leader])
    # Two voters of three: the new leader and its one synced follower are a bare majority.
    wait_for(lambda: state("PaddockQuorumAtRisk") in ("pending", "firing"), 30,
             what="PaddockQuorumAtRisk pending or firing")
    wait_for(lambda: state("PaddockServerDown") in ("pending", "firing"), 30,
             what="PaddockServerDown pending or firing")
    alert = [a for a in prom.api("alerts")["alerts"] if a["labels"]["alertname"] ==
             "PaddockServerDown"]
    assert [a["labels"]["instance"] for a in alert] == [targets[old_leader]]
    assert state("PaddockNoLeader") == "inactive"

    # One voter of three left: no majority, no leader.
    ens.kill(new_leader)
    wait_for(lambda: state("PaddockNoLeader") in ("pending", "firing"), 30,
             what="PaddockNoLeader pending or firing")
