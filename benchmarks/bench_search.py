"""Search quality of the sweep strategies: how much of the true energy-latency-area front
NSGA-II finds, against random sampling with the same number of designs, on a 768-design Simba space
(PE rows x PE columns x global buffer x weight buffer x vector lanes, one 3x3 convolution).

The full grid is evaluated once (every design through the real sweep, 2 workers); the
strategies then draw designs from those stored results, so they are compared on the number
of designs they evaluate, not on the machine. Quality is the hypervolume of the front each
strategy found, as a fraction of the full grid's (reference point: 1.1 x the grid front's
worst energy, latency and area), and the share of the grid's front it found exactly. Prints
one JSON document.

    .venv/bin/python benchmarks/bench_search.py [--directory DIR]

With --directory the grid's sweep is kept there (and resumed, so a second run skips it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sweep import single_layer_model  # noqa: E402

from codesign.dse.evolve import evolve  # noqa: E402
from codesign.dse.pareto import hypervolume, pareto_front  # noqa: E402
from codesign.dse.space import load_space  # noqa: E402
from codesign.dse.store import ResultStore  # noqa: E402
from codesign.dse.sweep import STORE, run_sweep  # noqa: E402

SPACE = """name: search
description: search quality benchmark
base: simba
parameters:
  - path: [hierarchy, pe_array, axes, y, size]
    values: [1, 2, 4, 8]
  - path: [hierarchy, pe_array, axes, x, size]
    values: [1, 2, 4, 8]
  - path: [hierarchy, global_buffer, capacity_bytes]
    values: [16384, 32768, 65536, 131072]
  - path: [hierarchy, weight_buffer, capacity_bytes]
    values: [8192, 16384, 32768, 65536]
  - path: [hierarchy, vector_lanes, axes, lane, size]
    values: [4, 8, 16]
workloads: [{workload}]
objectives: [energy, latency, area]
strategy: {strategy}
"""
SEEDS = range(5)
NSGA2 = {"population": 32, "generations": 10}


def design(parameters: dict, labels: list[str]) -> tuple:
    return tuple(parameters[label] for label in labels)


OBJECTIVES = ["energy", "latency", "area"]
METRICS = ["energy_J", "latency_s", "area_m2"]


def vector(row: dict) -> tuple[float, ...]:
    return tuple(row[metric] for metric in METRICS)


def quality(found: list[dict], grid_front: list[dict], reference: tuple[float, ...]) -> dict:
    vectors = [vector(row) for row in pareto_front(found, OBJECTIVES)]
    grid_vectors = {vector(row) for row in grid_front}
    return {"hypervolume_fraction": hypervolume(vectors, reference) / hypervolume(grid_vectors, reference),
            "front_found_fraction": len(grid_vectors & set(vectors)) / len(grid_vectors)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directory", type=Path, help="keep the grid sweep here (resumed when run again)")
    parser.add_argument("--population", type=int, default=NSGA2["population"])
    parser.add_argument("--generations", type=int, default=NSGA2["generations"])
    arguments = parser.parse_args()
    settings = {"population": arguments.population, "generations": arguments.generations}
    keep = contextlib.nullcontext(arguments.directory) if arguments.directory else tempfile.TemporaryDirectory()
    with keep as kept:
        directory = Path(kept)
        directory.mkdir(parents=True, exist_ok=True)
        workload = single_layer_model(directory)
        (directory / "grid.yaml").write_text(SPACE.format(workload=workload, strategy="{kind: grid}"))
        start = time.perf_counter()
        run_sweep(directory / "grid.yaml", directory / "grid", workers=2)
        grid_seconds = time.perf_counter() - start
        space = load_space(directory / "grid.yaml")
        labels = [parameter.label for parameter in space.parameters]
        with ResultStore(directory / "grid" / STORE, json.loads((directory / "grid" / "sweep.json").read_text())["identity"]) as store:
            records = {design(record["parameters"], labels): record for record in store.rows()}
    rows = {key: {**record["metrics"], "status": record["status"], "workload": "layer"} for key, record in records.items()}
    feasible = [row for row in rows.values() if row["status"] == "ok"]
    grid_front = pareto_front(feasible, OBJECTIVES)
    # The front's nadir, not the worst design: far-off references make every sample look good.
    reference = tuple(1.1 * max(values) for values in zip(*map(vector, grid_front)))

    nsga, budgets = [], []
    for seed in SEEDS:
        seeded = space.model_copy(update={"strategy": space.strategy.model_copy(update={"kind": "nsga2", "seed": seed, **settings})})
        seen: dict[tuple, dict] = {}

        def lookup(points: list[dict]) -> list[dict]:
            found = [records[design(point["parameters"], labels)] for point in points]
            seen.update({design(point["parameters"], labels): rows[design(point["parameters"], labels)] for point in points})
            return found

        evolve(seeded, lookup)
        nsga.append(quality(list(seen.values()), grid_front, reference))
        budgets.append(len(seen))
    sampled = [quality([rows[key] for key in random.Random(seed).sample(sorted(rows), budget)], grid_front, reference)
               for seed, budget in zip(SEEDS, budgets)]

    def summary(runs: list[dict]) -> dict:
        return {name: {"mean": round(statistics.mean(run[name] for run in runs), 4),
                       "min": round(min(run[name] for run in runs), 4)} for name in runs[0]}

    print(json.dumps({
        "benchmark": "search", "designs_in_grid": len(rows), "feasible": len(feasible), "grid_front_size": len({vector(row) for row in grid_front}),
        "grid_seconds_2_workers": round(grid_seconds, 1), "nsga2_settings": settings, "seeds": len(SEEDS),
        "designs_evaluated_per_run": {"mean": statistics.mean(budgets), "min": min(budgets), "max": max(budgets)},
        "nsga2": summary(nsga), "random_same_budget": summary(sampled)}, indent=2))


if __name__ == "__main__":
    main()
