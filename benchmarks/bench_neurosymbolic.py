"""The digits HDC workload (issue 20): the FeFET macro's schedule (split chosen for EDP) against the
A100 and simba + A100 references, one query and per query of a batch of 1000, at D = 512 and 1024;
and how long the schedule's split search takes. Prints one JSON document.

    .venv/bin/python benchmarks/bench_neurosymbolic.py
"""

from __future__ import annotations

import json
import time

from codesign.arch import load_arch
from codesign.neurosymbolic import digits_hdc
from codesign.neurosymbolic.references import gpu_reference, simba_gpu_reference
from codesign.neurosymbolic.schedule import schedule_hdc

BATCH = 1000


def figures(single_J: float, single_s: float, batch_J: float, batch_s: float) -> dict:
    return {"single_query_uJ": round(single_J * 1e6, 4), "single_query_us": round(single_s * 1e6, 4),
            "batch_per_query_uJ": round(batch_J * 1e6, 4), "batch_per_query_us": round(batch_s * 1e6, 5)}


def main() -> None:
    fefet, simba = load_arch("fefet_1f1c"), load_arch("simba")
    results = []
    for dimensions in (512, 1024):
        workload = digits_hdc(dimensions, batch=BATCH)
        start = time.perf_counter()
        schedule = schedule_hdc(workload, fefet, BATCH)
        seconds = time.perf_counter() - start
        single, per_query = schedule.single_query, schedule.per_query_in_batch
        row = {"D": dimensions, "split_search_s": round(seconds, 3),
               "split": [schedule.mac.arrays, schedule.search.arrays],
               "fefet_1f1c": figures(single.energy_J, single.latency_s, per_query.energy_J, per_query.latency_s),
               "load_uJ": round(schedule.load.energy_J * 1e6, 3), "load_us": round(schedule.load.latency_s * 1e6, 2)}
        for reference in (gpu_reference(workload, BATCH), simba_gpu_reference(workload, simba, BATCH)):
            row[reference.name] = figures(reference.single_query_energy_J, reference.single_query_latency_s,
                                          reference.energy_per_query_J, reference.latency_per_query_s)
        results.append(row)
    print(json.dumps({"benchmark": "neurosymbolic", "batch": BATCH, "results": results}, indent=2))


if __name__ == "__main__":
    main()
