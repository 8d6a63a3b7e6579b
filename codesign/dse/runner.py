"""Evaluate the points of a sweep in a local process pool, storing each as it finishes.

Only the parent process writes to the store, one committed row per finished point, so
killing the sweep (even with SIGKILL) loses at most the points in flight; running the
same sweep again skips every key already stored.
"""

import multiprocessing
import os
import time
from dataclasses import dataclass

from codesign.dse.store import STATUSES, ResultStore, stable_hash
from codesign.errors import CodesignError


@dataclass(frozen=True)
class RunSummary:
    total: int        # points asked for
    evaluated: int    # points evaluated by this run (ok + infeasible)
    skipped: int      # points already in the store from an earlier run
    infeasible: int   # of the evaluated, how many the evaluator rejected


def run_points(points, evaluate, store_path, identity, workers=None, on_result=None,
               on_record=None) -> RunSummary:
    """Evaluate every point whose key is not yet in the store at `store_path`.

    points: plain dicts with "key", "parameters" (dict) and "workload" (str).
    evaluate: a top-level (picklable) function point -> {"status", "metrics", "error"};
        a CodesignError it raises marks the point infeasible, any other exception is a
        bug and propagates.
    identity: the sweep's identity (a hash string, or anything JSON-able to hash).
    on_result(done, total): progress callback, done counting skipped points too.
    on_record(record): optional, gets every newly stored point (e.g. to update a Pareto front).
    """
    _check_unique_keys(points)
    identity_hash = identity if isinstance(identity, str) else stable_hash(identity)
    with ResultStore(store_path, identity_hash) as store:
        done_keys = store.done_keys()
        pending = [point for point in points if point["key"] not in done_keys]
        skipped = len(points) - len(pending)
        if on_result is not None:
            on_result(skipped, len(points))
        infeasible = 0
        for done, record in enumerate(_evaluate_all(pending, evaluate, workers), skipped + 1):
            store.add(**record)
            infeasible += record["status"] == "infeasible"
            if on_record is not None:
                on_record(record)
            if on_result is not None:
                on_result(done, len(points))
    return RunSummary(len(points), len(pending), skipped, infeasible)


def _check_unique_keys(points):
    keys = [point["key"] for point in points]
    if len(set(keys)) != len(keys):
        raise ValueError("run_points: two points share a key")


def _evaluate_all(pending, evaluate, workers):
    """Yield one store record per pending point, in the order they finish."""
    workers = min(workers or os.cpu_count() or 1, max(len(pending), 1))
    tasks = [(evaluate, point) for point in pending]
    if workers == 1:
        # Same wrapper, no pool: easier to debug and no fork cost for tiny sweeps.
        yield from map(_evaluate_one, tasks)
        return
    # fork: the evaluator and its imports are inherited, not re-imported per worker.
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        yield from pool.imap_unordered(_evaluate_one, tasks)


def _evaluate_one(task) -> dict:
    """Run the evaluator on one point and turn its outcome into a store record."""
    evaluate, point = task
    started = time.perf_counter()
    try:
        outcome = evaluate(point)
    except CodesignError as error:
        outcome = {"status": "infeasible", "metrics": {}, "error": str(error)}
    status = outcome.get("status", "ok")
    if status not in STATUSES:
        raise ValueError(f"evaluate returned status {status!r}, expected one of {STATUSES}")
    return {"key": point["key"], "parameters": point["parameters"],
            "workload": point["workload"], "status": status,
            "metrics": outcome.get("metrics") or {}, "error": outcome.get("error"),
            "evaluate_seconds": time.perf_counter() - started}
