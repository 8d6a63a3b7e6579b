"""What the compute-in-memory targets share (codesign/target/crossbar.py, fefet.py): the chip
around the macro (CimChip: node, clock, buffer level and DRAM, as the spec gives them), SPICE
calibration of energy terms, the weights' non-zero rows, and the macro's digital periphery,
described as a one-level Hardware (DRAM) with a vector unit for the ops that are not MACs.

A CiM spec's hierarchy is DRAM, one on-chip buffer level (inputs and outputs between layers),
then the macro. Both levels are costed by the memory component models
(codesign/arch/components: Dram, Sram) at the Architecture's node, or by the numbers the spec
gives a level under `energy:`; a bit read or written costs the mean of the level's full-width
read and write energies over its width (the built-in models cost them alike).

Crossbar layers are sparsity-aware: on each crossbar, the most non-zero cells any column holds
among the rows of one read sets the ADC resolution it needs (crossbar_cells.py, on the weights).
A model imported without its weights (external data file absent) has no values to count:
its layers are costed as dense, the ADC resolution of an unpruned layer, an upper bound,
and the layer's mapping says so ('adc_bits_basis'), rather than refusing a cost that needs
only shapes.

The periphery's vector unit performs one operation per tile (crossbar) or per array
(FeFET) per clock cycle, each costing one digital addition at the chip's node: pooling,
activation and normalisation units are not what these papers model, so this is a simple,
documented stand-in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Protocol

import numpy

from codesign.arch.cim import Calibration, calibrated_action_J, calibration_factor
from codesign.arch.components import MemoryModel
from codesign.arch.components.mac import ENERGY_REFERENCE_NODE_M, add_energy_J
from codesign.arch.components.scaling import energy_scale
from codesign.arch.energy import memory_level_model
from codesign.arch.schema import Architecture, MemoryLevel
from codesign.errors import CodesignError
from codesign.ir import ConvAttrs, MatMulAttrs, Node
from codesign.cost.hardware import Hardware, Level


class ChipComponent(Protocol):
    """What area and leakage are read from: any component model (codesign/arch/components)."""

    @property
    def area_m2(self) -> float: ...

    @property
    def leakage_W(self) -> float: ...


@dataclass(frozen=True)
class CimLevel:
    """A memory level of a CiM spec with the model that costs it (one instance)."""

    spec: MemoryLevel
    model: MemoryModel
    source: str
    """Where its numbers come from, for `codesign arch show`."""

    @property
    def per_bit_J(self) -> float:
        """One bit read or written (module docstring)."""
        return (self.model.read().energy_J + self.model.write().energy_J) / 2 / self.spec.width_bits


@dataclass(frozen=True)
class CimChip:
    """The spec around a compute-in-memory macro."""

    technology_node_m: float
    clock_frequency_Hz: float
    dram: CimLevel
    buffer: CimLevel
    """The on-chip buffer (one per tile on a crossbar spec)."""

    @property
    def dram_bandwidth_B_per_s(self) -> float:
        return self.dram.spec.bandwidth_at(self.clock_frequency_Hz)


def cim_chip(arch: Architecture) -> CimChip:
    """`arch`'s node, clock, DRAM and buffer levels; a one-line error for another hierarchy."""
    levels = arch.memory_levels
    if len(levels) != 2 or len(arch.hierarchy) != 3:
        shape = ', '.join(item.kind for item in arch.hierarchy)
        raise CodesignError(f"{arch.name}: a compute-in-memory spec's hierarchy is DRAM, one on-chip buffer "
                            f"level, then the macro (got {shape})")
    node = arch.technology_node_m
    return CimChip(node, arch.clock_frequency_Hz, _cim_level(levels[0], node), _cim_level(levels[1], node))


def _cim_level(level: MemoryLevel, node_m: float) -> CimLevel:
    return CimLevel(level, *memory_level_model(level, node_m))


def calibrated(cost, calibration: Calibration | None, bits: int | None = None):
    """A cost (LayerCost or SearchCost) with each energy term scaled by its SPICE-fitted factor;
    `bits`: the converter resolution the cost used (per-bit calibration terms need it)."""
    if calibration is None:
        return cost
    breakdown = {key: energy * calibration_factor(calibration, key, bits)
                 for key, energy in cost.energy_breakdown_J.items()}
    return replace(cost, energy_breakdown_J=breakdown, energy_J=sum(breakdown.values()))


def calibrated_row_energy(energy_J: float, source: str, calibration: Calibration | None, key: str,
                          bits: int | None = None, rows: int | None = None) -> tuple[float, str]:
    """One per-action energy of `arch show` as the cost model uses it: as the SPICE calibration of
    its breakdown term makes it (`rows`: rows summed per read, for energy added per row), and
    saying so in its source."""
    calibrated_J = calibrated_action_J(calibration, key, energy_J, bits, rows)
    if calibrated_J == energy_J:
        return energy_J, source
    if calibration is not None and key in calibration.added:
        return calibrated_J, f"SPICE calibration (scaled and added) of {source}"
    return calibrated_J, f"calibration x{calibrated_J / energy_J:.3g} of {source}"


def weights_absent(node: Node) -> bool:
    """A constant weight imported without its values (its external data file was missing)."""
    return node.weight is not None and node.weight.data is None


def weight_matrices(node: Node) -> numpy.ndarray | None:
    """The im2col weight matrices, (groups, C*R*S rows, K columns), as the accuracy emulator gets
    them group by group; None when the weights are not constants (or absent)."""
    weight = node.weight
    if weight is None or weight.data is None:
        return None
    data = weight.data
    if isinstance(node.attrs, ConvAttrs) and not node.attrs.transposed:
        groups = node.attrs.group
        return data.reshape(groups, data.shape[0] // groups, -1).transpose(0, 2, 1)
    if isinstance(node.attrs, MatMulAttrs) and data.ndim == 2:
        return (data.T if node.attrs.transpose_b else data)[None]
    return None


def periphery(arch: Architecture, chip: CimChip, word_bits: int, lanes: int) -> Hardware:
    """The macro's digital periphery as a one-level Hardware (DRAM) with a vector unit of
    `lanes` lanes (tiles or arrays), each op one digital addition at the chip's node."""
    clock = chip.clock_frequency_Hz
    word_J = chip.dram.per_bit_J * word_bits
    dram = Level(chip.dram.spec.name, 0, ("weight", "input", "output"), math.inf, word_bits / 8, word_J, word_J,
                 chip.dram_bandwidth_B_per_s / clock * 8 / word_bits, shared_port=True)
    add_J = add_energy_J(word_bits) * energy_scale(ENERGY_REFERENCE_NODE_M, chip.technology_node_m)
    # operand_bits: integer values narrower than the word move as a share of it (cost/precision.py)
    return Hardware(arch.name, (dram,), (), 1, add_J, lanes, clock, {}, operand_bits=word_bits)
