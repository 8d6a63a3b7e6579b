"""Local refinement around the best sampled mappings: deterministic hill climbs.

The sampled candidates (candidates.py) deal loops out greedily, each level filled as far as its
ordering allows, so mappings that leave a level part-empty, or put one prime factor of a loop at
another level, are never sampled. A climb starts from a few mappings and, round by round, tries
every single move: one prime factor of a temporal loop moved to another memory level, or two
adjacent looping dimensions of a level's order swapped; with `exchanges`, also two levels trading
factors (a whole factor of one dimension for a whole factor of another, or their smallest primes,
or two factors of one dimension swapped). The best feasible neighbours become the next round's
parents, until a round finds nothing better. The search (search.py) returns the best of samples
and climbs, so refining never makes a mapping worse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from codesign.cost.dataflow import Candidates, evaluate, feasible
from codesign.cost.hardware import Hardware
from codesign.cost.problem import Problem

PARENTS = 16
"""Mappings each round starts from."""
ROUNDS = 20
"""At most this many rounds; most climbs stop earlier, when a round finds nothing better."""


@dataclass(frozen=True, eq=False)
class Climb:
    """One hill climb: where it starts and which moves it makes."""

    parents: Candidates
    """The mappings it starts from, best first."""
    key: tuple[float, float]
    """(objective, energy) of the first parent: what a neighbour must beat."""
    exchanges: bool = False
    """Also let two levels trade factors (module docstring)."""
    kept: int = PARENTS
    """Neighbours kept as the next round's parents."""


@dataclass(frozen=True, eq=False)
class Climbed:
    best: Candidates
    """One row: the best mapping the climb reached (its first parent if nothing beat it)."""
    key: tuple[float, float]
    evaluated: int


def climb(problem: Problem, hardware: Hardware, climbs: list[Climb], score_of) -> list[Climbed]:
    """Run independent climbs side by side, their neighbours evaluated in one batch per round
    (the same result as one after the other, in far fewer calls); `score_of(evaluation)` gives
    the objective per row."""
    states = [_State(item) for item in climbs]
    for _ in range(ROUNDS):
        active = [state for state in states if not state.done]
        if not active:
            break
        batches = [state.neighbours(hardware) for state in active]
        joined = Candidates(numpy.concatenate([batch.factors for batch in batches]),
                            numpy.concatenate([batch.orders for batch in batches]))
        owner = numpy.repeat(numpy.arange(len(active)), [len(batch) for batch in batches])
        fits = feasible(problem, hardware, joined)
        joined, owner = joined.take(numpy.flatnonzero(fits)), owner[fits]
        if len(joined) == 0:
            break
        evaluation = evaluate(problem, hardware, joined)
        keys, energies = score_of(evaluation), evaluation.energy_J
        for index, state in enumerate(active):
            rows = numpy.flatnonzero(owner == index)
            state.advance(joined.take(rows), keys[rows], energies[rows])
    return [Climbed(state.best, state.key, state.evaluated) for state in states]


class _State:
    """A climb in progress."""

    def __init__(self, start: Climb) -> None:
        self.climb, self.parents = start, start.parents
        self.best, self.key = start.parents.take([0]), start.key
        self.evaluated, self.done, self.seen = 0, False, set()

    def neighbours(self, hardware: Hardware) -> Candidates:
        """Every move from every parent, without those this climb has tried before."""
        parts = [_moves(hardware, self.parents.factors[row], self.parents.orders[row], self.climb.exchanges)
                 for row in range(len(self.parents))]
        factors = numpy.concatenate([part[0] for part in parts])
        orders = numpy.concatenate([part[1] for part in parts])
        rows = numpy.concatenate([_flat(factors), _flat(orders)], axis=1)
        fresh = []
        for row, code in enumerate(hashes(rows).tolist()):  # 64-bit hashes: a clash only skips a move
            if code not in self.seen:
                self.seen.add(code)
                fresh.append(row)
        return Candidates(factors[fresh], orders[fresh])

    def advance(self, neighbours: Candidates, keys: numpy.ndarray, energies: numpy.ndarray) -> None:
        """Take the best neighbour if it beats the best so far, else stop."""
        if len(neighbours) == 0:
            self.done = True
            return
        self.evaluated += len(neighbours)
        ranking = numpy.lexsort((energies, keys))
        top = int(ranking[0])
        key = (float(keys[top]), float(energies[top]))
        if key >= self.key:
            self.done = True
            return
        self.best, self.key = neighbours.take([top]), key
        self.parents = neighbours.take(ranking[:self.climb.kept])


_HASH_WEIGHTS = numpy.random.default_rng(0).integers(1, 2 ** 62, 4096)


def _flat(array: numpy.ndarray) -> numpy.ndarray:
    return array.reshape(len(array), int(numpy.prod(array.shape[1:])))


def hashes(rows: numpy.ndarray) -> numpy.ndarray:
    """One int64 per row of integers (products wrap: a hash; rows up to 4096 wide)."""
    return rows @ _HASH_WEIGHTS[:rows.shape[1]]


def _moves(hardware: Hardware, factors: numpy.ndarray, orders: numpy.ndarray, exchanges: bool):
    """(factors, orders) of every neighbour of one mapping, level by level (innermost last): for
    each looping dimension its prime moves, then (with `exchanges`) its trades with the levels
    below; then the level's order swaps."""
    slots = numpy.array([level.slot for level in hardware.levels])
    at_level = factors[slots]  # (levels, 8)
    smallest = _smallest_primes(at_level)
    levels, dimensions = numpy.nonzero(at_level > 1)  # the looping (level, dimension) pairs, in order
    parts = [_prime_moves(slots, at_level, smallest, levels, dimensions)]
    if exchanges:
        parts += _trade_moves(slots, at_level, smallest, levels, dimensions)
    keys = numpy.concatenate([part[0] for part in parts])
    trades = numpy.concatenate([part[1] for part in parts])
    swaps = _swap_moves(at_level, orders)
    ranking = numpy.lexsort(numpy.concatenate([keys, swaps[0]]).T[::-1])
    count = len(keys) + len(swaps[0])
    moved = numpy.repeat(factors[None], count, axis=0)
    rows = numpy.arange(len(keys))
    for step in range(2):  # the second trade sees the first's result
        source, target, dimension, amount = trades[:, step].T
        moved[rows, source, dimension] //= amount
        moved[rows, target, dimension] *= amount
    reordered = numpy.repeat(orders[None], count, axis=0)
    rows = numpy.arange(len(keys), count)
    level, first, second = swaps[1].T
    reordered[rows, level, first] = orders[level, second]
    reordered[rows, level, second] = orders[level, first]
    return moved[ranking], reordered[ranking]


# A move's place in the order: (level, 0 then 1 for swaps, dimension or swap index, 0 prime move
# or 1 trade, other level, other dimension, 0 whole or 1 prime trade).
_KEY_WIDTH = 7


def _prime_moves(slots, at_level, smallest, levels, dimensions):
    """Each looping dimension's smallest prime moved to every other level: (keys, trades)."""
    count = len(slots)
    level = numpy.repeat(levels, count)
    dimension = numpy.repeat(dimensions, count)
    other = numpy.tile(numpy.arange(count), len(levels))
    keep = other != level
    level, dimension, other = level[keep], dimension[keep], other[keep]
    zeros = numpy.zeros_like(level)
    keys = numpy.stack([level, zeros, dimension, zeros, other, zeros, zeros], axis=1)
    first = numpy.stack([slots[level], slots[other], dimension, smallest[level, dimension]], axis=1)
    return keys, numpy.stack([first, _no_trade(first)], axis=1)


def _trade_moves(slots, at_level, smallest, levels, dimensions):
    """Each looping dimension of a level against each looping dimension of a level below it: the
    whole factors traded, and (different dimensions) their smallest primes: [(keys, trades)]."""
    mine = numpy.repeat(numpy.arange(len(levels)), len(levels))
    theirs = numpy.tile(numpy.arange(len(levels)), len(levels))
    keep = levels[theirs] > levels[mine]
    mine, theirs = mine[keep], theirs[keep]
    level, dimension, other, other_dimension = levels[mine], dimensions[mine], levels[theirs], dimensions[theirs]
    parts = []
    every = numpy.ones(len(level), dtype=bool)
    for kind, amounts, use in ((0, at_level, every), (1, smallest, dimension != other_dimension)):
        pick = numpy.flatnonzero(use)
        a, d, o, od = level[pick], dimension[pick], other[pick], other_dimension[pick]
        keys = numpy.stack([a, numpy.zeros_like(a), d, numpy.ones_like(a), o, od, numpy.full_like(a, kind)], axis=1)
        give = numpy.stack([slots[a], slots[o], d, amounts[a, d]], axis=1)
        take = numpy.stack([slots[o], slots[a], od, amounts[o, od]], axis=1)
        parts.append((keys, numpy.stack([give, take], axis=1)))
    return parts


def _no_trade(trades: numpy.ndarray) -> numpy.ndarray:
    """Trades that change nothing (an amount of 1), shaped like `trades`."""
    nothing = trades.copy()
    nothing[:, 3] = 1
    return nothing


def _swap_moves(at_level, orders):
    """Each level's adjacent looping dimensions swapped in its order: (keys, (level, first, second))."""
    keys, swaps = [], []
    for level in range(len(at_level)):
        looping = numpy.flatnonzero(at_level[level, orders[level]] > 1)
        for index, (first, second) in enumerate(zip(looping[:-1], looping[1:])):
            keys.append((level, 1, index, 0, 0, 0, 0))
            swaps.append((level, first, second))
    return (numpy.array(keys, dtype=numpy.int64).reshape(-1, _KEY_WIDTH),
            numpy.array(swaps, dtype=numpy.int64).reshape(-1, 3))


def _smallest_primes(values: numpy.ndarray) -> numpy.ndarray:
    """The smallest prime factor of each value (1 for 1)."""
    return numpy.vectorize(_smallest_prime, otypes=[numpy.int64])(values)


def _smallest_prime(number: int) -> int:
    divisor = 2
    while divisor * divisor <= number:
        if number % divisor == 0:
            return divisor
        divisor += 1
    return number
