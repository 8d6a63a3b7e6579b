"""`codesign compare`: one model compiled onto several architectures, side by side.

The table (totals per arch and their ratios to the first arch), the per-layer energy table, the
JSON document and one grouped bar plot (energy, latency, EDP, area normalized to the first arch).
Figures are built with `matplotlib.figure.Figure` and rendered by Agg, never through pyplot.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from codesign.cost.result import CompileReport
from codesign.report.compile import (
    compile_json, human_area, human_edp, human_energy, human_time, percent, total_utilization,
)
from codesign.report.inspect import human_bytes
from codesign.report.names import display_names

METRICS = (("energy", "energy_J"), ("latency", "latency_s"), ("EDP", "edp_Js"), ("area", "area_m2"),
           ("DRAM", "dram_bytes"))
"""What the ratios to the first arch are taken of: (label, total's key)."""

PLOTTED = (("energy", "energy_J", "J"), ("latency", "latency_s", "s"), ("EDP", "edp_Js", "J·s"),
           ("area", "area_m2", "mm²"))


def ratio(value: float, reference: float) -> float | None:
    """value / reference; None when the reference is zero (nothing to compare with)."""
    return float(value) / float(reference) if reference else None


def totals(report: CompileReport) -> dict:
    """The totals of `codesign compile --json` (`total`), area by component included."""
    return compile_json(report)["total"]


def compare_json(model: str, reports: Sequence[CompileReport], layers: bool = False) -> dict:
    """{model, archs: [{arch, totals..., ratio_to_first}], layers (with `layers`)}."""
    first = totals(reports[0])
    archs = []
    for report in reports:
        total = totals(report)
        archs.append({"arch": report.arch, **total,
                      "ratio_to_first": {key: ratio(total[key], first[key]) for _, key in METRICS}})
    document = {"model": reports[0].model, "objective": reports[0].objective, "archs": archs}
    if layers:
        document["layers"] = [
            {"name": name, "display_name": shown, "op": op,
             "energy_J": {report.arch: _layer_value(report, name, "energy_J") for report in reports},
             "latency_s": {report.arch: _layer_value(report, name, "latency_s") for report in reports}}
            for name, shown, op in layer_rows(reports)]
    return document


def _layer_value(report: CompileReport, name: str, key: str) -> float | None:
    for layer in report.layers:
        if layer.name == name:
            return float(getattr(layer, key))
    return None


def layer_rows(reports: Sequence[CompileReport]) -> list[tuple[str, str, str]]:
    """(full name, display name, op) of every layer costed on any arch, in the first arch's order."""
    seen: dict[str, str] = {}
    for report in reports:
        for layer in report.layers:
            seen.setdefault(layer.name, layer.op)
    names = list(seen)
    return list(zip(names, display_names(names, [seen[name] for name in names]), seen.values()))


def times(value: float) -> str:
    """A ratio as '0.84×', with three significant digits below 0.1 ('0.0117×')."""
    return f"{value:.2f}×" if 0.1 <= value < 1000 or value == 0 else f"{value:.3g}×"


def _with_ratio(text: str, value: float | None) -> str:
    return f"{text} ({times(value)})" if value is not None else text


def compare_table(reports: Sequence[CompileReport]) -> Table:
    """One row per arch: energy, latency, EDP, area, utilization, DRAM traffic, each with its
    ratio to the first arch."""
    first = reports[0]
    table = Table(title=f"{first.model} on {', '.join(report.arch for report in reports)} "
                        f"(objective: {first.objective})", title_justify="left",
                  caption=f"(×): ratio to {first.arch} (below 1: less than on {first.arch})", caption_justify="left")
    for column in ("arch", "energy", "latency", "EDP", "area", "util", "DRAM"):
        table.add_column(column, justify="left" if column == "arch" else "right")
    for report in reports:
        table.add_row(
            report.arch,
            _with_ratio(human_energy(report.energy_J), ratio(report.energy_J, first.energy_J)),
            _with_ratio(human_time(report.latency_s), ratio(report.latency_s, first.latency_s)),
            _with_ratio(human_edp(report.edp_Js), ratio(report.edp_Js, first.edp_Js)),
            _with_ratio(human_area(report.area_m2), ratio(report.area_m2, first.area_m2)),
            percent(total_utilization(report.layers)),
            _with_ratio(human_bytes(report.dram_bytes), ratio(report.dram_bytes, first.dram_bytes)))
    return table


def layers_table(reports: Sequence[CompileReport]) -> Table:
    """Rows: layers by display name; columns: energy per arch (with the ratio to the first arch)."""
    first = reports[0]
    table = Table(title=f"{first.model}: energy per layer", title_justify="left",
                  caption=f"(×): ratio to {first.arch}; '-': not costed on that arch", caption_justify="left")
    table.add_column("layer")
    table.add_column("op")
    for report in reports:
        table.add_column(report.arch, justify="right")
    for name, shown, op in layer_rows(reports):
        reference = _layer_value(first, name, "energy_J")
        cells = []
        for index, report in enumerate(reports):
            value = _layer_value(report, name, "energy_J")
            if value is None:
                cells.append("-")
            elif index == 0 or reference is None:
                cells.append(human_energy(value))
            else:
                cells.append(_with_ratio(human_energy(value), ratio(value, reference)))
        table.add_row(shown, op, *cells)
    table.add_section()
    table.add_row("total", f"{len(first.layers)} ops", human_energy(first.energy_J),
                  *(_with_ratio(human_energy(report.energy_J), ratio(report.energy_J, first.energy_J))
                    for report in reports[1:]), style="bold")
    return table


def _absolute(value: float, unit: str) -> str:
    if unit == "mm²":
        return human_area(value)
    from codesign.report.compile import engineering

    return engineering(value, unit)


def compare_figure(reports: Sequence[CompileReport]):
    """Grouped bars: per metric (energy, latency, EDP, area) one bar per arch, normalized to the
    first arch, each labelled with its ratio and its absolute value."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    first = reports[0]
    count = len(reports)
    figure = Figure(figsize=(min(18.0, max(7.0, 1.2 + 0.9 * count * len(PLOTTED))), 5.0), layout="constrained")
    axes = figure.add_subplot()
    palette = colormaps["tab10"]
    width = 0.8 / count
    ratios = [[ratio(getattr(report, key), getattr(first, key)) for _, key, _ in PLOTTED] for report in reports]
    finite = [value for row in ratios for value in row if value]
    logarithmic = bool(finite) and max(finite) / min(finite) > 30
    for index, (report, row) in enumerate(zip(reports, ratios)):
        positions = [group + (index - (count - 1) / 2) * width for group in range(len(PLOTTED))]
        heights = [value if value is not None else 0.0 for value in row]
        bars = axes.bar(positions, heights, width * 0.92, label=report.arch, color=palette(index % palette.N))
        labels = [f"{times(value)}\n{_absolute(getattr(report, key), unit)}" if value is not None else "n/a"
                  for value, (_, key, unit) in zip(row, PLOTTED)]
        axes.bar_label(bars, labels, padding=2, fontsize=7, linespacing=1.1,
                       bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85})
    axes.axhline(1.0, color="#444444", linewidth=0.8, linestyle="--", zorder=0.5)
    axes.set_xticks(range(len(PLOTTED)), [f"{label}\n({unit}; {first.arch}: {_absolute(getattr(first, key), unit)})"
                                          for label, key, unit in PLOTTED])
    if logarithmic:
        axes.set_yscale("log")
        low, high = min(finite), max(finite)
        axes.set_ylim(low / 2.5, high * 4.0)
    else:
        axes.set_ylim(0.0, max(finite, default=1.0) * 1.25)
    axes.set_ylabel(f"relative to {first.arch} (×{', log scale' if logarithmic else ''})")
    axes.set_title(f"{first.model}: {' vs '.join(report.arch for report in reports)}\n"
                   f"energy, latency, EDP and area normalized to {first.arch} (objective: {first.objective}); "
                   f"lower is better", loc="left", fontsize=11)
    axes.legend(title="arch", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def plot_compare(reports: Sequence[CompileReport], directory: Path) -> list[Path]:
    """Write compare.png and compare.pdf into `directory`."""
    from codesign.report.plots import prepare_directory, save_both

    return save_both(compare_figure(reports), prepare_directory(Path(directory)) / "compare.png")
