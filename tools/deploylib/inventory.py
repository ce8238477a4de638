"""The inventory: which hosts an ensemble runs on, and what every host's zoo.cfg says.

    # comments and blank lines are ignored
    binary = /usr/lib/paddock/paddock        # ensemble-wide settings: key = value
    root = /srv/paddock/{id}                  # {id} is the host's server id
    tickTime = 2000                           # any other key goes into every zoo.cfg
    1 10.0.0.1                                # hosts: id address [key=value ...]
    2 10.0.0.2 netns=blue
    3 10.0.0.3 root=/data/paddock clientPort=2281
    4 10.0.0.4 role=observer                  # a non-voting member (default: participant)
    5 10.0.0.5 ssh=paddock@10.0.0.5           # reached over ssh (access.py)

A line whose first word is a number is a host; any other line is a setting. deploy's own keys
(`binary`, `root`, `netns`, `clientPort`, `quorumPort`, `electionPort`, `maxOpenFiles`,
`role`, `ssh`, `sshIdentity`, `sshOptions`) may be set for the ensemble or on a host line;
every other key is a zoo.cfg key, and a host line's value wins over the ensemble's for that
host. Paths are relative to the inventory file's directory; a host reached over ssh needs
absolute ones (its root, dataDir, dataLogDir are on that machine), and `{address}` in `ssh`
is the host's address (`ssh = root@{address}` for the whole ensemble).
"""
import os
import re
import shlex

DEPLOY_KEYS = ("binary", "root", "netns", "clientPort", "quorumPort", "electionPort",
               "maxOpenFiles", "role", "ssh", "sshIdentity", "sshOptions")
ROLES = ("participant", "observer")
# The server's open-file limit, as LimitNOFILE in a systemd unit: one descriptor per client
# connection, and the usual default soft limit of 1024 is too few for a busy server.
DEFAULT_MAX_OPEN_FILES = 65536
PORT_DEFAULTS = {"clientPort": 2181, "quorumPort": 2888, "electionPort": 3888}
# What every zoo.cfg gets unless the inventory says otherwise: ZooKeeper's sample timing,
# and the four-letter words deploy itself needs to see the ensemble (srvr, mntr).
ZOO_DEFAULTS = {"tickTime": "2000", "initLimit": "10", "syncLimit": "5",
                "4lw.commands.whitelist": "srvr,mntr,ruok"}
# Keys deploy writes from the inventory's own fields; setting them as zoo.cfg keys would
# contradict the server.N lines.
DERIVED_KEYS = ("myid", "clientPortAddress", "peerType")


class InventoryError(ValueError):
    pass


class HostEntry:
    """One host of the inventory, with every path and port resolved."""

    def __init__(self, sid, address, root, netns, client_port, quorum_port, election_port,
                 binary, zoo, max_open_files=DEFAULT_MAX_OPEN_FILES, role="participant",
                 ssh=None, ssh_identity=None, ssh_options=()):
        self.sid = sid
        self.address = address
        self.root = root
        self.netns = netns
        self.client_port = client_port
        self.quorum_port = quorum_port
        self.election_port = election_port
        self.binary = binary  # what `up` installs when the host has no binary yet
        self.zoo = zoo  # this host's zoo.cfg keys besides the membership
        self.max_open_files = max_open_files
        self.role = role
        # How deploy reaches the host (access.py): over `ssh` to that destination
        # ([user@]machine) when set, else on this machine.
        self.ssh = ssh
        self.ssh_identity = ssh_identity
        self.ssh_options = list(ssh_options)

    # The host's files, all under its root.
    @property
    def installed_binary(self):
        return os.path.join(self.root, "bin", "paddock")

    @property
    def installed_supervisor(self):
        return os.path.join(self.root, "bin", "paddock-supervisor")

    @property
    def cfg_path(self):
        return os.path.join(self.root, "zoo.cfg")

    @property
    def data_dir(self):
        return self.zoo["dataDir"]

    def path(self, name):
        return os.path.join(self.root, name)

    def endpoint(self):
        return f"{self.address}:{self.client_port}"

    def server_line(self):
        return (f"server.{self.sid}={self.address}:{self.quorum_port}:{self.election_port}"
                f"{':observer' if self.role == 'observer' else ''}"
                f";{self.address}:{self.client_port}")

    def where(self):
        """How the host is reached, one word: `ssh=DEST`, `netns=NAME`, both, or ''."""
        return ",".join(f"{k}={v}" for k, v in (("ssh", self.ssh), ("netns", self.netns)) if v)

    def __repr__(self):
        return f"host {self.sid} ({self.endpoint()}{', ' + self.where() if self.where() else ''})"


class Inventory:
    def __init__(self, path, hosts):
        self.path = path
        self.hosts = hosts

    def connect_string(self):
        return ",".join(h.endpoint() for h in self.hosts)

    def host(self, sid):
        return next(h for h in self.hosts if h.sid == sid)


def _split_setting(line, lineno):
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*[=:]\s*(.*)$", line)
    if not m:
        raise InventoryError(f"line {lineno}: expected `key = value` or `id address ...`: {line}")
    return m.group(1), m.group(2).strip()


def parse(text, path="<inventory>"):
    """An Inventory from the file's text; `path` anchors relative paths and names errors."""
    base = os.path.dirname(os.path.abspath(path)) if path != "<inventory>" else os.getcwd()
    settings = {}
    host_lines = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        if words[0].isdigit():
            if len(words) < 2:
                raise InventoryError(f"{path}:{lineno}: a host line needs an id and an address")
            options = {}
            for word in words[2:]:
                if "=" not in word:
                    raise InventoryError(f"{path}:{lineno}: `{word}` is not key=value")
                key, value = word.split("=", 1)
                options[key] = value
            host_lines.append((lineno, int(words[0]), words[1], options))
        else:
            key, value = _split_setting(line, lineno)
            settings[key] = value
    if not host_lines:
        raise InventoryError(f"{path}: no hosts (lines `id address [key=value ...]`)")

    hosts = []
    seen_ids, seen_endpoints = set(), set()
    for lineno, sid, address, options in host_lines:
        where = f"{path}:{lineno}"
        if not 1 <= sid <= 255:
            raise InventoryError(f"{where}: server id {sid} is outside 1..255")
        if sid in seen_ids:
            raise InventoryError(f"{where}: server id {sid} appears twice")
        seen_ids.add(sid)
        merged = {**settings, **options}
        for key in DERIVED_KEYS:
            if key in merged:
                raise InventoryError(f"{where}: `{key}` is written by deploy (from the host's "
                                     "id and address); leave it out")
        if any(k.startswith("server.") for k in merged):
            raise InventoryError(f"{where}: server.N lines are written by deploy from the hosts")

        def expand(value):
            return value.replace("{id}", str(sid))

        def resolve(value):
            return os.path.normpath(os.path.join(base, expand(value)))

        ports = {}
        for key, default in PORT_DEFAULTS.items():
            value = merged.get(key, str(default))
            if not value.isdigit() or not 0 < int(value) < 65536:
                raise InventoryError(f"{where}: {key}={value} is not a port")
            ports[key] = int(value)
        max_open_files = merged.get("maxOpenFiles", str(DEFAULT_MAX_OPEN_FILES))
        if not max_open_files.isdigit() or int(max_open_files) < 64:
            raise InventoryError(f"{where}: maxOpenFiles={max_open_files} is not a number of "
                                 "at least 64")
        role = merged.get("role", "participant")
        if role not in ROLES:
            raise InventoryError(f"{where}: role={role}: a host is a participant or an observer")
        if "root" not in merged:
            raise InventoryError(f"{where}: no root for host {sid} (set `root = DIR/{{id}}` for "
                                 "the ensemble or root=DIR on the host line)")
        ssh = expand(merged["ssh"]).replace("{address}", address) if merged.get("ssh") else None
        if ssh:
            # A remote host's paths cannot be relative to the inventory on this machine.
            for key in ("root", "dataDir", "dataLogDir"):
                if key in merged and not os.path.isabs(expand(merged[key])):
                    raise InventoryError(f"{where}: {key}={merged[key]}: a host reached over "
                                         "ssh needs absolute paths")
        try:
            ssh_options = shlex.split(merged.get("sshOptions", ""))
        except ValueError as e:
            raise InventoryError(f"{where}: sshOptions: {e}")
        ssh_identity = resolve(merged["sshIdentity"]) if merged.get("sshIdentity") else None
        root = resolve(merged["root"])
        binary = resolve(merged["binary"]) if "binary" in merged else None
        zoo = dict(ZOO_DEFAULTS)
        zoo.update({k: expand(v) for k, v in merged.items() if k not in DEPLOY_KEYS})
        for key in ("dataDir", "dataLogDir"):
            if key in zoo:
                zoo[key] = resolve(zoo[key])
        zoo.setdefault("dataDir", os.path.join(root, "data"))
        words = zoo["4lw.commands.whitelist"].replace(" ", "").split(",")
        if "*" not in words and not {"srvr", "mntr"} <= set(words):
            raise InventoryError(f"{where}: 4lw.commands.whitelist must allow srvr and mntr "
                                 "(deploy watches the ensemble with them)")
        endpoints = {(address, ports["clientPort"]), (address, ports["quorumPort"]),
                     (address, ports["electionPort"])}
        if len(endpoints) < 3 or endpoints & seen_endpoints:
            raise InventoryError(f"{where}: host {sid} uses a port twice, or one another host "
                                 f"at {address} uses")
        seen_endpoints |= endpoints
        hosts.append(HostEntry(sid, address, root, merged.get("netns") or None,
                               ports["clientPort"], ports["quorumPort"],
                               ports["electionPort"], binary, zoo, int(max_open_files), role,
                               ssh, ssh_identity, ssh_options))
    if not any(h.role == "participant" for h in hosts):
        raise InventoryError(f"{path}: every host is an observer; an ensemble needs voters")
    # Hosts on different machines (ssh destinations) may use the same path.
    roots = [(h.ssh, h.root) for h in hosts]
    if len(set(roots)) != len(roots):
        raise InventoryError(f"{path}: two hosts on one machine share a root directory (use "
                             "{id} in root)")
    return Inventory(path, hosts)


def load(path):
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise InventoryError(f"cannot read the inventory: {e}")
    return parse(text, path)


def render_zoo_cfg(inventory, host):
    """The zoo.cfg text of one host: its keys, its own client address, every server.N."""
    lines = [f"# Written by tools/deploy from {os.path.abspath(inventory.path)}.",
             "# Edit the inventory instead: `tools/deploy up` writes this file again."]
    for key, value in host.zoo.items():
        lines.append(f"{key}={value}")
    lines.append(f"clientPort={host.client_port}")
    lines.append(f"clientPortAddress={host.address}")
    if host.role == "observer":
        lines.append("peerType=observer")
    lines.extend(h.server_line() for h in inventory.hosts)
    return "\n".join(lines) + "\n"
