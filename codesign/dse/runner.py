"""Evaluate the points of a sweep in a local process pool, storing each as it finishes.

Only the parent process writes to the store, one committed row per finished point, so
killing the sweep (even with SIGKILL) loses at most the points in flight; running the
same sweep again skips every key already stored.
"""

import contextlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
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
               on_record=None, backend: str = "local", address: str | None = None) -> RunSummary:
    """Evaluate every point whose key is not yet in the store at `store_path`.

    points: plain dicts with "key", "parameters" (dict) and "workload" (str).
    evaluate: a top-level (picklable) function point -> {"status", "metrics", "error"};
        a CodesignError it raises marks the point infeasible, any other exception is a
        bug and propagates.
    identity: the sweep's identity (a hash string, or anything JSON-able to hash).
    on_result(done, total): progress callback, done counting skipped points too.
    on_record(record): optional, gets every newly stored point (e.g. to update a Pareto front).
    backend: "local" (a process pool on this machine) or "ray" (a Ray cluster at `address`, or
        a local Ray instance without one); either way the parent writes the store.
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
        results = _evaluate_on_ray(pending, evaluate, workers, address) if backend == "ray" \
            else _evaluate_all(pending, evaluate, workers)
        for done, record in enumerate(results, skipped + 1):
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
    # fork: the evaluator and its imports are inherited, not re-imported per worker. An executor,
    # not multiprocessing.Pool: Pool.terminate() after a worker's exception can deadlock on the
    # task queue's lock (seen in CI), where the executor cancels what is left and returns.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(_evaluate_one, task) for task in tasks]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _evaluate_on_ray(pending, evaluate, workers, address):
    """Yield one store record per pending point as Ray tasks finish (same wrapper as the pool)."""
    with ray_session(address, workers) as ray:
        remote = ray.remote(_evaluate_one)
        waiting = [remote.remote((evaluate, point)) for point in pending]
        while waiting:
            finished, waiting = ray.wait(waiting, num_returns=1)
            yield ray.get(finished[0])


@contextlib.contextmanager
def ray_session(address: str | None, workers: int | None):
    """The ray module, connected: to the cluster at `address`, or a local instance with
    `workers` CPUs. Reuses a connection already open (and leaves it open), so a search that
    runs many batches starts Ray once."""
    try:
        import ray
    except ImportError:
        raise CodesignError("--backend ray needs the ray package (pip install ray)") from None
    started_here = not ray.is_initialized()
    if started_here:
        try:
            ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False,
                     log_to_driver=False, configure_logging=False)
        except (ConnectionError, RuntimeError, ValueError) as error:
            raise CodesignError(f"cannot reach the Ray cluster at {address}: {error}") from None
    try:
        yield ray
    finally:
        if started_here:
            ray.shutdown()


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
