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


def plot_cell(directory: Path) -> list[Path]:
    """The P-V loop of the ferroelectric film and the Id-Vg curve of each written state."""
    from codesign.cosim.fefet_device import PROGRAM_PULSES_V, FefetParams, id_vg, pv_loop

    directory = prepare_directory(Path(directory))
    params = FefetParams()
    device = (f"FeFET cell ({params.thickness_m * 1e9:g} nm HfO2 film, "
              f"{params.area_m2 * 1e12:g} µm² gate, default device)")
    gate, polarization = pv_loop(params)
    # 1 C/m² = 100 µC/cm², the unit ferroelectric papers quote
    figure, axes = _figure(f"{device}:\nP-V loop of the gate stack (ngspice, Landau-Khalatnikov grains)",
                           "gate voltage (V)", "polarization (µC/cm²)")
    axes.plot(gate, [100 * value for value in polarization])
    paths = save_both(figure, directory / "fefet_pv_loop.png")
    figure, axes = _figure(f"{device}:\nId-Vg after each program scheme (ngspice, V_DS = {params.read_drain_V:g} V)",
                           "gate voltage (V)", "drain current (A, log scale)")
    for pulses in PROGRAM_PULSES_V:
        voltage, current = id_vg(params, list(pulses))
        axes.semilogy(voltage, abs(current) + 1e-15, label=f"pulses {list(pulses)} V")
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
    directory = prepare_directory(Path(directory))
    sweep = report["sweep"]
    figure, axes = _figure(f"crossbar column on {report['arch']}, {report['rows']} rows, {report['adc_bits']}-bit "
                           "flash ADC:\noutput code against active rows (ngspice vs ideal)",
                           "active rows (count)", "ADC output code (LSB)")
    axes.step([p["active_rows"] for p in sweep], [p["ideal_code"] for p in sweep], where="mid", label="ideal")
    axes.plot([p["active_rows"] for p in sweep], [p["code"] for p in sweep], "o", label="ngspice")
    axes.legend(frameon=False)
    return save_both(figure, directory / "crossbar_codes.png")
