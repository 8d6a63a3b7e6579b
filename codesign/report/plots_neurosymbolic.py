"""The HDC workload against its references as a figure: energy and latency per query, one query
alone and in a batch, one group of bars per design (log scales: the designs differ by decades)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from codesign.report.plots import prepare_directory, save_both

SCENARIOS = (("single_query", "one query", "#4c72b0"), ("batch_per_query", "per query in a batch", "#dd8452"))
QUANTITIES = (("energy_J", "energy per query (J)"), ("latency_s", "latency per query (s)"))


def plot_references(rows: list[dict], batch: int, title: str, directory: Path) -> list[Path]:
    """references.png and .pdf in `directory` from report.neurosymbolic.reference_rows."""
    directory = prepare_directory(Path(directory))
    figure = Figure(figsize=(4.0 + 1.6 * len(rows), 3.6))
    designs = [row["design"] for row in rows]
    width = 0.38
    for column, (key, label) in enumerate(QUANTITIES):
        axes = figure.add_subplot(1, 2, column + 1)
        for offset, (scenario, name, color) in enumerate(SCENARIOS):
            values = [row[scenario][key] for row in rows]
            positions = [index + (offset - 0.5) * width for index in range(len(rows))]
            axes.bar(positions, values, width, label=name if scenario == "single_query" else f"{name} of {batch:,}",
                     color=color)
        axes.set_yscale("log")
        axes.set_ylabel(label)
        axes.set_xticks(range(len(rows)), designs, rotation=15, ha="right", fontsize=8)
        axes.grid(axis="y", which="major", alpha=0.3)
    handles, labels = figure.axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, fontsize=8, loc="lower center", ncol=len(SCENARIOS), frameon=False)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    return save_both(figure, directory / "references.png")
