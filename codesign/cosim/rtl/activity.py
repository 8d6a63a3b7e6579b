"""Toggle activity from a VCD, turned into dynamic energy with the gate library of cells.py.

Every cell output bit of the netlist is looked up in the VCD by its net name; each 0<->1 change
is one toggle of that cell, charged 1/2 C V^2 for the pins it drives (cells.toggle_energy_J).
Every flip-flop also pays its clock each cycle (cells.clock_energy_J). Changes from or to x/z
(before reset) are not toggles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from codesign.cosim.rtl.cells import CELLS, FLIP_FLOP_TYPES, clock_energy_J, toggle_energy_J
from codesign.cosim.rtl.synth import Netlist
from codesign.errors import CodesignError


@dataclass(frozen=True)
class Activity:
    toggles: int
    """Output toggles of all cells over the run."""
    energy_J: float
    """Dynamic energy of the run: toggles and the flip-flops' clock."""
    clock_energy_J: float
    """Of energy_J, the flip-flops' clock."""
    energy_by_cell_J: dict[str, float]
    """Library cell name -> its toggles' energy."""


def count_toggles(vcd: Path, scope: str) -> dict[str, list[int]]:
    """Net name (within `scope`, the last scope name of the hierarchy) -> toggles of each bit,
    least significant first."""
    identifiers: dict[str, tuple[str, int]] = {}
    toggles: dict[str, list[int]] = {}
    scopes: list[str] = []
    with vcd.open() as lines:
        for line in lines:
            if line.startswith("$enddefinitions"):
                break
            words = line.split()
            if not words:
                continue
            if words[0] == "$scope":
                scopes.append(words[2])
            elif words[0] == "$upscope":
                scopes.pop()
            elif words[0] == "$var" and scopes and scopes[-1] == scope:
                width, code, name = int(words[2]), words[3], words[4].removeprefix("\\")  # escaped names
                identifiers.setdefault(code, (name, width))
                toggles.setdefault(name, [0] * width)
        _count_changes(lines, identifiers, toggles)
    if not toggles:
        raise CodesignError(f"{vcd}: no nets of scope {scope!r} in the VCD")
    return toggles


def _count_changes(lines, identifiers: dict[str, tuple[str, int]], toggles: dict[str, list[int]]) -> None:
    """Add each value change's 0<->1 bit flips to `toggles` (scalars on a fast path: most nets of a
    flattened netlist are one bit)."""
    last: dict[str, str] = {}
    for line in lines:
        first = line[0] if line else "#"
        if first in "01xzXZ":
            value, code = first, line[1:].rstrip()
            if code not in identifiers:
                continue
            previous = last.get(code)
            last[code] = value
            if previous is not None and previous != value and previous in "01" and value in "01":
                toggles[identifiers[code][0]][0] += 1
        elif first in "bB":
            value, code = line[1:].split()
            if code not in identifiers:
                continue
            name, width = identifiers[code]
            value = value.rjust(width, "0" if value[0] in "01" else value[0])
            previous = last.get(code)
            last[code] = value
            if previous is None or "x" in previous or "z" in previous or "x" in value or "z" in value:
                continue  # before reset: not a toggle
            flipped = int(previous, 2) ^ int(value, 2)
            counts = toggles[name]
            while flipped:
                bit = flipped & -flipped
                counts[bit.bit_length() - 1] += 1
                flipped ^= bit


def activity(netlist: Netlist, vcd: Path, cycles: int, node_m: float) -> Activity:
    """Energy of the run recorded in `vcd` (of `cycles` clock cycles) at technology node `node_m`."""
    toggles_by_net = count_toggles(vcd, "dut")
    toggles_by_bit = _toggles_by_bit(netlist, toggles_by_net)
    loads = netlist.fanout_F()
    energy_by_cell: Counter[str] = Counter()
    total_toggles = 0
    for cell in netlist.cells:
        toggled = toggles_by_bit.get(cell.output, 0)
        total_toggles += toggled
        energy_by_cell[CELLS[cell.type].library_name] += toggled * toggle_energy_J(cell.type, loads.get(cell.output, 0.0), node_m)
    flip_flops = sum(cell.type in FLIP_FLOP_TYPES for cell in netlist.cells)
    clock = flip_flops * cycles * clock_energy_J(node_m)
    return Activity(total_toggles, sum(energy_by_cell.values()) + clock, clock, dict(sorted(energy_by_cell.items())))


def _toggles_by_bit(netlist: Netlist, toggles_by_net: dict[str, list[int]]) -> dict[int, int]:
    by_bit: dict[int, int] = {}
    for name, bits in netlist.nets.items():
        counts = toggles_by_net.get(name)
        if counts is None or len(counts) != len(bits):
            continue
        for bit, count in zip(bits, counts):
            if isinstance(bit, int):
                by_bit.setdefault(bit, count)
    missing = [cell.output for cell in netlist.cells if cell.output not in by_bit]
    if missing:
        raise CodesignError(f"{netlist.top}: {len(missing)} cell outputs have no net in the VCD")
    return by_bit
