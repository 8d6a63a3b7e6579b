"""Tiny architectures and layers whose costs can be derived by hand."""

import numpy

from codesign.arch.energy import EnergyTable, LevelEnergy
from codesign.arch.schema import Architecture
from codesign.cost.dataflow import ORDER_NAMES, Candidates
from codesign.cost.hardware import hardware_of
from codesign.cost.problem import DIMENSIONS, INDEX, Problem


def memory(name, capacity_bytes, holds=("weight", "input", "output"), technology="sram", width_bits=8):
    return {"kind": "memory", "name": name, "technology": technology, "capacity_bytes": capacity_bytes,
            "word_bits": 8, "width_bits": width_bits, "holds": list(holds)}


def architecture(*components, clock=1e9) -> Architecture:
    hierarchy = [memory("dram", None, technology="dram"), *components,
                 {"kind": "compute", "name": "mac", "operand_bits": 8, "accumulator_bits": 8}]
    return Architecture.model_validate({
        "name": "tiny", "description": "hand-checkable", "technology_node_m": 45e-9,
        "clock_frequency_Hz": clock, "dataflow": "weight_stationary", "hierarchy": hierarchy})


def energies(arch: Architecture, read=None, write=None, mac=1e-12, noc=0.0) -> EnergyTable:
    """Per-word energies: level i reads cost read[i] J (default 10^(levels - i) pJ)."""
    names = [level.name for level in arch.memory_levels]
    read = read or [10.0 ** (len(names) - index) * 1e-12 for index in range(len(names))]
    write = write or read
    levels = {name: LevelEnergy(r, w, 0.0, 0.0, "test") for name, r, w in zip(names, read, write)}
    return EnergyTable(levels, mac, 0.0, 0.0, "test", {fanout.name: noc for fanout in arch.spatial_fanouts}, "test")


def hardware(arch, **energy_options):
    return hardware_of(arch, energies(arch, **energy_options))


def problem(name="layer", strides=(1, 1), **sizes) -> Problem:
    bounds = numpy.array([sizes.get(dimension, 1) for dimension in DIMENSIONS], dtype=numpy.int64)
    return Problem(name, bounds, strides)


def mapping(hardware, temporal: dict, spatial: dict | None = None, orders: dict | None = None) -> Candidates:
    """One candidate from {level: {dim: factor}}, {axis: {dim: factor}}, {level: order name}."""
    factors = numpy.ones((1, hardware.slot_count, len(DIMENSIONS)), dtype=numpy.int64)
    for level_name, loops in temporal.items():
        for dimension, factor in loops.items():
            factors[0, hardware.level(level_name).slot, INDEX[dimension]] = factor
    for axis_name, loops in (spatial or {}).items():
        for dimension, factor in loops.items():
            factors[0, hardware.axis(axis_name).slot, INDEX[dimension]] = factor
    order_rows = numpy.zeros((1, len(hardware.levels), len(DIMENSIONS)), dtype=numpy.int64)
    for index, level in enumerate(hardware.levels):
        order_rows[0, index] = [INDEX[name] for name in (orders or {}).get(level.name, ORDER_NAMES[0])]
    return Candidates(factors, order_rows)
