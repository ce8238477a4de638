"""A real Prometheus (Debian's /usr/bin/prometheus) for tests: its own temporary directory,
a generated prometheus.yml scraping the given targets every second, optional rule files,
listening on a free 127.0.0.1 port; and the names a PromQL expression reads.

  with PrometheusServer({"paddock": ["127.0.0.1:7001", ...]}, rule_files=[path]) as prom:
      prom.wait_targets_up(3)
      prom.query('up{job="paddock"}')      -> the result list (raises on an API error)
      prom.rules()                          -> the rule groups of /api/v1/rules
  metric_names('rate(x_count{a="b"}[1m]) / y') -> {"x_count", "y"}
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

from harness import free_port

PROMETHEUS = "/usr/bin/prometheus"


class PrometheusServer:
    def __init__(self, targets_by_job, rule_files=(), interval="1s"):
        self.dir = tempfile.mkdtemp(prefix="paddock-prometheus-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(self.dir, "prometheus.log")
        rules = []
        for i, path in enumerate(rule_files):
            copy = os.path.join(self.dir, f"rules-{i}.yml")
            shutil.copy(path, copy)
            rules.append(copy)
        lines = ["global:", f"  scrape_interval: {interval}", f"  evaluation_interval: {interval}",
                 "rule_files:"] + [f"  - {r}" for r in rules] + ["scrape_configs:"]
        if not rules:
            lines[lines.index("rule_files:")] = "rule_files: []"
        for job, targets in targets_by_job.items():
            lines += [f"  - job_name: {job}", "    static_configs:",
                      "      - targets: [" + ", ".join(f"'{t}'" for t in targets) + "]"]
        self.config_path = os.path.join(self.dir, "prometheus.yml")
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None
        self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self, timeout=30.0):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={self.config_path}",
             f"--web.listen-address=127.0.0.1:{self.port}",
             f"--storage.tsdb.path={os.path.join(self.dir, 'data')}",
             "--storage.tsdb.retention.time=1h", "--web.enable-lifecycle"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.dir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited with {self.proc.returncode}:\n"
                                   + self.log_tail())
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("prometheus not ready in time:\n" + self.log_tail())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._log:
            self._log.close()
            self._log = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return "(no log)"

    def api(self, path, **params):
        url = f"{self.url}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                body = json.load(r)
        except urllib.error.HTTPError as e:  # 400/422: a bad expression; the body says why
            body = json.load(e)
        if body.get("status") != "success":
            raise AssertionError(f"{path} {params}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr):
        return self.api("query", query=expr)["result"]

    def rules(self):
        return self.api("rules")["groups"]

    def targets_up(self):
        return [t for t in self.api("targets")["activeTargets"] if t["health"] == "up"]

    def wait_targets_up(self, count, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.targets_up()) >= count:
                return
            time.sleep(0.5)
        raise AssertionError(f"fewer than {count} targets up after {timeout} s: "
                             f"{self.api('targets')['activeTargets']}")


# PromQL words that are not metric names.
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
             "unless", "bool", "offset", "inf", "nan"}


def metric_names(expr):
    """The metric names an expression reads: identifiers that are not functions, keywords,
    label names (in {..} matchers or by/on/... lists), strings, durations or numbers."""
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)          # strings
    text = re.sub(r"\{[^}]*\}", " ", text)                     # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)                    # range and subquery windows
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = m.group(0)
        rest = text[m.end():].lstrip()
        start = m.start()
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            continue  # the exponent or unit of a number (1e3, 5m)
        if rest.startswith("(") or word.lower() in _KEYWORDS:
            continue
        names.add(word)
    return names


def exported_names(metrics_text):
    """The sample names in a Prometheus text exposition (x, x_sum, x_count, ...)."""
    names = set()
    for line in metrics_text.splitlines():
        if line and not line.startswith("#"):
            names.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    return names
