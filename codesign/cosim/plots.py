"""Plots of `codesign spice --plot DIR`, each as PNG and PDF: device curves, transfer curves
(SPICE vs model)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from codesign.report.plots import prepare_directory, save_both


def _figure(title: str, xlabel: str, ylabel: str):
    figure = Figure(figsize=(6.5, 4.2), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=10)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    return figure, axes


def plot_cell(report: dict, directory: Path) -> list[Path]:
    """The film's P-V loop and the Id-Vg curve of each written state, from `spice cell`'s report."""
    directory = prepare_directory(Path(directory))
    loop = report["pv_loop"]
    device = (f"FeFET: {loop['thickness_m'] * 1e9:g} nm HfZrO2 on PTM 45 nm NMOS, "
              f"W = L = {report['device']['parameters']['width_m'] * 1e9:g} nm")
    # 1 C/m² = 100 µC/cm², the unit ferroelectric papers quote
    figure, axes = _figure(f"{device}:\nP-V loop of the film (ngspice, 64 Preisach grains, MFM capacitor)",
                           "voltage across the film (V)", "polarization (µC/cm²)")
    axes.plot(loop["film_V"], [100 * value for value in loop["polarization_C_per_m2"]])
    paths = save_both(figure, directory / "fefet_pv_loop.png")
    figure, axes = _figure(f"{device}:\nId-Vg of each 2-bit state (ngspice, V_DS = {report['read_drain_V']:g} V)",
                           "gate voltage (V)", "drain current (A, log scale)")
    for state in report["states"]:
        curve = state["id_vg"]
        label = "erased" if state["program_V"] is None else f"erase, program {state['program_V']:g} V"
        axes.semilogy(curve["gate_V"], [max(abs(value), 1e-15) for value in curve["drain_A"]],
                      label=f"{label}: Vth {state['vth_first_read_V']:.2f} V")
    axes.axhline(report["vth_criterion_A"], color="gray", linewidth=0.8, linestyle=":")
    axes.legend(frameon=False, fontsize=8)
    return paths + save_both(figure, directory / "fefet_id_vg.png")


def plot_transfer(report: dict, directory: Path, x_key: str, x_label: str, y_label: str, name: str) -> list[Path]:
    """SPICE output voltage against the model's, over the report's sweep."""
    directory = prepare_directory(Path(directory))
    points = report.get("transfer") or report.get("sweep")
    size = f"{report['rows']} cells" if "rows" in report else f"{report['bits']}-bit patterns"
    figure, axes = _figure(f"{report['circuit']} on {report['arch']}, {size}:\nngspice vs analytical model",
                           x_label, y_label)
    axes.plot([p[x_key] for p in points], [p["spice_V"] * 1e3 for p in points], "o", label="ngspice")
    axes.plot([p[x_key] for p in points], [p["model_V"] * 1e3 for p in points], "-", label="model")
    axes.legend(frameon=False)
    return save_both(figure, directory / name)


def plot_codes(report: dict, directory: Path) -> list[Path]:
    """Output codes against driven rows: ideal (no wire resistance), the code of the simulated
    current (what IR drop leaves), and the converter's."""
    directory = prepare_directory(Path(directory))
    sweep = report["sweep"]
    figure, axes = _figure(f"crossbar column on {report['arch']}, {report['rows']} rows, {report['converter']} ADC "
                           f"converting {report['adc_bits']} bits:\noutput code against active rows (ngspice vs ideal)",
                           "active rows (count)", "ADC output code (LSB)")
    active = [p["active_rows"] for p in sweep]
    axes.step(active, [p["ideal_code"] for p in sweep], where="mid", label="ideal: V·sum(G·x)")
    axes.plot(active, [p["code_of_current"] for p in sweep], "x", label="simulated current (with IR drop)")
    axes.plot(active, [p["code"] for p in sweep], "o", mfc="none", label="ngspice ADC code")
    axes.legend(frameon=False)
    return save_both(figure, directory / "crossbar_codes.png")
