"""SPICE co-simulation speed: a 64-row 1FeFET-1C column MAC transient, and 100 Monte Carlo runs
on both cores. Prints one JSON document.

    .venv/bin/python benchmarks/bench_spice.py
"""

from __future__ import annotations

import json
import platform
import time

from codesign.arch import load_arch
from codesign.cosim.fefet_column import monte_carlo, simulate_columns


def main() -> None:
    config = load_arch("fefet_1f1c").compute.model_copy(update={"rows": 64})
    weights, inputs = [row % 2 for row in range(64)], [1] * 64
    start = time.perf_counter()
    simulate_columns(config, [(weights, inputs)], "bench column N=64")
    single = time.perf_counter() - start
    start = time.perf_counter()
    monte_carlo(config, weights, inputs, runs=100, seed=0)
    carlo = time.perf_counter() - start
    print(json.dumps({"benchmark": "spice", "machine": platform.machine(),
                      "column_64_rows_transient_s": round(single, 3),
                      "monte_carlo_100_runs_s": round(carlo, 2), "workers": 2,
                      "seconds_per_monte_carlo_run": round(carlo / 100, 4)}, indent=2))


if __name__ == "__main__":
    main()
