"""tools/deploy's parts that need no server: the inventory's parsing and the zoo.cfg it
renders, the verdict on `srvr` answers that decides whether an ensemble serves, the peer
protocol versions that decide whether a rolling upgrade may start, and the shell commands
of the ssh transport, run here through a stand-in for `ssh` (no sshd: test_deploy_ssh.py
has the real one)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from deploylib import access, commands, hostproc, inventory, peerversion, probe  # noqa: E402

import harness  # noqa: E402

EXAMPLE = """
# an ensemble of three
binary = ../build/paddock
root = /srv/paddock/{id}
tickTime = 2000
autopurge.purgeInterval = 1
1 10.0.0.1
2 10.0.0.2 netns=blue dataLogDir=/fast/log{id}   # its own log device
3 10.0.0.3 root=/data/three clientPort=2281 tickTime=1000 maxOpenFiles=4096
4 10.0.0.4 role=observer
"""


def test_inventory_resolves_hosts_paths_and_ports():
    inv = inventory.parse(EXAMPLE, "/etc/paddock/inventory")
    assert [h.sid for h in inv.hosts] == [1, 2, 3, 4]
    one, two, three, four = inv.hosts
    assert [h.role for h in inv.hosts] == ["participant"] * 3 + ["observer"]
    assert one.root == "/srv/paddock/1" and one.binary == "/etc/build/paddock"
    assert one.netns is None and two.netns == "blue"
    assert three.root == "/data/three" and three.client_port == 2281
    assert (one.quorum_port, one.election_port) == (2888, 3888)
    assert two.zoo["dataLogDir"] == "/fast/log2" and "dataLogDir" not in one.zoo
    assert one.data_dir == "/srv/paddock/1/data"
    assert three.zoo["tickTime"] == "1000" and one.zoo["tickTime"] == "2000"
    assert (one.max_open_files, three.max_open_files) == (65536, 4096)
    assert inv.connect_string() == "10.0.0.1:2181,10.0.0.2:2181,10.0.0.3:2281,10.0.0.4:2181"


def test_inventory_ssh_keys():
    inv = inventory.parse("root = /srv/paddock/{id}\nssh = deployer@{address}\n"
                          "sshIdentity = keys/id_ed25519\n"
                          "sshOptions = -o Port=2222 -o 'UserKnownHostsFile=/k h'\n"
                          "1 10.0.0.1\n2 10.0.0.2 ssh=root@zk{id}.example netns=blue\n"
                          "3 127.0.0.1 ssh= clientPort=2182\n", "/etc/paddock/inventory")
    one, two, three = inv.hosts
    assert (one.ssh, two.ssh, three.ssh) == ("deployer@10.0.0.1", "root@zk2.example", None)
    assert one.ssh_identity == "/etc/paddock/keys/id_ed25519"
    assert one.ssh_options == ["-o", "Port=2222", "-o", "UserKnownHostsFile=/k h"]
    # Machines of their own: one root path serves them all.
    same = inventory.parse("root = /srv/paddock\nssh = root@{address}\n1 10.0.0.1\n"
                           "2 10.0.0.2\n", "inv")
    assert [h.root for h in same.hosts] == ["/srv/paddock"] * 2
    assert (one.where(), two.where(), three.where()) == (
        "ssh=deployer@10.0.0.1", "ssh=root@zk2.example,netns=blue", "")
    # deploy's keys, not zoo.cfg's.
    assert not any(line.startswith("ssh") for line in
                   inventory.render_zoo_cfg(inv, one).splitlines())


def test_zoo_cfg_names_every_server_and_this_hosts_address():
    inv = inventory.parse(EXAMPLE, "/etc/paddock/inventory")
    text = inventory.render_zoo_cfg(inv, inv.hosts[2])
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert "server.1=10.0.0.1:2888:3888;10.0.0.1:2181" in lines
    assert "server.3=10.0.0.3:2888:3888;10.0.0.3:2281" in lines
    assert "clientPort=2281" in lines and "clientPortAddress=10.0.0.3" in lines
    assert "dataDir=/data/three/data" in lines
    assert "autopurge.purgeInterval=1" in lines
    assert "4lw.commands.whitelist=srvr,mntr,ruok" in lines
    assert "server.4=10.0.0.4:2888:3888:observer;10.0.0.4:2181" in lines
    assert not any(line.startswith(("binary", "root", "netns", "maxOpenFiles", "role",
                                    "peerType")) for line in lines)
    observer = inventory.render_zoo_cfg(inv, inv.hosts[3]).splitlines()
    assert "peerType=observer" in observer


@pytest.mark.parametrize("text, message", [
    ("root = /r/{id}\n", "no hosts"),
    ("1 10.0.0.1\n", "no root"),
    ("root = /r/{id}\n1 10.0.0.1\n1 10.0.0.2\n", "appears twice"),
    ("root = /r/{id}\n0 10.0.0.1\n", "outside 1..255"),
    ("root = /r\n1 10.0.0.1\n2 10.0.0.2\n", "share a root"),
    ("root = /r\nssh = a@b\n1 10.0.0.1\n2 10.0.0.2\n", "share a root"),
    ("root = /r/{id}\n1 10.0.0.1\n2 10.0.0.1\n", "port"),
    ("root = /r/{id}\n1 10.0.0.1 clientPort=99999\n", "not a port"),
    ("root = /r/{id}\n1 10.0.0.1 server.2=x\n", "server.N"),
    ("root = /r/{id}\nclientPortAddress = 0.0.0.0\n1 10.0.0.1\n", "written by deploy"),
    ("root = /r/{id}\n4lw.commands.whitelist = ruok\n1 10.0.0.1\n", "srvr and mntr"),
    ("root = /r/{id}\n1 10.0.0.1 nonsense\n", "not key=value"),
    ("root = /r/{id}\nmaxOpenFiles = lots\n1 10.0.0.1\n", "maxOpenFiles=lots"),
    ("root = /r/{id}\n1 10.0.0.1 role=leader\n", "participant or an observer"),
    ("root = /r/{id}\n1 10.0.0.1 role=observer\n", "needs voters"),
    ("just words here\n", "expected `key = value`"),
    ("root = r/{id}\nssh = root@{address}\n1 10.0.0.1\n", "needs absolute paths"),
    ("root = /r/{id}\n1 10.0.0.1 ssh=a@b dataDir=d\n", "needs absolute paths"),
    ("root = /r/{id}\nsshOptions = -o 'unclosed\n1 10.0.0.1\n", "sshOptions"),
])
def test_inventory_errors_name_the_problem(text, message):
    with pytest.raises(inventory.InventoryError, match=message.replace(".", r"\.")):
        inventory.parse(text, "inv")


SRVR = "Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0/0\nZxid: {zxid}\nMode: {mode}\n"


def answer(mode, zxid):
    return probe.parse_srvr(SRVR.format(mode=mode, zxid=zxid))


def test_parse_srvr():
    assert answer("follower", "0x100000003") == {"mode": "follower", "zxid": 0x100000003}
    assert probe.parse_srvr("This ZooKeeper instance is not currently serving requests\n") \
        == {"mode": "not serving", "zxid": None}
    assert probe.parse_srvr(None) is None


def test_verdict_needs_every_host_one_leader_and_the_same_zxid():
    f, l = "follower", "leader"
    ok = {1: answer(f, "0x5"), 2: answer(l, "0x5"), 3: answer(f, "0x5")}
    assert probe.verdict(ok) == (True, "host 2 leads")
    assert probe.verdict({**ok, 3: None})[1] == "host 3 does not answer"
    assert probe.verdict({**ok, 3: probe.parse_srvr("not serving\n")})[1] == \
        "host 3 is not serving"
    assert "2 leaders" in probe.verdict({**ok, 1: answer(l, "0x5")})[1]
    lagging = {**ok, 3: answer(f, "0x4")}
    assert not probe.verdict(lagging)[0] and "zxids differ" in probe.verdict(lagging)[1]
    assert probe.verdict(lagging, same_zxid=False)[0]
    # A leader that opened epoch 2 and proposed nothing in it yet (ZooKeeper reports that
    # zxid), its followers at the last txn of epoch 1: the same state.
    new_epoch = {1: answer(f, "0x100000007"), 2: answer(l, "0x200000000"),
                 3: answer(f, "0x100000007")}
    assert probe.verdict(new_epoch)[0]
    assert not probe.verdict({**new_epoch, 2: answer(l, "0x200000001")})[0]
    # A fresh ZooKeeper ensemble: some servers at 0x0, others at the first epoch's start.
    assert probe.verdict({1: answer(f, "0x0"), 2: answer(l, "0x100000000"),
                          3: answer(f, "0x100000000")})[0]
    # An epoch start before the others' txns is a server behind.
    assert not probe.verdict({1: answer(f, "0x100000000"), 2: answer(l, "0x100000007"),
                              3: answer(f, "0x100000007")})[0]


def test_a_standalone_server_is_its_own_leader():
    assert probe.verdict({1: answer("standalone", "0x3")}) == (True, "host 1 leads")


def test_observers_serve_without_leading():
    ok, why = probe.verdict({1: answer("leader", "0x3"), 2: answer("follower", "0x3"),
                             3: answer("observer", "0x3")})
    assert ok and why == "host 1 leads"


def test_quorum_verdict_allows_a_minority_down():
    f, l = "follower", "leader"
    assert probe.quorum_verdict({1: answer(f, "0x1"), 2: answer(l, "0x1"), 3: None}) == \
        (True, "host 2 leads; not serving: [3]")
    assert not probe.quorum_verdict({1: None, 2: answer(l, "0x1"), 3: None})[0]
    assert not probe.quorum_verdict({1: answer(f, "0x1"), 2: answer(f, "0x1"), 3: None})[0]


def fake_binary(tmp_path, name, script):
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(0o755)
    return str(path)


def test_peer_protocol_version_of_a_binary(tmp_path):
    assert peerversion.of_binary(fake_binary(tmp_path, "v7", 'echo 7')) == 7
    # A build from before the check: the option is unknown, it prints its usage and fails.
    old = fake_binary(tmp_path, "old", 'echo "paddock: unknown option $1" >&2; exit 2')
    assert peerversion.of_binary(old) is None
    assert peerversion.of_binary(fake_binary(tmp_path, "chatty", 'echo starting; exit 0')) is None
    assert peerversion.of_binary(str(tmp_path / "missing")) is None
    if os.access(harness.PADDOCK_BIN, os.X_OK):
        assert peerversion.of_binary(harness.PADDOCK_BIN) >= 1


def test_a_rolling_upgrade_between_peer_protocol_versions_is_refused():
    refusal, warnings = peerversion.rolling_upgrade_verdict(3, {1: 3, 2: 2, 3: 2})
    assert refusal and warnings == []
    assert "host 2 runs peer protocol 2, host 3 runs peer protocol 2, the new binary 3" in refusal
    assert "full stop and start" in refusal
    assert peerversion.rolling_upgrade_verdict(3, {1: 3, 2: 3}) == (None, [])
    assert peerversion.rolling_upgrade_verdict(3, {}) == (None, [])


def test_a_binary_that_does_not_tell_its_version_is_warned_about_not_refused():
    # A host's binary without a version (a build from before the check, or a broken one the
    # last upgrade left behind): the upgrade goes on, with a warning.
    refusal, warnings = peerversion.rolling_upgrade_verdict(3, {1: None, 2: 3})
    assert refusal is None and len(warnings) == 1 and "host(s) 1 " in warnings[0]
    # A new binary without a version is not compared.
    refusal, warnings = peerversion.rolling_upgrade_verdict(None, {1: 2})
    assert refusal is None and "not compared" in warnings[0]


# -- the ssh transport's commands, through a stand-in for ssh --------------------------------

# Runs the command here, as the remote login shell would; `-O exit` (no command) does nothing.
FAKE_SSH = """#!/bin/sh
while [ $# -gt 0 ] && [ "$1" != -- ]; do shift; done
shift 2
[ $# -eq 0 ] && exit 0
exec /bin/sh -c "$1"
"""
# ssh itself failing: it exits 255 with its message on standard error.
UNREACHABLE_SSH = """#!/bin/sh
echo "ssh: connect to host 10.0.0.1 port 22: Connection refused" >&2
exit 255
"""


@pytest.fixture
def ssh_host(tmp_path):
    """Host 1, `ssh = tester@10.0.0.1`, its root in tmp_path/root; its access's ssh is the
    stand-in. Returns (host, access)."""
    inv = inventory.parse(f"root = {tmp_path}/root\nssh = tester@{{address}}\n1 10.0.0.1\n",
                          str(tmp_path / "inventory"))
    host = inv.hosts[0]
    ssh_access = access.for_host(host)
    assert isinstance(ssh_access, access.SshAccess)
    ssh_access.ssh = [fake_binary(tmp_path, "ssh", FAKE_SSH)]
    yield host, ssh_access
    access.close_connections()


def scratch_dirs(root):
    return [n for n in os.listdir(root) if n.startswith(access.SCRATCH_PREFIX)]


def test_an_unreachable_host_is_an_error_not_a_binary_without_a_version(ssh_host, tmp_path):
    host, ssh_access = ssh_host
    ssh_access.ssh = [fake_binary(tmp_path, "unreachable", UNREACHABLE_SSH)]
    with pytest.raises(access.AccessError, match="Connection refused"):
        peerversion.of_binary("/srv/paddock/bin/paddock", ssh_access.run_in_scratch_dir)
    with pytest.raises(access.AccessError, match=r"^host 1: asking .*/root/bin/paddock for "
                       r"its peer protocol version: ssh tester@10\.0\.0\.1 failed"):
        hostproc.installed_peer_version(host)
    with pytest.raises(access.AccessError, match="^host 1: "):
        hostproc.peer_version_on(host, fake_binary(tmp_path, "v7", "echo 7"))


def test_installed_binaries_answer_over_ssh_in_a_scratch_dir_of_the_root(ssh_host, tmp_path):
    host, _ = ssh_host
    os.makedirs(os.path.dirname(host.installed_binary))
    with open(host.installed_binary, "w") as f:  # it answers from the scratch directory
        f.write('#!/bin/sh\n[ "$1" = --peer-protocol-version ] && pwd > ../cwd && echo 5\n')
    os.chmod(host.installed_binary, 0o755)
    assert hostproc.installed_peer_version(host) == 5
    with open(os.path.join(host.root, "cwd")) as f:
        cwd = f.read().strip()
    assert os.path.dirname(cwd) == host.root
    assert os.path.basename(cwd).startswith(access.SCRATCH_PREFIX)
    assert scratch_dirs(host.root) == []
    # A build from before the check, or a missing binary: no version, no error.
    with open(host.installed_binary, "w") as f:
        f.write('#!/bin/sh\necho "unknown option $1" >&2; exit 2\n')
    assert hostproc.installed_peer_version(host) is None
    os.unlink(host.installed_binary)
    assert hostproc.installed_peer_version(host) is None


def test_a_program_exiting_255_on_the_host_is_no_ssh_failure(ssh_host, tmp_path):
    _, ssh_access = ssh_host
    root = str(tmp_path / "root")
    code, out = ssh_access.run_in_scratch_dir(["sh", "-c", "printf 'a\\nb'; exit 255"],
                                              parent=root)
    assert (code, out) == (255, "a\nb")
    code, out = ssh_access.run_copy_in_scratch_dir(
        fake_binary(tmp_path, "fails", "echo told; exit 255"), [], parent=root)
    assert (code, out) == (255, "told\n")
    assert scratch_dirs(root) == []


def test_the_new_binary_is_asked_on_the_first_host_to_upgrade(ssh_host, tmp_path, capsys):
    host, ssh_access = ssh_host
    # The new binary tells its version only where it runs from a copy in the host's root:
    # the check ran on the host, not on this machine.
    new = fake_binary(tmp_path, "new", f'case "$0" in {host.root}/{access.SCRATCH_PREFIX}*) '
                      'echo 7;; *) echo "run on the wrong machine"; exit 1;; esac')
    assert peerversion.of_binary(new) is None
    assert hostproc.peer_version_on(host, new) == 7
    os.makedirs(os.path.dirname(host.installed_binary))
    with open(host.installed_binary, "w") as f:
        f.write("#!/bin/sh\necho 6\n")
    os.chmod(host.installed_binary, 0o755)
    with pytest.raises(commands.DeployError, match="host 1 runs peer protocol 6, the new "
                       "binary 7"):
        commands._check_peer_versions(new, [host])
    assert ("peer protocol version of the new binary, run on host 1 (ssh=tester@10.0.0.1): 7"
            in capsys.readouterr().err)
    assert scratch_dirs(host.root) == []


def test_a_copy_over_ssh_may_take_longer_the_larger_it_is(ssh_host, tmp_path, monkeypatch):
    host, ssh_access = ssh_host
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(10 * 1000 * 1000)  # a 10 MB binary
    timeouts = []
    real_sh = ssh_access.sh

    def sh(script, stdin=None, timeout=None):
        timeouts.append(timeout)
        return real_sh(script, stdin, timeout)

    monkeypatch.setattr(ssh_access, "sh", sh)
    ssh_access.install(str(big), os.path.join(host.root, "bin", "paddock"))
    with open(os.path.join(host.root, "bin", "paddock"), "rb") as f:
        assert f.read() == big.read_bytes()
    # 60 s, and 10 MB at 1 Mbit/s (128 KiB/s): about 76 s more.
    assert timeouts == [pytest.approx(60 + 10e6 / (128 * 1024))]
    ssh_access.makedirs(host.root)  # any other call keeps the plain timeout
    assert timeouts[-1] is None and ssh_access.timeout == 60


def test_a_supervisor_that_exits_at_once_is_reported_with_its_exit_status(tmp_path):
    inv = inventory.parse(f"root = {tmp_path}/root\n1 127.0.0.1\n", str(tmp_path / "inv"))
    host = inv.hosts[0]
    os.makedirs(os.path.dirname(host.installed_supervisor))
    with open(host.installed_supervisor, "w") as f:
        f.write("#!/bin/sh\necho cannot start >&2\nexit 3\n")
    os.chmod(host.installed_supervisor, 0o755)
    with pytest.raises(RuntimeError, match=r"exited at once \(exit status 3\):\ncannot start"):
        hostproc.start_supervisor(host)
