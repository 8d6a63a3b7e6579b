"""The mapper: the best of many sampled candidate mappings, for one objective, refined.

Candidates that do not fit (fan-out sizes, level capacities) are pruned before the
costly part of the evaluation; the rest are evaluated in vectorized batches (identical ones
once). Hill climbs (refine.py) then start from the best few: first with single moves, then,
from where that stopped, with trades between levels too; and from the best candidates of the
next few spatial unrollings, since the climb around the overall best keeps its unrolling.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy

from codesign.cost.dataflow import Candidates, Evaluation, capacity_use, evaluate, feasible
from codesign.cost.dataflow import inner_products
from codesign.errors import CodesignError
from codesign.cost.hardware import Hardware
from codesign.cost.problem import DIMENSIONS, Problem
from codesign.mapping.candidates import RANDOM_ORDERINGS, generate, minimal_candidate
from codesign.mapping.refine import PARENTS, Climb, climb, hashes as _hashes

OBJECTIVES = ("energy", "latency", "edp", "dram")
BATCH = 4096
OTHER_UNROLLINGS = 8
"""Spatial unrollings, after the best one, that a climb of their own starts from."""
OTHER_PARENTS = 2
"""Mappings each of those climbs starts from and keeps per round."""


@dataclass(frozen=True, eq=False)
class BestMapping:
    problem: Problem
    hardware: Hardware
    candidate: Candidates
    """One row: the winning mapping."""
    evaluation: Evaluation
    """One row: its costs."""
    evaluated: int
    """Distinct mappings the cost model evaluated (samples and climbs)."""
    seconds: float

    def describe(self) -> dict:
        """JSON-able mapping: per level its loop factors (>1) and order; per fan-out axis its unrolling."""
        factors = self.candidate.factors[0]
        temporal = {
            level.name: {"factors": _nontrivial(factors[level.slot]),
                         "order": "".join(DIMENSIONS[dimension] for dimension in self.candidate.orders[0, index]
                                          if factors[level.slot, dimension] > 1)}
            for index, level in enumerate(self.hardware.levels)
        }
        spatial = {axis.name: _nontrivial(factors[axis.slot]) for axis in self.hardware.axes}
        return {"temporal": temporal, "spatial": spatial}


def _nontrivial(row: numpy.ndarray) -> dict[str, int]:
    return {DIMENSIONS[index]: int(factor) for index, factor in enumerate(row) if factor > 1}


def score(evaluation: Evaluation, objective: str) -> numpy.ndarray:
    if objective == "energy":
        return evaluation.energy_J
    if objective == "latency":
        return evaluation.cycles
    if objective == "edp":
        return evaluation.energy_J * evaluation.cycles
    check_objective(objective)
    return evaluation.dram_bytes


def search(problem: Problem, hardware: Hardware, objective: str = "edp", seed: int = 0,
           random_orderings: int = RANDOM_ORDERINGS) -> BestMapping:
    """The best of the generated candidate mappings of `problem` (candidates.py), refined."""
    check_objective(objective)
    start = time.perf_counter()
    candidates = _concatenate(minimal_candidate(problem, hardware),
                              generate(problem, hardware, seed, random_orderings))
    candidates = candidates.take(numpy.flatnonzero(feasible(problem, hardware, candidates)))
    if len(candidates) == 0:
        raise CodesignError(_unmappable(problem, hardware))
    keys, energies, distinct = _scores(problem, hardware, candidates, objective)
    ranked: list[tuple[tuple[float, float], Candidates]] = []
    for first in range(0, len(candidates), BATCH):
        rows = numpy.arange(first, min(first + BATCH, len(candidates)))
        for row in rows[numpy.lexsort((energies[rows], keys[rows]))[:PARENTS]]:  # ties: the lower energy wins
            ranked.append(((float(keys[row]), float(energies[row])), candidates.take([int(row)])))
    ranked.sort(key=lambda item: item[0])
    parents = _concatenate_all([candidate for _, candidate in ranked[:PARENTS]])
    score_of = lambda evaluation: score(evaluation, objective)  # noqa: E731
    others = [Climb(candidates.take(rows), (float(keys[rows[0]]), float(energies[rows[0]])), exchanges=True,
                    kept=OTHER_PARENTS) for rows in _other_unrollings(hardware, candidates, keys, energies)]
    climbed = climb(problem, hardware, [Climb(parents, ranked[0][0]), *others], score_of)
    # from where the first climb stopped, with trades too: never worse than that climb alone
    (polished,) = climb(problem, hardware, [Climb(climbed[0].best, climbed[0].key, exchanges=True)], score_of)
    best = min([polished, *climbed[1:]], key=lambda item: item.key)  # ties: the first
    refined = polished.evaluated + sum(item.evaluated for item in climbed)
    evaluation = evaluate(problem, hardware, best.best)
    return BestMapping(problem, hardware, best.best, evaluation, distinct + refined,
                       time.perf_counter() - start)


def _other_unrollings(hardware: Hardware, candidates: Candidates, keys: numpy.ndarray,
                      energies: numpy.ndarray) -> list[numpy.ndarray]:
    """Rows of the OTHER_PARENTS best candidates of each of the OTHER_UNROLLINGS best spatial
    unrollings after the best one (ranked by their best candidate): climbs from there reach
    optima that the climb around the overall best cannot."""
    slots = [axis.slot for axis in hardware.axes]
    ranking = numpy.lexsort((energies, keys))
    unrolling = _hashes(candidates.factors[ranking][:, slots, :].reshape(len(candidates), -1))
    grouped = numpy.argsort(unrolling, kind="stable")  # each unrolling's rows, best first
    starts = numpy.flatnonzero(numpy.r_[True, unrolling[grouped][1:] != unrolling[grouped][:-1]])
    ends = numpy.r_[starts[1:], len(grouped)]
    groups = sorted((grouped[start:end][:OTHER_PARENTS] for start, end in zip(starts, ends)), key=lambda rows: rows[0])
    return [ranking[rows] for rows in groups[1:OTHER_UNROLLINGS + 1]]


def _scores(problem: Problem, hardware: Hardware, candidates: Candidates, objective: str):
    """(objective, energy) of every candidate, and how many distinct ones were evaluated:
    identical candidates (different orderings often deal the loops out alike) are evaluated once."""
    rows = numpy.concatenate([candidates.factors.reshape(len(candidates), -1),
                              candidates.orders.reshape(len(candidates), -1)], axis=1)
    _, first, inverse = numpy.unique(_hashes(rows), return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    if not (rows[first][inverse] == rows).all():  # a collision: evaluate every row
        first, inverse = numpy.arange(len(rows)), numpy.arange(len(rows))
    keys, energies = numpy.empty(len(first)), numpy.empty(len(first))
    for start in range(0, len(first), BATCH):
        part = slice(start, start + BATCH)
        evaluation = evaluate(problem, hardware, candidates.take(first[part]))
        keys[part], energies[part] = score(evaluation, objective), evaluation.energy_J
    return keys[inverse], energies[inverse], len(first)


def check_objective(objective: str) -> None:
    if objective not in OBJECTIVES:
        raise CodesignError(f"unknown objective '{objective}' (choose from {', '.join(OBJECTIVES)})")


def _concatenate_all(parts: list[Candidates]) -> Candidates:
    return Candidates(numpy.concatenate([part.factors for part in parts]),
                      numpy.concatenate([part.orders for part in parts]))


def _concatenate(first: Candidates, second: Candidates) -> Candidates:
    return Candidates(numpy.concatenate([first.factors, second.factors]),
                      numpy.concatenate([first.orders, second.orders]))


def _unmappable(problem: Problem, hardware: Hardware) -> str:
    """Name the level that cannot hold even the smallest possible tiles."""
    minimal = minimal_candidate(problem, hardware)
    use = capacity_use(problem, hardware, inner_products(minimal.factors))[0]
    for level, words in zip(hardware.levels, use):
        if words > level.capacity_words:
            return (f"layer '{problem.name}' cannot be mapped onto {hardware.name}: level '{level.name}' "
                    f"holds {level.capacity_words:g} words, the smallest tiles need {int(words)}")
    return f"layer '{problem.name}' has no mapping onto {hardware.name} that fits its fan-outs and buffers"
