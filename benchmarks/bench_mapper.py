"""Mapper throughput: cost-model evaluations per second, and whole-network compiles end to end.

Targets (issue 17): end to end >= 100,000 mappings evaluated per second per core; ResNet-50 on
eyeriss < 1.5 s and MobileNet-V3-Large on simba < 3 s in process; 1 -> 2 worker processes
(distinct layer shapes in parallel) >= 1.8x faster. Each compile starts from an empty mapping
cache; the best of --repeats runs is reported. Prints one JSON document.

    .venv/bin/python benchmarks/bench_mapper.py [--skip-networks] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says

from codesign.arch import load_arch  # noqa: E402
from codesign.arch.energy import energy_table  # noqa: E402
from codesign.compiler import compile_graph  # noqa: E402
from codesign.cost.dataflow import evaluate, feasible  # noqa: E402
from codesign.frontend import load_model  # noqa: E402
from codesign.mapping.candidates import generate  # noqa: E402
from codesign.cost.hardware import hardware_of  # noqa: E402
from codesign.cost.problem import problem_of  # noqa: E402
from codesign.target.dataflow import forget_mappings  # noqa: E402


def evaluation_rate(arch_name: str, model: str, layer_index: int) -> dict:
    arch = load_arch(arch_name)
    hardware = hardware_of(arch, energy_table(arch))
    node = load_model(model).graph.compute_nodes[layer_index]
    problem = problem_of(node)
    candidates = generate(problem, hardware)
    candidates = candidates.take(feasible(problem, hardware, candidates).nonzero()[0])
    evaluate(problem, hardware, candidates)  # warm-up
    start, rounds = time.perf_counter(), 0
    while time.perf_counter() - start < 2.0:
        evaluate(problem, hardware, candidates)
        rounds += 1
    seconds = time.perf_counter() - start
    generation_start = time.perf_counter()
    generate(problem, hardware)
    return {"arch": arch_name, "layer": f"{model}:{node.name}", "loop_nest": str(node.loop_nest),
            "batch": len(candidates), "evaluations_per_second": round(rounds * len(candidates) / seconds),
            "generation_seconds": round(time.perf_counter() - generation_start, 3)}


def compile_time(arch_name: str, model: str, workers: int, repeats: int) -> dict:
    graph, arch = load_model(model).graph, load_arch(arch_name)
    runs = []
    for _ in range(repeats):
        forget_mappings()
        wall, cpu = time.perf_counter(), _cpu_seconds()
        report = compile_graph(graph, arch, "edp", workers=workers)
        runs.append((time.perf_counter() - wall, _cpu_seconds() - cpu))
    wall, cpu = min(runs)
    evaluated = report.mapper.mappings_evaluated
    return {"arch": arch_name, "model": model, "workers": workers, "seconds": round(wall, 3),
            "cpu_seconds": round(cpu, 3), "layers": len(report.layers), "mappings_evaluated": evaluated,
            "mappings_per_second": round(evaluated / wall), "mappings_per_cpu_second": round(evaluated / cpu),
            "energy_J": report.energy_J, "latency_s": report.latency_s, "edp_Js": report.edp_Js}


def _cpu_seconds() -> float:
    """This process's CPU time plus that of its finished worker processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def scaling(arch_name: str, model: str, repeats: int) -> dict:
    one, two = (compile_time(arch_name, model, workers, repeats) for workers in (1, 2))
    return {"arch": arch_name, "model": model, "one_worker": one, "two_workers": two,
            "speedup": round(one["seconds"] / two["seconds"], 2),
            "identical": (one["energy_J"], one["latency_s"]) == (two["energy_J"], two["latency_s"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-networks", action="store_true", help="only the evaluation rate")
    parser.add_argument("--repeats", type=int, default=3, help="compiles per measurement (the best counts)")
    arguments = parser.parse_args()
    result = {"benchmark": "mapper", "machine": platform.machine(), "python": platform.python_version(),
              "evaluation": [evaluation_rate("eyeriss", "resnet50", 3), evaluation_rate("simba", "mobilenet_v3_large", 4)]}
    if not arguments.skip_networks:
        result["compile"] = [scaling("eyeriss", "resnet50", arguments.repeats),
                             scaling("simba", "mobilenet_v3_large", arguments.repeats)]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
