"""The mapper: the best of many sampled candidate mappings, for one objective, refined.

Candidates that do not fit (fan-out sizes, level capacities) are pruned before the
costly part of the evaluation; the rest are evaluated in vectorized batches; the best few
then seed a local hill climb (refine.py).
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
from codesign.mapping.refine import PARENTS, refine

OBJECTIVES = ("energy", "latency", "edp", "dram")
BATCH = 4096


@dataclass(frozen=True, eq=False)
class BestMapping:
    problem: Problem
    hardware: Hardware
    candidate: Candidates
    """One row: the winning mapping."""
    evaluation: Evaluation
    """One row: its costs."""
    evaluated: int
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
    """The best of the generated candidate mappings of `problem` (candidates.py)."""
    check_objective(objective)
    start = time.perf_counter()
    candidates = _concatenate(minimal_candidate(problem, hardware),
                              generate(problem, hardware, seed, random_orderings))
    candidates = candidates.take(numpy.flatnonzero(feasible(problem, hardware, candidates)))
    if len(candidates) == 0:
        raise CodesignError(_unmappable(problem, hardware))
    ranked: list[tuple[tuple[float, float], Candidates]] = []
    for first in range(0, len(candidates), BATCH):
        batch = candidates.take(numpy.arange(first, min(first + BATCH, len(candidates))))
        evaluation = evaluate(problem, hardware, batch)
        keys = score(evaluation, objective)
        for row in numpy.lexsort((evaluation.energy_J, keys))[:PARENTS]:  # ties: the lower energy wins
            ranked.append(((float(keys[row]), float(evaluation.energy_J[row])), batch.take([int(row)])))
    ranked.sort(key=lambda item: item[0])
    parents = _concatenate_all([candidate for _, candidate in ranked[:PARENTS]])
    best_row, best_key, refined = refine(problem, hardware, parents, ranked[0][0],
                                         lambda evaluation: score(evaluation, objective))
    evaluation = evaluate(problem, hardware, best_row)
    return BestMapping(problem, hardware, best_row, evaluation, len(candidates) + refined, time.perf_counter() - start)


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
