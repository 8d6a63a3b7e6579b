"""`codesign spice ...` (ngspice runs of cells and columns) and `codesign calibrate` (SPICE and RTL fits)."""

from __future__ import annotations

from pathlib import Path

import click

from codesign.cli.app import app, console, json_option
from codesign.errors import CodesignError


@app.group()
def spice() -> None:
    """Real ngspice simulations of cells and columns, next to the analytical model."""


@spice.command("crossbar")
@click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR",
              help="Write PNG and PDF plots into DIR.")
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
@click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR",
              help="Write PNG and PDF plots into DIR.")
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
                     help="Write PNG and PDF plots into DIR."),
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
    _write_outputs(report, json_path, plot_directory, lambda plots: plots.plot_transfer(
        report, plot_directory, "sum", "sum(w·x): cells with weight 1 and input 1 (count)",
        "column output voltage (mV)", "fefet_column_transfer.png"))


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
    _write_outputs(report, json_path, plot_directory, lambda plots: plots.plot_transfer(
        report, plot_directory, "distance", "Hamming distance to the stored pattern (bits)", "match-line voltage (mV)",
        "fefet_search.png"))


@app.command("calibrate")
@click.argument("kind", type=click.Choice(["fefet", "crossbar", "mac", "lif"]))
@click.option("--arch", "arch_spec", metavar="NAME|FILE",
              help="fefet/crossbar: the spec whose macro is fitted (default: fefet_1f1c or crossbar).")
@click.option("--sim", "simulator", type=click.Choice(["icarus", "verilator"]), default="icarus", show_default=True,
              help="mac/lif: simulator of the gate-level netlists.")
@click.option("--operations", default=1000, show_default=True, help="mac/lif: operations per measured design.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Calibration YAML to write.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def calibrate_command(kind, arch_spec, simulator, operations, output, force) -> None:
    """Fit the analytical model to measurements and write a calibration file: fefet and crossbar
    energy terms to SPICE runs; mac (energy and area per MAC) and lif (synaptic op, membrane
    update) to gate-level RTL simulations."""
    from codesign.cosim.calibrate import write_calibration
    from codesign.report.output import check_output_file

    check_output_file(output, force)
    if kind in ("mac", "lif"):
        document = _calibrate_rtl(kind, simulator, operations)
    else:
        document = _calibrate_spice(kind, arch_spec)
    write_calibration(document, output, force)
    console.print(f"wrote {output}")


def _calibrate_spice(kind: str, arch_spec: str | None) -> dict:
    from codesign.arch import load_arch
    from codesign.cosim.calibrate import calibrate

    arch = load_arch(arch_spec or {"fefet": "fefet_1f1c", "crossbar": "crossbar"}[kind])
    with console.status(f"simulating {kind} circuits in ngspice"):
        document = calibrate(kind, arch)
    for point in document["measurements"]:
        console.print(f"  N={point['rows']:>3}: SPICE {point['spice_J'] * 1e15:.4g} fJ, model "
                      f"{point['model_J'] * 1e15:.4g} fJ ({100 * point['error_before']:+.1f}%) -> calibrated "
                      f"{point['calibrated_J'] * 1e15:.4g} fJ ({100 * point['error_after']:+.1f}%)", highlight=False)
    console.print(f"energy_scale {document['energy_scale']}", highlight=False)
    return document


def _calibrate_rtl(kind: str, simulator: str, operations: int) -> dict:
    from codesign.cosim.rtl.calibrate import calibrate_rtl

    with console.status(f"synthesizing and simulating {kind} designs ({simulator})") as status:
        document = calibrate_rtl(kind, simulator, operations, progress=lambda text: status.update(text))
    for point in document["measurements"]:
        widths = (f"{point['operand_bits']}x{point['operand_bits']} bits, {point['accumulator_bits']}-bit accumulator"
                  if kind == "mac" else f"{point['unit']} {point['bits']} bits")
        model = f" (built-in model {point['model_energy_J'] * 1e12:.3g} pJ)" if "model_energy_J" in point else ""
        console.print(f"  {widths}: {point['rtl_energy_J'] * 1e12:.3g} pJ{model}, area "
                      f"{point['rtl_area_m2'] * 1e12:.0f} um^2", highlight=False, soft_wrap=True)
    for name, fit in document["fit"].items():
        terms = {key: value for key, value in document[name].items()}
        console.print(f"  {name}: " + ", ".join(f"{key} {value:.3g} +- {fit[key + '_standard_error']:.2g}"
                                                for key, value in terms.items())
                      + f" (RMS residual {100 * fit['rms_relative_residual']:.1f}%)", highlight=False, soft_wrap=True)
    return document


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
