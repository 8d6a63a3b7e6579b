"""Writing weights or patterns into the FeFET arrays, and layers whose weights are already there.

Programming (our model; the numbers are the spec's write_energy_per_cell_J and write_time_per_row_s):
a row of an array is written at once, all its columns together; arrays are written in parallel,
so one wave (every array filled once) takes the rows written times the time per row. Each cell
written costs the energy per cell. The bits come from DRAM while rows are written: the longer of
the fetch and the writing sets the time, and the fetch's energy is the DRAM's per bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from codesign.arch.cim import FefetArrayConfig
from codesign.cost.fefet import compute_time_s
from codesign.cost.in_memory import CimChip
from codesign.cost.result import LayerCost
from codesign.ir.loopnest import LoopNest


@dataclass(frozen=True)
class ProgramCost:
    """Writing `cells` cells in `waves` array fills, fetching their bits from DRAM."""

    cells: int
    waves: int
    dram_bytes: float
    """Bytes fetched from DRAM to be written."""
    energy_J: float
    latency_s: float
    energy_breakdown_J: Mapping[str, float]
    """'write' (the cells) and 'dram' (the fetch); sums to energy_J."""

    def __add__(self, other: ProgramCost) -> ProgramCost:
        """One write after the other."""
        breakdown = {key: self.energy_breakdown_J.get(key, 0.0) + other.energy_breakdown_J.get(key, 0.0)
                     for key in (*self.energy_breakdown_J, *other.energy_breakdown_J)}
        return ProgramCost(self.cells + other.cells, self.waves + other.waves, self.dram_bytes + other.dram_bytes,
                           self.energy_J + other.energy_J, self.latency_s + other.latency_s, breakdown)


NOTHING_WRITTEN = ProgramCost(0, 0, 0.0, 0.0, 0.0, {"write": 0.0, "dram": 0.0})


def program_cost(cells: int, waves: int, rows_per_wave: int, dram_bits: float, config: FefetArrayConfig,
                 chip: CimChip) -> ProgramCost:
    """`cells` written in `waves` fills of up to `rows_per_wave` rows each (module docstring)."""
    breakdown = {"write": cells * config.write_energy_per_cell_J, "dram": dram_bits * chip.dram.per_bit_J}
    write_s = waves * rows_per_wave * config.write_time_per_row_s
    latency_s = max(write_s, dram_bits / 8 / chip.dram_bandwidth_B_per_s)
    return ProgramCost(cells, waves, dram_bits / 8, sum(breakdown.values()), latency_s, breakdown)


def with_stored_weights(layer: LayerCost, loop_nest: LoopNest, config: FefetArrayConfig, chip: CimChip,
                        replicas: int = 1) -> LayerCost:
    """`layer` (cost/fefet.py evaluate_layer at `config`) when its weights were written into the arrays
    before, `replicas` times over (copies share the output positions out; the same column cycles in
    all, so the same energy): no DRAM read of them (their writing is a ProgramCost of its own), the
    time the longer of the arrays' compute and the DRAM traffic left."""
    weight_bits = _weight_elements(loop_nest) * config.weight_bits
    dram_bits = layer.dram_bytes * 8
    if dram_bits <= 0:
        return layer
    saved_J = layer.energy_breakdown_J.get("dram", 0.0) * min(1.0, weight_bits / dram_bits)
    left_bits = max(0.0, dram_bits - weight_bits)
    passes = (layer.mapping or {}).get("passes", 1)
    latency_s = max(compute_time_s(loop_nest, config, passes, replicas), left_bits / 8 / chip.dram_bandwidth_B_per_s)
    breakdown = dict(layer.energy_breakdown_J) | {"dram": layer.energy_breakdown_J.get("dram", 0.0) - saved_J}
    by_tensor = dict(layer.energy_by_tensor_J)
    if "weight" in by_tensor:
        by_tensor["weight"] = max(0.0, by_tensor["weight"] - saved_J)
    return replace(layer, energy_J=layer.energy_J - saved_J, latency_s=latency_s, dram_bytes=left_bits / 8,
                   energy_breakdown_J=breakdown, energy_by_tensor_J=by_tensor)


def _weight_elements(loop_nest: LoopNest) -> int:
    size = loop_nest.sizes
    return loop_nest.weight_elements or size["G"] * size["K"] * size["C"] * size["R"] * size["S"]
