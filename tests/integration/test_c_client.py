"""Apache ZooKeeper's C client (libzookeeper_mt) against the server: see c_client/."""
import os
import subprocess

import harness

BINARY = os.environ.get("PADDOCK_C_CLIENT",
                        os.path.join(harness.REPO, "build", "bin", "paddock-c-client-check"))


def test_c_client(server):
    assert os.path.exists(BINARY), f"{BINARY} is not built"
    run = subprocess.run([BINARY, server.hosts], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "all C client checks passed" in run.stdout
