"""Plots of `codesign spice --plot DIR`: device curves, transfer curves (SPICE vs model)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from codesign.report.plots import prepare_directory, save_atomically


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
    gate, polarization = pv_loop(params)
    figure, axes = _figure("FeFET gate stack: P-V loop (ngspice, Landau-Khalatnikov grains)",
                           "gate voltage (V)", "polarization (C/m^2)")
    axes.plot(gate, polarization)
    paths = [save_atomically(figure, directory / "fefet_pv_loop.png")]
    figure, axes = _figure("FeFET Id-Vg after each program scheme", "gate voltage (V)", "drain current (A)")
    for pulses in PROGRAM_PULSES_V:
        voltage, current = id_vg(params, list(pulses))
        axes.semilogy(voltage, abs(current) + 1e-15, label=f"pulses {list(pulses)} V")
    axes.legend(frameon=False, fontsize=8)
    return paths + [save_atomically(figure, directory / "fefet_id_vg.png")]


def plot_transfer(report: dict, directory: Path, x_key: str, x_label: str, name: str) -> list[Path]:
    """SPICE output voltage (or code) against the model's, over the report's sweep."""
    directory = prepare_directory(Path(directory))
    points = report.get("transfer") or report.get("sweep")
    figure, axes = _figure(f"{report['circuit']}: SPICE vs analytical model", x_label, "output (mV)")
    axes.plot([p[x_key] for p in points], [p["spice_V"] * 1e3 for p in points], "o", label="ngspice")
    axes.plot([p[x_key] for p in points], [p["model_V"] * 1e3 for p in points], "-", label="model")
    axes.legend(frameon=False)
    return [save_atomically(figure, directory / name)]


def plot_codes(report: dict, directory: Path) -> list[Path]:
    directory = prepare_directory(Path(directory))
    sweep = report["sweep"]
    figure, axes = _figure(f"crossbar column, {report['rows']} rows: flash ADC codes", "active rows", "code")
    axes.step([p["active_rows"] for p in sweep], [p["ideal_code"] for p in sweep], where="mid", label="ideal")
    axes.plot([p["active_rows"] for p in sweep], [p["code"] for p in sweep], "o", label="ngspice")
    axes.legend(frameon=False)
    return [save_atomically(figure, directory / "crossbar_codes.png")]
