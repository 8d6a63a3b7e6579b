"""Synthesis with yosys to the gate library of cells.py, for cell counts, area and the gate-level
netlist the activity simulation runs.

    netlist = synthesize(["mac.v"], "mac", {"OPERAND_BITS": 8}, work_directory)
    netlist.cell_counts, netlist.verilog

The script flattens the design, unmaps flip-flop enables and synchronous resets into plain D
flip-flops and logic (so every flop is one library DFF), maps the logic with ABC onto two-input
gates and multiplexers, and gives every internal wire a short public name (rename -enumerate) so
that the gate-level Verilog and the JSON netlist name the same nets.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from codesign.cosim.rtl.cells import CELLS, cell_area_m2
from codesign.cosim.rtl.tools import require_tool, rtl_source, tool_environment
from codesign.errors import CodesignError

GATES = "AND,NAND,OR,NOR,XOR,XNOR,MUX"
TIME_LIMIT_S = 300


@dataclass(frozen=True)
class GateCell:
    type: str
    inputs: tuple[tuple[str, int | str], ...]
    """(pin, net bit) of each input; a bit is an int, or '0'/'1' for a constant."""
    output: int


@dataclass(frozen=True)
class Netlist:
    top: str
    verilog: Path
    """The gate-level netlist (plain Verilog, gates written as expressions)."""
    cells: tuple[GateCell, ...]
    nets: Mapping[str, tuple[int | str, ...]]
    """Net name -> its bits, least significant first."""
    ports: Mapping[str, tuple[int | str, ...]]

    @property
    def cell_counts(self) -> dict[str, int]:
        """Library cell name -> count."""
        counts = Counter(CELLS[cell.type].library_name for cell in self.cells)
        return dict(sorted(counts.items()))

    def area_m2(self, node_m: float) -> float:
        return sum(cell_area_m2(cell.type, node_m) for cell in self.cells)

    def fanout_F(self) -> dict[int, float]:
        """Net bit -> capacitance of the input pins it drives."""
        loads: dict[int, float] = {}
        for cell in self.cells:
            for pin, bit in cell.inputs:
                if isinstance(bit, int):
                    loads[bit] = loads.get(bit, 0.0) + CELLS[cell.type].input_F[pin]
        return loads


def synthesize(sources: Sequence[str], top: str, parameters: Mapping[str, int], directory: Path) -> Netlist:
    """Synthesize `top` from `sources` (names in rtl/) with `parameters` into `directory`."""
    yosys = require_tool("yosys", "yosys")
    directory.mkdir(parents=True, exist_ok=True)
    verilog, netlist_json = directory / f"{top}_gates.v", directory / f"{top}_gates.json"
    reads = " ".join(f"read_verilog {rtl_source(name)};" for name in sources)
    chparams = "".join(f" chparam -set {name} {int(value)} {top};" for name, value in parameters.items())
    script = (f"{reads}{chparams} synth -flatten -top {top}; dffunmap; abc -g {GATES}; opt_clean -purge; "
              f"rename -enumerate -pattern n%; write_verilog -noattr {verilog}; write_json {netlist_json}")
    try:
        result = subprocess.run([yosys, "-q", "-p", script], capture_output=True, text=True, timeout=TIME_LIMIT_S,
                                env=tool_environment())
    except subprocess.TimeoutExpired:
        raise CodesignError(f"{top}: yosys did not finish within {TIME_LIMIT_S} s") from None
    if result.returncode != 0:
        raise CodesignError(f"{top}: yosys failed: {_first_error(result.stdout + result.stderr)}")
    return _read_netlist(top, verilog, json.loads(netlist_json.read_text()))


def _first_error(log: str) -> str:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return next((line for line in lines if "ERROR" in line), lines[-1] if lines else "no output")


def _read_netlist(top: str, verilog: Path, document: dict) -> Netlist:
    module = document["modules"][top]
    cells = []
    for name, cell in module["cells"].items():
        if cell["type"] not in CELLS:
            raise CodesignError(f"{top}: synthesis left a {cell['type']} cell ({name}) outside the gate library")
        connections = cell["connections"]
        output_pin = "Q" if cell["type"].startswith("$_DFF") else "Y"
        inputs = tuple((pin, bits[0]) for pin, bits in sorted(connections.items()) if pin != output_pin)
        cells.append(GateCell(cell["type"], inputs, connections[output_pin][0]))
    nets = {name: tuple(net["bits"]) for name, net in module["netnames"].items()}
    ports = {name: tuple(port["bits"]) for name, port in module["ports"].items()}
    return Netlist(top, verilog, tuple(cells), nets, ports)
