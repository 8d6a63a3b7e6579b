"""Design-space charts: the first two objectives with their Pareto front, and per-parameter sensitivity.

Built like codesign/report/plots.py: matplotlib Figures rendered by Agg, saved atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator
from matplotlib.transforms import blended_transform_factory

from codesign.dse.evaluate import METRICS
from codesign.dse.pareto import pareto_front
from codesign.dse.report import infeasible_reason, metric_scale, readable_names, reason_counts, shown_value
from codesign.report.plots import prepare_directory, save_both

PARETO_COLOR = '#c44e52'
FEASIBLE_COLOR = '#4c72b0'
INFEASIBLE_COLOR = '#b0b0b0'
OTHER_COLOR = FEASIBLE_COLOR
INFEASIBLE_MARKERS = ('x', '+', '1', '2', '3', '4', '*')
"""One marker per infeasibility reason (all grey), so the legend can count each reason."""


SHORT_NAMES = {'energy_J': 'energy', 'latency_s': 'latency', 'edp_Js': 'EDP', 'area_m2': 'area',
               'accuracy_loss': 'accuracy loss'}


def plot_space(rows: Sequence[dict], pareto: Sequence[dict], parameters: Sequence[str],
               objectives: Sequence[str], directory: Path, context: str = '') -> list[Path]:
    """pareto_<workload>.png/.pdf and sensitivity_<workload>.png/.pdf for each workload in `rows`
    (the sensitivity chart only when some parameter takes more than one value). `context` names
    the arch and space in the titles ('simba, space tiny')."""
    directory = prepare_directory(Path(directory))
    written = []
    for workload in dict.fromkeys(row['workload'] for row in rows):
        mine = [row for row in rows if row['workload'] == workload]
        front = [row for row in pareto if row['workload'] == workload]
        name = file_label(workload)
        title = f'{workload} on {context}' if context else workload
        written += save_both(pareto_figure(mine, front, parameters, title, objectives),
                             directory / f'pareto_{name}.png')
        if varied(mine, parameters):
            written += save_both(sensitivity_figure(mine, parameters, objectives, title),
                                 directory / f'sensitivity_{name}.png')
    return written


def varied(rows: Sequence[dict], parameters: Sequence[str]) -> list[str]:
    """The parameters that take more than one value in `rows`."""
    return [parameter for parameter in parameters if len({row[parameter] for row in rows}) > 1]


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


def pareto_figure(rows: Sequence[dict], front: Sequence[dict], parameters: Sequence[str], title: str,
                  objectives: Sequence[str] = ('energy', 'latency')) -> Figure:
    """Every feasible point on the first two objectives; their two-objective front drawn as a
    line, its designs numbered and spelled out in a key below; with more objectives, the
    members of the full front ringed. Infeasible points are grey, one marker per reason: at
    their values when they have both, else in a strip along the top."""
    y_metric, x_metric = plotted_pair(objectives)
    ok = [row for row in rows if row['status'] == 'ok']
    infeasible = [row for row in rows if row['status'] != 'ok']
    (x_scale, x_label), (y_scale, y_label) = (metric_scale([*ok, *infeasible], metric) for metric in (x_metric, y_metric))
    ordered = sorted(pareto_front(ok, [y_metric, x_metric]), key=lambda row: row[x_metric])
    key_lines = min(len(ordered), KEY_LINES) + (len(ordered) > KEY_LINES)
    figure = Figure(figsize=(7.5, 5.0 + 0.16 * key_lines), layout='constrained')
    axes, key = figure.subplots(2, 1, height_ratios=[5.0, 0.2 + 0.16 * key_lines])
    axes.scatter([row[x_metric] / x_scale for row in ok], [row[y_metric] / y_scale for row in ok],
                 s=18, color=FEASIBLE_COLOR, alpha=0.7, label=f'feasible designs ({len(ok)})')
    if len(objectives) > 2:
        axes.scatter([row[x_metric] / x_scale for row in front], [row[y_metric] / y_scale for row in front], s=60,
                     facecolors='none', edgecolors=PARETO_COLOR,
                     label=f'on the {len(objectives)}-objective front ({len(front)})')
    names = [SHORT_NAMES[metric] for metric in (y_metric, x_metric)]
    if ordered:
        axes.plot([row[x_metric] / x_scale for row in ordered], [row[y_metric] / y_scale for row in ordered],
                  marker='o', color=PARETO_COLOR, label=f'{names[0]}-{names[1]} Pareto front ({len(ordered)})')
    for number, row in enumerate(ordered, 1):
        axes.annotate(str(number), (row[x_metric] / x_scale, row[y_metric] / y_scale), fontsize=7, xytext=(4, 4),
                      textcoords='offset points', color=PARETO_COLOR)
    # Log axes only when the designs span a decade; a narrow range reads better linear.
    axes.set(xscale=_scale([row[x_metric] for row in ok]), yscale=_scale([row[y_metric] for row in ok]),
             xlabel=x_label, ylabel=y_label)
    _infeasible_points(axes, infeasible, x_metric, y_metric, x_scale, y_scale)
    counted = f', {len(infeasible)} infeasible' if infeasible else ''
    axes.set_title(f'{title}: {names[0]} vs {names[1]} ({len(rows)} designs{counted})', loc='left', fontsize=11)
    axes.grid(alpha=0.3, which='both')
    axes.legend(frameon=False, fontsize=8)
    _front_key(key, ordered, parameters)
    return figure


def _infeasible_points(axes, infeasible: Sequence[dict], x_metric: str, y_metric: str,
                       x_scale: float, y_scale: float) -> None:
    """Grey markers, one kind per reason with its count in the legend: at the point's values when
    it has both metrics, else in a strip along the top of the chart (at its x when known)."""
    strip = blended_transform_factory(axes.transData, axes.transAxes)
    edge = axes.transAxes
    placed_count = 0
    for index, (reason, count) in enumerate(reason_counts(infeasible).most_common()):
        alike = [row for row in infeasible if infeasible_reason(row.get('error')) == reason]
        marker = INFEASIBLE_MARKERS[index % len(INFEASIBLE_MARKERS)]
        placed = [row for row in alike if row.get(x_metric) is not None and row.get(y_metric) is not None]
        on_x = [row for row in alike if row not in placed and row.get(x_metric) is not None]
        unplaced = [row for row in alike if row not in placed and row not in on_x]
        label = f'infeasible: {reason} ({count})'
        if placed:
            axes.scatter([row[x_metric] / x_scale for row in placed], [row[y_metric] / y_scale for row in placed],
                         s=28, marker=marker, color=INFEASIBLE_COLOR, label=label)
            label = None
        if on_x:
            axes.scatter([row[x_metric] / x_scale for row in on_x], [0.97] * len(on_x), s=28, marker=marker,
                         color=INFEASIBLE_COLOR, transform=strip, label=label, clip_on=False)
            label = None
        if unplaced:  # no value to place them by: a row at the top left, beside a note
            row_x = [0.015 + 0.012 * min(placed_count + number, 24) for number in range(len(unplaced))]
            axes.scatter(row_x, [0.965] * len(unplaced), s=28, marker=marker, color=INFEASIBLE_COLOR,
                         transform=edge, label=label, clip_on=False)
            placed_count += len(unplaced)
    if placed_count:
        axes.text(0.03 + 0.012 * min(placed_count, 24), 0.965, f'infeasible with no {SHORT_NAMES[x_metric]} '
                  f'or {SHORT_NAMES[y_metric]} ({placed_count})', transform=edge, fontsize=7, color='#707070',
                  va='center')


def _front_key(axes, ordered: Sequence[dict], parameters: Sequence[str]) -> None:
    lines = [f'{number}: {design_label(row, parameters)}' for number, row in enumerate(ordered[:KEY_LINES], 1)]
    if len(ordered) > KEY_LINES:
        lines.append(f'... and {len(ordered) - KEY_LINES} more in pareto.csv')
    axes.axis('off')
    axes.text(0.0, 1.0, '\n'.join(lines), fontsize=7, va='top', ha='left', transform=axes.transAxes,
              family='monospace')


def _scale(values: Sequence[float]) -> str:
    """'log' when the positive `values` span a decade or more, else 'linear'."""
    values = [value for value in values if value is not None]
    return 'log' if values and min(values) > 0 and max(values) / min(values) >= 10 else 'linear'


def sensitivity_figure(rows: Sequence[dict], parameters: Sequence[str], objectives: Sequence[str],
                       title: str) -> Figure:
    """One panel per (objective, parameter with more than one value): each value's points, and
    their median joined by a line; infeasible points as grey marks along the bottom.

    The vertical spread at one value is what the other parameters do; the slope of the median
    is what this parameter does.
    """
    metrics = list(dict.fromkeys(METRICS[objective] for objective in objectives))
    shown = varied(rows, parameters)
    names = readable_names(parameters)
    ok = [row for row in rows if row['status'] == 'ok']
    infeasible = [row for row in rows if row['status'] != 'ok']
    figure = Figure(figsize=(max(4.5, 3.2 * len(shown)), 0.6 + 2.6 * len(metrics)), layout='constrained')
    grid = figure.subplots(len(metrics), len(shown), squeeze=False)
    for row_index, metric in enumerate(metrics):
        scale, label = metric_scale(ok, metric)
        for column_index, parameter in enumerate(shown):
            _sensitivity_panel(grid[row_index][column_index], ok, infeasible, parameter, metric, scale)
            if row_index == len(metrics) - 1:
                grid[row_index][column_index].set_xlabel(names[parameter], fontsize=8)
        grid[row_index][0].set_ylabel(label, fontsize=8)
    skipped = [names[parameter] for parameter in parameters if parameter not in shown]
    notes = [f'{len(ok)} feasible designs (median in red)',
             *([f'{len(infeasible)} infeasible (grey x, along the bottom)'] if infeasible else []),
             *([f'one value, not shown: {", ".join(skipped)}'] if skipped else [])]
    figure.suptitle(f'{title}: sensitivity to each parameter\n' + '; '.join(notes), fontsize=10)
    return figure


def _sensitivity_panel(axes, rows: Sequence[dict], infeasible: Sequence[dict], parameter: str, metric: str,
                       scale: float) -> None:
    values = sorted(dict.fromkeys(row[parameter] for row in [*rows, *infeasible]), key=_sort_key)
    numeric = all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in values)
    # numbers at their values (log x when they span a decade); anything else as categories
    position = (lambda value: value) if numeric else {value: index for index, value in enumerate(values)}.__getitem__
    axes.scatter([position(row[parameter]) for row in rows], [row[metric] / scale for row in rows], s=10,
                 color=FEASIBLE_COLOR, alpha=0.7)
    with_points = [value for value in values if any(row[parameter] == value for row in rows)]
    medians = [_median([row[metric] / scale for row in rows if row[parameter] == value]) for value in with_points]
    axes.plot([position(value) for value in with_points], medians, color=PARETO_COLOR, marker='_')
    if infeasible:
        axes.scatter([position(row[parameter]) for row in infeasible], [0.03] * len(infeasible), s=24, marker='x',
                     color=INFEASIBLE_COLOR, transform=blended_transform_factory(axes.transData, axes.transAxes),
                     clip_on=False)
    if numeric:
        positive = [value for value in values if value > 0]
        if len(positive) < len(values) and _scale(positive) == 'log':  # zero or less beside a wide range
            axes.set_xscale('symlog', linthresh=min(positive))
        else:
            axes.set_xscale(_scale(values))
        axes.set_xticks(values, _tick_labels(parameter, values), fontsize=7)
        axes.xaxis.set_minor_locator(NullLocator())
    else:
        axes.set_xticks(range(len(values)), _tick_labels(parameter, values), fontsize=7)
    if len(values) > 3 and max(len(label) for label in _tick_labels(parameter, values)) > 3:
        axes.tick_params(axis='x', labelrotation=30)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment('right')
    axes.set_yscale(_scale([row[metric] for row in rows]))
    axes.tick_params(labelsize=7)
    axes.grid(alpha=0.3)


def _tick_labels(parameter: str, values: Sequence) -> list[str]:
    return [shown_value(parameter, value) for value in values]


def design_label(row: dict, parameters: Sequence[str]) -> str:
    """'pe_array x size=4, global_buffer capacity=64 KiB': the parameter values of one design, briefly."""
    names = readable_names(parameters)
    return ', '.join(f'{names[parameter]}={shown_value(parameter, row[parameter])}' for parameter in parameters)


def short_label(parameter: str) -> str:
    """A parameter path as plots name it: 'hierarchy.global_buffer.capacity_bytes' -> 'global_buffer capacity'."""
    return readable_names([parameter])[parameter]


def _shown(value) -> str:
    return f'{value:g}' if isinstance(value, float) else str(value)


def _sort_key(value):
    return (0, value, '') if isinstance(value, (int, float)) else (1, 0, str(value))


def _median(numbers: list[float]) -> float:
    ordered = sorted(numbers)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def plot_convergence(rows: Sequence[dict], directory: Path, context: str = '') -> list[Path]:
    """convergence.png/.pdf of an NSGA-II search: hypervolume and designs evaluated per generation."""
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
    axes.set_title(f'NSGA-II convergence on {context}' if context else 'NSGA-II convergence', loc='left', fontsize=11)
    return save_both(figure, prepare_directory(Path(directory)) / 'convergence.png')
