"""One chaos scenario: an ensemble on its own hosts, every workload at once, a nemesis
schedule, then healing, final reads, and the verdict of every checker.

Files written to the scenario's directory: history.jsonl (every operation and client event),
initial.json (the register states the checkers start from), faults.jsonl (the fault log),
verdict.json, timeline.png (report.py), and per server
serverN/{zoo.cfg, server.log, data/}.
"""
import json
import os
import random
import shutil
import threading
import time

from checkers import check_history, digest_checker
from cluster import Cluster, four_letter
from hosts import make_hosts
from membership import config_lines
from nemesis import Nemesis, make_schedule, spares_needed
from recorder import Recorder
import report
from workloads.common import make_client
from workloads.locks import LockWorkload
from workloads.register import RegisterWorkload, key_path
from workloads.set_adds import SetWorkload
from workloads.watches import ROOT as WATCH_ROOT
from workloads.watches import WatchWorkload

RECOVERY_SECONDS = 6.0  # workloads keep running after healing: the cluster must serve again


class Scenario:
    def __init__(self, name, servers, seed, faults, repeat, directory, target="paddock",
                 prefer_netns=True, paddock_bin=None, extra_config=None,
                 plain_reads_checked=False):
        self.name = name
        # The register workload's reads without sync go to the linearizability checker too.
        self.plain_reads_checked = plain_reads_checked
        self.extra_config = dict(extra_config or {})
        self.servers = servers
        self.seed = seed
        self.schedule = make_schedule(seed, faults, repeat)
        self.dir = directory
        self.target = target
        self.prefer_netns = prefer_netns
        self.paddock_bin = paddock_bin

    def describe(self):
        return (f"{self.name}: {self.servers} servers, seed {self.seed}, "
                f"{len(self.schedule)} faults ({', '.join(f for f, _, _ in self.schedule)})")

    def run(self, say=print):
        # A scenario starts from empty servers: an earlier run's data in the same directory
        # (ctest's fixed --out, run twice) would be recovered and fail the setup.
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        # A spare host for every new server the membership nemesis will start.
        hosts, why_not_netns = make_hosts(self.servers, self.prefer_netns,
                                          spares=spares_needed(self.schedule))
        verdict = {"scenario": self.name, "seed": self.seed, "servers": self.servers,
                   "target": self.target, "hosts": hosts.describe(),
                   "schedule": self.schedule, "problems": []}
        if why_not_netns:
            say(f"  hosts: {hosts.describe()}; namespaces not used: {why_not_netns}")
        else:
            say(f"  hosts: {hosts.describe()}")
        cluster = None
        recorder = Recorder()
        initial = {}
        nemesis = None
        workloads = []
        try:
            cluster = Cluster(hosts, self.dir, self.target, self.paddock_bin,
                              extra_config=self.extra_config, members=self.servers)
            cluster.start(timeout=120 if self.target == "zookeeper" else 60)
            # The workloads' clients know every host, spares included (see
            # clients_connect_string): they outlive the replacement of their servers.
            connect = cluster.clients_connect_string()
            rng = random.Random(self.seed)
            setup = make_client(connect, rng)
            try:
                workloads = [RegisterWorkload(recorder, connect, self.seed,
                                              plain_reads_checked=self.plain_reads_checked,
                                              servers=self.servers),
                             SetWorkload(recorder, connect, self.seed),
                             LockWorkload(recorder, connect, self.seed),
                             WatchWorkload(recorder, connect, self.seed)]
                for w in workloads:
                    w.setup(setup)
            finally:
                setup.stop()
                setup.close()
            for w in workloads:
                initial.update(getattr(w, "initial_state", dict)())

            recorder.start = time.monotonic()
            nemesis = Nemesis(cluster, hosts, recorder, self.seed)
            for w in workloads:
                w.start()
            say(f"  running {len(self.schedule)} faults under load ...")
            stop = threading.Event()
            nemesis.run(self.schedule, stop.is_set)
            nemesis.heal_all()
            healed_at = recorder.now()
            try:
                cluster.wait_serving(timeout=120 if self.target == "zookeeper" else 60)
            except RuntimeError as e:
                verdict["problems"].append(f"not serving after healing: {e}")
            cluster.sleep(RECOVERY_SECONDS)
            verdict["lock_state_before_stop"] = self._lock_state(connect, workloads, rng)
            for w in workloads:
                w.stop()
            for w in workloads:
                for error in w.errors():
                    verdict["problems"].append(f"workload error (harness): {error}")
            verdict["problems"] += self._recovered(recorder, healed_at)
            verdict["problems"] += self._final_reads(cluster, workloads, recorder, rng, verdict)
            # The quiet point: the workloads stopped, every server agreed on the data above.
            verdict["digest_check"] = digest_checker.check(self._digest_views(cluster))
            if verdict["digest_check"]["valid"] is False:
                verdict["problems"].append(verdict["digest_check"]["explanation"])
            verdict["problems"] += nemesis.problems
        except Exception as e:
            import traceback
            verdict["problems"].append(f"harness error: {e!r}\n{traceback.format_exc()}")
        finally:
            for w in workloads:
                w.stop()
            if nemesis and not nemesis.healed:
                try:
                    nemesis.heal_all()
                except Exception:
                    pass
            if cluster:
                cluster.stop()
                for t, sid, what, tail in cluster.unexpected_exits:
                    verdict["problems"].append(f"server {sid} {what} at {t - recorder.start:.1f}"
                                               f" s (it was not killed by the nemesis):\n{tail}")
                for sid, line in cluster.log_problems():
                    verdict["problems"].append(f"server {sid} log: {line}")
                verdict["restarts_by_supervision"] = len(cluster.restarts)
            hosts.close()

        recorder.save(os.path.join(self.dir, "history.jsonl"))
        # The register states the workloads set up: what the checkers start from, for a
        # check of the history again (python3 -m checkers --initial; plain_read_control.py).
        with open(os.path.join(self.dir, "initial.json"), "w") as f:
            json.dump(initial, f, indent=1)
        faults = nemesis.log if nemesis else []
        with open(os.path.join(self.dir, "faults.jsonl"), "w") as f:
            for entry in faults:
                f.write(json.dumps(entry) + "\n")
        checked = check_history(recorder.events, initial=initial) if recorder.events else {
            "valid": False, "checkers": {}}
        verdict["checkers"] = checked["checkers"]
        if "digest_check" in verdict:
            verdict["checkers"]["digest"] = verdict.pop("digest_check")
        verdict["operations"] = sum(1 for e in recorder.events if e["type"] == "invoke")
        verdict["valid"] = checked["valid"] is True and not verdict["problems"]
        verdict["checkers_valid"] = checked["valid"]
        verdict["outages"] = report.outages(recorder.events, faults)
        with open(os.path.join(self.dir, "verdict.json"), "w") as f:
            json.dump(verdict, f, indent=1, default=str)
        try:
            report.timeline(recorder.events, faults, os.path.join(self.dir, "timeline.png"),
                            title=f"{self.name} ({self.target}, seed {self.seed})")
        except Exception as e:  # a missing plot never hides a verdict
            say(f"  (no timeline plot: {e})")
        return verdict

    @staticmethod
    def _lock_state(connect, workloads, rng):
        """Who holds the lock while its clients still run (to explain a lock nobody takes)."""
        client = make_client(connect, rng)
        try:
            return [w.state(client) for w in workloads if isinstance(w, LockWorkload)]
        except Exception as e:
            return repr(e)
        finally:
            client.stop()
            client.close()

    @staticmethod
    def _digest_views(cluster, settle=10.0):
        """Each server's tree digest (mntr: Paddock's) and digest history (`hash`), read
        again while the servers' zxids still differ (the workloads' sessions closing), for
        up to `settle` seconds."""
        deadline = time.monotonic() + settle
        while True:
            views = {}
            for s in cluster.servers:
                zxid, digest, mismatches = digest_checker.parse_mntr(
                    four_letter(s.address, s.client_port, "mntr"))
                views[s.sid] = {"zxid": zxid, "digest": digest, "mismatches": mismatches,
                                "hash": digest_checker.parse_hash(
                                    four_letter(s.address, s.client_port, "hash"))}
            zxids = {v["zxid"] for v in views.values()}
            if len(zxids) <= 1 or time.monotonic() > deadline:
                return views
            time.sleep(0.2)

    @staticmethod
    def _recovered(recorder, healed_at):
        """Every kind of write must succeed again after the cluster healed."""
        problems = []
        for f in ("write", "add", "acquire"):
            if not any(e["type"] == "ok" and e["f"] == f and e["time"] > healed_at
                       for e in recorder.events):
                problems.append(f"no successful `{f}` in the {RECOVERY_SECONDS:.0f} s after "
                                "healing: the cluster did not recover")
        return problems

    def _final_reads(self, cluster, workloads, recorder, rng, verdict):
        """The set's final read, and every member agreeing on every znode the run wrote and on
        the membership, which must be the one the harness ended with (servers replaced or
        added by the membership nemesis included, removed ones not)."""
        problems = []
        client = make_client(cluster.connect_string(), rng)
        try:
            for w in workloads:
                if hasattr(w, "final_read"):
                    w.final_read(client)
        finally:
            client.stop()
            client.close()
        views = {}
        for s in cluster.servers:
            try:
                c = make_client(f"{s.address}:{s.client_port}", rng)
            except Exception as e:
                problems.append(f"server {s.sid}: cannot connect after healing: {e!r}")
                continue
            try:
                c.sync("/")
                view = {}
                for w in workloads:
                    if isinstance(w, RegisterWorkload):
                        for k in w.keys:
                            data, stat = c.get(key_path(k))
                            view[k] = (data.decode(), stat.version)
                    if isinstance(w, WatchWorkload):
                        data, stat = c.get(f"{WATCH_ROOT}/{w.key}")
                        view[w.key] = (data.decode(), stat.version)
                view["set"] = sorted(c.get_children("/chaos/set"))
                view["members"] = sorted(config_lines(c.get("/zookeeper/config")[0]))
                views[s.sid] = view
            finally:
                c.stop()
                c.close()
        wanted = sorted(s.sid for s in cluster.servers)
        for sid, view in views.items():
            if view["members"] != wanted:
                problems.append(f"server {sid}: /zookeeper/config names {view['members']}, "
                                f"the members are {wanted}")
        distinct = {json.dumps(v, sort_keys=True) for v in views.values()}
        if len(distinct) > 1:
            problems.append("servers disagree after healing: " + "; ".join(
                f"server {sid}: {json.dumps({k: v for k, v in view.items() if k != 'set'})}, "
                f"{len(view['set'])} set elements" for sid, view in views.items()))
        return problems
