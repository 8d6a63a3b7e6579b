"""Searching per-layer widths under an accuracy budget.

Bisection (Schaefer et al., arXiv 2306.04879): every layer starts at the widest candidate.
For each narrower candidate in turn, the layers at the previous width are ordered (first to
drop first, precision_order.py) and a binary search finds the longest prefix of that order
that can drop to the new width with the measured accuracy drop within the budget; the rest
stay. The next width considers only the layers that dropped. About log2(layers) accuracy
measurements per width.

NSGA-II (codesign/search/ga.py): one random key per layer picks its width; the objectives
are the target's cost (the pass' objective) and the accuracy drop; the first population
holds the bisection result, so the front always contains it or something that dominates it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codesign.passes.precision_configs import Config
from codesign.passes.precision_order import Ordering
from codesign.search.ga import GaSettings, Genome, minimize

PENALTY = 1e30


@dataclass(frozen=True)
class SearchPoint:
    config: Config
    accuracy: float
    cost: float


def bisection(layers: Sequence[str], widths: Sequence[int], order: Ordering,
              within_budget: Callable[[Config], bool]) -> Config:
    """The most aggressive configuration the ordering admits (module docstring)."""
    widths = sorted(widths, reverse=True)
    config = {layer: widths[0] for layer in layers}
    eligible = list(layers)
    for bits in widths[1:]:
        ordered = order(eligible, bits)
        low, high = 0, len(ordered)  # the first `low` layers can drop; `high` is an upper bound
        while low < high:
            middle = (low + high + 1) // 2
            trial = {**config, **{layer: bits for layer in ordered[:middle]}}
            if within_budget(trial):
                low = middle
            else:
                high = middle - 1
        config.update({layer: bits for layer in ordered[:low]})
        eligible = ordered[:low]
        if not eligible:
            break
    return config


def nsga2(layers: Sequence[str], widths: Sequence[int], evaluate: Callable[[Config], SearchPoint],
          seed_config: Config, settings: GaSettings) -> tuple[list[SearchPoint], object]:
    """The front of (cost, accuracy drop) over per-layer widths, seeded with `seed_config`."""
    widths = sorted(widths)

    def decode(genome: Genome) -> Config:
        return {layer: widths[min(int(key * len(widths)), len(widths) - 1)] for layer, key in zip(layers, genome.keys)}

    def fitnesses(genomes: list[Genome]) -> list[tuple[float, float]]:
        points = [evaluate(decode(genome)) for genome in genomes]
        return [(point.cost, -point.accuracy) for point in points]

    seed_keys = tuple((widths.index(seed_config[layer]) + 0.5) / len(widths) for layer in layers)
    result = minimize(len(layers), 0, fitnesses, settings, objectives=2, initial=[Genome(seed_keys, ())])
    front = [evaluate(decode(genome)) for genome, _ in result.pareto]
    return front, result
