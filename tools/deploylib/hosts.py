"""Hosts on one machine: network namespaces, each with its own address, or loopback addresses.

Used by tools/deploy's tests and by the chaos harness (tests/chaos/hosts.py adds its network
faults to `NetnsHosts`), so that an ensemble is brought up on the same kind of host in both.

Two kinds of topology:
  * `NetnsHosts` (needs root and iproute2): each host a network namespace of its own, with
    one address on a bridge that lives in a further "switch" namespace. The namespace that
    made them (and its clients) reaches the bridge through one veth pair. Every host has
    ZooKeeper's usual ports free, since it has its own network stack.
  * `LoopbackHosts` (fallback): 127.0.0.x addresses of this machine with free ports.

Both can hold spare hosts beyond the first `count`: the chaos harness starts new servers on
them. A spare host has an address of its own and ports no other host uses.

Everything a topology creates is named after the creating process's pid (`pdk<pid>-…`) and
removed by `close()`; a later topology removes what a dead process left behind.
"""
import contextlib
import fcntl
import ipaddress
import os
import re
import shutil
import socket
import subprocess

NS_PREFIX = "pdk"


def run(*cmd, input=None, check=True):
    result = subprocess.run(list(cmd), input=input, capture_output=True, text=True, timeout=30)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}): "
                           f"{result.stderr.strip() or result.stdout.strip()}")
    return result


def netns_available(extra_tools=()):
    """Why namespaces cannot be used, or None when they can."""
    if os.geteuid() != 0:
        return "not root"
    for tool in ("ip",) + tuple(extra_tools):
        if not shutil.which(tool):
            return f"`{tool}` is not installed"
    probe = f"{NS_PREFIX}{os.getpid()}-probe"
    try:
        run("ip", "netns", "add", probe)
        for tool in extra_tools:
            if tool == "nft":
                run("ip", "netns", "exec", probe, "nft", "list", "ruleset")
    except (RuntimeError, OSError) as e:
        return str(e)
    finally:
        run("ip", "netns", "del", probe, check=False)
    return None


def remove_stale_namespaces():
    """Deletes namespaces and host links of earlier creators that are no longer alive."""
    listing = run("ip", "netns", "list", check=False).stdout
    for line in listing.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(rf"{NS_PREFIX}(\d+)-", name)
        if m and not os.path.exists(f"/proc/{m.group(1)}"):
            run("ip", "netns", "del", name, check=False)
    links = run("ip", "-o", "link", "show", check=False).stdout
    for m in re.finditer(rf"^\d+: ({NS_PREFIX}(\d+)h)[@:]", links, re.M):
        if not os.path.exists(f"/proc/{m.group(2)}"):
            run("ip", "link", "del", m.group(1), check=False)


@contextlib.contextmanager
def _subnet_lock():
    """Held from choosing a subnet until its address is on this machine's link: topologies
    made at the same time (ctest runs the deploy and chaos tests in parallel) must not
    choose the same one."""
    with open(os.path.join("/run" if os.access("/run", os.W_OK) else "/tmp",
                           "paddock-test-hosts.lock"), "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def _free_subnet():
    """A /24 in 10.200.0.0/13 that no address or route of this machine overlaps."""
    used = run("ip", "-4", "route", "show", "table", "all", check=False).stdout + \
        run("ip", "-4", "addr", "show", check=False).stdout
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
    raise RuntimeError("no free 10.200.0.0/13 subnet for the hosts' network")


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
        return netns_wrap(self.netns, command)

    def __repr__(self):
        return f"host{self.index}({self.address})"


def netns_wrap(netns, command):
    """`command` run in network namespace `netns` (`ip netns exec` execs: same pid)."""
    return (["ip", "netns", "exec", netns] if netns else []) + list(command)


class NetnsHosts:
    kind = "network namespaces"

    def __init__(self, count, spares=0):
        remove_stale_namespaces()
        tag = f"{NS_PREFIX}{os.getpid()}"
        self.switch = f"{tag}-sw"
        self.host_link = f"{tag}h"
        self.hosts = []
        self._namespaces = []
        try:
            with _subnet_lock():
                self.subnet = _free_subnet()
                addresses = list(self.subnet.hosts())
                self.client_address = str(addresses[-1])
                self._add_namespace(self.switch)
                run("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge")
                run("ip", "-n", self.switch, "link", "set", "br0", "up")
                # The creator's own end: a veth from the namespace it runs in into the bridge.
                run("ip", "link", "add", self.host_link, "type", "veth", "peer", "name", "up0",
                    "netns", self.switch)
                run("ip", "-n", self.switch, "link", "set", "up0", "master", "br0", "up")
                run("ip", "addr", "add", f"{self.client_address}/24", "dev", self.host_link)
                run("ip", "link", "set", self.host_link, "up")
            for i in range(count + spares):
                ns = f"{tag}-s{i + 1}"
                self._add_namespace(ns)
                run("ip", "-n", self.switch, "link", "add", f"v{i + 1}", "type", "veth", "peer",
                    "name", "eth0", "netns", ns)
                run("ip", "-n", self.switch, "link", "set", f"v{i + 1}", "master", "br0", "up")
                run("ip", "-n", ns, "addr", "add", f"{addresses[i]}/24", "dev", "eth0")
                run("ip", "-n", ns, "link", "set", "eth0", "up")
                # Each host has a namespace of its own: ZooKeeper's usual ports are free.
                # Spares get other ports, so that a new server differs in its ports too.
                shift = 0 if i < count else 100 * (i - count + 1)
                self.hosts.append(Host(i, str(addresses[i]), 2181 + shift, 2888 + shift,
                                       3888 + shift, netns=ns))
        except BaseException:
            self.close()
            raise

    def _add_namespace(self, name):
        run("ip", "netns", "add", name)
        self._namespaces.append(name)
        run("ip", "-n", name, "link", "set", "lo", "up")

    def describe(self):
        return (f"network namespaces {self.hosts[0].netns}..{self.hosts[-1].netns} on bridge "
                f"{self.subnet} (switch {self.switch}, this side at {self.client_address})")

    def close(self):
        run("ip", "link", "del", self.host_link, check=False)
        for ns in reversed(self._namespaces):
            run("ip", "netns", "del", ns, check=False)
        self._namespaces = []


class LoopbackHosts:
    kind = "loopback addresses"

    def __init__(self, count, spares=0):
        self.hosts = []
        for i in range(count + spares):
            address = f"127.0.0.{11 + i}"
            self.hosts.append(Host(i, address, *(free_port(address) for _ in range(3))))

    def describe(self):
        return f"loopback addresses {self.hosts[0].address}..{self.hosts[-1].address}"

    def close(self):
        pass


def free_port(address):
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def make_hosts(count, prefer_netns=True, spares=0, netns_class=NetnsHosts, extra_tools=()):
    """(hosts, reason namespaces were not used or None): `count` hosts for the first servers,
    then `spares` more for servers added later. `extra_tools` must work in a namespace too
    (the chaos harness needs `nft`)."""
    reason = netns_available(extra_tools) if prefer_netns else "namespaces not requested"
    if reason is None:
        return netns_class(count, spares), None
    return LoopbackHosts(count, spares), reason
