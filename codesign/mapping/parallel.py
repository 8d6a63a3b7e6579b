"""Map many distinct layer shapes at once, in worker processes: same results as one by one.

Each search (search.py) is deterministic and independent of the others, so the processes only
change how long a compile takes, never what it finds. Workers are forked (they inherit the
imports and the hardware, nothing is re-imported), and a process that is itself a pool's worker
(a sweep's) maps serially rather than nesting pools.

    found = search_all(problems, hardware, "edp", seed=0, workers=2)  # {problem.key: BestMapping}
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from codesign.cost.hardware import Hardware
from codesign.cost.problem import Problem
from codesign.errors import CodesignError
from codesign.mapping.candidates import prime_factors
from codesign.mapping.search import BestMapping, search

WORKERS_VARIABLE = "CODESIGN_WORKERS"
"""Environment variable: how many processes map layers (default: one per core)."""


def default_workers() -> int:
    """CODESIGN_WORKERS if set, else one per core; 1 inside another pool's worker process."""
    text = os.environ.get(WORKERS_VARIABLE)
    if text is not None:
        if not text.strip().isdigit() or int(text) < 1:
            raise CodesignError(f"{WORKERS_VARIABLE}={text!r}: expected a whole number of processes >= 1")
        return int(text)
    if multiprocessing.parent_process() is not None:
        return 1
    return os.cpu_count() or 1


def search_all(problems: Sequence[Problem], hardware: Hardware, objective: str, seed: int,
               workers: int, on_searched: Callable[[int, int], None] | None = None) -> dict[tuple, BestMapping]:
    """The best mapping of each problem, by problem key. A problem the mapper cannot map is left
    out (mapping it again one by one raises its error where a serial compile would).
    `on_searched(done, distinct shapes)` is called as each search ends."""
    unique: dict[tuple, Problem] = {}
    for problem in problems:  # the first of each shape, as a serial compile meets them
        unique.setdefault(problem.key, problem)
    unique = list(unique.values())
    workers = min(workers, len(unique))
    counted = _counted(on_searched, len(unique))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _found(counted(_search_or_none(problem, hardware, objective, seed)) for problem in unique)
    unique.sort(key=_work, reverse=True)  # the longest searches first: the pool ends together
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = [pool.submit(_search_or_none, problem, hardware, objective, seed) for problem in unique]
            return _found(counted(future.result()) for future in as_completed(futures))
    except BrokenProcessPool:
        raise CodesignError(f"a mapping worker process died (out of memory?); {WORKERS_VARIABLE}=1 or "
                            "--jobs 1 maps in this process") from None


def _search_or_none(problem: Problem, hardware: Hardware, objective: str, seed: int) -> BestMapping | None:
    try:
        return search(problem, hardware, objective, seed)
    except CodesignError:
        return None


def _counted(on_searched: Callable[[int, int], None] | None, total: int):
    """A pass-through that reports each result it sees to `on_searched`."""
    done = itertools.count(1)

    def count(result: BestMapping | None) -> BestMapping | None:
        if on_searched is not None:
            on_searched(next(done), total)
        return result
    return count


def _found(results) -> dict[tuple, BestMapping]:
    return {best.problem.key: best for best in results if best is not None}


def _work(problem: Problem) -> int:
    """A rough measure of a search's length: its temporal loops (prime factors of its bounds)."""
    return sum(len(prime_factors(int(size))) for size in problem.sizes)
