"""Fusion plots: the search's convergence and the fused groups over the network."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from codesign.fusion.groups import objective_value
from codesign.fusion.summary import FusionSummary
from codesign.report.compile import engineering_prefix
from codesign.report.fusion_front import greedy_hypervolume, hypervolume_history
from codesign.report.names import display_names
from codesign.report.plots import label_layers, layer_bar_figure, prepare_directory, save_both


def plot_fusion(summary: FusionSummary, directory: Path, title: str) -> list[Path]:
    directory = prepare_directory(Path(directory))
    paths = save_both(groups_figure(summary, title), directory / "fusion_groups.png")
    details = summary.details
    if details is not None and details.search is not None:
        draw = front_convergence_figure if details.mode == "pareto" else convergence_figure
        paths += save_both(draw(summary, title), directory / "fusion_convergence.png")
    return paths


def front_convergence_figure(summary: FusionSummary, title: str) -> Figure:
    """NSGA-II: the energy-latency front's hypervolume per generation (higher is better)."""
    details = summary.details
    history = details.search.history
    figure = Figure(figsize=(7, 4), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    axes.axhline(greedy_hypervolume(summary), color="tab:orange", linestyle=":", linewidth=2,
                 label="greedy fusion alone")
    # drawn last and narrower, so a front that never beats greedy still shows on its line
    axes.plot([stats.generation for stats in history], hypervolume_history(summary), color="tab:blue",
              label=f"search front ({counted(len(details.pareto), 'schedule')} at the end)")
    axes.set_xlabel("generation (count)")
    axes.set_ylabel("hypervolume (ratio to layer-by-layer\nenergy x latency; higher is better)")
    axes.set_title(f"{title}: energy-latency front of the fusion search\n({details.settings.population} schedules "
                   f"per generation, seed {details.settings.seed})", loc="left", fontsize=10)
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
    axes.axhline(1.0, color="grey", linestyle="--", label="layer-by-layer")
    axes.axhline(_fitness(details.greedy, details.objective) / base, color="tab:orange", linestyle=":", linewidth=2,
                 label="greedy fusion")
    axes.plot(generations, [stats.mean[0] / base for stats in history], label="population mean",
              color="tab:blue", alpha=0.35)
    # drawn last, so a best that stays on the greedy line still shows
    axes.plot(generations, [stats.best[0] / base for stats in history], label="best so far", color="tab:blue")
    objective = details.objective.upper() if details.objective == "edp" else details.objective
    axes.set_xlabel("generation (count)")
    axes.set_ylabel(f"{objective} (ratio to layer-by-layer;\nlower is better)")
    axes.set_title(f"{title}: fusion search, {objective} per generation\n({details.settings.population} schedules "
                   f"per generation, seed {details.settings.seed})", loc="left", fontsize=10)
    axes.legend(frameon=False)
    axes.grid(axis="y", alpha=0.3)
    return figure


GROUP_PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#ccb974")
"""Fused groups take these in turn (unfused layers are grey): neighbours always differ."""
UNFUSED_COLOR = "#c0c0c0"


def group_colors(group_sizes: Sequence[int]) -> list[str]:
    """One colour per group in execution order: the n-th fused group gets the palette's (n mod
    len)-th, so two fused groups next to each other (or with unfused layers between) never match."""
    colors, fused = [], 0
    for size in group_sizes:
        colors.append(GROUP_PALETTE[fused % len(GROUP_PALETTE)] if size > 1 else UNFUSED_COLOR)
        fused += size > 1
    return colors


def groups_figure(summary: FusionSummary, title: str) -> Figure:
    """Each layer's layer-by-layer energy in the fused execution order, coloured by fused group,
    each group named ('G3') above its span; unfused layers grey."""
    groups = summary.chosen.groups
    baseline_energy = {group.units[0]: group.energy_J for group in summary.baseline.groups}
    units = [name for group in groups for name in group.units]
    names = display_names(units)
    energies = [baseline_energy[name] for name in units]
    colors = [color for group, color in zip(groups, group_colors([len(group.units) for group in groups]))
              for _ in group.units]
    figure = layer_bar_figure(names)
    axes = figure.add_subplot()
    scale, prefix = engineering_prefix(max(energies, default=0.0))
    axes.bar(range(len(units)), [energy / scale for energy in energies], color=colors, width=0.85)
    axes.set_ylabel(f"energy of the layer alone ({prefix}J)")
    _name_groups(axes, groups, colors)
    fused = sum(len(group.units) > 1 for group in groups)
    alone = len(groups) - fused
    ratios = summary.ratios()
    unfused = f", {counted(alone, 'layer')} alone (grey)" if alone else ""
    axes.set_title(f"{title}: {counted(fused, 'fused group')}{unfused}\n"
                   f"EDP {ratios['edp']:.2f}x, energy {ratios['energy']:.2f}x better than layer-by-layer",
                   loc="left", fontsize=10)
    label_layers(axes, names, "layer: position in the fused schedule and name")
    axes.spines[["top", "right"]].set_visible(False)
    if alone:
        axes.legend(handles=[Patch(color=UNFUSED_COLOR, label="not fused (runs alone)")], frameon=False, fontsize=8,
                    loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def counted(count: int, noun: str) -> str:
    """'1 fused group', '5 fused groups'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _name_groups(axes, groups, colors: Sequence[str]) -> None:
    """A bracket over each fused group's bars, in its colour, labelled G1, G2, ..., in a strip of
    headroom at the top of the axes (inside them, so the layout keeps clear of the title)."""
    axes.set_ylim(0.0, axes.get_ylim()[1] * 1.15)
    strip = blended_transform_factory(axes.transData, axes.transAxes)
    start, number = 0, 0
    for group in groups:
        end = start + len(group.units)
        if len(group.units) > 1:
            number += 1
            axes.plot([start - 0.4, end - 0.6], [0.93, 0.93], color=colors[start], linewidth=2.5,
                      transform=strip, solid_capstyle="butt")
            axes.text((start + end - 1) / 2, 0.945, f"G{number}", transform=strip, ha="center", va="bottom",
                      fontsize=7)
        start = end


def _fitness(schedule, objective: str) -> float:
    return objective_value(schedule.energy_J, schedule.cycles, objective)
