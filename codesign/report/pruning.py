"""prune-crossbar in reports: a table of the methods of one run (dense, D.U.B., the baselines),
per-layer sparsity and ADC bits, and two plots (the non-zero rows per read of every crossbar
before and after; accuracy against ADC energy for every method)."""

from __future__ import annotations

from pathlib import Path

import numpy
from matplotlib.figure import Figure
from rich.table import Table

from codesign.report.compile import engineering_prefix, human_energy
from codesign.report.plots import prepare_directory, save_both, scatter_methods

METHOD_LABELS = {"dense": "dense", "dub": "D.U.B. (chosen)", "global_magnitude": "global magnitude",
                 "l1_unstructured": "L1, per-layer magnitude"}


def pruning_table(summary: dict) -> Table:
    table = Table(title=f"prune-crossbar: max drop {100 * summary['max_drop']:g} points, levels "
                        f"{'/'.join(map(str, summary['levels']))}, dense accuracy {summary['baseline_accuracy']:.2%}",
                  title_justify="left", caption=f"{len(summary['trials'])} bisection trials, {summary['seconds']:.0f} s; "
                  "ADC x (2^b): D.U.B.'s energy model, doubling per bit", caption_justify="left")
    for column in ("method", "accuracy", "drop", "sparsity", "ADC energy", "ADC x", "ADC x (2^b)", "chip x"):
        table.add_column(column, justify="left" if column == "method" else "right")
    dense = summary["dense"]
    table.add_row("dense", f"{summary['baseline_accuracy']:.2%}", "0.00", "-", human_energy(dense["adc_energy_J"]),
                  "1.00", "1.00", "1.00")
    for name, figures in (("dub", summary), *summary["baselines"].items()):
        table.add_row(METHOD_LABELS.get(name, name), f"{figures['accuracy']:.2%}", f"{100 * figures['accuracy_drop']:.2f}",
                      f"{figures['sparsity']:.1%}", human_energy(figures["adc_energy_J"]),
                      f"{figures['adc_energy_improvement']:.2f}", f"{figures['adc_energy_improvement_exponential_model']:.2f}",
                      f"{figures['energy_improvement']:.3f}")
    return table


def layer_table(summary: dict) -> Table:
    """Each pruned layer: sparsity and ADC bits (widest / mean over conversions), dense and chosen."""
    table = Table(title="prune-crossbar per layer", title_justify="left")
    for column in ("layer", "sparsity", "ADC bits dense", "ADC bits pruned"):
        table.add_column(column, justify="left" if column == "layer" else "right")
    for name, layer in summary["layers"].items():
        dense = summary["dense"]["layers"][name]
        table.add_row(name[-48:], f"{layer['sparsity']:.1%}", f"{dense['adc_bits']} ({dense['mean_adc_bits']:.2f})",
                      f"{layer['adc_bits']} ({layer['mean_adc_bits']:.2f})")
    return table


def plot_pruning(details, directory: Path, title: str) -> list[Path]:
    directory = prepare_directory(Path(directory))
    return [*save_both(rows_figure(details, title), directory / "pruning_nonzero_rows.png"),
            *save_both(tradeoff_figure(details, title), directory / "pruning_tradeoff.png")]


def rows_figure(details, title: str) -> Figure:
    """Histogram over crossbars of the most non-zero cells a column holds in one read."""
    figure = Figure(figsize=(6.5, 3.8), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    largest = int(max(details.nonzero_rows_dense.max(initial=0), details.nonzero_rows_chosen.max(initial=0)))
    rows = numpy.arange(largest + 1)
    # side by side rather than overlaid: an overlap of translucent bars reads as a third series in print
    for offset, per_crossbar, color, label in ((-0.2, details.nonzero_rows_dense, "tab:gray", "dense"),
                                               (0.2, details.nonzero_rows_chosen, "tab:blue", "D.U.B. (chosen)")):
        crossbars = numpy.bincount(numpy.asarray(per_crossbar, dtype=int), minlength=largest + 1)
        axes.bar(rows + offset, crossbars, width=0.4, color=color, label=label)
    axes.set_xlabel("non-zero rows summed per read in the crossbar's busiest column (rows)")
    axes.set_ylabel("crossbars (count)")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(f"{title}: non-zero rows per read,\nwhich set each crossbar's ADC resolution",
                   loc="left", fontsize=10)
    axes.legend(frameon=False, fontsize=8)
    return figure


def tradeoff_figure(details, title: str) -> Figure:
    """Accuracy against ADC energy for every method of the run; one marker shape per method, open
    on top of the chosen's larger filled one, so methods that land on one point all show."""
    figure = Figure(figsize=(6.5, 4.2), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    outcomes = (details.dense, details.chosen, *details.baselines)
    scale, prefix = engineering_prefix(max(outcome.adc_energy_J for outcome in outcomes))
    scatter_methods(axes, [(outcome.adc_energy_J / scale, 100 * outcome.accuracy,
                             METHOD_LABELS.get(outcome.name, outcome.name), outcome is details.chosen)
                            for outcome in outcomes])
    axes.axhline(100 * details.dense.accuracy, color="grey", linestyle="--", linewidth=0.8, label="dense accuracy")
    axes.set_xlabel(f"ADC energy per inference on the target ({prefix}J)")
    axes.set_ylabel("top-1 accuracy on the target (%)")
    axes.set_title(f"{title}: accuracy against ADC energy, per method", loc="left", fontsize=10)
    axes.legend(frameon=False, fontsize=8)
    axes.grid(alpha=0.3)
    return figure
