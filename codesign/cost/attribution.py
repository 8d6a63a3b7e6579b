"""Energy by tensor for the cost models that count energy by component (compute in memory).

A model says, for each component of its breakdown, how the component's work divides among
the tensors ('weight', 'input', 'output', 'compute'): `shares` maps a component to tensor
weights in any unit (bits moved, say), normalised here. Splitting the (calibrated) breakdown
this way keeps sum(energy_by_tensor_J) == sum(energy_breakdown_J) == energy_J by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from codesign.cost.result import LayerCost

Shares = Mapping[str, Mapping[str, float]]


def split_by_tensor(breakdown: Mapping[str, float], shares: Shares) -> dict[str, float]:
    by_tensor: dict[str, float] = {}
    for component, joules in breakdown.items():
        weights = shares[component]  # a component without shares is a bug in its cost model
        total = sum(weights.values())
        for tensor, weight in weights.items():
            # A component with nothing to divide (no bits moved) goes wholly to its first tensor.
            share = weight / total if total > 0 else float(tensor == next(iter(weights)))
            by_tensor[tensor] = by_tensor.get(tensor, 0.0) + joules * share
    return by_tensor


def attributed(cost: LayerCost, shares: Shares) -> LayerCost:
    """`cost` with its energy_by_tensor_J split from its energy_breakdown_J."""
    return replace(cost, energy_by_tensor_J=split_by_tensor(cost.energy_breakdown_J, shares))
