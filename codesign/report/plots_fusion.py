"""Fusion plots: the search's convergence and the fused groups over the network."""

from __future__ import annotations

from pathlib import Path

from matplotlib import colormaps
from matplotlib.figure import Figure

from codesign.fusion.groups import objective_value
from codesign.fusion.summary import FusionSummary
from codesign.report.fusion_front import greedy_hypervolume, hypervolume_history
from codesign.report.plots import label_layers, prepare_directory, save_atomically


def plot_fusion(summary: FusionSummary, directory: Path, title: str) -> list[Path]:
    directory = prepare_directory(Path(directory))
    paths = [save_atomically(groups_figure(summary, title), directory / "fusion_groups.png")]
    details = summary.details
    if details is not None and details.search is not None:
        draw = front_convergence_figure if details.mode == "pareto" else convergence_figure
        paths.append(save_atomically(draw(summary, title), directory / "fusion_convergence.png"))
    return paths


def front_convergence_figure(summary: FusionSummary, title: str) -> Figure:
    """NSGA-II: the energy-latency front's hypervolume per generation (higher is better)."""
    details = summary.details
    history = details.search.history
    figure = Figure(figsize=(7, 4), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    axes.plot([stats.generation for stats in history], hypervolume_history(summary), color="tab:blue",
              label=f"front ({len(details.pareto)} schedules at the end)")
    axes.axhline(greedy_hypervolume(summary), color="tab:orange", linestyle=":", label="greedy fusion alone")
    axes.set_xlabel("generation")
    axes.set_ylabel("hypervolume / layer-by-layer energy x latency")
    axes.set_title(f"{title}: energy-latency front ({details.settings.population} per generation, seed "
                   f"{details.settings.seed})", loc="left", fontsize=10)
    axes.legend(frameon=False)
    axes.grid(axis="y", alpha=0.3)
    return figure


def convergence_figure(summary: FusionSummary, title: str) -> Figure:
    """Best and mean fitness per generation, relative to layer-by-layer (lower is better)."""
    details = summary.details
    base = _fitness(summary.baseline, details.objective)
    history = details.search.history
    figure = Figure(figsize=(7, 4), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    generations = [stats.generation for stats in history]
    axes.plot(generations, [stats.best[0] / base for stats in history], label="best so far", color="tab:blue")
    axes.plot(generations, [stats.mean[0] / base for stats in history], label="population mean",
              color="tab:blue", alpha=0.35)
    axes.axhline(1.0, color="grey", linestyle="--", label="layer-by-layer")
    axes.axhline(_fitness(details.greedy, details.objective) / base, color="tab:orange", linestyle=":",
                 label="greedy fusion")
    axes.set_xlabel("generation")
    axes.set_ylabel(f"{details.objective.upper() if details.objective == 'edp' else details.objective}"
                    " / layer-by-layer")
    axes.set_title(f"{title}: fusion search ({details.settings.population} per generation, seed "
                   f"{details.settings.seed})", loc="left", fontsize=10)
    axes.legend(frameon=False)
    axes.grid(axis="y", alpha=0.3)
    return figure


def groups_figure(summary: FusionSummary, title: str) -> Figure:
    """Each unit's energy in execution order, coloured by fused group (alternating hues)."""
    chosen = summary.chosen
    names, energies, colors = [], [], []
    palette = colormaps["tab20"].colors
    baseline_energy = {group.units[0]: group.energy_J for group in summary.baseline.groups}
    for index, group in enumerate(chosen.groups):
        for name in group.units:
            names.append(name)
            energies.append(baseline_energy[name])
            colors.append(palette[index % len(palette)] if len(group.units) > 1 else (0.75, 0.75, 0.75))
    width = min(16.0, max(7.0, 0.12 * len(names)))
    figure = Figure(figsize=(width, 4.5), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    axes.bar(range(len(names)), [energy * 1e6 for energy in energies], color=colors, width=0.9)
    axes.set_ylabel("layer-by-layer energy (µJ)")
    ratios = summary.ratios()
    axes.set_title(f"{title}: {len(chosen.groups)} groups (grey: unfused); EDP {ratios['edp']:.2f}x, "
                   f"energy {ratios['energy']:.2f}x better than layer-by-layer", loc="left", fontsize=10)
    label_layers(axes, names)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def _fitness(schedule, objective: str) -> float:
    return objective_value(schedule.energy_J, schedule.cycles, objective)
