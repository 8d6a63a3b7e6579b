"""Pareto extraction over evaluated points, and CSV output.

Rows are flat dicts, one per evaluated point, as points.csv writes them:
    {'workload': ..., <parameter label>: value, ..., 'status': 'ok', 'energy_J': ..., ..., 'error': ...}
"""

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from codesign.dse.evaluate import METRICS

CORE_METRICS = ('energy_J', 'latency_s', 'edp_Js', 'area_m2')
ACCURACY_METRICS = ('accuracy', 'accuracy_loss')


def flat_row(point: dict, result: dict, metrics: Sequence[str] = CORE_METRICS) -> dict:
    """One CSV row: the workload, the parameter values, the status, `metrics`, the reason."""
    return {'workload': point['workload'], **point['parameters'], 'status': result['status'],
            **{metric: result['metrics'].get(metric) for metric in metrics}, 'error': result['error']}


def pareto_front(rows: Sequence[dict], objectives: Sequence[str]) -> list[dict]:
    """The rows no other row dominates (all objectives minimised), in their original order.

    `objectives` are names (energy, latency, edp, area) or metric keys (energy_J, ...). Rows with a
    status other than 'ok', or missing a metric, take no part. Ties (equal on every objective)
    are all kept.
    """
    keys = [METRICS.get(objective, objective) for objective in objectives]
    candidates = [row for row in rows if row.get('status', 'ok') == 'ok' and all(row.get(key) is not None for key in keys)]
    vectors = [tuple(float(row[key]) for key in keys) for row in candidates]
    return [row for row, vector in zip(candidates, vectors)
            if not any(dominates(other, vector) for other in vectors)]


def pareto_by_workload(rows: Sequence[dict], objectives: Sequence[str]) -> list[dict]:
    """The Pareto front of each workload, concatenated: designs are compared on the same workload only."""
    workloads = list(dict.fromkeys(row['workload'] for row in rows))
    return [row for workload in workloads
            for row in pareto_front([row for row in rows if row['workload'] == workload], objectives)]


def write_csv(rows: Iterable[dict], path: Path) -> Path:
    """Write `rows` (columns in first-seen order) through a temporary file and a rename."""
    rows = list(rows)
    columns = list(dict.fromkeys(column for row in rows for column in row))
    path = Path(path)
    temporary = path.with_name(f'.{path.stem}.{os.getpid()}.tmp.csv')
    try:
        with temporary.open('w', newline='', encoding='utf-8') as file:
            writer = csv.DictWriter(file, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def dominates(first: tuple, second: tuple) -> bool:
    return all(a <= b for a, b in zip(first, second)) and any(a < b for a, b in zip(first, second))


def hypervolume(vectors: Sequence[Sequence[float]], reference: Sequence[float]) -> float:
    """The volume dominated by `vectors` (all objectives minimised) and bounded by `reference`.

    Exact, by slicing along the first objective (Zitzler's measure); vectors not below the
    reference in every objective add nothing. Fine for the fronts of a sweep (hundreds of points).
    """
    inside = sorted({tuple(map(float, vector)) for vector in vectors
                     if all(value < bound for value, bound in zip(vector, reference))})
    if not inside:
        return 0.0
    if len(reference) == 1:
        return reference[0] - inside[0][0]
    volume = 0.0
    for index, vector in enumerate(inside):
        upper = inside[index + 1][0] if index + 1 < len(inside) else reference[0]
        if upper > vector[0]:  # the slab between this first coordinate and the next
            volume += (upper - vector[0]) * hypervolume([other[1:] for other in inside[:index + 1]], reference[1:])
    return volume
