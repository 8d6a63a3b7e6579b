"""What a sweep's report shows: objectives in engineering units, readable parameter names, the
reasons points were infeasible, and the Pareto table `codesign sweep report` prints."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from codesign.dse.evaluate import METRICS

PREFIXES = ((1.0, ''), (1e-3, 'm'), (1e-6, 'µ'), (1e-9, 'n'), (1e-12, 'p'), (1e-15, 'f'))
AREA_UNITS = ((1.0, 1.0, 'm²'), (1e-9, 1e-6, 'mm²'), (0.0, 1e-12, 'µm²'))
"""(smallest largest value, scale, unit): chips read in mm² down to 0.001 mm²."""
METRIC_UNITS = {'energy_J': ('energy', 'J'), 'latency_s': ('latency', 's'), 'edp_Js': ('EDP', 'J·s'),
                'area_m2': ('area', 'm²'), 'accuracy_loss': ('accuracy loss', '%'), 'accuracy': ('accuracy', '%')}
"""Metric key -> (name, SI unit)."""


def unit_scale(values: Sequence[float | None], unit: str) -> tuple[float, str]:
    """(scale, unit with prefix) that shows the largest of `values` with 1 to 3 digits before the
    point: ([3e-6, 2e-5], 'J') -> (1e-6, 'µJ'); ([4e-3], 's') -> (1e-3, 'ms'); areas in m² come
    out in mm² (or µm²), fractions ('%') in percent."""
    if unit == '%':
        return 0.01, '%'
    largest = max((abs(value) for value in values if value is not None), default=0.0)
    if unit == 'm²':
        return next((scale, name) for least, scale, name in AREA_UNITS if largest >= least)
    scale, prefix = next(((scale, prefix) for scale, prefix in PREFIXES if largest >= scale), PREFIXES[-1])
    return scale, prefix + unit


def metric_scale(rows: Sequence[dict], metric: str) -> tuple[float, str]:
    """unit_scale of `metric` over `rows`: (scale, 'energy (mJ)')."""
    name, unit = METRIC_UNITS[metric]
    scale, shown = unit_scale([row.get(metric) for row in rows], unit)
    return scale, f'{name} ({shown})'


_TOKENS = re.compile(r"\['([^']*)'\]|\[\"([^\"]*)\"\]|\[(\d+)\]|([^.\[\]]+)")
_DROPPED = {'hierarchy', 'axes', 'passes', 'options'}


def _tokens(label: str) -> list[str]:
    """'passes['set-precision'].weights' -> ['passes', 'set-precision', 'weights']."""
    return [next(group for group in match.groups() if group is not None) for match in _TOKENS.finditer(label)]


def readable_names(labels: Sequence[str]) -> dict[str, str]:
    """Each parameter path by its last part: 'hierarchy.global_buffer.capacity_bytes' ->
    'global_buffer capacity', 'hierarchy.pe_array.axes.x.size' -> 'pe_array x size',
    "passes['set-precision'].weights" -> 'set-precision weights'; longer where two would read alike."""
    kept = {label: [token for token in _tokens(label) if token not in _DROPPED and not token.isdigit()]
            or [label] for label in labels}

    def name(label: str, depth: int) -> str:
        tokens = list(kept[label])
        tokens[-1] = _field(tokens[-1])
        if 'axes' in _tokens(label) and depth == 2 and len(tokens) >= 3:
            depth = 3  # an axis is read with its array: 'pe_array x size'
        return ' '.join(tokens[-depth:])

    names = {label: name(label, 2) for label in labels}
    for depth in range(3, 1 + max((len(tokens) for tokens in kept.values()), default=0)):
        clashing = [label for label in labels if list(names.values()).count(names[label]) > 1]
        if not clashing:
            break
        names |= {label: name(label, depth) for label in clashing}
    if len(set(names.values())) < len(names):
        return {label: label for label in labels}
    return names


def _field(field: str) -> str:
    """'capacity_bytes' -> 'capacity' (its values are shown in B/KiB), other underscores read as spaces."""
    return field.removesuffix('_bytes').replace('_', ' ') if field.endswith('_bytes') and field != '_bytes' \
        else field.replace('_', ' ')


def shown_value(label: str, value) -> str:
    """A parameter value as the table and plots show it: byte counts in KiB/MiB when whole."""
    if label.endswith('_bytes') and isinstance(value, int) and not isinstance(value, bool):
        for size, unit in ((1 << 30, 'GiB'), (1 << 20, 'MiB'), (1 << 10, 'KiB')):
            if value >= size and value % size == 0:
                return f'{value // size} {unit}'
        return f'{value} B'
    return f'{value:g}' if isinstance(value, float) else str(value)


_BUDGET = re.compile(r'exceeds constraints\.(\w+)=')


def infeasible_reason(error: str | None) -> str:
    """The class of an infeasible point's reason, to count alike points together:
    'area_m2=1e-06 exceeds constraints.area_budget_m2=1e-09' -> 'over area budget';
    '/x/simba.yaml: hierarchy[1].capacity_bytes: must be > 0 (got 0)' -> 'capacity_bytes must be > 0'."""
    if not error:
        return 'no reason stored'
    budget = _BUDGET.search(error)
    if budget:
        return f"over {budget.group(1).split('_budget')[0].replace('_', ' ')} budget"
    reason = re.sub(r'^\S+\.ya?ml: ', '', error.splitlines()[0])
    reason = re.sub(r'\s*\(got [^)]*\)$', '', reason)
    reason = re.sub(r'^(?:\w+\[\d+\]\.)+(\w+): ', r'\1 ', reason)  # hierarchy[1].capacity_bytes: -> capacity_bytes
    return reason if len(reason) <= 60 else reason[:59] + '…'


def reason_counts(rows: Sequence[dict]) -> Counter:
    """How many rows were infeasible for each reason, most common first."""
    return Counter(infeasible_reason(row.get('error')) for row in rows if row['status'] != 'ok')


@dataclass(frozen=True)
class ParetoTable:
    """The front members, one row each: header and cells as strings, sorted by the first objective."""
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def pareto_table(front: Sequence[dict], labels: Sequence[str], objectives: Sequence[str]) -> ParetoTable:
    """The Pareto table: workload (when the sweep has several), readable parameter names and
    values, each objective in one engineering unit named in its header."""
    metrics = list(dict.fromkeys(METRICS[objective] for objective in objectives))
    names = readable_names(labels)
    several = len({row['workload'] for row in front}) > 1
    scales = {metric: metric_scale(front, metric) for metric in metrics}
    ordered = sorted(front, key=lambda row: (row['workload'] if several else '', row[metrics[0]]))
    header = (*(('workload',) if several else ()), *(names[label] for label in labels),
              *(scales[metric][1] for metric in metrics))
    rows = tuple((*((row['workload'],) if several else ()), *(shown_value(label, row[label]) for label in labels),
                  *(_number(row[metric] / scales[metric][0]) for metric in metrics)) for row in ordered)
    return ParetoTable(header, rows)


def _number(value: float) -> str:
    """Three significant digits: 3.13, 31.3, 313."""
    return f'{value:#.3g}'.rstrip('.') if abs(value) < 1000 else f'{value:.0f}'
