"""Pareto dominance and hypervolume, for every search that has more than one objective
(the fusion pass' NSGA-II mode, the design-space sweeps)."""

from __future__ import annotations

from collections.abc import Sequence


def dominates(first: tuple, second: tuple) -> bool:
    return all(a <= b for a, b in zip(first, second)) and any(a < b for a, b in zip(first, second))


def hypervolume(vectors: Sequence[Sequence[float]], reference: Sequence[float]) -> float:
    """The volume dominated by `vectors` (all objectives minimised) and bounded by `reference`.

    Exact, by slicing along the first objective (Zitzler's measure); vectors not below the
    reference in every objective add nothing. Fine for the fronts of a sweep (hundreds of points).
    """
    inside = sorted({tuple(map(float, vector)) for vector in vectors
                     if all(value < bound for value, bound in zip(vector, reference))})
    if not inside:
        return 0.0
    if len(reference) == 1:
        return reference[0] - inside[0][0]
    volume = 0.0
    for index, vector in enumerate(inside):
        upper = inside[index + 1][0] if index + 1 < len(inside) else reference[0]
        if upper > vector[0]:  # the slab between this first coordinate and the next
            volume += (upper - vector[0]) * hypervolume([other[1:] for other in inside[:index + 1]], reference[1:])
    return volume
