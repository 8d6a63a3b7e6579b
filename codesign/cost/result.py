"""What the cost models return: frozen values, never objects filled in by side effects."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

FLOAT_SLACK = 1e-9
"""Relative distance from an integer below which a cycle count is that integer: float error
in latency x clock (903168.0000000001) must not add a cycle."""


@dataclass(frozen=True)
class LayerCost:
    """The cost of one IR node on one architecture under its best-found mapping."""

    name: str
    op: str
    macs: int
    energy_J: float
    latency_s: float
    cycles: float
    """Whole clock cycles (an integral value): latency_s is cycles / clock."""
    utilization: float
    """MACs / (cycles x MAC units): 1.0 means every MAC unit busy every cycle."""
    dram_bytes: float
    energy_breakdown_J: Mapping[str, float]
    """By component: memory level names, 'mac' (multiply-accumulates of compute layers), fan-out
    names (on-chip network), 'vector' (a standalone op's arithmetic), 'output_stage' (an
    epilogue's arithmetic), or a compute-in-memory macro's parts. Sums to energy_J."""
    energy_by_tensor_J: Mapping[str, float] = field(default_factory=dict)
    """By tensor: 'weight', 'input', 'output' (data movement) and 'compute' (MACs and vector ops).
    Sums to energy_J."""
    mapping: Mapping[str, Any] | None = None
    """JSON-able description of the mapping (None for ops that are not mapped, e.g. views)."""
    bits: Mapping[str, int] | None = None
    """A compute layer's weight, input and output bits as costed (None for other ops)."""


def whole_cycles(cycles: float, least: int = 1) -> float:
    """`cycles` rounded up to a whole clock cycle, and at least `least`: hardware spends whole
    cycles, and an op that runs at all takes one (0.078 cycles is not a number a clock can show)."""
    nearest = round(cycles)
    whole = nearest if abs(cycles - nearest) <= FLOAT_SLACK * max(1.0, abs(cycles)) else math.ceil(cycles)
    return float(max(least, whole))


def with_leakage(cost: LayerCost, leakage_W: float) -> LayerCost:
    """`cost` plus the chip's static energy over its latency, as a breakdown entry of its own
    ('leakage', as Accelergy/AccelForge report it); unchanged when nothing leaks."""
    if leakage_W <= 0:
        return cost
    static_J = leakage_W * cost.latency_s
    return replace(cost, energy_J=cost.energy_J + static_J,
                   energy_breakdown_J={**cost.energy_breakdown_J, LEAKAGE: static_J},
                   energy_by_tensor_J={**cost.energy_by_tensor_J, LEAKAGE: static_J})


LEAKAGE = "leakage"


def clocked(cost: LayerCost, clock_Hz: float) -> LayerCost:
    """`cost` with its latency as whole cycles of `clock_Hz` (cost models that work in seconds)."""
    cycles = whole_cycles(cost.latency_s * clock_Hz)
    return replace(cost, cycles=cycles, latency_s=cycles / clock_Hz)


@dataclass(frozen=True)
class MapperStats:
    mappings_evaluated: int
    seconds: float
    method: str = "mapping search"
    """How layers were placed: the dataflow mapper's search, or a fixed mapping (compute in memory)."""

    @property
    def mappings_per_second(self) -> float:
        return self.mappings_evaluated / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class CompileReport:
    """A whole network compiled onto one architecture."""

    model: str
    arch: str
    objective: str
    clock_frequency_Hz: float
    layers: tuple[LayerCost, ...]
    mapper: MapperStats
    area_m2: float = 0.0
    """The chip's area, all components (the target's area_m2())."""
    leakage_W: float = 0.0
    """The chip's static power; its energy is in every layer's 'leakage' entry."""
    area_by_component_m2: Mapping[str, float] = field(default_factory=dict)
    """The chip's area by component (the target's area_m2()); sums to area_m2."""

    @property
    def energy_J(self) -> float:
        return sum(layer.energy_J for layer in self.layers)

    @property
    def latency_s(self) -> float:
        """Layers run one after another (layer-by-layer execution)."""
        return sum(layer.latency_s for layer in self.layers)

    @property
    def cycles(self) -> float:
        return sum(layer.cycles for layer in self.layers)

    @property
    def edp_Js(self) -> float:
        return self.energy_J * self.latency_s

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    @property
    def dram_bytes(self) -> float:
        return sum(layer.dram_bytes for layer in self.layers)
