"""assign-precision in reports: a table of the methods of one run, per-layer widths, and two
plots (widths over the network; accuracy against latency for every method)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from matplotlib.figure import Figure
from rich.table import Table

from codesign.report.compile import engineering_prefix, human_energy, human_time
from codesign.report.names import display_names
from codesign.report.plots import label_layers, layer_bar_figure, prepare_directory, save_both, scatter_methods

METHOD_LABELS = {"inter_layer": "inter-layer (chosen)", "nsga2": "NSGA-II (chosen)",
                 "widest": "widest (budget not met)", "uniform_16": "uniform 16", "uniform_8": "uniform 8",
                 "hessian_only": "Hessian only", "random_order": "random order"}


def precision_table(details, summary: dict) -> Table:
    table = Table(title=f"assign-precision: max drop {100 * summary['max_drop']:g} points, objective "
                        f"{summary['objective']}, float32 accuracy {details.baseline_accuracy:.2%}",
                  title_justify="left", caption=f"{summary['accuracy_evaluations']} accuracy measurements, "
                  f"{summary['configurations_costed']} configurations costed, {summary['seconds']:.0f} s",
                  caption_justify="left")
    for column in ("method", "accuracy", "drop", "latency", "energy", "lat/16b", "E/16b", "widths"):
        table.add_column(column, justify="left" if column in ("method", "widths") else "right")
    rows = [("chosen", summary), *summary["baselines"].items()]
    for name, figures in rows:
        label = METHOD_LABELS.get(details.chosen.name if name == "chosen" else name, name)
        table.add_row(label, f"{figures['accuracy']:.2%}", f"{100 * figures['accuracy_drop']:.2f}",
                      human_time(figures["latency_s"]), human_energy(figures["energy_J"]),
                      *_reductions(figures), _histogram(figures["bits"]))
    return table


def _reductions(figures: dict) -> tuple[str, str]:
    """Latency and energy against uniform 16-bit ('-' where the target cannot run 16 bits)."""
    if figures["latency_reduction_vs_16bit"] is None:
        return "-", "-"
    return (f"{1 - figures['latency_reduction_vs_16bit']:.2f}x", f"{1 - figures['energy_reduction_vs_16bit']:.2f}x")


def _histogram(bits: dict) -> str:
    counts = Counter(bits.values())
    return " ".join(f"{count}@{width}" for width, count in sorted(counts.items(), reverse=True))


def plot_precision(details, directory: Path, title: str) -> list[Path]:
    directory = prepare_directory(Path(directory))
    return [*save_both(bits_figure(details, title), directory / "precision_bits.png"),
            *save_both(tradeoff_figure(details, title), directory / "precision_tradeoff.png")]


def bits_figure(details, title: str) -> Figure:
    """The chosen width of every layer, with the other orderings' for comparison."""
    layers = list(details.layers)
    names = display_names(layers)
    figure = layer_bar_figure(names, extra_width=3.0)
    axes = figure.add_subplot()
    positions = range(len(layers))
    axes.bar(positions, [details.chosen.config[layer] for layer in layers], color="tab:blue",
             label=METHOD_LABELS.get(details.chosen.name, details.chosen.name))
    for method, marker in zip((m for m in details.methods if m.name in ("hessian_only", "random_order")), "ox"):
        axes.scatter(positions, [method.config[layer] for layer in layers], marker=marker, color="black",
                     zorder=3, label=METHOD_LABELS[method.name])
    axes.set_ylabel("width (bits, weights and activations)")
    axes.yaxis.get_major_locator().set_params(integer=True)
    label_layers(axes, names, "layer: position and name, in execution order")
    axes.set_title(f"{title}: chosen width per layer", loc="left", fontsize=10)
    axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def tradeoff_figure(details, title: str) -> Figure:
    """Accuracy against latency of every method of the run (and NSGA-II's front); one marker
    shape per method, open on top of the chosen's larger filled one, so methods that land on one point
    all show."""
    figure = Figure(figsize=(6.5, 4.2), dpi=150, layout="constrained")
    axes = figure.add_subplot()
    methods = (*details.methods, details.chosen)
    scale, prefix = engineering_prefix(max(method.latency_s for method in methods))
    if details.front:
        front = sorted(details.front, key=lambda member: member.latency_s)
        axes.plot([member.latency_s / scale for member in front], [100 * member.accuracy for member in front],
                  color="tab:gray", marker=".", linestyle="-", label="NSGA-II front")
    scatter_methods(axes, [(method.latency_s / scale, 100 * method.accuracy, METHOD_LABELS.get(method.name, method.name),
                            method is details.chosen) for method in methods])
    axes.axhline(100 * details.baseline_accuracy, color="grey", linestyle="--", label="float32")
    axes.set_xlabel(f"latency per inference on the target ({prefix}s)")
    axes.set_ylabel("top-1 accuracy (%)")
    axes.set_title(f"{title}: accuracy against latency, per method", loc="left", fontsize=10)
    axes.legend(frameon=False, fontsize=8)
    axes.grid(alpha=0.3)
    return figure
