"""`codesign compile --plot`: per-layer energy and latency charts as PNG files.

Figures are built with `matplotlib.figure.Figure` and rendered by Agg, never through pyplot,
so no GUI backend and no global matplotlib state is touched.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from codesign.cost.result import CompileReport
from codesign.errors import CodesignError
from codesign.report.compile import (
    engineering,
    engineering_prefix,
    human_energy,
    human_time,
    summed_breakdown,
)

DOTS_PER_INCH = 150
LABELS_PER_INCH = 2.5
LONGEST_LABEL = 24
TENSOR_COLORS = {"weight": "#4c72b0", "input": "#55a868", "output": "#c44e52", "compute": "#8c8c8c"}


def plot_compile(report: CompileReport, directory: Path) -> list[Path]:
    """Write energy_by_level.png, latency.png and energy_by_tensor.png into `directory`."""
    directory = prepare_directory(Path(directory))
    charts: dict[str, Callable[[CompileReport], Figure]] = {
        "energy_by_level.png": energy_by_level_figure,
        "latency.png": latency_figure,
        "energy_by_tensor.png": energy_by_tensor_figure,
    }
    return [save_atomically(draw(report), directory / name) for name, draw in charts.items()]


def prepare_directory(directory: Path) -> Path:
    if directory.exists() and not directory.is_dir():
        raise CodesignError(f"{directory}: is a file; --plot needs a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CodesignError(f"{directory}: cannot create the directory ({error.strerror})") from error
    return directory


def energy_by_level_figure(report: CompileReport) -> Figure:
    breakdowns = [layer.energy_breakdown_J for layer in report.layers]
    names = list(summed_breakdown(breakdowns))
    palette = colormaps["tab10" if len(names) <= 10 else "tab20"]
    colors = {name: palette(index % palette.N) for index, name in enumerate(names)}
    return stacked_energy_figure(report, breakdowns, colors, "component")


def energy_by_tensor_figure(report: CompileReport) -> Figure:
    breakdowns = [layer.energy_by_tensor_J for layer in report.layers]
    extra = [name for name in summed_breakdown(breakdowns) if name not in TENSOR_COLORS]
    palette = colormaps["Set2"]
    colors = {**TENSOR_COLORS, **{name: palette(index % palette.N) for index, name in enumerate(extra)}}
    return stacked_energy_figure(report, breakdowns, colors, "tensor")


def stacked_energy_figure(report: CompileReport, breakdowns: Sequence[Mapping[str, float]],
                          colors: Mapping[str, object], grouping: str) -> Figure:
    """One bar per layer, stacked by the names of `breakdowns` in the order they first appear."""
    figure, axes = new_figure(report, f"energy per layer by {grouping}")
    scale, prefix = engineering_prefix(max((sum(item.values()) for item in breakdowns), default=0.0))
    positions = range(len(breakdowns))
    bottom = [0.0] * len(breakdowns)
    for name in summed_breakdown(breakdowns):
        heights = [item.get(name, 0.0) / scale for item in breakdowns]
        axes.bar(positions, heights, bottom=bottom, width=0.8, color=colors[name], label=name)
        bottom = [below + height for below, height in zip(bottom, heights)]
    axes.set_ylabel(f"energy ({prefix}J)")
    handles, labels = axes.get_legend_handles_labels()
    axes.legend(handles[::-1], labels[::-1], title=grouping, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                frameon=False)
    return figure


def latency_figure(report: CompileReport) -> Figure:
    figure, axes = new_figure(report, "latency per layer, colored by MAC utilization")
    latencies = [layer.latency_s for layer in report.layers]
    scale, prefix = engineering_prefix(max(latencies, default=0.0))
    colormap, norm = colormaps["viridis"], Normalize(vmin=0.0, vmax=1.0)
    colors = [colormap(norm(layer.utilization)) for layer in report.layers]
    axes.bar(range(len(latencies)), [latency / scale for latency in latencies], width=0.8, color=colors)
    axes.set_ylabel(f"latency ({prefix}s)")
    colorbar = figure.colorbar(ScalarMappable(norm=norm, cmap=colormap), ax=axes, pad=0.01, fraction=0.04)
    colorbar.set_label("MAC utilization")
    colorbar.formatter = PercentFormatter(xmax=1.0)
    colorbar.update_ticks()
    return figure


def new_figure(report: CompileReport, subject: str) -> tuple[Figure, Axes]:
    """A figure as wide as the layer count needs, titled with the totals, with layer names on x."""
    layer_count = len(report.layers)
    figure = Figure(figsize=(min(16.0, max(7.0, 2.5 + 0.12 * layer_count)), 5.0), layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(f"{report.model} on {report.arch}: {subject}\n"
                   f"total {human_energy(report.energy_J)}, {human_time(report.latency_s)}, "
                   f"EDP {engineering(report.edp_Js, 'J·s')} (objective: {report.objective})", loc="left", fontsize=11)
    label_layers(axes, [layer.name for layer in report.layers])
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def label_layers(axes: Axes, names: Sequence[str]) -> None:
    """A tick on every layer and a name on every n-th, as many names as the figure width holds."""
    most_labels = max(1, int(axes.figure.get_figwidth() * LABELS_PER_INCH))
    step = max(1, math.ceil(len(names) / most_labels))
    positions = range(0, len(names), step)
    axes.set_xticks(positions, [short_name(names[position]) for position in positions],
                    rotation=45, ha="right", rotation_mode="anchor", fontsize=8)
    axes.set_xticks(range(len(names)), minor=True)
    axes.set_xlim(-0.6, len(names) - 0.4)
    axes.set_xlabel("layer" if step == 1 else f"layer, in execution order (one name shown per {step} layers)")


def short_name(name: str) -> str:
    """`name`, or its end from a '/' on when it is too long: '/layer4/layer4.1/conv2/Conv' -> '…/layer4.1/conv2/Conv'."""
    if len(name) <= LONGEST_LABEL:
        return name
    tail = name[-(LONGEST_LABEL - 1):]
    return "…" + (tail[tail.index("/"):] if "/" in tail[1:] else tail)


def save_atomically(figure: Figure, path: Path) -> Path:
    """Render to a temporary file beside `path`, then rename it over `path`."""
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.png")
    try:
        figure.savefig(temporary, format="png", dpi=DOTS_PER_INCH, bbox_inches="tight")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
