"""NSGA-II over a design space too big for its grid (strategy kind nsga2).

The genome is one random key in [0, 1) per parameter, decoded to the index
floor(key x number of values): neighbouring keys pick neighbouring values, so the
wrapper's bounded SBX crossover and Gaussian mutation (codesign/search/ga.py) move a
design to nearby sizes, which is what an ordered parameter (array size, buffer, ADC
bits) wants. A design's fitness is one value per objective over all workloads: energy,
latency and EDP summed (running every workload once), area and accuracy loss their
worst case. A design infeasible on any workload gets a finite penalty worse than
every real design (finite, so NSGA-II's crowding distances stay numbers).

Every design goes through `evaluate_points`, i.e. the runner and the result store: the
search is seeded, so re-running a killed sweep replays the same generations and finds
every design it had already evaluated in the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from codesign.dse.evaluate import METRICS
from codesign.search.pareto import dominates, hypervolume
from codesign.dse.space import Space, design_point
from codesign.search.ga import GaSettings, Genome, minimize

PENALTY = 1e30
WORST_CASE_METRICS = ('area_m2', 'accuracy_loss')
"""Metrics that do not add up over workloads: a design's value is its largest."""


@dataclass(frozen=True)
class Evolution:
    generations: int
    """Generations run after the first population (fewer than asked when stopped early)."""
    designs: int
    """Distinct designs evaluated (each on every workload)."""
    stopped_early: bool
    fitnesses: tuple[tuple[float, ...], ...] = field(default=(), repr=False)
    """Every evaluated design's objective values, in the order they were evaluated."""
    designs_by_generation: tuple[int, ...] = field(default=(), repr=False)
    """Designs evaluated by the end of generation 0, 1, ...: with `fitnesses`, how the
    front grew (sweep.py plots its hypervolume per generation)."""


EvaluatePoints = Callable[[list[dict]], list[dict]]
"""Points -> their store records, in order: evaluates those not yet stored."""


def evolve(space: Space, evaluate_points: EvaluatePoints,
           on_generation: Callable[[int], None] | None = None) -> Evolution:
    """Search the space with NSGA-II; every evaluated point ends up in the store."""
    candidates = [parameter.candidates() for parameter in space.parameters]
    metrics = [METRICS[objective] for objective in space.objectives]

    scores: dict[tuple[int, ...], tuple[float, ...]] = {}  # by value indices: values may be unhashable

    def fitnesses(genomes: list[Genome]) -> list[tuple[float, ...]]:
        designs = [indices(genome, candidates) for genome in genomes]
        fresh = [design for design in dict.fromkeys(designs) if design not in scores]
        workloads = len(space.workloads)
        records = evaluate_points([design_point(space, values(design, candidates), workload)
                                   for design in fresh for workload in space.workloads])
        for position, design in enumerate(fresh):
            scores[design] = fitness(records[position * workloads:(position + 1) * workloads], metrics)
        return [scores[design] for design in designs]

    strategy = space.strategy
    settings = GaSettings(population=strategy.search_population, generations=strategy.search_generations,
                          seed=strategy.seed, patience=strategy.patience or strategy.search_generations + 1)
    growth: list[int] = []

    def generation_done(stats) -> None:
        growth.append(len(scores))
        if on_generation is not None:
            on_generation(stats.generation)

    result = minimize(len(candidates), 0, fitnesses, settings, objectives=len(metrics), on_generation=generation_done)
    return Evolution(result.history[-1].generation, len(scores), result.stopped_early,
                     tuple(scores.values()), tuple(growth))


def convergence(evolution: Evolution) -> list[dict]:
    """Per generation: designs evaluated, size of the front among them, and its hypervolume
    as a fraction of the final front's (reference: 1.1 x the worst feasible value seen)."""
    feasible = [vector for vector in evolution.fitnesses if vector[0] < PENALTY]
    if not feasible:
        return []
    reference = [1.1 * max(values) if max(values) > 0 else 1.0 for values in zip(*feasible)]
    final = hypervolume(feasible, reference) or 1.0
    rows = []
    for generation, designs in enumerate(evolution.designs_by_generation):
        seen = [vector for vector in evolution.fitnesses[:designs] if vector[0] < PENALTY]
        front = [vector for vector in seen if not any(dominates(other, vector) for other in seen)]
        rows.append({'generation': generation, 'designs': designs, 'front': len(set(front)),
                     'hypervolume_fraction': hypervolume(front, reference) / final})
    return rows


def indices(genome: Genome, candidates: list[list]) -> tuple[int, ...]:
    """The value index each key picks: key k of a parameter with n values -> floor(k n)."""
    return tuple(min(int(key * len(options)), len(options) - 1) for key, options in zip(genome.keys, candidates))


def values(design: tuple[int, ...], candidates: list[list]) -> tuple:
    return tuple(options[index] for index, options in zip(design, candidates))


def fitness(records: list[dict], metrics: list[str]) -> tuple[float, ...]:
    """One value per objective metric for a design, from its records on every workload."""
    if any(record['status'] != 'ok' for record in records):
        return (PENALTY,) * len(metrics)
    totals = []
    for metric in metrics:
        per_workload = [record['metrics'][metric] for record in records]
        totals.append(max(per_workload) if metric in WORST_CASE_METRICS else sum(per_workload))
    return tuple(totals)

