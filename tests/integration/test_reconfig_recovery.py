"""A reconfig that only the servers' snapshots still hold survives a restart whose dynamic
file is older (docs/replication.md, "At a restart"): the servers ran reconfigured (zoo.cfg
names zoo.cfg.dynamic.<v1>), applied and snapshotted a second reconfig, then came back without
the file that names it (a crash before it was written, a failed write, an operator's restored
copy). Their data names the newer membership; the ensemble must not go back to the older one.

Paddock only: ZooKeeper 3.8 reads its configuration from its files alone (zoo.cfg, the
dynamic file it names, zoo.cfg.dynamic.next), never from its data. Server lines in zoo.cfg
(no dynamic file) are the membership here too, whatever the data holds: the unit tests in
tests/unit/actors/zab_recovery_test.cpp show that side."""
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from ensemble import Ensemble  # noqa: E402

from reconfig_support import (LIMIT, RECONFIG_CONFIG, START_TIMEOUT,  # noqa: E402
                              create_retrying, parse_config, spec, super_client,
                              synced_config, wait_non_voting)

pytestmark = pytest.mark.skipif(harness.TARGET == "zookeeper",
                                reason="Paddock's recovery of the configuration from its data")

# snapCount 4: a server snapshots after 2 or 3 logged txns, so a few writes after the reconfig
# put it inside a snapshot of every server, and the log after that snapshot holds no reconfig.
CONFIG = {**RECONFIG_CONFIG, "snapCount": "4"}


def newest_snapshot_zxid(member):
    snap_dir = os.path.join(member.data_dir, "paddock")
    zxids = [int(name[len("snapshot."):], 16) for name in os.listdir(snap_dir)
             if name.startswith("snapshot.") and not name.endswith(".tmp")]
    return max(zxids, default=0)


def dynamic_file(member):
    """The dynamic file member's zoo.cfg names, or None."""
    for line in open(member.cfg_path).read().splitlines():
        if line.startswith("dynamicConfigFile="):
            return line.partition("=")[2]
    return None


def wait_dynamic_file(member, version):
    harness.wait_for(lambda: (dynamic_file(member) or "").endswith(f".dynamic.{version:x}"),
                     timeout=20, what=f"server {member.sid}'s zoo.cfg naming 0x{version:x}")


@pytest.mark.time_limit(LIMIT)
def test_a_reconfig_only_the_snapshot_holds_survives_a_restart_with_an_older_dynamic_file():
    with Ensemble(3, extra_config=CONFIG) as ens:
        ens.start(timeout=START_TIMEOUT)
        removed = ens.followers()[0]
        stay = [i for i in range(3) if i != removed]
        with super_client(ens.connect_string(stay)) as zk:
            # The first reconfig, active and in every remaining server's files.
            data, _ = zk.reconfig(joining=None, leaving=str(ens.server(removed).sid),
                                  new_members=None)
            _, first = parse_config(data)
            for i in stay:
                wait_dynamic_file(ens.server(i), first)
            zoo_cfg_first = {i: open(ens.server(i).cfg_path).read() for i in stay}
            wait_non_voting(ens, removed)
            ens.stop_server(removed)
            # The second, which only the snapshots will know: the removed server back as a
            # voter (it stays down; the two others are a quorum of both configurations).
            data, _ = zk.reconfig(joining=spec(ens.server(removed)), leaving=None,
                                  new_members=None)
            servers, version = parse_config(data)
            assert version > first and ens.server(removed).sid in servers
            deadline = time.monotonic() + 20
            written = 0
            while any(newest_snapshot_zxid(ens.server(i)) < version for i in stay):
                assert time.monotonic() < deadline, "no snapshot past the reconfig"
                zk.create(f"/after-reconfig-{written}", b"w")
                written += 1
                time.sleep(0.05)
        for i in stay:
            ens.stop_server(i)
        # zoo.cfg naming the first configuration's file, the second's file gone: only the
        # snapshot names the newer membership.
        for i in stay:
            member = ens.server(i)
            newer = dynamic_file(member)
            assert newer and newer.endswith(f".dynamic.{version:x}"), newer
            os.remove(newer)
            with open(member.cfg_path, "w") as f:
                f.write(zoo_cfg_first[i])
            assert os.path.exists(dynamic_file(member))
        for i in stay:
            ens.start_server(i, wait=False)
        ens.wait_serving(stay, timeout=START_TIMEOUT)
        # The membership of the data, with its version: committed again by the new leader.
        assert synced_config(ens.connect_string(stay))[0] == (servers, version)
        # ... and in the files again for the next restart.
        for i in stay:
            wait_dynamic_file(ens.server(i), version)
        with harness.kazoo_client(ens.connect_string(stay)) as zk:
            create_retrying(zk, "/after-restart", b"s")
            zk.sync("/after-reconfig-0")
            assert zk.get("/after-reconfig-0")[0] == b"w"
