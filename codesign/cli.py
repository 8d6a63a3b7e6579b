"""The `codesign` command: a thin shim over the public API.

Conventions every command keeps: MODEL is an ONNX path or a zoo name; --arch NAME|FILE;
--json FILE; --plot DIR; --seed N. Exit codes: 0 success, 2 bad input (one line on
stderr), 1 internal error.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click
from rich.console import Console

from codesign import __version__
from codesign.errors import CodesignError

console = Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="codesign")
def app() -> None:
    """Hardware-software co-design compiler and simulator for NN accelerators."""


def model_options(command, required: bool = True):
    """MODEL plus the options every command that imports a model takes."""
    command = click.option("--allow-unknown", is_flag=True,
                           help="Import unknown op types as zero-cost opaque nodes instead of failing.")(command)
    command = click.option("--input-shape", "input_shapes", multiple=True, metavar="NAME=1x3x224x224",
                           help="Bind a dynamic graph input (repeatable).")(command)
    return click.argument("model", required=required)(command)


def optional_model_options(command):
    return model_options(command, required=False)


json_option = click.option("--json", "json_path", type=click.Path(path_type=Path), metavar="FILE",
                           help="Write the result as JSON to FILE.")


@app.command()
@model_options
@json_option
@click.option("--views", is_flag=True, help="Also list zero-cost views (Reshape, Transpose, ...).")
@click.option("--ir", "print_ir", is_flag=True, help="Print the IR text, one line per node, instead of the table.")
def inspect(model, input_shapes, allow_unknown, json_path, views, print_ir) -> None:
    """Per-layer shapes, MACs, parameters and bytes of MODEL (an ONNX file or a zoo name)."""
    from codesign.frontend import load_model, parse_input_shape
    from codesign.ir import format_graph
    from codesign.report.inspect import inspect_report, inspect_table
    from codesign.report.output import write_json

    shapes = dict(parse_input_shape(text) for text in input_shapes)
    with console.status(f"importing {model}"):
        result = load_model(model, shapes, allow_unknown)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    report = inspect_report(model, result.graph, result.warnings)
    if print_ir:
        console.out(format_graph(result.graph), highlight=False, end="")
    else:
        console.print(inspect_table(report, include_views=views))
    if json_path is not None:
        write_json(json_path, report)
        console.print(f"wrote {json_path}")


@app.command("compile")
@optional_model_options
@click.option("--arch", "arch_spec", required=True, metavar="NAME|FILE",
              help="Target architecture: a name from `codesign arch list` or a YAML spec.")
@click.option("--workload", metavar="search:N=..,D=..,Q=..",
              help="Instead of MODEL: N patterns of D bits searched Q times (FeFET macros), compared with a GPU.")
@click.option("-p", "--passes", "pipeline", metavar="PIPELINE",
              help='Passes to run first, e.g. "fuse-layers{population=64,generations=200,seed=0}".')
@click.option("--objective", default="edp", show_default=True,
              type=click.Choice(["edp", "energy", "latency", "dram"]), help="What the mapper minimises per layer.")
@click.option("--seed", default=0, show_default=True, help="Seed of the mapper's random loop orderings.")
@json_option
@click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR",
              help="Write PNG plots (energy by level and tensor, latency; fusion groups and convergence) into DIR.")
def compile_command(model, input_shapes, allow_unknown, arch_spec, workload, pipeline, objective, seed, json_path,
                    plot_directory) -> None:
    """Map every layer of MODEL onto an architecture; report energy, latency, EDP and traffic."""
    if (model is None) == (workload is None):
        raise CodesignError("compile needs either MODEL or --workload (not both)")
    if workload is not None:
        return _compile_workload(workload, arch_spec, json_path)
    from codesign.arch import load_arch
    from codesign.compiler import compile_layers
    from codesign.frontend import load_model, parse_input_shape
    from codesign.fusion.summary import summarize_fusion
    from codesign.passes import parse_pipeline, run_pipeline
    from codesign.report.compile import compile_json, compile_table
    from codesign.report.fusion import fusion_json, fusion_table
    from codesign.report.output import write_json

    arch = load_arch(arch_spec)
    passes = parse_pipeline(pipeline) if pipeline else []
    shapes = dict(parse_input_shape(text) for text in input_shapes)
    with console.status(f"importing {model}"):
        graph = load_model(model, shapes, allow_unknown).graph
    with _progress(f"running passes on {arch.name}", None) as report_progress:
        graph, results = run_pipeline(graph, arch, passes, progress=report_progress)
    layers = [node for node in graph.nodes if not node.op.is_zero_cost]
    with _progress(f"mapping onto {arch.name}", len(layers)) as advance:
        compiled = compile_layers(graph, arch, objective, seed, model_name=model,
                                  on_layer=lambda node: advance(node.name[-40:]))
    details = next((result.details for result in results if result.details is not None), None)
    fusion = summarize_fusion(graph, compiled, objective, details)
    console.print(compile_table(compiled.report))
    document = compile_json(compiled.report)
    if fusion is not None:
        console.print(fusion_table(fusion))
        document |= fusion_json(fusion)
        document["total"] |= {key: value for key, value in document["schedule"].items()
                              if key in ("energy_J", "latency_s", "cycles", "edp_Js", "dram_bytes")}
    if json_path is not None:
        write_json(json_path, document)
        console.print(f"wrote {json_path}")
    if plot_directory is not None:
        from codesign.report.plots import plot_compile
        from codesign.report.plots_fusion import plot_fusion

        paths = plot_compile(compiled.report, plot_directory)
        if fusion is not None:
            paths += plot_fusion(fusion, plot_directory, f"{model} on {arch.name}")
        for path in paths:
            console.print(f"wrote {path}")


def _compile_workload(text: str, arch_spec: str, json_path: Path | None) -> None:
    from codesign.arch import load_arch
    from codesign.cost.search_workload import compile_search, parse_workload
    from codesign.report.compile import compile_json, compile_table, human_energy, human_time
    from codesign.report.output import write_json

    report, comparison = compile_search(parse_workload(text), load_arch(arch_spec))
    console.print(compile_table(report))
    gpu, ratios = comparison["gpu_reference"], comparison["vs_gpu"]
    console.print(f"{gpu['name']}: {human_energy(gpu['energy_J'])}, {human_time(gpu['latency_s'])}; "
                  f"FeFET is {ratios['latency_ratio']:.2f}x faster and {ratios['energy_ratio']:.0f}x more "
                  f"energy-efficient ({ratios['energy_ratio_without_dram']:.0f}x without DRAM on either side)",
                  highlight=False, soft_wrap=True)
    if json_path is not None:
        write_json(json_path, compile_json(report) | comparison)
        console.print(f"wrote {json_path}")


@contextlib.contextmanager
def _progress(label: str, total: int | None):
    """A transient progress bar; yields a callback taking a short description."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.description}")]
    if total is None:
        columns = [TextColumn(label), TimeElapsedColumn(), TextColumn("{task.description}")]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("", total=total)

        def update(description: str, completed: int | None = None, total: int | None = None) -> None:
            if completed is not None:
                progress.update(task, completed=completed, total=total, description=description)
            else:
                progress.update(task, advance=1 if progress.tasks[0].total else 0, description=description)
        yield update


@app.group()
def spice() -> None:
    """Real ngspice simulations of cells and columns, next to the analytical model."""


@spice.command("crossbar")
@click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR", help="Write PNG plots into DIR.")
@click.option("--arch", "arch_spec", default="crossbar", show_default=True, metavar="NAME|FILE",
              help="A crossbar spec: its cell, read and ADC parameters set up the circuit.")
@click.option("--rows", default=8, show_default=True, help="Rows of the simulated column.")
@json_option
def spice_crossbar(arch_spec, rows, json_path, plot_directory) -> None:
    """One crossbar column with its sense amplifier and flash ADC: current, codes, energy per read."""
    from codesign.arch import load_arch
    from codesign.cosim.reports import crossbar_report

    arch = load_arch(arch_spec)
    with console.status(f"simulating a {rows}-row column in ngspice"):
        report = crossbar_report(arch, rows)
    console.print(f"crossbar column, {rows} rows, {report['adc_bits']}-bit flash ADC ({arch.name}): "
                  f"current within {100 * report['max_current_error']:.2f}% of V*sum(G*x), "
                  f"codes within {report['max_code_error_lsb']} LSB", highlight=False, soft_wrap=True)
    for name, ratio in report["energy_ratios_spice_over_model"].items():
        console.print(f"  {name:<20} SPICE / model = {ratio:.3g}", highlight=False)
    console.print(f"  ADC energy per conversion: SPICE {report['adc_energy_J']['spice'] * 1e12:.3g} pJ, "
                  f"model {report['adc_energy_J']['model'] * 1e12:.3g} pJ "
                  f"(relative error {100 * report['energy_rel_error']:+.0f}%)", highlight=False)
    _write_outputs(report, json_path, plot_directory, lambda plots: plots.plot_codes(report, plot_directory))


@spice.command("cell")
@click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR", help="Write PNG plots into DIR.")
@json_option
def spice_cell(json_path, plot_directory) -> None:
    """The FeFET device (Landau-Khalatnikov film on a MOSFET): Vth written by each program scheme."""
    from codesign.cosim.reports import fefet_cell_report

    with console.status("writing and reading FeFET states in ngspice"):
        report = fefet_cell_report()
    for state in report["states"]:
        console.print(f"  pulses {state['pulses_V']}: Vth {state['vth_first_read_V']:.3f} V, "
                      f"again after a read {state['vth_second_read_V']:.3f} V", highlight=False)
    _write_outputs(report, json_path, plot_directory, lambda plots: plots.plot_cell(plot_directory))


def fefet_circuit_options(command):
    """--arch, --mc, --seed, --json and --plot: what every FeFET circuit command takes."""
    for option in (
        json_option,
        click.option("--seed", default=0, show_default=True),
        click.option("--mc", "runs", default=0, show_default=True,
                     help="Monte Carlo runs over Vth variation (both cores)."),
        click.option("--arch", "arch_spec", default="fefet_1f1c", show_default=True, metavar="NAME|FILE",
                     help="A fefet_array spec: capacitances, voltages, Vth states and sigma set up the circuit."),
        click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR",
                     help="Write PNG plots into DIR."),
    ):
        command = option(command)
    return command


@spice.command("column")
@click.option("--rows", default=16, show_default=True, help="Cells in the column.")
@fefet_circuit_options
def spice_column(arch_spec, rows, runs, seed, json_path, plot_directory) -> None:
    """A 1FeFET-1C column doing a charge-domain MAC: transfer curve, energy, Monte Carlo."""
    from codesign.arch import load_arch
    from codesign.cosim.reports import fefet_column_report

    arch = load_arch(arch_spec)
    with console.status(f"simulating a {rows}-cell column in ngspice"):
        report = fefet_column_report(arch, rows, runs, seed)
    energy = report["energy_per_cycle_J"]
    console.print(f"fefet column, {rows} cells ({arch.name}): INL {report['inl_lsb']:.3f} LSB, "
                  f"DNL {report['dnl_lsb']:.3f} LSB (LSB {report['lsb_V'] * 1e3:.3g} mV); energy per column cycle "
                  f"SPICE {energy['spice_charge_and_lines'] * 1e15:.3g} fJ vs model "
                  f"{energy['model_cell_charge_and_drivers'] * 1e15:.3g} fJ ({100 * report['energy_rel_error']:+.0f}%)",
                  highlight=False, soft_wrap=True)
    if "monte_carlo" in report:
        carlo = report["monte_carlo"]
        console.print(f"Monte Carlo ({carlo['runs']} runs, sigma {carlo['sigma_V'] * 1e3:.3g} mV): read-back error "
                      f"rate {carlo['error_rate']:.3g} (model {carlo['model_output_error']:.3g})", highlight=False)
    _write_outputs(report, json_path, plot_directory, lambda plots: plots.plot_transfer(report, plot_directory, "sum", "sum(w*x)", "fefet_column_transfer.png"))


@spice.command("search")
@click.option("--bits", default=8, show_default=True, help="Pattern bits D (2 D cells: each bit and its complement).")
@fefet_circuit_options
def spice_search(arch_spec, bits, runs, seed, json_path, plot_directory) -> None:
    """Associative search on a 1FeFET-1C column: match-line voltage vs Hamming distance."""
    from codesign.arch import load_arch
    from codesign.cosim.reports import fefet_search_report

    arch = load_arch(arch_spec)
    with console.status(f"simulating a {bits}-bit search column in ngspice"):
        report = fefet_search_report(arch, bits, runs, seed)
    for point in report["sweep"]:
        console.print(f"  distance {point['distance']:>3}: match line {point['spice_V'] * 1e3:8.3f} mV "
                      f"(model {point['model_V'] * 1e3:8.3f} mV)", highlight=False)
    if "monte_carlo" in report:
        carlo = report["monte_carlo"]
        console.print(f"Monte Carlo ({carlo['runs']} runs, sigma {carlo['sigma_V'] * 1e3:.3g} mV): search error rate "
                      f"{carlo['error_rate']:.3g}", highlight=False)
    _write_outputs(report, json_path, plot_directory, lambda plots: plots.plot_transfer(report, plot_directory, "distance", "Hamming distance", "fefet_search.png"))


@app.command("calibrate")
@click.argument("kind", type=click.Choice(["fefet", "crossbar"]))
@click.option("--arch", "arch_spec", metavar="NAME|FILE", help="The spec whose macro is fitted (default: fefet_1f1c or crossbar).")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Calibration YAML to write.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def calibrate_command(kind, arch_spec, output, force) -> None:
    """Fit the analytical model's energy terms to SPICE runs and write a calibration file."""
    from codesign.arch import load_arch
    from codesign.cosim.calibrate import calibrate, write_calibration

    if output.exists() and not force:
        raise CodesignError(f"{output}: already exists (pass --force to overwrite it)")
    arch = load_arch(arch_spec or {"fefet": "fefet_1f1c", "crossbar": "crossbar"}[kind])
    with console.status(f"simulating {kind} circuits in ngspice"):
        document = calibrate(kind, arch)
    for point in document["measurements"]:
        console.print(f"  N={point['rows']:>3}: SPICE {point['spice_J'] * 1e15:.4g} fJ, model "
                      f"{point['model_J'] * 1e15:.4g} fJ ({100 * point['error_before']:+.1f}%) -> calibrated "
                      f"{point['calibrated_J'] * 1e15:.4g} fJ ({100 * point['error_after']:+.1f}%)", highlight=False)
    console.print(f"energy_scale {document['energy_scale']}", highlight=False)
    write_calibration(document, output, force)
    console.print(f"wrote {output}")


def _write_outputs(report: dict, json_path: Path | None, plot_directory: Path | None, draw) -> None:
    """The JSON report and the plots `draw(plots_module)` returns the paths of, when asked for."""
    from codesign.report.output import write_json

    if plot_directory is not None:
        from codesign.cosim import plots

        for path in draw(plots):
            console.print(f"wrote {path}")
    if json_path is not None:
        write_json(json_path, report)
        console.print(f"wrote {json_path}")


@app.command("sweep")
@click.argument("target", metavar="SPACE.yaml|report")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="DIR", help="Where the sweep writes (resumable).")
@click.option("--workers", type=click.IntRange(1, 256), help="Worker processes (default: all cores).")
@click.option("--backend", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: a process pool here; ray: a Ray cluster (--address) or a local Ray instance.")
@click.option("--address", metavar="HOST:PORT", help="Ray cluster address (with --backend ray).")
def sweep_command(target, directory, output, workers, backend, address) -> None:
    """Sweep a design space (SPACE.yaml -o DIR), or re-render a finished one (report DIR)."""
    from codesign.dse.sweep import run_sweep, write_report

    if target == "report":
        if directory is None:
            raise CodesignError("sweep report needs the sweep's directory: codesign sweep report DIR")
        outputs = write_report(directory)
    else:
        if output is None or directory is not None:
            raise CodesignError("usage: codesign sweep SPACE.yaml -o DIR (or: codesign sweep report DIR)")
        space_file = Path(target)
        if not space_file.is_file():
            raise CodesignError(f"{space_file}: no such space file")
        with _progress("sweeping", 0) as advance:
            outputs = run_sweep(space_file, output, workers, lambda done, total, front: advance(
                f"{done}/{total} points, Pareto front {front}", completed=done, total=total), backend, address)
        summary = outputs.summary
        console.print(f"{summary.evaluated} points evaluated ({summary.infeasible} infeasible), "
                      f"{summary.skipped} already done", highlight=False)
    console.print(f"{outputs.points} points, {outputs.pareto} on the Pareto front", highlight=False)
    for path in outputs.files:
        console.print(f"wrote {path}")


@app.group()
def models() -> None:
    """The model zoo: list and export to ONNX."""


@models.command("list")
def models_list() -> None:
    """The zoo's models with their input shape and reference MAC count."""
    from models import zoo

    from codesign.report.inspect import human

    for name in zoo.names():
        entry = zoo.get(name)
        shape = "x".join(map(str, entry.input_shape))
        console.print(f"{name:20} {shape:14} {human(entry.reference_macs):>8} MACs  {entry.description}",
                      highlight=False, soft_wrap=True)


@models.command("export")
@click.argument("name")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="ONNX file to write.")
@click.option("--opset", default=17, show_default=True, type=click.IntRange(7, 20),
              help="ONNX opset version (torch's TorchScript exporter writes 7 to 20).")
@click.option("--batch", default=1, show_default=True, type=click.IntRange(1, 4096), help="Batch size of the input.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def models_export(name, output, opset, batch, force) -> None:
    """Export the zoo model NAME to an ONNX file."""
    from models import zoo

    zoo.get(name)  # an unknown name fails before anything else
    if output.exists() and not force:
        raise CodesignError(f"{output}: already exists (pass --force to overwrite it)")
    if not output.parent.exists():
        raise CodesignError(f"{output}: the directory {output.parent} does not exist")
    with console.status(f"exporting {name}"):
        zoo.export_onnx(name, output, opset=opset, batch=batch)
    console.print(f"wrote {output}")


@app.group()
def arch() -> None:
    """Architecture specs: list and show."""


@arch.command("list")
def arch_list() -> None:
    """The architecture specs shipped in arch_specs/."""
    from codesign.arch import list_arch

    for info in list_arch():
        console.print(f"{info.name:16} {info.description}", highlight=False, soft_wrap=True)


@arch.command("show")
@click.argument("spec")
def arch_show(spec) -> None:
    """Print the architecture SPEC (a name from `arch list`, or a YAML file), resolved and validated."""
    from codesign.arch import format_arch, load_arch

    console.print(format_arch(load_arch(spec)), highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map errors to one line on stderr and an exit code."""
    try:
        app.main(args=argv, prog_name="codesign", standalone_mode=False)
    except CodesignError as error:
        print(f"codesign: error: {error}", file=sys.stderr)
        return 2
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.exceptions.NoArgsIsHelpError as help_request:
        print(help_request.format_message())
        return 0
    except click.ClickException as error:
        print(f"codesign: error: {error.format_message()}", file=sys.stderr)
        return 2
    except (click.exceptions.Abort, KeyboardInterrupt):
        print("codesign: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug in codesign, not the user's input
        if os.environ.get("CODESIGN_DEBUG"):
            raise
        print(f"codesign: internal error: {type(error).__name__}: {error} "
              "(set CODESIGN_DEBUG=1 for a traceback, and please report it)", file=sys.stderr)
        return 1
    return 0


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
