"""`codesign rtl DESIGN`: synthesize a design, run a measurement trace through its gate-level
netlist, check every result against the golden model, and count cycles, toggles, energy and area.

    result = measure(DESIGNS["mac"], RtlOptions(bits=8), "icarus", node_m=45e-9)
    result.energy_per_operation_J, result.area_m2, result.cycles
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy

from codesign.cosim.rtl.activity import activity
from codesign.cosim.rtl.cells import LIBRARY_NODE_M, SOURCE
from codesign.cosim.rtl.gatesim import simulate_gates
from codesign.cosim.rtl.synth import synthesize
from codesign.cosim.rtl.tools import require_simulator
from codesign.cosim.rtl.trace import Design, RtlOptions
from codesign.errors import CodesignError

DEFAULT_OPERATIONS = 2000
MOST_CELL_CYCLES = 3e8
"""Cells x cycles of the largest gate-level run: about a gigabyte of VCD and minutes of counting."""
LARGEST_ARRAY = 16


@dataclass(frozen=True)
class RtlMeasurement:
    design: str
    options: RtlOptions
    simulator: str
    technology_node_m: float
    operations: int
    operation: str
    cycles: int
    """Clock cycles of the whole trace (reset included)."""
    cycle_figures: dict[str, float]
    """What the trace's checker measured (cycles per operation, per tile, ...)."""
    cell_counts: dict[str, int]
    area_m2: float
    toggles: int
    energy_J: float
    clock_energy_J: float
    energy_by_cell_J: dict[str, float]
    source: str = SOURCE
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def energy_per_operation_J(self) -> float:
        return self.energy_J / self.operations

    def as_dict(self) -> dict:
        return {
            "design": self.design, "bits": self.options.bits, "rows": self.options.rows, "cols": self.options.cols,
            "simulator": self.simulator, "technology_node_m": self.technology_node_m,
            "operations": self.operations, "operation": self.operation, "cycles": self.cycles,
            **self.cycle_figures, **self.extra,
            "energy_J": self.energy_J, "energy_per_operation_J": self.energy_per_operation_J,
            "clock_energy_J": self.clock_energy_J, "toggles": self.toggles,
            "toggles_per_operation": self.toggles / self.operations,
            "energy_by_cell_J": self.energy_by_cell_J, "cell_counts": self.cell_counts,
            "cells": sum(self.cell_counts.values()), "area_m2": self.area_m2, "source": self.source,
        }


def check_options(design: Design, options: RtlOptions) -> None:
    low, high = design.bits_range
    if not low <= options.bits <= high:
        raise CodesignError(f"{design.name}: --bits {options.bits} is unsupported (supported: {low} to {high})")
    for what, value in (("rows", options.rows), ("cols", options.cols)):
        if not 1 <= value <= LARGEST_ARRAY:
            raise CodesignError(f"{design.name}: --{what} {value} is unsupported (supported: 1 to {LARGEST_ARRAY})")


def measure(design: Design, options: RtlOptions, simulator: str = "icarus", operations: int = DEFAULT_OPERATIONS,
            node_m: float = LIBRARY_NODE_M, seed: int = 0, work_directory: Path | None = None) -> RtlMeasurement:
    check_options(design, options)
    require_simulator(simulator)  # before synthesis: a missing simulator is named first
    if not 1 <= operations <= 1_000_000:
        raise CodesignError(f"--operations {operations} is unsupported (supported: 1 to 1000000)")
    with tempfile.TemporaryDirectory(prefix=f"codesign-rtl-{design.name}-") as scratch:
        directory = Path(work_directory or scratch)
        netlist = synthesize(design.sources, design.top, design.parameters(options), directory)
        trace = design.trace(options, numpy.random.default_rng(seed), operations)
        if len(netlist.cells) * len(trace.inputs) > MOST_CELL_CYCLES:
            raise CodesignError(f"{design.name}: {len(trace.inputs)} cycles of a {len(netlist.cells)}-cell netlist are "
                                f"too many for a gate-level VCD (at most {MOST_CELL_CYCLES:.0e} cell-cycles); "
                                "use fewer --operations")
        run = simulate_gates(netlist.verilog, design.top, design.ports_in(options), design.ports_out(options),
                             trace.inputs, simulator, directory)
        try:
            figures = trace.check(run.outputs)
        except AssertionError as error:
            raise CodesignError(f"{design.name}: the gate-level netlist disagrees with the golden model: {error}") from None
        energy = activity(netlist, run.vcd, len(trace.inputs), node_m)
    return RtlMeasurement(
        design=design.name, options=options, simulator=simulator, technology_node_m=node_m,
        operations=trace.operations, operation=trace.operation, cycles=len(trace.inputs),
        cycle_figures=dict(figures), cell_counts=netlist.cell_counts, area_m2=netlist.area_m2(node_m),
        toggles=energy.toggles, energy_J=energy.energy_J, clock_energy_J=energy.clock_energy_J,
        energy_by_cell_J=energy.energy_by_cell_J)
