"""RTL co-simulation speed (issue 16): yosys synthesis, and 10,000-vector simulations on Icarus and
Verilator, of the RTL and of the gate-level netlist, with the Verilator build cold and cached.

Prints one JSON document. Verilator builds are cached by source text (codesign/cosim/rtl/
gatesim.py); "cold" builds into an empty cache (ccache, when installed, still serves Verilator's
runtime library: see "objcache").

    .venv/bin/python benchmarks/bench_rtl.py [--designs mac pe-array lif] [--vectors 10000]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy

from codesign.cosim.rtl import gatesim
from codesign.cosim.rtl.activity import activity
from codesign.cosim.rtl.designs import design_named
from codesign.cosim.rtl.synth import synthesize
from codesign.cosim.rtl.tools import rtl_source, tool_environment
from codesign.cosim.rtl.trace import RtlOptions


def timed(function, *arguments):
    start = time.perf_counter()
    result = function(*arguments)
    return result, round(time.perf_counter() - start, 3)


def bench_design(name: str, vectors: int) -> dict:
    design, options = design_named(name), RtlOptions()
    probe = design.trace(options, numpy.random.default_rng(0), 1000)  # cycles per operation of this design
    operations = round(vectors * probe.operations / len(probe.inputs))
    trace = design.trace(options, numpy.random.default_rng(0), operations)
    ports = (design.ports_in(options), design.ports_out(options))
    row = {"design": name, "cycles": len(trace.inputs), "operations": trace.operations}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        netlist, row["yosys_s"] = timed(synthesize, design.sources, design.top, design.parameters(options), work / "synth")
        row["cells"] = len(netlist.cells)
        rtl = [rtl_source(source) for source in design.sources]
        for level, sources, parameters in (("rtl", rtl, design.parameters(options)), ("gates", netlist.verilog, None)):
            run, row[f"icarus_{level}_s"] = timed(gatesim.simulate_gates, sources, design.top, *ports, trace.inputs,
                                                  "icarus", _fresh(work), parameters)
            trace.check(run.outputs)
            gatesim.VERILATOR_CACHE = work / f"verilated-{level}"  # an empty cache: a cold build
            run, row[f"verilator_{level}_cold_s"] = timed(gatesim.simulate_gates, sources, design.top, *ports,
                                                          trace.inputs, "verilator", _fresh(work), parameters)
            run, row[f"verilator_{level}_cached_s"] = timed(gatesim.simulate_gates, sources, design.top, *ports,
                                                            trace.inputs, "verilator", _fresh(work), parameters)
            trace.check(run.outputs)
        _, row["activity_count_s"] = timed(activity, netlist, run.vcd, len(trace.inputs), 45e-9)
    return row


def _fresh(work: Path) -> Path:
    directory = Path(tempfile.mkdtemp(dir=work))
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", nargs="+", default=["mac", "pe-array", "lif"])
    parser.add_argument("--vectors", type=int, default=10_000, help="input vectors (clock cycles) per trace")
    arguments = parser.parse_args()
    rows = [bench_design(name, arguments.vectors) for name in arguments.designs]
    print(json.dumps({"benchmark": "rtl", "machine": platform.machine(), "python": platform.python_version(),
                      "objcache": tool_environment().get("OBJCACHE", ""), "vectors": arguments.vectors,
                      "designs": rows}, indent=2))


if __name__ == "__main__":
    main()
