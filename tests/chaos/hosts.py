"""The hosts a chaos run puts its servers on, and the network faults between them.

Two kinds of topology:
  * `NetnsHosts` (preferred; needs root and iproute2): each server in a network namespace of
    its own, with one address on a bridge that lives in a further "switch" namespace. The
    harness (and its clients) reach the bridge through one veth pair from the namespace it
    runs in. Faults between servers are nftables rules and tbf qdiscs *inside* the server
    namespaces, so client traffic is never cut, only server-to-server traffic, as in Jepsen.
  * `LoopbackHosts` (fallback): servers on 127.0.0.x addresses of this host with free ports.
    Process faults only; network faults need namespaces and are reported as unavailable.

Both can hold spare hosts beyond the servers an ensemble starts with: the membership nemesis
starts a new server (a new id) on one when it replaces a server or grows the ensemble. A spare
host has an address of its own and ports no other host uses, so a new server is new in every
way a client or a peer can see.

Everything a topology creates is named after the runner's pid (`pdk<pid>-…`) and removed by
`close()`; a later run removes what a dead runner left behind.
"""
import ipaddress
import os
import re
import shutil
import socket
import subprocess

NS_PREFIX = "pdk"


def _run(*cmd, input=None, check=True):
    result = subprocess.run(list(cmd), input=input, capture_output=True, text=True, timeout=30)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}): "
                           f"{result.stderr.strip() or result.stdout.strip()}")
    return result


def netns_available():
    """Why namespaces cannot be used, or None when they can."""
    if os.geteuid() != 0:
        return "not root"
    for tool in ("ip", "nft"):
        if not shutil.which(tool):
            return f"`{tool}` is not installed"
    probe = f"{NS_PREFIX}{os.getpid()}-probe"
    try:
        _run("ip", "netns", "add", probe)
        _run("ip", "netns", "exec", probe, "nft", "list", "ruleset")
    except (RuntimeError, OSError) as e:
        return str(e)
    finally:
        _run("ip", "netns", "del", probe, check=False)
    return None


def remove_stale_namespaces():
    """Deletes namespaces and host links of earlier runners that are no longer alive."""
    listing = _run("ip", "netns", "list", check=False).stdout
    for line in listing.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(rf"{NS_PREFIX}(\d+)-", name)
        if m and not os.path.exists(f"/proc/{m.group(1)}"):
            _run("ip", "netns", "del", name, check=False)
    links = _run("ip", "-o", "link", "show", check=False).stdout
    for m in re.finditer(rf"^\d+: ({NS_PREFIX}(\d+)h)[@:]", links, re.M):
        if not os.path.exists(f"/proc/{m.group(2)}"):
            _run("ip", "link", "del", m.group(1), check=False)


def _free_subnet():
    """A /24 in 10.200.0.0/13 that no address or route of this host overlaps."""
    used = _run("ip", "-4", "route", "show", "table", "all", check=False).stdout + \
        _run("ip", "-4", "addr", "show", check=False).stdout
    nets = []
    for m in re.finditer(r"(\d+\.\d+\.\d+\.\d+)(/\d+)?", used):
        try:
            nets.append(ipaddress.ip_network(m.group(1) + (m.group(2) or "/32"), strict=False))
        except ValueError:
            pass
    for third in range(0, 256 * 8):
        candidate = ipaddress.ip_network(f"10.{200 + third // 256}.{third % 256}.0/24")
        if not any(candidate.overlaps(n) for n in nets if n.prefixlen > 0):
            return candidate
    raise RuntimeError("no free 10.200.0.0/13 subnet for the chaos network")


class Host:
    """Where one server runs: its address, its ports, how to run a command there."""

    def __init__(self, index, address, client_port, quorum_port, election_port, netns=None):
        self.index = index
        self.address = address
        self.client_port = client_port
        self.quorum_port = quorum_port
        self.election_port = election_port
        self.netns = netns

    def wrap(self, command):
        """The command line that runs `command` on this host."""
        return (["ip", "netns", "exec", self.netns] if self.netns else []) + command

    def __repr__(self):
        return f"host{self.index}({self.address})"


class NetnsHosts:
    kind = "network namespaces"
    network_faults = True

    def __init__(self, count, spares=0):
        remove_stale_namespaces()
        tag = f"{NS_PREFIX}{os.getpid()}"
        self.switch = f"{tag}-sw"
        self.host_link = f"{tag}h"
        self.subnet = _free_subnet()
        addresses = list(self.subnet.hosts())
        self.client_address = str(addresses[-1])
        self.hosts = []
        self._namespaces = []
        try:
            self._add_namespace(self.switch)
            _run("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge")
            _run("ip", "-n", self.switch, "link", "set", "br0", "up")
            # The harness's own end: a veth from the namespace it runs in into the bridge.
            _run("ip", "link", "add", self.host_link, "type", "veth", "peer", "name", "up0",
                 "netns", self.switch)
            _run("ip", "-n", self.switch, "link", "set", "up0", "master", "br0", "up")
            _run("ip", "addr", "add", f"{self.client_address}/24", "dev", self.host_link)
            _run("ip", "link", "set", self.host_link, "up")
            for i in range(count + spares):
                ns = f"{tag}-s{i + 1}"
                self._add_namespace(ns)
                _run("ip", "-n", self.switch, "link", "add", f"v{i + 1}", "type", "veth", "peer",
                     "name", "eth0", "netns", ns)
                _run("ip", "-n", self.switch, "link", "set", f"v{i + 1}", "master", "br0", "up")
                _run("ip", "-n", ns, "addr", "add", f"{addresses[i]}/24", "dev", "eth0")
                _run("ip", "-n", ns, "link", "set", "eth0", "up")
                # Each server has a namespace of its own: ZooKeeper's usual ports are free.
                # Spares get other ports, so that a new server differs in its ports too.
                shift = 0 if i < count else 100 * (i - count + 1)
                self.hosts.append(Host(i, str(addresses[i]), 2181 + shift, 2888 + shift,
                                       3888 + shift, netns=ns))
        except BaseException:
            self.close()
            raise

    def _add_namespace(self, name):
        _run("ip", "netns", "add", name)
        self._namespaces.append(name)
        _run("ip", "-n", name, "link", "set", "lo", "up")

    def describe(self):
        return (f"network namespaces {self.hosts[0].netns}..{self.hosts[-1].netns} on bridge "
                f"{self.subnet} (switch {self.switch}, harness at {self.client_address})")

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
            tc = ["ip", "netns", "exec", host.netns, "tc"]
            _run(*tc, "qdisc", "replace", "dev", "eth0", "root", "handle", "1:", "htb",
                 "default", "10")
            _run(*tc, "class", "add", "dev", "eth0", "parent", "1:", "classid", "1:10", "htb",
                 "rate", "10gbit", "quantum", "1514")
            _run(*tc, "class", "add", "dev", "eth0", "parent", "1:", "classid", "1:20", "htb",
                 "rate", rate, "ceil", rate, "quantum", "1514")
            _run(*tc, "qdisc", "add", "dev", "eth0", "parent", "1:20", "handle", "20:", "tbf",
                 "rate", rate, "burst", "16kb", "latency", "2s")
            for peer in self.hosts:
                if peer is not host:
                    _run(*tc, "filter", "add", "dev", "eth0", "parent", "1:", "protocol", "ip",
                         "prio", "1", "u32", "match", "ip", "dst", f"{peer.address}/32",
                         "flowid", "1:20")

    def heal(self):
        for host in self.hosts:
            _run("ip", "netns", "exec", host.netns, "nft", "delete", "table", "inet", "chaos",
                 check=False)
            _run("ip", "netns", "exec", host.netns, "tc", "qdisc", "del", "dev", "eth0", "root",
                 check=False)

    def _apply(self, host, chains):
        ruleset = f"table inet chaos\ndelete table inet chaos\ntable inet chaos {{\n{chains}\n}}\n"
        _run("ip", "netns", "exec", host.netns, "nft", "-f", "-", input=ruleset)

    def close(self):
        _run("ip", "link", "del", self.host_link, check=False)
        for ns in reversed(self._namespaces):
            _run("ip", "netns", "del", ns, check=False)
        self._namespaces = []


class LoopbackHosts:
    kind = "loopback addresses"
    network_faults = False

    def __init__(self, count, spares=0):
        self.hosts = []
        for i in range(count + spares):
            address = f"127.0.0.{11 + i}"
            self.hosts.append(Host(i, address, *(_free_port(address) for _ in range(3))))

    def describe(self):
        return (f"loopback addresses {self.hosts[0].address}..{self.hosts[-1].address} "
                "(no network namespaces: network faults unavailable)")

    def heal(self):
        pass

    def close(self):
        pass


def _free_port(address):
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def make_hosts(count, prefer_netns=True, spares=0):
    """(hosts, reason namespaces were not used or None): `count` hosts for the first servers,
    then `spares` more for servers added later."""
    reason = netns_available() if prefer_netns else "namespaces not requested"
    if reason is None:
        return NetnsHosts(count, spares), None
    return LoopbackHosts(count, spares), reason
