"""`codesign sweep SPACE.yaml -o DIR` and `codesign sweep report DIR`.

A sweep writes into DIR: store.sqlite (every point, as soon as it finishes), sweep.json
(the space file and the sweep's identity, so `report` can reopen the store), points.csv,
pareto.csv and the plots. Re-running the same command resumes: finished points are skipped.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from codesign.dse.evaluate import evaluate_point
from codesign.dse.pareto import flat_row, pareto_by_workload, write_csv
from codesign.dse.plots import plot_space
from codesign.dse.runner import RunSummary, run_points
from codesign.dse.space import base_spec, load_space, points
from codesign.dse.store import ResultStore, point_key, stable_hash
from codesign.errors import CodesignError
from codesign.report.output import write_text

STORE, MANIFEST = "store.sqlite", "sweep.json"


@dataclass(frozen=True)
class SweepOutputs:
    summary: RunSummary | None
    points: int
    pareto: int
    files: tuple[Path, ...]


def run_sweep(space_file: Path, directory: Path, workers: int | None = None,
              on_progress: Callable[[int, int, int], None] | None = None, backend: str = "local",
              address: str | None = None) -> SweepOutputs:
    """Evaluate every point of the space (resuming), then write the CSVs and plots."""
    space = load_space(space_file)
    identity = stable_hash({"space": space.model_dump(mode="json"), "base": base_spec(space, space_file)[1]})
    directory.mkdir(parents=True, exist_ok=True)
    _write_manifest(directory, space_file, identity)
    pending = [{**point, "key": point_key(point["parameters"], point["workload"], identity)} for point in points(space)]
    front: list[dict] = []

    def on_record(record: dict) -> None:
        if record["status"] == "ok":
            front.append({**record["parameters"], "workload": record["workload"], "status": "ok", **record["metrics"]})
            front[:] = pareto_by_workload(front, space.objectives)

    summary = run_points(pending, functools.partial(evaluate_point, space_file=str(space_file)),
                         directory / STORE, identity, workers,
                         on_result=lambda done, total: on_progress and on_progress(done, total, len(front)),
                         on_record=on_record, backend=backend, address=address)
    outputs = write_report(directory)
    return SweepOutputs(summary, outputs.points, outputs.pareto, outputs.files)


def write_report(directory: Path) -> SweepOutputs:
    """points.csv, pareto.csv and the plots, from the store alone."""
    manifest = _read_manifest(directory)
    space_file = Path(manifest["space_file"])
    space = load_space(space_file)
    with ResultStore(directory / STORE, manifest["identity"]) as store:
        records = store.rows()
    rows = [flat_row(record, {"status": record["status"], "metrics": record["metrics"] or {},
                              "error": record["error"]}) for record in records]
    labels = list(points(space)[0]["parameters"]) if rows else []
    front = pareto_by_workload(rows, space.objectives)
    files = [write_csv(rows, directory / "points.csv"), write_csv(front, directory / "pareto.csv")]
    if any(row["status"] == "ok" for row in rows):
        files += plot_space(rows, front, labels, space.objectives, directory)
    return SweepOutputs(None, len(rows), len(front), tuple(files))


def _write_manifest(directory: Path, space_file: Path, identity: str) -> None:
    path = directory / MANIFEST
    if path.exists():
        existing = json.loads(path.read_text())
        if existing.get("identity") != identity:
            raise CodesignError(f"{directory}: holds a different sweep ({existing.get('space_file')}); "
                                "use another output directory")
        return
    write_text(path, json.dumps({"space_file": str(space_file.resolve()), "identity": identity}, indent=2) + "\n")


def _read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise CodesignError(f"{directory}: not a sweep directory (no {MANIFEST})") from None
    except (OSError, ValueError) as error:
        raise CodesignError(f"{path}: unreadable ({error})") from None
