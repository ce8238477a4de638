"""The versioned register: one znode's data and Stat.version, as setData/getData see it.

A state is (value, version). value is the canonical JSON text of the data, or one of two
markers that no JSON text can equal: UNKNOWN (the initial data is not known) and
UNOBSERVED (data that no read in the history ever returns, so which data it is cannot
matter). version is an int, or None while the initial version is unknown.

An operation's input is a tuple, its first field the kind:
  (READ, value, version)             an ok read (sync + getData)
  (WRITE, value, version)            an ok setData; version is the new version
  (CAS, value, expected, version)    an ok setData(expected_version)
  (BADVERSION, expected)             a cas that failed with badversion: it saw version != expected
  (WRITE_INFO, value)                an indeterminate setData
  (CAS_INFO, value, expected)        an indeterminate setData(expected_version)

Properties the search relies on (see wgl.py): an operation that leaves a state unchanged
leaves every state reachable from it unchanged too (reads change only unknown states, and
knowledge is never lost); and could_enable is never false for an op that some later
state would make legal.
"""

import json

READ, WRITE, CAS, BADVERSION, WRITE_INFO, CAS_INFO = range(6)
UNKNOWN = "<unknown>"
UNOBSERVED = "<unobserved>"


def value_key(value):
    """Canonical text of a JSON value, so equal data compares equal whatever its form."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class register_model:
    def __init__(self, initial, inputs):
        """initial: {"value": V, "version": N} or None for unknown. inputs: the determinate
        inputs of the history being checked. Data no read returns is folded into
        UNOBSERVED, so that states differing only in unreadable data are one state for
        the cache."""
        reads = [i for i in inputs if i[0] == READ]
        self.observed_pairs = {(r[1], r[2]) for r in reads}
        self.observed_values = {r[1] for r in reads}
        self.observed_versions = {r[2] for r in reads}
        self.produced = {i[-1] for i in inputs if i[0] in (WRITE, CAS)}
        self.only_writer = set()
        if initial is None:
            self.init = (UNKNOWN, None)
        else:
            self.init = (self._fold(value_key(initial.get("value")), initial.get("version", 0)),
                         initial.get("version", 0))
        self.cas_classes = set()

    def note_writers(self, inputs):
        """inputs: every write and cas input, determinate or not. Data that is read and
        has a single source (one write, the initial state unknown or other) can only
        come from that write; an indeterminate write of it anywhere else would leave its
        reads unsatisfiable, so step() refuses it there (see _wasted)."""
        if self.init[0] == UNKNOWN:
            return
        writers = {}
        for inp in inputs:
            if inp[0] in (WRITE, CAS, WRITE_INFO, CAS_INFO):
                writers[inp[1]] = writers.get(inp[1], 0) + 1
        self.only_writer = {v for v, n in writers.items()
                            if n == 1 and v in self.observed_values and v != self.init[0]}

    def _wasted(self, value, new_state):
        """An indeterminate write whose result no read can ever match, where reads need
        another: its data has reads and no other source, or its version has reads (which
        need data someone read, and versions never come back)."""
        if new_state[0] != UNOBSERVED:
            return False
        return value in self.only_writer or new_state[1] in self.observed_versions

    def _fold(self, value, version):
        if version is None:
            return value if value in self.observed_values else UNOBSERVED
        return value if (value, version) in self.observed_pairs else UNOBSERVED

    def info_class(self, inp):
        """Indeterminate writes whose data no read returns are interchangeable: only the
        version step they may cause matters. The search tries one per class."""
        if inp[1] in self.observed_values:
            return None
        if inp[0] == WRITE_INFO:
            return ("write",)
        cls = ("cas", inp[2])
        self.cas_classes.add(cls)
        return cls

    def classes_at(self, state):
        """Groups of interchangeable classes that could apply in `state`; the search
        tries the first class of a group that has an op available. In a known version v
        an anonymous cas expecting v does what an anonymous write does, and is good for
        nothing later (versions never come back): use it and keep the write."""
        version = state[1]
        if version is None:
            return [[("write",)]] + [[c] for c in sorted(self.cas_classes)]
        return [[("cas", version), ("write",)]]

    def indeterminate_allowed(self, state):
        """Whether an indeterminate op may be linearized in `state`. Not when the next
        version is the result of a determinate write: that write must be linearized in
        this very version, and any other write first would make it impossible."""
        return state[1] is None or state[1] + 1 not in self.produced

    def could_enable(self, state, inp):
        """Whether some later state could make `inp`, refused in `state`, legal. Versions
        only rise, so an op needing the current or an older version never will (the
        current version's data is fixed), and a search holding it can give up."""
        version = state[1]
        if version is None:
            return True
        kind = inp[0]
        if kind == READ:
            return inp[2] > version
        if kind == WRITE:
            return inp[2] - 1 > version
        if kind == CAS:
            return inp[2] > version and inp[3] == inp[2] + 1
        return kind == BADVERSION

    def step(self, state, inp):
        """The state after `inp`, or None when `inp` cannot happen in `state`."""
        value, version = state
        kind = inp[0]
        if kind == READ:
            if version is not None and version != inp[2]:
                return None
            if value != UNKNOWN and value != inp[1]:
                return None
            return (inp[1], inp[2])
        if kind == WRITE:
            if version is not None and version + 1 != inp[2]:
                return None
            return (self._fold(inp[1], inp[2]), inp[2])
        if kind == CAS:
            new_version = inp[3]
            if new_version != inp[2] + 1:
                return None
            if version is not None and version != inp[2]:
                return None
            return (self._fold(inp[1], new_version), new_version)
        if kind == BADVERSION:
            return None if version == inp[1] else state
        if kind == WRITE_INFO:
            new_version = None if version is None else version + 1
            new_state = (self._fold(inp[1], new_version), new_version)
            return None if self._wasted(inp[1], new_state) else new_state
        if kind == CAS_INFO:
            if version is not None and version != inp[2]:
                return None
            new_state = (self._fold(inp[1], inp[2] + 1), inp[2] + 1)
            return None if self._wasted(inp[1], new_state) else new_state
        raise ValueError(f"unknown register operation {inp!r}")


def describe_state(state):
    value, version = state
    if value == UNKNOWN:
        shown = "<unknown initial data>"
    elif value == UNOBSERVED:
        shown = "<data no read returned>"
    else:
        shown = json.loads(value)
    return {"value": shown, "version": version if version is not None else "<unknown>"}
