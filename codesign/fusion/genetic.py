"""The genetic layer-fusion search: random keys (topological order) + cut bits (groups).

The first population holds the layer-by-layer and greedy schedules (their genomes decode
to exactly them: schedule.graph_order is a valid order), so with elitism the result is never
worse than either, and (NSGA-II) no member of the front is dominated by either: the front is
that of everything evaluated, the two baselines included. Fitness is the objective of the
decoded schedule (single objective) or its (energy, cycles) pair (NSGA-II, for the front).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from codesign.fusion.groups import GroupModel
from codesign.fusion.schedule import Schedule, decode, graph_order, greedy, keys_for, layer_by_layer
from codesign.search.ga import GaResult, GaSettings, GenerationStats, Genome, minimize


@dataclass(frozen=True)
class FusionSearch:
    best: Schedule
    result: GaResult
    pareto: tuple[Schedule, ...]
    """NSGA-II: the energy-latency front (lowest energy first); otherwise just the best."""


def search_fusion(model: GroupModel, settings: GaSettings, pareto: bool = False,
                  on_generation: Callable[[GenerationStats], None] | None = None) -> FusionSearch:
    units = len(model.units)
    if units < 2:
        only = layer_by_layer(model)
        return FusionSearch(only, _trivial_result(only, model, pareto), (only,))
    order = graph_order(model)
    seeds = [Genome(keys_for(model, order), schedule.cuts()) for schedule in (layer_by_layer(model), greedy(model))]

    def fitness(genome: Genome) -> tuple[float, ...]:
        schedule = decode(model, genome.keys, genome.bits)
        if pareto:
            return (schedule.energy_J, schedule.cycles)
        return (model.score(schedule.energy_J, schedule.cycles),)

    result = minimize(units, units - 1, lambda genomes: [fitness(genome) for genome in genomes], settings,
                      objectives=2 if pareto else 1, initial=seeds, on_generation=on_generation)
    front = tuple(decode(model, genome.keys, genome.bits) for genome, _ in result.pareto)
    if pareto:
        best = min(front, key=lambda schedule: model.score(schedule.energy_J, schedule.cycles))
    else:
        best = decode(model, result.best.keys, result.best.bits)
    return FusionSearch(best, result, front)


def _trivial_result(schedule: Schedule, model: GroupModel, pareto: bool) -> GaResult:
    genome = Genome((0.5,) * len(schedule.order), ())
    if pareto:
        fitness = (schedule.energy_J, schedule.cycles)
        stats = GenerationStats(0, fitness, fitness, 0, (fitness,))
    else:
        fitness = (model.score(schedule.energy_J, schedule.cycles),)
        stats = GenerationStats(0, fitness, fitness, 0)
    return GaResult(genome, fitness, (stats,), ((genome, fitness),), 0, False)
