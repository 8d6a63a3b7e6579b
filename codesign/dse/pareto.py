"""Pareto extraction over evaluated points, and CSV output.

Rows are flat dicts, one per evaluated point, as points.csv writes them:
    {'workload': ..., <parameter label>: value, ..., 'status': 'ok', 'energy_J': ..., ..., 'error': ...}
"""

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from codesign.dse.evaluate import METRICS
from codesign.search.pareto import dominates

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
