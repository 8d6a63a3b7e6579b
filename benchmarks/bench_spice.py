"""SPICE co-simulation speed: the FeFET cell characterization (`codesign spice cell`), a 64-row
1FeFET-1C column MAC transient, 100 Monte Carlo runs of it on both cores, and one 32-row crossbar
read with its SAR ADC. Prints one JSON document.

    .venv/bin/python benchmarks/bench_spice.py
"""

from __future__ import annotations

import json
import platform
import time

from codesign.arch import load_arch
from codesign.cosim.crossbar_energy import full_read_point
from codesign.cosim.fefet_column import monte_carlo, simulate_columns
from codesign.cosim.reports import fefet_cell_report
from codesign.cost.fefet import mac_error_rate


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    config = load_arch("fefet_1f1c").compute.model_copy(update={"rows": 64})
    weights, inputs = [row % 2 for row in range(64)], [1] * 64
    predicted = mac_error_rate(config, 64)[1]
    cell = timed(fefet_cell_report)
    single = timed(lambda: simulate_columns(config, [(weights, inputs)], "bench column N=64"))
    carlo = timed(lambda: monte_carlo(config, weights, inputs, 100, predicted, seed=0, method="direct"))
    crossbar = timed(lambda: full_read_point(load_arch("crossbar"), 32))
    print(json.dumps({"benchmark": "spice", "machine": platform.machine(),
                      "fefet_cell_characterization_s": round(cell, 2),
                      "column_64_rows_transient_s": round(single, 3),
                      "monte_carlo_100_runs_s": round(carlo, 2), "workers": 2,
                      "seconds_per_monte_carlo_run": round(carlo / 100, 4),
                      "crossbar_32_rows_read_s": round(crossbar, 2)}, indent=2))


if __name__ == "__main__":
    main()
