"""`codesign spice ...` (ngspice runs of cells and columns) and `codesign calibrate` (SPICE and RTL fits)."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from codesign.cli.app import app, console, json_option


@app.group()
def spice() -> None:
    """Real ngspice simulations of cells and columns, next to the analytical model."""


def limit_options(command):
    """--time-limit and --total-time-limit: the command's ngspice runs happen within them."""
    @functools.wraps(command)
    def limited(*args, time_limit, total_time_limit, **kwargs):
        from codesign.cosim.ngspice import run_limits

        with run_limits(time_limit, total_time_limit):
            return command(*args, **kwargs)

    limited = click.option("--total-time-limit", type=float, metavar="SECONDS",
                           help="Stop the whole command after this long: no further netlist starts, "
                                "running ones are killed.")(limited)
    return click.option("--time-limit", type=float, metavar="SECONDS",
                        help="Longest ngspice run of one netlist [default: the circuit's own, 30-60 s].")(limited)


@spice.command("crossbar")
@click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR",
              help="Write PNG and PDF plots into DIR.")
@click.option("--arch", "arch_spec", default="crossbar", show_default=True, metavar="NAME|FILE",
              help="A crossbar spec: its cell, read and ADC parameters set up the circuit.")
@click.option("--rows", default=8, show_default=True, help="Rows of the simulated column.")
@json_option
@limit_options
def spice_crossbar(arch_spec, rows, json_path, plot_directory) -> None:
    """One crossbar column with its wires, sense amplifier and the spec's SAR ADC: current (IR drop),
    codes, energy per conversion by component against the model."""
    from codesign.arch import load_arch
    from codesign.cosim.reports import crossbar_report

    arch = load_arch(arch_spec)
    with console.status(f"simulating a {rows}-row column in ngspice"):
        report = crossbar_report(arch, rows)
    beyond = report["ir_drop_beyond_one_lsb"]
    console.print(f"crossbar column, {rows} rows, {report['converter']} ADC converting {report['adc_bits']} bits "
                  f"({arch.name}): current up to {100 * report['max_current_error']:.2f}% below V*sum(G*x) (IR drop), "
                  f"codes within {report['max_code_error_lsb']} LSB of ideal"
                  + (f" (beyond 1 LSB at {beyond} active rows: IR drop)" if beyond else "")
                  + f", within {report['max_quantizer_error_lsb']} LSB of the simulated current",
                  highlight=False, soft_wrap=True)
    console.print("  energy per conversion      SPICE        model", highlight=False)
    for name, pair in report["energy_J"].items():
        console.print(f"  {name:<20} {pair['spice'] * 1e12:9.4g} pJ {pair['model'] * 1e12:9.4g} pJ", highlight=False)
    alone = (" (the calibration carries the sense amplifier in the ADC term: compare totals)" if report["calibrated"]
             else f", ADC alone {100 * report['energy_rel_error']:+.0f}%")
    console.print(f"  model error: total {100 * report['total_rel_error']:+.0f}%{alone}", highlight=False)
    _write_outputs(report, json_path, plot_directory, lambda plots: plots.plot_codes(report, plot_directory))


@spice.command("cell")
@click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR",
              help="Write PNG and PDF plots into DIR.")
@json_option
@limit_options
def spice_cell(json_path, plot_directory) -> None:
    """The FeFET device (HfZrO2 Preisach film on the PTM 45 nm BSIM4 NMOS): P-V loop, 2-bit states,
    SS, memory window, ON/OFF, against published FeFET figures."""
    from codesign.cosim.reports import fefet_cell_report

    with console.status("writing and reading FeFET states in ngspice"):
        report = fefet_cell_report()
    for line in _cell_lines(report):
        console.print(line, highlight=False, soft_wrap=True)
    _write_outputs(report, json_path, plot_directory, lambda plots: plots.plot_cell(report, plot_directory))


def _cell_lines(report: dict) -> list[str]:
    """One line per device figure, the published range beside it (docs/VALIDATION.md has the sources)."""
    lines = [f"remanent polarization {report['remanent_polarization_uC_per_cm2']:.1f} uC/cm^2 "
             "(HZO films 10-30; Müller et al. APL 2011: 16)",
             f"coercive field {report['coercive_field_V_per_m'] / 1e8:.2f} MV/cm (HZO ~1-1.5; Müller 2011: 1.0)",
             f"memory window {report['memory_window_V']:.2f} V (28 nm HKMG: 0.9, Müller VLSI 2012; "
             "22 nm FDSOI: 1.5, Dünkel IEDM 2017)",
             f"subthreshold swing {report['subthreshold_swing_mV_per_decade']:.0f} mV/decade "
             "(physical 60-120; the PTM NMOS alone ~86 at L = 45 nm)",
             f"ON/OFF ratio {report['on_off_ratio']:.2g} at V_g = {report['on_off_read_V']:.2f} V "
             "(the PTM NMOS alone: Ion/Ioff ~4e5 at 1 V)",
             f"write {report['write_voltage_V']:+g} V / erase {report['erase_voltage_V']:+g} V, "
             f"{report['write_pulse_s'] * 1e9:g} ns pulses (4.2 V 10 ns, Dünkel 2017; +-5 V 20 ns, Müller 2012)",
             f"distinguishable states {report['distinguishable_states']} ({report['distinguishable_criterion']}; "
             "2-bit cells need 4; Jerry et al. IEDM 2017: 32 levels)"]
    for state in report["states"]:
        name = "erased" if state["program_V"] is None else f"program {state['program_V']:g} V"
        lines.append(f"  {name:<14} Vth {state['vth_first_read_V']:.3f} V, second read "
                     f"{state['vth_second_read_V']:.3f} V, SS {state['subthreshold_swing_mV_per_decade']:.0f} mV/dec")
    lines.append("  spec fefet_1f1c vth_states_V: " + ", ".join(f"{v:.2f}" for v in report["spec_vth_states_V"]))
    return lines


def fefet_circuit_options(command):
    """--arch, --mc, --mc-method, --seed, --json, --plot and the time limits: what every FeFET
    circuit command takes."""
    for option in (
        limit_options,
        json_option,
        click.option("--seed", default=0, show_default=True),
        click.option("--mc-method", type=click.Choice(["auto", "direct", "importance"]), default="auto",
                     show_default=True,
                     help="direct: count errors (exact binomial interval); importance: sample near the "
                          "failure points and weight (docs in codesign/cosim/montecarlo.py); auto: direct when "
                          "the runs can see the model's predicted rate."),
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
def spice_column(arch_spec, rows, runs, mc_method, seed, json_path, plot_directory) -> None:
    """A 1FeFET-1C column doing a charge-domain MAC: transfer curve, energy, Monte Carlo."""
    from codesign.arch import load_arch
    from codesign.cosim.reports import fefet_column_report

    arch = load_arch(arch_spec)
    with console.status(f"simulating a {rows}-cell column in ngspice") as status:
        report = fefet_column_report(arch, rows, runs, seed, mc_method, _monte_carlo_progress(status))
    energy = report["energy_per_cycle_J"]
    console.print(f"fefet column, {rows} cells ({arch.name}, seed {seed}): {_linearity_line(report)}; energy per "
                  f"column cycle SPICE {energy['spice_charge_and_lines'] * 1e15:.3g} fJ vs model "
                  f"{energy['model_cell_charge_and_drivers'] * 1e15:.3g} fJ ({100 * report['energy_rel_error']:+.0f}%)",
                  highlight=False, soft_wrap=True)
    clocks = sum(value for key, value in energy.items() if key.endswith("_not_in_model") and key.startswith("spice_"))
    console.print(f"  not in the model: switch and word-line clocks {clocks * 1e15:.3g} fJ per cycle", highlight=False)
    _print_monte_carlo(report)
    _write_outputs(report, json_path, plot_directory, lambda plots: plots.plot_transfer(
        report, plot_directory, "sum", "sum(w·x): cells with weight 1 and input 1 (count)",
        "column output voltage (mV)", "fefet_column_transfer.png"))


@spice.command("search")
@click.option("--bits", default=8, show_default=True, help="Pattern bits D (2 D cells: each bit and its complement).")
@fefet_circuit_options
def spice_search(arch_spec, bits, runs, mc_method, seed, json_path, plot_directory) -> None:
    """Associative search on a 1FeFET-1C column: match-line voltage vs Hamming distance."""
    from codesign.arch import load_arch
    from codesign.cosim.reports import fefet_search_report

    arch = load_arch(arch_spec)
    with console.status(f"simulating a {bits}-bit search column in ngspice") as status:
        report = fefet_search_report(arch, bits, runs, seed, mc_method, _monte_carlo_progress(status))
    for point in report["sweep"]:
        console.print(f"  distance {point['distance']:>3}: match line {point['spice_V'] * 1e3:8.3f} mV "
                      f"(model {point['model_V'] * 1e3:8.3f} mV)", highlight=False)
    console.print(f"fefet search, {bits} bits ({arch.name}, seed {seed}): {_linearity_line(report)}",
                  highlight=False, soft_wrap=True)
    _print_monte_carlo(report)
    _write_outputs(report, json_path, plot_directory, lambda plots: plots.plot_transfer(
        report, plot_directory, "distance", "Hamming distance to the stored pattern (bits)", "match-line voltage (mV)",
        "fefet_search.png"))


def _monte_carlo_progress(status):
    """A progress callback showing runs done and the time left in the command's status line."""
    import time

    started = time.monotonic()

    def show(done: int, runs: int) -> None:
        left = (time.monotonic() - started) * (runs - done) / done
        status.update(f"Monte Carlo in ngspice (both cores): {done}/{runs} runs, about {left:.0f} s left")

    return show


def _print_monte_carlo(report: dict) -> None:
    if "monte_carlo" in report:
        carlo = report["monte_carlo"]
        console.print(f"Monte Carlo, sigma(Vth) {carlo['sigma_V'] * 1e3:.3g} mV: {carlo['verdict']}",
                      highlight=False, soft_wrap=True)


def _linearity_line(report: dict) -> str:
    """INL, DNL (endpoint line), offset and gain error of a column report, in LSBs of the model."""
    return (f"INL {report['inl_lsb']:.3f} LSB, DNL {report['dnl_lsb']:.3f} LSB (endpoint line), offset "
            f"{report['offset_error_lsb']:+.2f} LSB, gain error {100 * report['gain_error']:+.1f}% "
            f"(LSB {report['lsb_V'] * 1e3:.3g} mV)")


@app.command("calibrate")
@click.argument("kind", type=click.Choice(["fefet", "crossbar", "mac", "lif"]))
@click.option("--arch", "arch_spec", metavar="NAME|FILE",
              help="fefet/crossbar: the spec whose macro is fitted (default: fefet_1f1c or crossbar).")
@click.option("--sim", "simulator", type=click.Choice(["icarus", "verilator"]), default="icarus", show_default=True,
              help="mac/lif: simulator of the gate-level netlists.")
@click.option("--operations", default=1000, show_default=True, help="mac/lif: operations per measured design.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Calibration YAML to write.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@limit_options
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
    _print_fit(document)
    return document


def _print_fit(document: dict) -> None:
    """Each factor with its standard error, the residuals, and the factors that change the model's form."""
    fit = document["fit"]
    factors = [(f"{group}.{key}", value) for group in ("energy_scale", "per_bit")
               for key, value in document.get(group, {}).items()]
    factors += [(f"added.{key}.{part}", value) for key, added in document.get("added", {}).items()
                for part, value in added.items()]
    console.print("  " + ", ".join(f"{name} {value:.4g} +- {fit['standard_errors'].get(name, 0.0):.2g}"
                                   for name, value in factors)
                  + f" ({fit['degrees_of_freedom']} degrees of freedom); residual RMS "
                  f"{100 * fit['rms_relative_residual']:.1f}%, worst {100 * fit['worst_relative_residual']:+.1f}% at "
                  + ", ".join(f"{key} {value:g}" for key, value in fit["worst_point"].items()),
                  highlight=False, soft_wrap=True)
    for name, explanation in document.get("form_changes", {}).items():
        console.print(f"  {name} changes the model's form: {explanation}", highlight=False, soft_wrap=True)


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
