"""`codesign sweep SPACE.yaml -o DIR` and `codesign sweep report DIR`.

A sweep writes into DIR: store.sqlite (every point, as soon as it finishes), sweep.json
(the space file and the sweep's identity, so `report` can reopen the store), points.csv,
pareto.csv and the plots (and, for an NSGA-II search, search.csv and convergence.png: the front's
hypervolume per generation). Re-running the same command resumes: finished points are skipped.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable
from dataclasses import astuple, dataclass, field, replace
from pathlib import Path

from codesign.dse.evaluate import evaluate_point
from codesign.dse.neurosymbolic import HDC_METRICS, is_hdc_workload
from codesign.dse.pareto import ACCURACY_METRICS, CORE_METRICS, flat_row, pareto_by_workload, write_csv
from codesign.dse.plots import plot_convergence, plot_space
from codesign.dse.report import ParetoTable, pareto_table, reason_counts
from codesign.dse.evolve import Evolution, convergence, evolve
from codesign.dse.runner import RunSummary, ray_session, run_points
from codesign.dse.space import Space, base_spec, load_space, points
from codesign.dse.space_warnings import space_warnings
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
    evolution: Evolution | None = None
    """What the NSGA-II search did (strategy nsga2 only)."""
    table: ParetoTable | None = None
    """The Pareto front, one row per member: what `codesign sweep report` prints."""
    ok: int = 0
    """Points evaluated to a result."""
    infeasible: dict[str, int] = field(default_factory=dict)
    """How many points were infeasible, by reason (most common first)."""


Progress = Callable[[int, int, int], None]
"""on_progress(points done, points expected, current Pareto size)."""


def run_sweep(space_file: Path, directory: Path, workers: int | None = None,
              on_progress: Progress | None = None, backend: str = "local",
              address: str | None = None, force: bool = False,
              on_warning: Callable[[str], None] | None = None) -> SweepOutputs:
    """Evaluate the space's points (resuming), then write the CSVs and plots.

    `directory` must be new, empty, or this sweep's own; `force` also allows a directory of
    other files (whose points.csv, pareto.csv and plots the sweep then overwrites).
    `on_warning` gets each implausible value of the space (space_warnings) once, before any point runs.
    """
    space = load_space(space_file)
    identity = sweep_identity(space, space_file)
    _prepare_directory(directory, force)
    _write_manifest(directory, space_file, identity)
    for warning in space_warnings(space, space_file) if on_warning else ():
        on_warning(warning)
    batches = _Batches(space, space_file, directory / STORE, identity, workers, backend, address, on_progress)
    evolution = None
    if space.strategy.kind == "nsga2":
        batches.expected = min(space.strategy.search_population * (space.strategy.search_generations + 1),
                               space.grid_size) * len(space.workloads)
        with ray_session(address, workers) if backend == "ray" else contextlib.nullcontext():
            evolution = evolve(space, batches.run)
    else:
        batches.run(points(space))
    if on_progress is not None:  # an early-stopped search ends below its estimate
        on_progress(batches.done, batches.done, len(batches.front))
    outputs = write_report(directory)
    files = outputs.files + (_write_convergence(evolution, directory, _context(space, space_file)) if evolution else ())
    return replace(outputs, summary=batches.summary, files=files, evolution=evolution)


def _write_convergence(evolution: Evolution, directory: Path, context: str) -> tuple[Path, ...]:
    """search.csv and convergence.png/.pdf: how the NSGA-II front grew, generation by generation."""
    rows = convergence(evolution)
    if not rows:
        return ()
    return (write_csv(rows, directory / "search.csv"), *plot_convergence(rows, directory, context))


def _context(space: Space, space_file: Path) -> str:
    """What the plot titles say the designs are: 'simba, space tiny (pe_glb.yaml)'."""
    base = Path(space.base).stem if space.base.endswith((".yaml", ".yml")) else space.base
    return f"{base}, space {space.name} ({Path(space_file).name})"


def sweep_identity(space: Space, space_file: Path) -> str:
    """A hash of what decides a point's result besides its parameter values and workload (which
    its key holds): the base spec, the parameters' paths, the passes, the budgets and the
    mapper's objective and seed. Not the values tried, the objectives or the strategy: a grid,
    a random sample and an NSGA-II search of one space share a store, so switching strategy,
    adding values or re-ranking by other objectives reuses every finished point."""
    inputs = space.model_dump(mode="json", include={"passes", "constraints", "mapper_objective"})
    return stable_hash({**inputs, "paths": [parameter.path for parameter in space.parameters],
                        "seed": space.strategy.seed, "base": base_spec(space, space_file)[1]})


class _Batches:
    """Runs batches of points through the runner and the store, adding up what happened and
    keeping the running Pareto front that the progress bar shows."""

    def __init__(self, space, space_file, store_path, identity, workers, backend, address, on_progress):
        self.space, self.store_path, self.identity = space, store_path, identity
        self.evaluate = functools.partial(evaluate_point, space_file=str(space_file))
        self.options = {"workers": workers, "backend": backend, "address": address}
        self.on_progress, self.expected, self.done = on_progress, None, 0
        self.summary = RunSummary(0, 0, 0, 0)
        with ResultStore(store_path, identity) as store:
            self.front = pareto_by_workload([_front_row(record) for record in store.rows()], space.objectives)

    def run(self, batch: list[dict]) -> list[dict]:
        """Evaluate the points of `batch` not yet stored; return every point's record, in order."""
        keyed = [{**point, "key": point_key(point["parameters"], point["workload"], self.identity)}
                 for point in batch]
        already = self.done
        expected = self.expected or len(keyed)
        summary = run_points(keyed, self.evaluate, self.store_path, self.identity, on_record=self._add_to_front,
                             on_result=lambda done, _: self._report(already + done, expected), **self.options)
        self.done += summary.total
        self.summary = RunSummary(*(mine + theirs for mine, theirs in zip(astuple(self.summary), astuple(summary))))
        with ResultStore(self.store_path, self.identity) as store:
            records = store.records(point["key"] for point in keyed)
        return [records[point["key"]] for point in keyed]

    def _add_to_front(self, record: dict) -> None:
        if record["status"] == "ok":
            self.front = pareto_by_workload([*self.front, _front_row(record)], self.space.objectives)

    def _report(self, done: int, expected: int) -> None:
        if self.on_progress is not None:
            self.on_progress(done, max(expected, done), len(self.front))


def _front_row(record: dict) -> dict:
    return {**record["parameters"], "workload": record["workload"], "status": record["status"],
            **(record["metrics"] or {})}


def write_report(directory: Path) -> SweepOutputs:
    """points.csv, pareto.csv and the plots, from the store alone."""
    manifest = _read_manifest(directory)
    space_file = Path(manifest["space_file"])
    space = load_space(space_file)
    if not (directory / STORE).is_file():  # opening the store would create an empty one
        raise CodesignError(f"{directory}: no {STORE}: the sweep has not stored a point yet")
    with ResultStore(directory / STORE, manifest["identity"]) as store:
        records = store.rows()
    metrics = (*CORE_METRICS, *ACCURACY_METRICS) if space.needs_accuracy else CORE_METRICS
    if any(is_hdc_workload(workload) for workload in space.workloads):
        metrics = (*metrics, *HDC_METRICS)
    rows = [flat_row(record, {"status": record["status"], "metrics": record["metrics"] or {},
                              "error": record["error"]}, metrics) for record in records]
    labels = [parameter.label for parameter in space.parameters]
    front = pareto_by_workload(rows, space.objectives)
    files = [write_csv(rows, directory / "points.csv"), write_csv(front, directory / "pareto.csv")]
    if any(row["status"] == "ok" for row in rows):
        files += plot_space(rows, front, labels, space.objectives, directory, _context(space, space_file))
    return SweepOutputs(None, len(rows), len(front), tuple(files), table=pareto_table(front, labels, space.objectives),
                        ok=sum(row["status"] == "ok" for row in rows), infeasible=dict(reason_counts(rows).most_common()))


def _is_directory(path: Path) -> bool:
    """Whether `path` is a directory; False for names the OS rejects (too long, a NUL byte)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _prepare_directory(directory: Path, force: bool) -> None:
    """Create `directory`, or check that the sweep may write into it: never over a user's files
    (a points.csv of their own) unless `force`."""
    try:
        if directory.exists() and not directory.is_dir():
            raise CodesignError(f"{directory}: not a directory")
        if directory.is_dir() and not (directory / MANIFEST).exists() and any(directory.iterdir()) and not force:
            raise CodesignError(f"{directory}: holds files but no sweep (no {MANIFEST}); the sweep would overwrite "
                                "its points.csv, pareto.csv and plots: use a new directory, or pass --force")
        directory.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as error:
        raise CodesignError(f"{directory}: cannot write there ({getattr(error, 'strerror', None) or error})") from None


def _write_manifest(directory: Path, space_file: Path, identity: str) -> None:
    path = directory / MANIFEST
    if path.exists():
        existing = _read_manifest(directory)
        if existing.get("identity") != identity:
            raise CodesignError(f"{directory}: holds a different sweep ({existing.get('space_file')}); "
                                "use another output directory")
    # The latest space file: `report` ranks by its objectives (the store is shared by strategies).
    write_text(path, json.dumps({"space_file": str(space_file.resolve()), "identity": identity}, indent=2) + "\n")


def _read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    if not _is_directory(directory):
        raise CodesignError(f"{directory}: not a sweep directory (not a directory)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CodesignError(f"{directory}: not a sweep directory (no {MANIFEST})") from None
    except (OSError, ValueError) as error:  # a directory named sweep.json, bad JSON, bad bytes
        raise CodesignError(f"{path}: unreadable ({error})") from None
    keys = ("space_file", "identity")
    if not (isinstance(manifest, dict) and all(isinstance(manifest.get(key), str) for key in keys)):
        raise CodesignError(f"{path}: not a sweep manifest (no space_file and identity strings)")
    return manifest
