"""Mapper optimality gap (issue 17, part 1): the default search against a seeded search 100x its size.

For layers drawn from the zoo (standard, strided, pointwise, depthwise and grouped convolutions,
fully connected layers, attention matmuls), on eyeriss and simba: the default mapping (what
`codesign compile` picks: seed 0) against the best of `--scale` independent searches of the
default size (seeds 0 .. scale-1: `--scale` times as many random loop orderings, the same
spatial unrollings and stationary orders). The gap is default / best - 1 on the objective.
Layers run in parallel on `--workers` processes. Prints one JSON document.

    .venv/bin/python benchmarks/bench_mapper_quality.py [--layers 30] [--scale 100] [--objective edp]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

os.environ.setdefault("OMP_NUM_THREADS", "1")

from codesign.arch import load_arch  # noqa: E402
from codesign.arch.energy import energy_table  # noqa: E402
from codesign.cost.hardware import hardware_of  # noqa: E402
from codesign.cost.problem import problem_of  # noqa: E402
from codesign.frontend import load_model  # noqa: E402
from codesign.mapping.search import score, search  # noqa: E402
from codesign.target import target_for  # noqa: E402

MODELS = ("resnet50", "mobilenet_v3_large", "alexnet", "bert_tiny", "vgg11")
ARCHS = ("eyeriss", "simba")


def layer_kind(node) -> str:
    nest = node.loop_nest
    if node.op.value in ("MatMul", "Gemm"):
        return "attention matmul" if not nest.weight_is_constant else "fully connected"
    if nest["G"] > 1:
        return "depthwise" if nest["C"] == 1 and nest["K"] == 1 else "grouped"
    if nest["R"] == 1 and nest["S"] == 1:
        return "pointwise"
    return "strided" if nest.strides != (1, 1) else "standard"


def draw_layers(count: int) -> list[tuple[str, str]]:
    """(model, layer name) of `count` distinct layer shapes, round-robin over the kinds."""
    by_kind: dict[str, list[tuple[str, str]]] = {}
    seen = set()
    for model in MODELS:
        for node in load_model(model).graph.compute_nodes:
            key = (str(node.loop_nest), node.op.value)
            if key not in seen:
                seen.add(key)
                by_kind.setdefault(layer_kind(node), []).append((model, node.name))
    drawn, kinds = [], sorted(by_kind)
    while len(drawn) < count and any(by_kind.values()):
        for kind in kinds:
            if by_kind[kind] and len(drawn) < count:
                drawn.append(by_kind[kind].pop(0))
    return drawn


def gap(task) -> dict:
    arch_name, model, layer, scale, objective = task
    arch = load_arch(arch_name)
    hardware, target = hardware_of(arch, energy_table(arch)), target_for(arch)
    node = next(node for node in load_model(model).graph.compute_nodes if node.name == layer)
    problem = problem_of(node, target.bits(node))
    start = time.perf_counter()
    default = search(problem, hardware, objective, seed=0)
    default_seconds = time.perf_counter() - start
    best, evaluated = float(score(default.evaluation, objective)[0]), default.evaluated
    for seed in range(1, scale):
        found = search(problem, hardware, objective, seed=seed)
        best, evaluated = min(best, float(score(found.evaluation, objective)[0])), evaluated + found.evaluated
    value = float(score(default.evaluation, objective)[0])
    return {"arch": arch_name, "model": model, "layer": layer, "kind": layer_kind(node),
            "loop_nest": str(node.loop_nest), "default": value, "reference": best,
            "gap": value / best - 1, "default_evaluated": default.evaluated, "reference_evaluated": evaluated,
            "default_seconds": round(default_seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=30)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--objective", default="edp")
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    layers = draw_layers(arguments.layers)
    tasks = [(arch, model, layer, arguments.scale, arguments.objective) for arch in ARCHS for model, layer in layers]
    start = time.perf_counter()
    with ProcessPoolExecutor(arguments.workers, mp_context=get_context("fork")) as pool:
        rows = list(pool.map(gap, tasks))
    summary = {}
    for arch in ARCHS:
        gaps = [row["gap"] for row in rows if row["arch"] == arch]
        summary[arch] = {"layers": len(gaps), "median_gap": statistics.median(gaps), "worst_gap": max(gaps),
                         "within_1_percent": sum(value <= 0.01 for value in gaps)}
    print(json.dumps({"benchmark": "mapper_quality", "machine": platform.machine(), "objective": arguments.objective,
                      "scale": arguments.scale, "seconds": round(time.perf_counter() - start, 1),
                      "summary": summary, "layers": rows}, indent=2))


if __name__ == "__main__":
    main()
