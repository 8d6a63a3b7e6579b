"""`codesign rtl DESIGN`: the Verilog units measured (cycles, gate-level energy, area)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from codesign.cli.app import app, console, json_option

DESIGN_NAMES = ("mac", "scalable-mac", "bitserial-mac", "pe-array", "lif", "synapse")
"""codesign.cosim.rtl.designs.DESIGN_NAMES, spelled out: importing that module imports numpy, a
tenth of a second of every command's start-up (tests/unit/test_cli_startup.py keeps the two equal)."""


@app.command("rtl")
@click.argument("design", type=click.Choice(DESIGN_NAMES))
@click.option("--bits", type=int, help="Operand bits (the precision mode for scalable-mac); default: the --arch "
                                      "spec's MAC operand bits, else 8.")
@click.option("--rows", default=4, show_default=True, help="Rows of the PE array (pe-array).")
@click.option("--cols", default=4, show_default=True, help="Columns of the PE array (pe-array).")
@click.option("--sim", "simulator", type=click.Choice(["icarus", "verilator"]), default="icarus", show_default=True,
              help="Simulator of the gate-level netlist.")
@click.option("--operations", default=2000, show_default=True, help="Operations in the measurement trace.")
@click.option("--arch", "arch_spec", metavar="NAME|FILE",
              help="Take the technology node from this spec (default: the cell library's 45 nm), and for a "
                   "dataflow spec its MAC's operand and accumulator bits.")
@click.option("--seed", default=0, show_default=True)
@click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR",
              help="Also measure other operand widths and plot energy per operation against bits into DIR.")
@json_option
def rtl_command(design, bits, rows, cols, simulator, operations, arch_spec, seed, plot_directory, json_path) -> None:
    """Synthesize a unit with yosys, simulate its gate-level netlist under random operands, check
    every result against the golden model, and report cycles, energy per operation and area."""
    from codesign.arch import load_arch
    from codesign.cosim.rtl.cells import LIBRARY_NODE_M
    from codesign.cosim.rtl.designs import design_named, plot_bits
    from codesign.cosim.rtl.measure import check_options, measure
    from codesign.cosim.rtl.trace import RtlOptions
    from codesign.report.output import write_json

    unit = design_named(design)
    arch = None if arch_spec is None else load_arch(arch_spec)
    spec_bits, accumulator_bits = _spec_widths(arch, design)
    options = RtlOptions(bits=bits or spec_bits or 8, rows=rows, cols=cols, accumulator_bits=accumulator_bits)
    check_options(unit, options)
    node_m = LIBRARY_NODE_M if arch is None else arch.technology_node_m
    with console.status(f"synthesizing and simulating {design} ({simulator})"):
        result = measure(unit, options, simulator, operations, node_m, seed)
    report = result.as_dict()
    report |= _cycle_agreement(design, options, report)
    _print(report, [*result.cycle_figures, "rtl_cycles", "model_cycles"])
    if plot_directory is not None:
        from codesign.cosim.rtl.plots import plot_energy_per_bits

        sweep = []
        with console.status(f"measuring {design} at {len(plot_bits(unit))} operand widths"):
            for width in plot_bits(unit):
                sweep.append(dict(report) if width == options.bits else measure(
                    unit, RtlOptions(width, rows, cols), simulator, operations, node_m, seed).as_dict())
        report["sweep"] = sweep
        for path in plot_energy_per_bits(sweep, plot_directory):
            console.print(f"wrote {path}")
    if json_path is not None:
        write_json(json_path, report)
        console.print(f"wrote {json_path}")


def _spec_widths(arch, design: str) -> tuple[int | None, int | None]:
    """A dataflow spec's MAC operand bits, and its accumulator bits for the plain MAC (the one
    design built with any accumulator width); (None, None) for other specs."""
    unit = None if arch is None else arch.compute
    operand_bits = getattr(unit, "operand_bits", None)
    accumulator_bits = getattr(unit, "accumulator_bits", None) if design == "mac" and operand_bits else None
    if accumulator_bits is not None and accumulator_bits < 2 * operand_bits:
        print(f"codesign: warning: {arch.name}'s {accumulator_bits}-bit accumulator is narrower than the "
              f"{2 * operand_bits}-bit product rtl/mac.v adds into it; measuring the default {2 * operand_bits + 8} bits",
              file=sys.stderr)
        accumulator_bits = None
    return operand_bits, accumulator_bits


def _cycle_agreement(design: str, options, report: dict) -> dict:
    """For the PE array: the RTL's cycles per tile and the dataflow cost model's for the same tile
    on arch_specs/systolic_4x4.yaml (resized to --rows x --cols)."""
    if design != "pe-array":
        return {}
    from codesign.cosim.rtl.agreement import model_gemm_cycles
    from codesign.cosim.rtl.golden_gemm import TRACE_ROWS_PER_TILE

    rows, cols = options.rows, options.cols
    return {"rtl_cycles": int(report["tile_cycles"]), "tile_rows_m": TRACE_ROWS_PER_TILE,
            "model_cycles": model_gemm_cycles(TRACE_ROWS_PER_TILE, rows, cols, rows, cols)}


def _print(report: dict, figure_keys: list[str]) -> None:
    energy = report["energy_per_operation_J"]
    lines = [
        f"{report['design']}, {report['bits']}-bit operands, {report['simulator']}, "
        f"{report['technology_node_m'] * 1e9:g} nm: {report['operations']} {report['operation']}s in "
        f"{report['cycles']} cycles, every result checked against the golden model",
        f"  energy per {report['operation']}: {energy * 1e12:.4g} pJ ({report['toggles_per_operation']:.1f} gate "
        f"toggles; clock {report['clock_energy_J'] / report['operations'] * 1e12:.3g} pJ)",
        f"  area {report['area_m2'] * 1e12:.1f} um^2, {report['cells']} cells: "
        + ", ".join(f"{name} {count}" for name, count in report["cell_counts"].items()),
    ]
    figures = {key: report[key] for key in figure_keys if key in report}
    if figures:
        lines.append("  " + ", ".join(f"{key} {value:.4g}" for key, value in figures.items()))
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True)
