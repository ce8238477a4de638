"""The nemesis: faults on a seeded random schedule, each started, held, then healed.

A schedule is a list of (fault name, hold seconds, gap seconds) drawn from the seed before
the run; which server a fault hits ("the leader", "a follower", a random split) is decided
when it starts, from the same seeded generator and the cluster's roles at that moment. Every
start and end goes to the fault log with the servers hit, so a run can be read and replayed.
"""
import random
import time

from membership import Membership, spec

# name -> (needs network faults, needs actor control (Paddock only), hold range in s)
FAULTS = {
    "kill-leader": (False, False, (0.5, 3.0)),
    "kill-follower": (False, False, (0.5, 3.0)),
    "kill-majority": (False, False, (0.5, 2.0)),
    "pause-leader": (False, False, (5.0, 7.0)),
    "pause-follower": (False, False, (5.0, 7.0)),
    "partition-leader": (True, False, (3.0, 7.0)),
    "partition-halves": (True, False, (3.0, 7.0)),
    "partition-bridge": (True, False, (3.0, 7.0)),
    "partition-one-way": (True, False, (3.0, 6.0)),
    "network-loss": (True, False, (3.0, 6.0)),
    "network-slow": (True, False, (3.0, 6.0)),
    # Opt-in (OPT_IN_FAULTS): one follower applies the leader's commits late while it keeps
    # serving, the window in which its plain reads are stale.
    "lag-follower": (True, False, (4.0, 6.0)),
    "actor-session": (False, True, (0.5, 1.0)),
    "actor-follower-link": (False, True, (1.0, 2.0)),
    "actor-pipeline": (False, True, (1.0, 2.0)),
    "actor-watch-manager": (False, True, (1.0, 2.0)),
    # Dynamic reconfiguration (tests/chaos/membership.py): a server leaves (the leader half
    # the time) and joins again at the end; a follower is an observer for a while; a server
    # (the leader half the time) is replaced by a new one on a spare host; a new server joins
    # and the ensemble stays one larger. The last two change the members for the rest of
    # the run.
    "member-leave": (False, False, (2.0, 5.0)),
    "member-observer": (False, False, (2.0, 5.0)),
    "member-replace": (False, False, (1.0, 3.0)),
    "member-add": (False, False, (1.0, 3.0)),
}
# Faults that start a new server: each needs a spare host of its own.
NEW_SERVER_FAULTS = ("member-replace", "member-add")
GAP = (2.0, 4.0)  # quiet time after healing, so the cluster serves between faults
# Faults only run when named (--faults): lag-follower exists for the plain-read control
# (--check-plain-reads), and the default campaigns' schedules stay what they were.
OPT_IN_FAULTS = ("lag-follower",)
# lag-follower: the leader's packets to the follower pass this narrow class, queued for up to
# LAG_LATENCY (what overflows is dropped and resent by TCP). Replication to the follower backs
# up behind it, while its own packets (acks, pings) still reach the leader at once.
LAG_RATE = "64kbit"
LAG_LATENCY = "1s"


def available_faults(network_faults, actor_faults):
    return [name for name, (net, actor, _) in FAULTS.items()
            if (network_faults or not net) and (actor_faults or not actor)
            and name not in OPT_IN_FAULTS]


def spares_needed(schedule):
    """How many spare hosts a schedule's new servers need."""
    return sum(1 for fault, _hold, _gap in schedule if fault in NEW_SERVER_FAULTS)


def make_schedule(seed, faults, repeat=1):
    """[(fault, hold, gap)]: each fault `repeat` times, in a seeded random order."""
    rng = random.Random(seed)
    order = [f for f in faults for _ in range(repeat)]
    rng.shuffle(order)
    return [(f, round(rng.uniform(*FAULTS[f][2]), 2), round(rng.uniform(*GAP), 2))
            for f in order]


class Nemesis:
    def __init__(self, cluster, hosts, recorder, seed):
        self.cluster = cluster
        self.hosts = hosts
        self.recorder = recorder
        self.rng = random.Random(seed ^ 0x5eed)
        self.log = []  # fault log: {time, fault, phase, servers, detail}
        self.problems = []  # what the servers did wrong in answer to a fault
        self._undo = None
        self.healed = True
        self._core_kill = None  # (server index, its start count) after a core actor kill
        self.membership = Membership(cluster)

    def note(self, fault, phase, sids=(), detail=""):
        entry = {"time": round(self.recorder.now(), 6), "fault": fault, "phase": phase,
                 "servers": list(sids), "detail": detail}
        self.log.append(entry)
        return entry

    def run(self, schedule, should_stop):
        for fault, hold, gap in schedule:
            if should_stop():
                break
            self.healed = False
            sids, detail = self.start(fault)
            self.note(fault, "start", sids, detail)
            self.wait(hold, should_stop)
            detail = self.end(fault)
            self.note(fault, "end", sids, detail)
            self.wait(gap, should_stop)

    def wait(self, seconds, should_stop):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not should_stop():
            self.cluster.poll()
            time.sleep(0.05)

    # -- choosing targets -------------------------------------------------------------------

    def _leader(self):
        leader = self.cluster.wait_leader(timeout=5.0)
        return leader if leader is not None else self.rng.randrange(len(self.cluster))

    def _follower(self, leader=None):
        """A random server other than `leader` (by default, the leader the cluster names now).
        A fault that hits a follower *and* the leader passes the leader it chose: the one
        _leader() returns may be a random server (no leader in time), which cluster.leader()
        would not exclude, and the fault would hit one server twice (a no-op)."""
        if leader is None:
            leader = self.cluster.leader()
        others = [i for i in range(len(self.cluster)) if i != leader]
        return self.rng.choice(others)

    def _indices(self):
        return list(range(len(self.cluster)))

    def _host(self, i):
        """The host index (what the network faults take) of the server at index i."""
        return self.cluster.servers[i].host.index

    def _block(self, blocked):
        """hosts.set_blocked with server indices."""
        self.hosts.set_blocked({self._host(i): {self._host(j) for j in peers}
                                for i, peers in blocked.items()})

    # -- faults ---------------------------------------------------------------------------

    def start(self, fault):
        """Starts a fault; returns (ids of the servers hit, detail)."""
        if fault.startswith("member-"):
            # These change `cluster.servers`: they name the servers they hit themselves.
            return self._change_membership(fault)
        hit, detail = self._start(fault)
        return [self.cluster.servers[i].sid for i in hit], detail

    def _start(self, fault):
        """Starts a fault that leaves the members as they are; returns (indices of servers
        hit, detail)."""
        c = self.cluster
        n = len(c)
        if fault in ("kill-leader", "kill-follower"):
            i = self._leader() if fault == "kill-leader" else self._follower()
            c.servers[i].kill()
            self._undo = ("restart", [i])
            return [i], "kill -9"
        if fault == "kill-majority":
            leader = self._leader()
            rest = [i for i in self._indices() if i != leader]
            hit = [leader] + self.rng.sample(rest, n // 2)
            for i in hit:
                c.servers[i].kill()
            self._undo = ("restart", hit)
            return hit, "kill -9, then all restart"
        if fault in ("pause-leader", "pause-follower"):
            i = self._leader() if fault == "pause-leader" else self._follower()
            c.servers[i].pause()
            self._undo = ("resume", [i])
            return [i], "SIGSTOP"
        if fault == "partition-leader":
            leader = self._leader()
            others = [i for i in self._indices() if i != leader]
            self._block({leader: set(others), **{i: {leader} for i in others}})
            return [leader], f"isolated from {self._sids(others)}"
        if fault == "partition-halves":
            order = self._indices()
            self.rng.shuffle(order)
            minority, majority = order[:(n - 1) // 2], order[(n - 1) // 2:]
            self._block({**{i: set(majority) for i in minority},
                                    **{i: set(minority) for i in majority}})
            return minority, f"{self._sids(minority)} | {self._sids(majority)}"
        if fault == "partition-bridge":
            order = self._indices()
            self.rng.shuffle(order)
            bridge, rest = order[0], order[1:]
            left, right = rest[:len(rest) // 2], rest[len(rest) // 2:]
            self._block({**{i: set(right) for i in left},
                                    **{i: set(left) for i in right}})
            return [bridge], (f"{self._sids(left)} | {self._sids(right)}, "
                              f"{c.servers[bridge].sid} sees both")
        if fault == "partition-one-way":
            receiver = self.rng.choice([self._leader(), self._follower()])
            others = [i for i in self._indices() if i != receiver]
            senders = self.rng.sample(others, max(1, len(others) // 2))
            self.hosts.set_one_way(self._host(receiver), [self._host(j) for j in senders])
            return [receiver], f"drops what {self._sids(senders)} send it"
        if fault == "network-loss":
            percent = self.rng.choice([20, 40])
            self.hosts.set_loss(percent)
            return self._indices(), f"{percent}% of server-to-server packets dropped"
        if fault == "network-slow":
            self.hosts.set_slow("256kbit")
            return self._indices(), ("256 kbit/s between servers (htb + tbf, queue up to 2 s); "
                                     "clients unaffected")
        if fault == "lag-follower":
            leader = self._leader()
            i = self._follower(leader)
            self.hosts.set_slow_link(self._host(leader), self._host(i), LAG_RATE, LAG_LATENCY)
            return [i], (f"what {c.servers[leader].sid} (leader) sends it passes {LAG_RATE} "
                         f"(htb + tbf, queue up to {LAG_LATENCY}); other links unaffected")
        if fault.startswith("actor-"):
            return self._kill_actor(fault)
        raise ValueError(f"unknown fault {fault}")

    def _change_membership(self, fault):
        """Starts a membership fault; returns (ids of the servers hit, detail)."""
        c = self.cluster
        m = self.membership
        if fault == "member-replace":
            old = c.servers[self._leader() if self.rng.random() < 0.5 else self._follower()]
            role = "leader" if old.srvr_mode() == "leader" else "follower"
            # Either order an operator may choose: shrink first (3 -> 2 -> 3) or grow first
            # (3 -> 4 -> 3, an even ensemble for a moment).
            if self.rng.random() < 0.5:
                removed, removal = m.remove_for_good(old)
                new, addition = m.add_new() if removed else (None, "no server added")
                order = f"{role} {removal}; then {addition}"
            else:
                new, addition = m.add_new()
                removed, removal = m.remove_for_good(old) if new else (False, "none removed")
                order = f"{addition}; then {role} {removal}"
            sids = [old.sid] + ([new.sid] if new else [])
            return sids, f"{order}; members {self._sids(self._indices())}"
        if fault == "member-add":
            new, addition = m.add_new()
            return ([new.sid] if new else []), \
                f"{addition}; members {self._sids(self._indices())}"
        if fault == "member-leave":
            i = self._leader() if self.rng.random() < 0.5 else self._follower()
            others = [j for j in self._indices() if j != i]
            ok, result = m.reconfig(others, leaving=str(c.servers[i].sid))
        else:
            i = self._follower()
            ok, result = m.reconfig(self._indices(), joining=spec(c.servers[i], "observer"))
        if ok:
            return [c.servers[i].sid], "reconfig committed: " + ",".join(
                str(s) for s in sorted(result))
        return [c.servers[i].sid], f"reconfig not done ({result})"

    def _kill_actor(self, fault):
        c = self.cluster
        target = fault[len("actor-"):]
        if target == "follower-link":
            i = self.rng.choice([self._leader(), self._follower()])
        elif target == "session":
            i = self.rng.randrange(len(c))
        else:
            i = self._follower() if self.rng.random() < 0.5 else self._leader()
        if target in ("pipeline", "watch-manager"):
            c.expect_core_actor_exit(i)
            self._core_kill = (i, c.servers[i].starts)
        try:
            answer = c.servers[i].control(f"kill {target}")
        except OSError as e:
            answer = f"control channel unreachable: {e}"
        return [i], answer

    def end(self, fault):
        """Heals the fault; returns a detail."""
        c = self.cluster
        if fault.startswith(("partition-", "network-")) or fault == "lag-follower":
            self.hosts.heal()
            return "healed"
        if fault.startswith("member-"):
            return self._restore_membership()
        if fault.startswith("actor-"):
            if self._core_kill is None:
                return "supervision (nothing to undo)"
            i, starts = self._core_kill
            self._core_kill = None
            # A server whose core actor died must stop (and be restarted), never keep serving
            # without it.
            deadline = time.monotonic() + 5.0
            while c.servers[i].starts == starts and time.monotonic() < deadline:
                c.poll()
                time.sleep(0.05)
            if c.servers[i].starts == starts:
                self.problems.append(f"server {c.servers[i].sid} kept running after its "
                                     f"{fault[len('actor-'):]} actor was killed")
                return "NOT restarted"
            return "failed fast (exit 3) and was restarted"
        action, hit = self._undo
        self._undo = None
        for i in hit:
            if action == "restart":
                c.servers[i].start()
            else:
                c.servers[i].resume()
        return action

    def _restore_membership(self):
        try:
            return self.membership.restore()
        except RuntimeError as e:
            self.problems.append(f"membership: {e}")
            return str(e)

    def heal_all(self):
        """Undoes everything: network, pauses, dead servers, membership changes."""
        self.hosts.heal()
        for s in self.cluster.servers:
            s.resume()
            if not s.alive():
                s.start()
        if any(f.startswith("member-") for f in {e["fault"] for e in self.log}):
            self._restore_membership()
        self.healed = True
        self.note("heal-all", "end", [s.sid for s in self.cluster.servers],
                  "network healed, all servers running")

    def _sids(self, indices):
        return "{" + ",".join(str(self.cluster.servers[i].sid) for i in indices) + "}"

