"""Local refinement around the best sampled mappings: a deterministic hill climb.

The sampled candidates (candidates.py) deal loops out greedily, each level filled as far as its
ordering allows, so mappings that leave a level part-empty, or put one prime factor of a loop at
another level, are never sampled. Starting from the best few sampled mappings, each round tries
every single move of that kind: one prime factor of a temporal loop moved to another memory level,
or two adjacent looping dimensions of a level's order swapped. The best feasible neighbours become
the next round's parents, until a round finds nothing better. The search returns the best of
samples and refinements, so refining never makes a mapping worse.
"""

from __future__ import annotations

import numpy

from codesign.cost.dataflow import Candidates, evaluate, feasible
from codesign.cost.hardware import Hardware
from codesign.cost.problem import Problem

PARENTS = 16
"""Mappings each round starts from."""
ROUNDS = 20
"""At most this many rounds; most climbs stop earlier, when a round finds nothing better."""


def refine(problem: Problem, hardware: Hardware, parents: Candidates, best_key: tuple[float, float],
           score_of) -> tuple[Candidates, tuple[float, float], int]:
    """Climb from `parents` (ranked best first); `score_of(evaluation)` gives the objective per row.
    Returns the best mapping found (or the first parent), its key and the neighbours evaluated."""
    best, evaluated, seen = parents.take([0]), 0, set()
    for _ in range(ROUNDS):
        neighbours = _unseen(_neighbours(hardware, parents), seen)
        neighbours = neighbours.take(numpy.flatnonzero(feasible(problem, hardware, neighbours)))
        if len(neighbours) == 0:
            break
        evaluation = evaluate(problem, hardware, neighbours)
        evaluated += len(neighbours)
        keys = score_of(evaluation)
        ranking = numpy.lexsort((evaluation.energy_J, keys))
        top = int(ranking[0])
        key = (float(keys[top]), float(evaluation.energy_J[top]))
        if key >= best_key:
            break
        best, best_key = neighbours.take([top]), key
        parents = neighbours.take(ranking[:PARENTS])
    return best, best_key, evaluated


def _neighbours(hardware: Hardware, parents: Candidates) -> Candidates:
    factors, orders = [], []
    for row in range(len(parents)):
        for factor_row, order_row in _moves(hardware, parents.factors[row], parents.orders[row]):
            factors.append(factor_row)
            orders.append(order_row)
    if not factors:
        return Candidates(parents.factors[:0], parents.orders[:0])
    return Candidates(numpy.stack(factors), numpy.stack(orders))


def _moves(hardware: Hardware, factors: numpy.ndarray, orders: numpy.ndarray):
    slots = [level.slot for level in hardware.levels]
    for level_index, slot in enumerate(slots):
        for dimension in numpy.flatnonzero(factors[slot] > 1):
            prime = _smallest_prime(int(factors[slot, dimension]))
            for other in slots:
                if other != slot:
                    moved = factors.copy()
                    moved[slot, dimension] //= prime
                    moved[other, dimension] *= prime
                    yield moved, orders
        looping = [position for position, dimension in enumerate(orders[level_index]) if factors[slot, dimension] > 1]
        for first, second in zip(looping, looping[1:]):
            swapped = orders.copy()
            swapped[level_index, [first, second]] = swapped[level_index, [second, first]]
            yield factors, swapped


def _unseen(candidates: Candidates, seen: set[bytes]) -> Candidates:
    keep = []
    for row in range(len(candidates)):
        key = candidates.factors[row].tobytes() + candidates.orders[row].tobytes()
        if key not in seen:
            seen.add(key)
            keep.append(row)
    return candidates.take(numpy.array(keep, dtype=numpy.int64))


def _smallest_prime(number: int) -> int:
    divisor = 2
    while divisor * divisor <= number:
        if number % divisor == 0:
            return divisor
        divisor += 1
    return number
