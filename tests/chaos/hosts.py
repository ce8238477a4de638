"""The hosts a chaos run puts its servers on, and the network faults between them.

The hosts themselves are tools/deploylib/hosts.py's, the same ones tools/deploy's tests bring
an ensemble up on:
  * network namespaces (preferred; needs root, iproute2 and nftables): each server in a
    namespace of its own, with one address on a bridge in a further "switch" namespace; the
    harness (and its clients) reach the bridge through one veth pair. This module adds the
    faults between servers: nftables rules and tbf qdiscs *inside* the server namespaces, so
    client traffic is never cut, only server-to-server traffic, as in Jepsen.
  * loopback addresses (fallback): servers on 127.0.0.x addresses of this host with free
    ports. Process faults only; network faults need namespaces and are reported as
    unavailable.

Both can hold spare hosts beyond the servers an ensemble starts with: the membership nemesis
starts a new server (a new id) on one when it replaces a server or grows the ensemble.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from deploylib import hosts as shared  # noqa: E402
from deploylib.hosts import netns_available, run  # noqa: E402


class NetnsHosts(shared.NetnsHosts):
    """Namespaces with the network faults a nemesis injects between them."""
    network_faults = True

    # -- faults ---------------------------------------------------------------------------

    def set_blocked(self, blocked):
        """blocked: {host index: set of host indices whose packets it drops (both directions
        of its own traffic with them)}; hosts not named get no rules."""
        for host in self.hosts:
            peers = sorted(self.hosts[j].address for j in blocked.get(host.index, ()))
            self._apply(host, "\n".join([
                "  chain in { type filter hook input priority 0; policy accept;",
                f"    ip saddr {{ {', '.join(peers)} }} drop" if peers else "",
                "  }",
                "  chain out { type filter hook output priority 0; policy accept;",
                f"    ip daddr {{ {', '.join(peers)} }} drop" if peers else "",
                "  }"]))

    def set_one_way(self, receiver, senders):
        """The receiver drops what the senders send it; its own packets still reach them."""
        peers = ", ".join(self.hosts[j].address for j in senders)
        self._apply(self.hosts[receiver],
                    "  chain in { type filter hook input priority 0; policy accept;\n"
                    f"    ip saddr {{ {peers} }} drop\n  }}")

    def set_loss(self, percent):
        """Every server drops `percent`% of what other servers send it, at random."""
        for host in self.hosts:
            peers = ", ".join(h.address for h in self.hosts if h is not host)
            self._apply(host,
                        "  chain in { type filter hook input priority 0; policy accept;\n"
                        f"    ip saddr {{ {peers} }} numgen random mod 100 < {percent} drop\n  }}")

    def set_slow(self, rate="256kbit"):
        """A slow link between servers: what a server sends to the others passes a `rate`
        class (htb, selected by destination with u32) queued by tbf for up to 2 s, which
        delays and backs up replication. Clients' traffic keeps the full speed, as with the
        other network faults. (This kernel has no sch_netem, so no fixed-delay qdisc.)"""
        for host in self.hosts:
            self._shape(host, [peer for peer in self.hosts if peer is not host], rate, "2s")

    def set_slow_link(self, sender, receiver, rate, latency):
        """Only what `sender` sends `receiver` passes a `rate` class queued for up to
        `latency`; every other link, the reverse one included, keeps the full speed."""
        self._shape(self.hosts[sender], [self.hosts[receiver]], rate, latency)

    def _shape(self, host, peers, rate, latency):
        """host's packets to `peers` go through an htb class of `rate` (selected by destination
        with u32) whose tbf queue holds up to `latency`; the rest through a 10 gbit class."""
        tc = ["ip", "netns", "exec", host.netns, "tc"]
        run(*tc, "qdisc", "replace", "dev", "eth0", "root", "handle", "1:", "htb",
             "default", "10")
        run(*tc, "class", "add", "dev", "eth0", "parent", "1:", "classid", "1:10", "htb",
             "rate", "10gbit", "quantum", "1514")
        run(*tc, "class", "add", "dev", "eth0", "parent", "1:", "classid", "1:20", "htb",
             "rate", rate, "ceil", rate, "quantum", "1514")
        run(*tc, "qdisc", "add", "dev", "eth0", "parent", "1:20", "handle", "20:", "tbf",
             "rate", rate, "burst", "16kb", "latency", latency)
        for peer in peers:
            run(*tc, "filter", "add", "dev", "eth0", "parent", "1:", "protocol", "ip",
                 "prio", "1", "u32", "match", "ip", "dst", f"{peer.address}/32",
                 "flowid", "1:20")

    def heal(self):
        for host in self.hosts:
            run("ip", "netns", "exec", host.netns, "nft", "delete", "table", "inet", "chaos",
                 check=False)
            run("ip", "netns", "exec", host.netns, "tc", "qdisc", "del", "dev", "eth0", "root",
                 check=False)

    def _apply(self, host, chains):
        ruleset = f"table inet chaos\ndelete table inet chaos\ntable inet chaos {{\n{chains}\n}}\n"
        run("ip", "netns", "exec", host.netns, "nft", "-f", "-", input=ruleset)


class LoopbackHosts(shared.LoopbackHosts):
    network_faults = False

    def describe(self):
        return super().describe() + " (no network namespaces: network faults unavailable)"

    def heal(self):
        pass


def make_hosts(count, prefer_netns=True, spares=0):
    """(hosts, reason namespaces were not used or None): `count` hosts for the first servers,
    then `spares` more for servers added later."""
    reason = netns_available(("nft",)) if prefer_netns else "namespaces not requested"
    if reason is None:
        return NetnsHosts(count, spares), None
    return LoopbackHosts(count, spares), reason
