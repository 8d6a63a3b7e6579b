"""`codesign compile --plot`: per-layer energy and latency charts, each as PNG and PDF; and the
helpers every plot of the project shares (one rotated, numbered label per layer bar; saving a
figure as PNG and PDF atomically).

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

from codesign.cost.result import CompileReport, LayerCost
from codesign.errors import CodesignError
from codesign.report.compile import (
    engineering,
    engineering_prefix,
    human_energy,
    human_time,
    summed_breakdown,
    table_rows,
)

DOTS_PER_INCH = 150
TICK_LABEL_POINTS = 7
INCHES_PER_BAR = 0.15
"""A 7-point label turned upright is about 0.12 inch wide: one per bar, with a little air."""
WIDEST_FIGURE_INCHES = 26.0
"""Past this many inches only every n-th bar is named; its number still finds the rest."""
INCHES_PER_LABEL_CHARACTER = 0.055
TENSOR_COLORS = {"weight": "#4c72b0", "input": "#55a868", "output": "#c44e52", "compute": "#8c8c8c"}
ROW_AXIS_LABEL = "layer: row number of the compile table and name, in execution order"


def plot_compile(report: CompileReport, directory: Path, all_ops: bool = False) -> list[Path]:
    """energy_by_level, latency and energy_by_tensor, each .png and .pdf, into `directory`: one bar
    per row of the compile table (epilogues folded into their layer unless `all_ops`, as there)."""
    directory = prepare_directory(Path(directory))
    rows = [(name, row) for name, row, _ in table_rows(report, all_ops)]
    charts: dict[str, Callable[[CompileReport, Sequence[tuple[str, LayerCost]]], Figure]] = {
        "energy_by_level.png": energy_by_level_figure,
        "latency.png": latency_figure,
        "energy_by_tensor.png": energy_by_tensor_figure,
    }
    return [path for name, draw in charts.items() for path in save_both(draw(report, rows), directory / name)]


def prepare_directory(directory: Path) -> Path:
    if directory.exists() and not directory.is_dir():
        raise CodesignError(f"{directory}: is a file; --plot needs a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CodesignError(f"{directory}: cannot create the directory ({error.strerror})") from error
    return directory


def energy_by_level_figure(report: CompileReport, rows: Sequence[tuple[str, LayerCost]]) -> Figure:
    breakdowns = [row.energy_breakdown_J for _, row in rows]
    names = list(summed_breakdown(breakdowns))
    palette = colormaps["tab10" if len(names) <= 10 else "tab20"]
    colors = {name: palette(index % palette.N) for index, name in enumerate(names)}
    return stacked_energy_figure(report, rows, breakdowns, colors, "component")


def energy_by_tensor_figure(report: CompileReport, rows: Sequence[tuple[str, LayerCost]]) -> Figure:
    breakdowns = [row.energy_by_tensor_J for _, row in rows]
    extra = [name for name in summed_breakdown(breakdowns) if name not in TENSOR_COLORS]
    palette = colormaps["Set2"]
    colors = {**TENSOR_COLORS, **{name: palette(index % palette.N) for index, name in enumerate(extra)}}
    return stacked_energy_figure(report, rows, breakdowns, colors, "tensor")


def stacked_energy_figure(report: CompileReport, rows: Sequence[tuple[str, LayerCost]],
                          breakdowns: Sequence[Mapping[str, float]], colors: Mapping[str, object],
                          grouping: str) -> Figure:
    """One bar per row, stacked by the names of `breakdowns` in the order they first appear."""
    figure, axes = new_figure(report, rows, f"energy per layer by {grouping}")
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


def latency_figure(report: CompileReport, rows: Sequence[tuple[str, LayerCost]]) -> Figure:
    figure, axes = new_figure(report, rows, "latency per layer, colored by MAC utilization")
    latencies = [row.latency_s for _, row in rows]
    scale, prefix = engineering_prefix(max(latencies, default=0.0))
    colormap, norm = colormaps["viridis"], Normalize(vmin=0.0, vmax=1.0)
    colors = [colormap(norm(row.utilization)) for _, row in rows]
    axes.bar(range(len(latencies)), [latency / scale for latency in latencies], width=0.8, color=colors)
    axes.set_ylabel(f"latency ({prefix}s)")
    colorbar = figure.colorbar(ScalarMappable(norm=norm, cmap=colormap), ax=axes, pad=0.01, fraction=0.04)
    colorbar.set_label("MAC utilization (% of MAC units busy)")
    colorbar.formatter = PercentFormatter(xmax=1.0)
    colorbar.update_ticks()
    return figure


def new_figure(report: CompileReport, rows: Sequence[tuple[str, LayerCost]], subject: str) -> tuple[Figure, Axes]:
    """A figure as wide as one label per row needs, titled with model, arch and totals."""
    names = [name for name, _ in rows]
    figure = layer_bar_figure(names, extra_width=2.5)
    axes = figure.add_subplot()
    axes.set_title(f"{report.model} on {report.arch}: {subject}\n"
                   f"total {human_energy(report.energy_J)}, {human_time(report.latency_s)}, "
                   f"EDP {engineering(report.edp_Js, 'J·s')} (objective: {report.objective})", loc="left", fontsize=11)
    label_layers(axes, names, ROW_AXIS_LABEL)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def layer_bar_figure(names: Sequence[str], extra_width: float = 1.5, height: float = 3.2) -> Figure:
    """A figure `INCHES_PER_BAR` wide per bar (at least 7 inches, at most WIDEST_FIGURE_INCHES), and
    taller by the longest upright label under the bars."""
    longest = max((len(numbered(index, name)) for index, name in enumerate(names)), default=0)
    width = min(WIDEST_FIGURE_INCHES, max(7.0, extra_width + INCHES_PER_BAR * len(names)))
    return Figure(figsize=(width, height + INCHES_PER_LABEL_CHARACTER * longest), dpi=DOTS_PER_INCH,
                  layout="constrained")


def label_layers(axes: Axes, names: Sequence[str], axis_label: str) -> None:
    """Every bar named upright as 'number name' (number from 1, in plot order); when the figure is too
    narrow for all, every n-th bar, the numbers telling which."""
    most_labels = max(1, int((axes.figure.get_figwidth() - 1.5) / INCHES_PER_BAR))
    step = max(1, math.ceil(len(names) / most_labels))
    positions = range(0, len(names), step)
    axes.set_xticks(positions, [numbered(position, names[position]) for position in positions],
                    rotation=90, fontsize=TICK_LABEL_POINTS)
    axes.set_xticks(range(len(names)), minor=True)
    axes.set_xlim(-0.6, len(names) - 0.4)
    axes.set_xlabel(axis_label if step == 1 else f"{axis_label} (one bar in {step} named)")


def numbered(index: int, name: str) -> str:
    """'12 features.3.conv.1': the layer at `index` (from 0) as its 1-based number and name."""
    return f"{index + 1} {name}"


def save_both(figure: Figure, png: Path) -> list[Path]:
    """`png`, and the same figure as a PDF beside it (vector, for a paper), each written atomically."""
    return [save_atomically(figure, png), save_atomically(figure, png.with_suffix(".pdf"))]


def save_atomically(figure: Figure, path: Path) -> Path:
    """Render to a temporary file beside `path` in the format its suffix names, then rename it over `path`."""
    suffix = path.suffix.lstrip(".")
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.{suffix}")
    try:
        figure.savefig(temporary, format=suffix, dpi=DOTS_PER_INCH, bbox_inches="tight")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


METHOD_MARKERS = ("s", "o", "^", "D", "v", "P", "X")


def scatter_methods(axes: Axes, points: Sequence[tuple[float, float, str, bool]]) -> None:
    """One marker per method (x, accuracy %, label, chosen): a marker shape and colour each, open
    and on top of the chosen method's larger filled one, so methods that land on one point all show."""
    for index, (x, accuracy, label, chosen) in enumerate(points):
        color = f"C{index}"
        axes.scatter(x, accuracy, s=130 if chosen else 55, zorder=2 if chosen else 3,
                     marker=METHOD_MARKERS[index % len(METHOD_MARKERS)], facecolors=color if chosen else "none",
                     edgecolors=color, linewidths=1.5, label=label)
