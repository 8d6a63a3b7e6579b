"""Mapper throughput: cost-model evaluations per second and whole-network compile times.

Targets (issue 3): >= 100,000 mapping evaluations per second on one core (vectorized);
ResNet-50 on eyeriss and MobileNet-V3-Large on simba compiled in under 30 s each.
Prints one JSON document.

    .venv/bin/python benchmarks/bench_mapper.py [--skip-networks]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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


def compile_time(arch_name: str, model: str) -> dict:
    graph = load_model(model).graph
    start = time.perf_counter()
    report = compile_graph(graph, load_arch(arch_name), "edp")
    return {"arch": arch_name, "model": model, "seconds": round(time.perf_counter() - start, 2),
            "layers": len(report.layers), "mappings_evaluated": report.mapper.mappings_evaluated,
            "energy_J": report.energy_J, "latency_s": report.latency_s, "edp_Js": report.edp_Js}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-networks", action="store_true", help="only the evaluation rate")
    arguments = parser.parse_args()
    result = {"benchmark": "mapper", "machine": platform.machine(), "python": platform.python_version(),
              "evaluation": [evaluation_rate("eyeriss", "resnet50", 3), evaluation_rate("simba", "mobilenet_v3_large", 4)]}
    if not arguments.skip_networks:
        result["compile"] = [compile_time("eyeriss", "resnet50"), compile_time("simba", "mobilenet_v3_large")]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
