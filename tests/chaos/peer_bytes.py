"""How many bytes the servers send each other per write: a 3-server ensemble on 127.0.0.1,
one client on the leader doing 2,000 setData of 100 bytes, and the idle rate before. Counts
bytes_sent (`ss -ti`) of every TCP connection on a quorum or election port.

Why: under `network-slow` (256 kbit/s between servers) the link's capacity is what decides
whether ZAB's pings still arrive within syncLimit, so bytes per write matter.
    /usr/bin/python3 tests/chaos/peer_bytes.py                            # Paddock
    PADDOCK_TARGET=zookeeper /usr/bin/python3 tests/chaos/peer_bytes.py   # ZooKeeper 3.8
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from ensemble import Ensemble  # noqa: E402
from kazoo.client import KazooClient  # noqa: E402

WRITES = 2000


def bytes_sent(ports):
    """Sum of bytes_sent over TCP connections with either end on one of `ports`."""
    lines = subprocess.run(["ss", "-tinH"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    total = 0
    for line, info in zip(lines, lines[1:]):
        m = re.match(r"\S+\s+\d+\s+\d+\s+\S+:(\d+)\s+\S+:(\d+)", line.strip())
        if m and (int(m.group(1)) in ports or int(m.group(2)) in ports):
            sent = re.search(r"bytes_sent:(\d+)", info)
            total += int(sent.group(1)) if sent else 0
    return total


def main():
    with Ensemble(3) as ens:
        ens.start(timeout=120)
        leader, _ = ens.wait_for_leader(60)
        ports = set()
        for i in range(3):
            ports |= {ens.server(i).quorum_port, ens.server(i).election_port}
        zk = KazooClient(hosts=ens.connect_string([leader]), timeout=10)
        zk.start(30)
        try:
            zk.create("/peer-bytes", b"")
            time.sleep(2)
            b0, t0 = bytes_sent(ports), time.monotonic()
            time.sleep(5)
            idle = (bytes_sent(ports) - b0) / (time.monotonic() - t0)
            b0 = bytes_sent(ports)
            for _ in range(WRITES):
                zk.set("/peer-bytes", b"v" * 100)
            per_write = (bytes_sent(ports) - b0) / WRITES
        finally:
            zk.stop()
        print(f"idle: {idle:.0f} bytes/s between servers; per 100-byte setData: "
              f"{per_write:.0f} bytes on all server-to-server links")


if __name__ == "__main__":
    main()
