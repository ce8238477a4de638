"""A reconfig that only the servers' snapshots still hold survives a restart with the old
zoo.cfg (docs/replication.md, "At a restart"): the servers applied it and snapshotted it,
then came back without the dynamic file that names it (a crash before it was written, a failed
write, an operator's restored zoo.cfg). Their data names the new membership; the ensemble
must not go back to the old one.

Paddock only: ZooKeeper 3.8 reads its configuration from its files alone (zoo.cfg, the
dynamic file it names, zoo.cfg.dynamic.next), never from its data."""
import glob
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from ensemble import Ensemble  # noqa: E402

from reconfig_support import (LIMIT, RECONFIG_CONFIG, START_TIMEOUT,  # noqa: E402
                              create_retrying, parse_config, super_client, synced_config,
                              wait_non_voting)

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


@pytest.mark.time_limit(LIMIT)
def test_a_reconfig_only_the_snapshot_holds_survives_a_restart_with_the_old_zoo_cfg():
    with Ensemble(3, extra_config=CONFIG) as ens:
        ens.start(timeout=START_TIMEOUT)
        removed = ens.followers()[0]
        stay = [i for i in range(3) if i != removed]
        with super_client(ens.connect_string(stay)) as zk:
            data, _ = zk.reconfig(joining=None, leaving=str(ens.server(removed).sid),
                                  new_members=None)
            servers, version = parse_config(data)
            deadline = time.monotonic() + 20
            written = 0
            while any(newest_snapshot_zxid(ens.server(i)) < version for i in stay):
                assert time.monotonic() < deadline, "no snapshot past the reconfig"
                zk.create(f"/after-reconfig-{written}", b"w")
                written += 1
                time.sleep(0.05)
        wait_non_voting(ens, removed)
        for i in range(3):
            ens.stop_server(i)
        # zoo.cfg as it was written first (server lines of all three), no dynamic file: only
        # the snapshot names the new membership.
        for i in stay:
            member = ens.server(i)
            member.write_files(member.config)
            for path in glob.glob(member.cfg_path + ".dynamic*"):
                os.remove(path)
        for i in stay:
            ens.start_server(i, wait=False)
        ens.wait_serving(stay, timeout=START_TIMEOUT)
        # The membership of the data, with its version: not zoo.cfg's, which a new leader
        # would have stamped with a newer version.
        assert synced_config(ens.connect_string(stay))[0] == (servers, version)
        # ... activated again, so it is in the files for the next restart.
        for i in stay:
            cfg = open(ens.server(i).cfg_path).read()
            assert "dynamicConfigFile=" in cfg and "server." not in cfg, cfg
        with harness.kazoo_client(ens.connect_string(stay)) as zk:
            create_retrying(zk, "/after-restart", b"s")
            zk.sync("/after-reconfig-0")
            assert zk.get("/after-reconfig-0")[0] == b"w"
