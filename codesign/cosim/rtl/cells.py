"""The gate library the RTL measurements count in: area and switched capacitance of each cell
yosys maps a design to (`abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX` plus NOT and D flip-flops).

Areas and input pin capacitances are those of the X1 cells of the NanGate 45 nm Open Cell
Library (FreePDK45; typical corner), as recalled from its Liberty file and databook (not re-read
here: check them against NangateOpenCellLibrary_typical.lib before citing a digit). Cell areas
are multiples of its 0.266 um^2 site (0.19 um x 1.4 um).

Energy per output toggle of a cell: 1/2 C V^2, with C the capacitance the output switches: the
input pins it drives (from the netlist's fan-out), WIRE_F_PER_PIN of wire per pin driven, and the
cell's own internal and diffusion capacitance (INTERNAL_F, our assumption: about its mean input
capacitance, twice that for the two-stage XOR, XNOR and MUX cells). A flip-flop also pays its
clock every cycle: its clock pin and internal clock buffers (C V^2 per cycle, two edges).
V = 0.9 V, the supply of the built-in energy tables' 45 nm reference (Horowitz, ISSCC 2014), so
RTL and model energies compare at one voltage. Glitches are not counted: the gate-level
simulation is zero-delay, so each net toggles at most once per input change (real adders and
multipliers glitch, which adds energy; the count is a lower bound in that respect).
"""

from __future__ import annotations

from dataclasses import dataclass

from codesign.arch.components.scaling import area_scale, energy_scale

LIBRARY_NODE_M = 45e-9
SUPPLY_V = 0.9
WIRE_F_PER_PIN = 0.5e-15
"""Local wire per driven pin (our assumption: a few micrometres at ~0.2 fF/um)."""
FLIP_FLOP_CLOCK_F = 0.95e-15 + 3.0e-15
"""Clock pin of DFF_X1 plus its internal clock inverters (the latter our assumption)."""
SOURCE = ("NanGate 45 nm Open Cell Library X1 cells (areas, pin capacitances); 1/2 C V^2 per toggle "
          f"at {SUPPLY_V} V; zero-delay gate-level simulation (no glitches)")


@dataclass(frozen=True)
class Cell:
    """One library cell, standing in for a yosys internal gate type."""

    library_name: str
    area_m2: float
    input_F: dict[str, float]
    """Capacitance of each input pin (yosys pin names)."""
    internal_F: float
    """Internal and diffusion capacitance switched with the output."""


def _cell(name: str, area_um2: float, internal_fF: float, **pins_fF: float) -> Cell:
    return Cell(name, area_um2 * 1e-12, {pin: value * 1e-15 for pin, value in pins_fF.items()}, internal_fF * 1e-15)


CELLS: dict[str, Cell] = {
    "$_NOT_": _cell("INV_X1", 0.532, 1.7, A=1.70),
    "$_BUF_": _cell("BUF_X1", 0.798, 1.0, A=0.97),
    "$_NAND_": _cell("NAND2_X1", 0.798, 1.6, A=1.60, B=1.66),
    "$_NOR_": _cell("NOR2_X1", 0.798, 1.7, A=1.71, B=1.65),
    "$_AND_": _cell("AND2_X1", 1.064, 1.8, A=0.87, B=0.92),
    "$_OR_": _cell("OR2_X1", 1.064, 1.8, A=0.79, B=0.90),
    "$_XOR_": _cell("XOR2_X1", 1.596, 4.6, A=2.23, B=2.41),
    "$_XNOR_": _cell("XNOR2_X1", 1.596, 4.8, A=2.22, B=2.57),
    "$_MUX_": _cell("MUX2_X1", 1.862, 3.9, A=0.94, B=1.01, S=1.92),
    "$_DFF_P_": _cell("DFF_X1", 4.522, 2.0, D=1.14, C=0.0),  # the clock pin is charged per cycle
}
FLIP_FLOP_TYPES = frozenset({"$_DFF_P_"})


def toggle_energy_J(cell_type: str, load_F: float, node_m: float) -> float:
    """One toggle of a `cell_type` output driving `load_F` of pins, at `node_m`."""
    switched = CELLS[cell_type].internal_F + load_F
    return 0.5 * switched * SUPPLY_V ** 2 * energy_scale(LIBRARY_NODE_M, node_m)


def clock_energy_J(node_m: float) -> float:
    """One flip-flop's clock for one cycle (a rising and a falling edge), at `node_m`."""
    return FLIP_FLOP_CLOCK_F * SUPPLY_V ** 2 * energy_scale(LIBRARY_NODE_M, node_m)


def cell_area_m2(cell_type: str, node_m: float) -> float:
    return CELLS[cell_type].area_m2 * area_scale(LIBRARY_NODE_M, node_m)
