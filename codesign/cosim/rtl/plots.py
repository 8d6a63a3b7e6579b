"""Plots of RTL measurements: energy per operation against operand bits (PNG and PDF)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from codesign.report.plots import prepare_directory, save_atomically


def plot_energy_per_bits(sweep: list[dict], directory: Path) -> list[Path]:
    directory = prepare_directory(directory)
    first = sweep[0]
    figure = Figure(figsize=(5.5, 3.8), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    bits = [point["bits"] for point in sweep]
    axes.plot(bits, [point["energy_per_operation_J"] * 1e12 for point in sweep], "o-",
              label="gate-level toggles x cell energy")
    axes.set_xlabel("operand bits")
    axes.set_ylabel("energy per operation (pJ)")
    axes.set_xticks(bits)
    axes.set_title(f"{first['design']}: energy per {first['operation']} vs operand bits "
                   f"({first['technology_node_m'] * 1e9:g} nm, {first['simulator']})", loc="left", fontsize=9)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    paths = []
    for suffix in ("png", "pdf"):
        path = directory / f"rtl_{first['design']}_energy_per_bits.{suffix}"
        save_atomically(figure, path)
        paths.append(path)
    return paths
