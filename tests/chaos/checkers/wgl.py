"""Linearizability search: Wing & Gong's algorithm with Lowe's improvements (WGL).

The history is a doubly linked list of call and return entries in real-time order. The
search linearizes ("lifts") an operation whose call comes before the first return still
in the list, and backtracks ("unlifts") when it reaches a return whose operation nothing
could linearize. A cache of (set of linearized operations as an int bitset, model state)
prunes configurations already explored: the rest of the search depends on nothing else.

Indeterminate operations (ret None) have their return at +infinity: they get no return
entry and sit in lists of their own, so the search is done once every operation with a
real return is linearized. These reductions keep them (and backtracking) from blowing
up the search; each keeps at least one linearization whenever one exists, for models with
the properties stated in register_model.py (test_checkers.py checks the verdicts against
a brute-force search):
- a move that leaves the state unchanged (a read of the current state) is taken alone:
  any linearization can be rearranged to take it first;
- a determinate candidate that no later state can make legal (model.could_enable) ends
  the branch at once: it must be linearized and never can be;
- indeterminate operations are tried only when some determinate candidate cannot be
  linearized in the current state but could be later: otherwise a linearization can
  take a candidate first and the indeterminate ones later, or not at all; nor when the
  model rules them out in the current state (model.indeterminate_allowed);
- indeterminate operations the model calls interchangeable (one class) are tried one per
  class, the earliest called; and of a group of classes where the first dominates (its
  op does what the others' would, and could do nothing else later) only the first
  class that has an op available (model.classes_at).
"""

import time
from dataclasses import dataclass, field
from typing import Optional

MAX_STATES_REPORTED = 20


@dataclass
class search_op:
    id: int  # position of the bit in the linearized set; ops are numbered in call order
    call: float
    ret: Optional[float]  # None: indeterminate
    inp: tuple
    cls: object = None  # interchangeability class of an indeterminate op, None: its own


@dataclass
class search_result:
    valid: Optional[bool]  # None: the budget ran out first
    stuck: Optional[int] = None  # the op whose return was the furthest the search got
    states_before: list = field(default_factory=list)  # states seen just before it
    configurations: int = 0


class _entries:
    """The call/return list and the lists of indeterminate ops, as dancing links: an
    unlinked node keeps its own pointers, so unlinking in LIFO order restores exactly."""

    def __init__(self, ops, model):
        n = len(ops)
        self.head = 2 * n  # the call/return list; node 2i is op i's call, 2i+1 its return
        self.info_head = 2 * n + 1  # indeterminate ops tried one by one
        self.class_heads = {}
        classes = sorted({op.cls for op in ops if op.ret is None and op.cls is not None},
                         key=repr)
        for offset, cls in enumerate(classes):
            self.class_heads[cls] = 2 * n + 2 + offset
        size = 2 * n + 2 + len(classes)
        self.nxt = list(range(size))
        self.prv = list(range(size))
        entries = []
        for op in ops:
            if op.ret is None:
                continue
            # At equal positions a call sorts before a return: the ops then overlap.
            entries.append((op.call, 0, 2 * op.id))
            entries.append((op.ret, 1, 2 * op.id + 1))
        entries.sort()
        for _, _, node in entries:
            self._append(self.head, node)
        for op in sorted((op for op in ops if op.ret is None), key=lambda o: o.call):
            head = self.info_head if op.cls is None else self.class_heads[op.cls]
            self._append(head, 2 * op.id)

    def _append(self, head, node):
        last = self.prv[head]
        self.nxt[last] = node
        self.prv[node] = last
        self.nxt[node] = head
        self.prv[head] = node

    def unlink(self, node):
        self.nxt[self.prv[node]] = self.nxt[node]
        self.prv[self.nxt[node]] = self.prv[node]

    def relink(self, node):
        self.nxt[self.prv[node]] = node
        self.prv[self.nxt[node]] = node


def search(ops, model, deadline=None):
    """ops: search_op list with ids 0..n-1. model: init, step(state, inp) -> state|None,
    could_enable(state, inp), indeterminate_allowed(state), classes_at(state). deadline: time.monotonic() value after which to give up."""
    ops = sorted(ops, key=lambda o: o.id)
    links = _entries(ops, model)
    nxt, head, info_head, class_heads = links.nxt, links.head, links.info_head, links.class_heads
    step = model.step
    could_enable = model.could_enable
    inps = [op.inp for op in ops]
    calls = [op.call for op in ops]
    rets = [op.ret for op in ops]

    best = {"ret": -1.0, "stuck": None, "states": []}

    def note_frontier(stuck, state):
        """Keeps the furthest return any configuration reached, and its states: the
        shortest failing prefix ends there."""
        frontier = rets[stuck]
        if frontier > best["ret"]:
            best["ret"], best["stuck"], best["states"] = frontier, stuck, [state]
        elif frontier == best["ret"] and len(best["states"]) < MAX_STATES_REPORTED \
                and state not in best["states"]:
            best["states"].append(state)

    def expand(state):
        """The moves to try from `state`, or None when every determinate op is done."""
        node = nxt[head]
        candidates = []
        while node != head and not node & 1:
            candidates.append(node >> 1)
            node = nxt[node]
        if node == head:
            return None
        frontier = rets[node >> 1]
        note_frontier(node >> 1, state)
        moves = []
        blocked = False
        for i in candidates:
            new = step(state, inps[i])
            if new is None:
                if not could_enable(state, inps[i]):
                    # No linearization from here gets past i's return; count that as
                    # reached, as the search without this shortcut would have.
                    note_frontier(i, state)
                    return []
                blocked = True
            elif new == state:
                return [(i, new)]
            else:
                moves.append((i, new))
        if not blocked or not model.indeterminate_allowed(state):
            return moves
        node = nxt[info_head]
        while node != info_head and calls[node >> 1] < frontier:
            new = step(state, inps[node >> 1])
            if new is not None:
                moves.append((node >> 1, new))
            node = nxt[node]
        for group in model.classes_at(state):
            for cls in group:
                class_head = class_heads.get(cls)
                if class_head is None:
                    continue
                node = nxt[class_head]
                if node != class_head and calls[node >> 1] < frontier:
                    new = step(state, inps[node >> 1])
                    if new is not None:
                        moves.append((node >> 1, new))
                        break
        return moves

    def lift(i):
        links.unlink(2 * i)
        if rets[i] is not None:
            links.unlink(2 * i + 1)

    def unlift(i):
        if rets[i] is not None:
            links.relink(2 * i + 1)
        links.relink(2 * i)

    cache = set()
    state = model.init
    linearized = 0
    moves = expand(state)
    if moves is None:
        return search_result(True)
    next_move = 0
    stack = []
    configurations = 0
    while True:
        configurations += 1
        if deadline is not None and configurations & 1023 == 0 and time.monotonic() > deadline:
            return search_result(None, best["stuck"], best["states"], configurations)
        if next_move < len(moves):
            i, new = moves[next_move]
            next_move += 1
            grown = linearized | (1 << i)
            key = (grown, new)
            if key in cache:
                continue
            cache.add(key)
            stack.append((moves, next_move, i, state, linearized))
            lift(i)
            state, linearized = new, grown
            moves = expand(state)
            if moves is None:
                return search_result(True, configurations=configurations)
            next_move = 0
        elif stack:
            moves, next_move, i, state, linearized = stack.pop()
            unlift(i)
        else:
            return search_result(False, best["stuck"], best["states"], configurations)
