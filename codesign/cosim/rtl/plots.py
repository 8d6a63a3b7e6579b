"""Plots of RTL measurements: energy per operation against operand bits (PNG and PDF)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from codesign.report.plots import prepare_directory, save_both


def plot_energy_per_bits(sweep: list[dict], directory: Path) -> list[Path]:
    directory = prepare_directory(directory)
    first = sweep[0]
    figure = Figure(figsize=(5.5, 3.8), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    bits = [point["bits"] for point in sweep]
    axes.plot(bits, [point["energy_per_operation_J"] * 1e12 for point in sweep], "o-",
              label="gate-level toggles x cell energy")
    axes.set_xlabel("operand width (bits)")
    axes.set_ylabel(f"energy per {first['operation']} (pJ)")
    axes.set_xticks(bits)
    axes.set_title(f"RTL {first['design']} at {first['technology_node_m'] * 1e9:g} nm: energy per {first['operation']} "
                   f"against operand width\n(synthesized, gate-level simulation in {first['simulator']})",
                   loc="left", fontsize=9)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    return save_both(figure, directory / f"rtl_{first['design']}_energy_per_bits.png")
