"""Design-space charts: the first two objectives with their Pareto front, and per-parameter sensitivity.

Built like codesign/report/plots.py: matplotlib Figures rendered by Agg, saved atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from codesign.dse.evaluate import METRICS
from codesign.dse.pareto import pareto_front
from codesign.report.plots import prepare_directory, save_atomically

PARETO_COLOR = '#c44e52'
OTHER_COLOR = '#8c8c8c'


SHORT_NAMES = {'energy_J': 'energy', 'latency_s': 'latency', 'edp_Js': 'EDP', 'area_m2': 'area',
               'accuracy_loss': 'accuracy loss'}
AXIS_LABELS = {'energy_J': 'energy (J)', 'latency_s': 'latency (s)', 'edp_Js': 'EDP (J s)', 'area_m2': 'area (m$^2$)',
               'accuracy_loss': 'top-1 accuracy loss (fraction)'}


def plot_space(rows: Sequence[dict], pareto: Sequence[dict], parameters: Sequence[str],
               objectives: Sequence[str], directory: Path) -> list[Path]:
    """pareto_<workload>.png and sensitivity_<workload>.png for each workload in `rows`."""
    directory = prepare_directory(Path(directory))
    written = []
    for workload in dict.fromkeys(row['workload'] for row in rows):
        ok = [row for row in rows if row['workload'] == workload and row['status'] == 'ok']
        front = [row for row in pareto if row['workload'] == workload]
        name = file_label(workload)
        written.append(save_atomically(pareto_figure(ok, front, parameters, workload, objectives),
                                       directory / f'pareto_{name}.png'))
        written.append(save_atomically(sensitivity_figure(ok, parameters, objectives, workload),
                                       directory / f'sensitivity_{name}.png'))
    return written


def file_label(workload: str) -> str:
    """A workload as part of a file name: a zoo name as is, an ONNX path by its stem."""
    stem = Path(workload).stem if workload.endswith('.onnx') else workload
    return ''.join(character if character.isalnum() or character in '-_' else '_' for character in stem)


def plotted_pair(objectives: Sequence[str]) -> tuple[str, str]:
    """The two metrics the Pareto chart draws (y, x): the first two objectives, topped up with
    energy and latency when the space has fewer."""
    metrics = list(dict.fromkeys([*(METRICS[objective] for objective in objectives), 'energy_J', 'latency_s']))
    return metrics[0], metrics[1]


KEY_LINES = 12
"""Front designs spelled out under the Pareto chart; the rest are in pareto.csv."""


def pareto_figure(rows: Sequence[dict], front: Sequence[dict], parameters: Sequence[str], workload: str,
                  objectives: Sequence[str] = ('energy', 'latency')) -> Figure:
    """Every feasible point on the first two objectives; their two-objective front drawn as a
    line, its designs numbered and spelled out in a key below; with more objectives, the
    members of the full front ringed."""
    y_metric, x_metric = plotted_pair(objectives)
    ordered = sorted(pareto_front(rows, [y_metric, x_metric]), key=lambda row: row[x_metric])
    key_lines = min(len(ordered), KEY_LINES) + (len(ordered) > KEY_LINES)
    figure = Figure(figsize=(7.5, 5.0 + 0.16 * key_lines), layout='constrained')
    axes, key = figure.subplots(2, 1, height_ratios=[5.0, 0.2 + 0.16 * key_lines])
    axes.scatter([row[x_metric] for row in rows], [row[y_metric] for row in rows],
                 s=18, color=OTHER_COLOR, label=f'feasible designs ({len(rows)})')
    if len(objectives) > 2:
        axes.scatter([row[x_metric] for row in front], [row[y_metric] for row in front], s=60, facecolors='none',
                     edgecolors=PARETO_COLOR, label=f'on the {len(objectives)}-objective front ({len(front)})')
    names = [SHORT_NAMES[metric] for metric in (y_metric, x_metric)]
    axes.plot([row[x_metric] for row in ordered], [row[y_metric] for row in ordered], marker='o',
              color=PARETO_COLOR, label=f'{names[0]}-{names[1]} Pareto front ({len(ordered)})')
    for number, row in enumerate(ordered, 1):
        axes.annotate(str(number), (row[x_metric], row[y_metric]), fontsize=7, xytext=(4, 4),
                      textcoords='offset points', color=PARETO_COLOR)
    # Log axes only when the designs span a decade; a narrow range reads better linear.
    axes.set(xscale=_scale([row[x_metric] for row in rows]), yscale=_scale([row[y_metric] for row in rows]),
             xlabel=AXIS_LABELS[x_metric], ylabel=AXIS_LABELS[y_metric])
    axes.set_title(f'{workload}: {names[0]} vs {names[1]}', loc='left', fontsize=11)
    axes.grid(alpha=0.3, which='both')
    axes.legend(frameon=False, fontsize=8)
    _front_key(key, ordered, parameters)
    return figure


def _front_key(axes, ordered: Sequence[dict], parameters: Sequence[str]) -> None:
    lines = [f'{number}: {design_label(row, parameters)}' for number, row in enumerate(ordered[:KEY_LINES], 1)]
    if len(ordered) > KEY_LINES:
        lines.append(f'... and {len(ordered) - KEY_LINES} more in pareto.csv')
    axes.axis('off')
    axes.text(0.0, 1.0, '\n'.join(lines), fontsize=7, va='top', ha='left', transform=axes.transAxes,
              family='monospace')


def _scale(values: Sequence[float]) -> str:
    return 'log' if values and min(values) > 0 and max(values) / min(values) >= 10 else 'linear'


def sensitivity_figure(rows: Sequence[dict], parameters: Sequence[str], objectives: Sequence[str],
                       workload: str) -> Figure:
    """One panel per (objective, parameter): each value's points, and their median joined by a line.

    The vertical spread at one value is what the other parameters do; the slope of the median
    is what this parameter does.
    """
    metrics = [METRICS[objective] for objective in objectives]
    figure = Figure(figsize=(3.2 * len(parameters), 2.6 * len(metrics)), layout='constrained')
    grid = figure.subplots(len(metrics), len(parameters), squeeze=False)
    for row_index, metric in enumerate(metrics):
        for column_index, parameter in enumerate(parameters):
            _sensitivity_panel(grid[row_index][column_index], rows, parameter, metric)
            if row_index == len(metrics) - 1:
                grid[row_index][column_index].set_xlabel(short_label(parameter), fontsize=8)
        grid[row_index][0].set_ylabel(AXIS_LABELS[metric], fontsize=8)
    figure.suptitle(f'{workload}: sensitivity to each parameter', fontsize=11)
    return figure


def _sensitivity_panel(axes, rows: Sequence[dict], parameter: str, metric: str) -> None:
    values = sorted(dict.fromkeys(row[parameter] for row in rows), key=_sort_key)
    positions = {value: index for index, value in enumerate(values)}  # categorical: values may be uneven
    axes.scatter([positions[row[parameter]] for row in rows], [row[metric] for row in rows], s=10, color=OTHER_COLOR)
    medians = [_median([row[metric] for row in rows if row[parameter] == value]) for value in values]
    axes.plot(range(len(values)), medians, color=PARETO_COLOR, marker='_')
    axes.set_xticks(range(len(values)), [f'{value:g}' if isinstance(value, float) else str(value) for value in values],
                    fontsize=7)
    if rows and min(row[metric] for row in rows) > 0:
        axes.set_yscale('log')
    axes.tick_params(labelsize=7)
    axes.grid(alpha=0.3)


def design_label(row: dict, parameters: Sequence[str]) -> str:
    """'y.size=4, capacity_bytes=65536': the parameter values of one design, briefly."""
    return ', '.join(f'{short_label(parameter)}={_shown(row[parameter])}' for parameter in parameters)


def short_label(parameter: str) -> str:
    """The last two keys of a parameter path: 'hierarchy.pe_array.axes.y.size' -> 'y.size'."""
    return '.'.join(parameter.replace('[', '.').replace(']', '').split('.')[-2:])


def _shown(value) -> str:
    return f'{value:g}' if isinstance(value, float) else str(value)


def _sort_key(value):
    return (0, value, '') if isinstance(value, (int, float)) else (1, 0, str(value))


def _median(numbers: list[float]) -> float:
    ordered = sorted(numbers)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def plot_convergence(rows: Sequence[dict], directory: Path) -> Path:
    """convergence.png of an NSGA-II search: hypervolume and designs evaluated per generation."""
    figure = Figure(figsize=(7.0, 4.2), layout='constrained')
    axes = figure.add_subplot()
    generations = [row['generation'] for row in rows]
    axes.plot(generations, [row['hypervolume_fraction'] for row in rows], marker='o', color=PARETO_COLOR,
              label='hypervolume of the front (fraction of the final)')
    axes.set(xlabel='generation', ylabel='hypervolume fraction', ylim=(0, 1.05))
    axes.grid(alpha=0.3)
    designs = axes.twinx()
    designs.plot(generations, [row['designs'] for row in rows], marker='s', color=OTHER_COLOR,
                 label='designs evaluated')
    designs.set(ylabel='designs evaluated', ylim=(0, None))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles = axes.get_legend_handles_labels()[0] + designs.get_legend_handles_labels()[0]
    axes.legend(handles, [handle.get_label() for handle in handles], frameon=False, fontsize=8, loc='lower right')
    axes.set_title('NSGA-II convergence', loc='left', fontsize=11)
    return save_atomically(figure, prepare_directory(Path(directory)) / 'convergence.png')
