"""Simulating a gate-level netlist under a measurement trace, on Icarus or Verilator.

A generated plain-Verilog testbench reads the trace's inputs from a hex file, applies one vector
per cycle, writes every output after each rising edge to a hex file and dumps the netlist's nets
to a VCD for the activity count (activity.py). No cocotb: ten thousand vectors take seconds.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from codesign.cosim.rtl.tools import require_simulator, require_tool, tool_environment
from codesign.cosim.rtl.trace import Vector
from codesign.errors import CodesignError

TIME_LIMIT_S = 600
VERILATOR_CACHE = Path(os.environ.get("CODESIGN_RTL_BUILD", Path.home() / ".cache" / "codesign" / "rtl")) / "verilated"
BENCH = "codesign_bench"


@dataclass(frozen=True)
class GateRun:
    outputs: tuple[dict[str, int], ...]
    vcd: Path


def simulate_gates(netlist_verilog: Path | Sequence[Path], top: str, ports_in: Mapping[str, int], ports_out: Mapping[str, int],
                   inputs: Sequence[Vector], simulator: str, directory: Path,
                   parameters: Mapping[str, int] | None = None) -> GateRun:
    """Run `inputs` through the netlist (or any Verilog files defining `top`, such as the RTL
    itself, then with `parameters`); the outputs after each rising edge and the VCD."""
    sources = [netlist_verilog] if isinstance(netlist_verilog, Path) else list(netlist_verilog)
    require_simulator(simulator)
    names_in, names_out = list(ports_in), list(ports_out)
    (directory / "inputs.hex").write_text("".join(_pack(vector, ports_in, names_in) + "\n" for vector in inputs))
    bench = directory / f"{BENCH}.v"
    bench.write_text(_testbench(top, ports_in, ports_out, _depth(len(inputs)), parameters or {}))
    if simulator == "icarus":
        _icarus(bench, sources, directory, len(inputs))
    else:
        _verilator(bench, sources, directory, len(inputs))
    lines = (directory / "outputs.hex").read_text().split()
    if len(lines) != len(inputs):
        raise CodesignError(f"{top}: the {simulator} run wrote {len(lines)} output vectors for {len(inputs)} cycles")
    return GateRun(tuple(_unpack(line, ports_out, names_out) for line in lines), directory / "activity.vcd")


def _pack(vector: Vector, widths: Mapping[str, int], names: list[str]) -> str:
    word = 0
    for name in names:  # the first port in the most significant bits, as {a, b, ...} concatenates
        value = int(vector.get(name, 0))
        if not 0 <= value < 1 << widths[name]:
            raise CodesignError(f"trace value {value} does not fit input port {name} ({widths[name]} bits)")
        word = (word << widths[name]) | value
    return format(word, "x")


def _unpack(line: str, widths: Mapping[str, int], names: list[str]) -> dict[str, int]:
    if any(character in line.lower() for character in "xz"):
        word = int("".join("0" if character in "xXzZ" else character for character in line), 16)
    else:
        word = int(line, 16)
    values = {}
    for name in reversed(names):
        values[name] = word & ((1 << widths[name]) - 1)
        word >>= widths[name]
    return values


def _depth(cycles: int) -> int:
    """The stimulus memory's depth: a power of two, so one Verilator build serves many trace lengths."""
    return 1 << max(4, (cycles - 1).bit_length())


def _testbench(top: str, ports_in: Mapping[str, int], ports_out: Mapping[str, int], depth: int,
               parameters: Mapping[str, int]) -> str:
    total_in = sum(ports_in.values())
    declarations = [f"  reg [{width - 1}:0] {name};" for name, width in ports_in.items()]
    declarations += [f"  wire [{width - 1}:0] {name};" for name, width in ports_out.items()]
    connections = ", ".join([".clk(clk)"] + [f".{name}({name})" for name in [*ports_in, *ports_out]])
    overrides = f" #({', '.join(f'.{name}({int(value)})' for name, value in parameters.items())})" if parameters else ""
    return f"""`timescale 1ns/1ps
module {BENCH};
  reg clk;
  reg [{total_in - 1}:0] stimulus [0:{depth - 1}];
{chr(10).join(declarations)}
  integer cycle, cycles, outputs;
  {top}{overrides} dut({connections});
  initial begin
    clk = 0;
    if (!$value$plusargs("cycles=%d", cycles)) cycles = 0;
    $readmemh("inputs.hex", stimulus, 0, cycles - 1);
    outputs = $fopen("outputs.hex", "w");
    $dumpfile("activity.vcd");
    $dumpvars(0, dut);
    for (cycle = 0; cycle < cycles; cycle = cycle + 1) begin
      {{{", ".join(ports_in)}}} = stimulus[cycle];
      #5 clk = 1;
      #1 $fwrite(outputs, "%h\\n", {{{", ".join(ports_out)}}});
      #4 clk = 0;
    end
    $fclose(outputs);
    $finish;
  end
endmodule
"""


def _run(command: list[str], directory: Path, what: str) -> None:
    try:
        result = subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=TIME_LIMIT_S,
                                env=tool_environment())
    except subprocess.TimeoutExpired:
        raise CodesignError(f"{what} did not finish within {TIME_LIMIT_S} s") from None
    if result.returncode != 0:
        lines = [line.strip() for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        first = next((line for line in lines if "error" in line.lower()), lines[0] if lines else "no output")
        raise CodesignError(f"{what} failed: {first}")


def _icarus(bench: Path, sources: list[Path], directory: Path, cycles: int) -> None:
    iverilog = require_tool("iverilog", "Icarus Verilog")
    _run([iverilog, "-g2005", "-o", "gates.vvp", str(bench), *map(str, sources)], directory, "iverilog")
    _run([require_tool("vvp", "Icarus Verilog"), "-n", "gates.vvp", f"+cycles={cycles}"], directory, "vvp")


def _verilator(bench: Path, sources: list[Path], directory: Path, cycles: int) -> None:
    """Build (cached by the bench's and the sources' text) and run the Verilator model."""
    verilator = require_tool("verilator", "Verilator")
    texts = bench.read_text() + "".join(path.read_text() for path in sources) + verilator  # its make rules name it
    build = VERILATOR_CACHE / hashlib.sha256(texts.encode()).hexdigest()[:16]
    model = build / "gates"
    if not model.is_file():
        build.mkdir(parents=True, exist_ok=True)
        _run([verilator, "--binary", "--timing", "--trace", "-Wno-fatal", "-Wno-lint", "-Wno-style", "-j", "2",
              "-CFLAGS", "-fcoroutines", "-MAKEFLAGS", "CFG_CXXFLAGS_PCH_I=-include",
              "--top-module", BENCH, "-Mdir", str(build), "-o", "gates", str(bench),
              *map(str, sources)], directory, "verilator")
    _run([str(model), f"+cycles={cycles}"], directory, "the Verilator model")
