"""An architecture flattened into loop slots, with per-word energies attached.

Slots run outermost first: one temporal slot per memory level (the loops whose
iterations that level serves) and one spatial slot per fan-out axis. A mapping puts a
factor of every loop dimension in every slot (1 where it does not loop).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy

from codesign.arch.components.mac import Mac, fused_energy_shares, fused_width
from codesign.arch.energy import EnergyTable
from codesign.arch.schema import Architecture, MemoryLevel, MemoryTechnology, SpatialFanout
from codesign.cost.problem import DIMENSIONS, INDEX, TENSORS
from codesign.ir import LayerBits


@dataclass(frozen=True, eq=False)
class Level:
    name: str
    slot: int
    holds: tuple[str, ...]
    capacity_words: float
    """Words of one instance; infinite for the outermost (DRAM) level."""
    word_bytes: float
    read_J: float
    write_J: float
    words_per_cycle: float
    """Bandwidth of one instance in words per clock cycle (per port)."""
    shared_port: bool
    """DRAM: reads and writes share the interface. On-chip buffers and register files
    read and write through separate ports (a MAC's read-modify-write each cycle)."""


@dataclass(frozen=True, eq=False)
class Axis:
    name: str
    """'fanout.axis', e.g. 'pe_array.x'."""
    fanout: str
    slot: int
    size: int
    allowed: numpy.ndarray
    """Which loop dimensions this axis may unroll (DIMENSIONS order)."""


@dataclass(frozen=True, eq=False)
class SystolicArray:
    """A systolic fan-out (SpatialFanout.systolic): each time the tile of `level` (the first memory
    level below it, whose tile stays in the PEs) is refilled, the array spends `cycles_per_pass`
    beyond its streaming cycles (weight load, pipeline fill and drain)."""

    fanout: str
    level: str
    cycles_per_pass: int


@dataclass(frozen=True, eq=False)
class Hardware:
    name: str
    levels: tuple[Level, ...]
    axes: tuple[Axis, ...]
    slot_count: int
    mac_J: float
    """One full-width multiply-accumulate."""
    mac_count: int
    clock_Hz: float
    noc_J_per_word: dict[str, float]
    operand_bits: int | None = None
    """The MACs' native widths (cost/precision.py); None where values are never narrowed
    (the digital periphery of compute-in-memory macros)."""
    accumulator_bits: int | None = None
    precision_scalable: bool = False
    """Narrower operands raise the MACs' products per cycle and lower their energy (mac.py)."""
    systolic: tuple[SystolicArray, ...] = ()

    def chain(self, tensor: str) -> tuple[Level, ...]:
        """The levels that hold `tensor`, outermost first."""
        return tuple(level for level in self.levels if tensor in level.holds)

    def level(self, name: str) -> Level:
        return next(level for level in self.levels if level.name == name)

    def axis(self, name: str) -> Axis:
        return next(axis for axis in self.axes if axis.name == name)

    def fanouts_between(self, outer_slot: int, inner_slot: int) -> list[str]:
        """Fan-outs whose axes sit strictly between two slots (data crossing them)."""
        names = [axis.fanout for axis in self.axes if outer_slot < axis.slot < inner_slot]
        return list(dict.fromkeys(names))

    def products_per_cycle(self, bits: LayerBits | None) -> int:
        """Products one MAC unit does per cycle at `bits` (1 unless it is precision-scalable)."""
        if not self.precision_scalable or bits is None:
            return 1
        return Mac(self.operand_bits, self.accumulator_bits, 0.0).products_per_cycle(bits.weight, bits.input)

    def fused_mac_shares(self, bits: LayerBits | None) -> tuple[float, float] | None:
        """(one product's multiply, one accumulation) as shares of mac_J on a precision-scalable
        unit narrower than its full width (mac.py); None where every product costs mac_J."""
        if not self.precision_scalable or bits is None:
            return None
        width = self.operand_bits
        if fused_width(bits.weight, width) == width and fused_width(bits.input, width) == width:
            return None
        return fused_energy_shares(width, self.accumulator_bits, bits.weight, bits.input)


def hardware_of(arch: Architecture, energies: EnergyTable) -> Hardware:
    levels, axes, slot = [], [], 0
    for component in arch.hierarchy:
        if isinstance(component, MemoryLevel):
            levels.append(_level(component, slot, energies, arch.clock_frequency_Hz))
            slot += 1
        elif isinstance(component, SpatialFanout):
            for axis in component.axes:
                allowed = numpy.zeros(len(DIMENSIONS), dtype=bool)
                allowed[[INDEX[str(dimension)] for dimension in axis.unroll]] = True
                axes.append(Axis(f"{component.name}.{axis.name}", component.name, slot, axis.size, allowed))
                slot += 1
    unit = arch.compute  # a dataflow target's MAC unit (compute-in-memory targets build their own)
    return Hardware(arch.name, tuple(levels), tuple(axes), slot, energies.mac_J, arch.mac_count,
                    arch.clock_frequency_Hz, dict(energies.noc_J_per_word), unit.operand_bits,
                    unit.accumulator_bits, unit.precision_scalable, _systolic_arrays(arch))


def _systolic_arrays(arch: Architecture) -> tuple[SystolicArray, ...]:
    arrays = []
    for index, component in enumerate(arch.hierarchy):
        if isinstance(component, SpatialFanout) and component.systolic:
            below = next(item for item in arch.hierarchy[index + 1:] if isinstance(item, MemoryLevel))
            arrays.append(SystolicArray(component.name, below.name, component.systolic_pass_cycles))
    return tuple(arrays)


def _level(memory: MemoryLevel, slot: int, energies: EnergyTable, clock_Hz: float) -> Level:
    capacity = math.inf if memory.capacity_bytes is None else memory.capacity_bytes * 8 / memory.word_bits
    energy = energies.levels[memory.name]
    words_per_cycle = memory.bandwidth_at(clock_Hz) / clock_Hz * 8 / memory.word_bits
    holds = tuple(tensor for tensor in TENSORS if tensor in {str(held) for held in memory.holds})
    return Level(memory.name, slot, holds, capacity, memory.word_bits / 8, energy.read_J_per_word,
                 energy.write_J_per_word, words_per_cycle, memory.technology == MemoryTechnology.DRAM)
