"""Layer fusion: layer-by-layer vs greedy vs GA on the workload set, and the GA's speed.

Target (issue 4): the GA for MobileNet-V3-Large on simba finishes in under 60 s on the
2-core machine; EDP gains >= 1.9x (MobileNet-V3 on simba), >= 1.4x (simba average),
>= 1.12x (eyeriss average). Prints one JSON document; --models/--archs narrow the set.

    .venv/bin/python benchmarks/bench_fusion.py [--models mobilenet_v3_large] [--archs simba]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

from codesign.arch import load_arch
from codesign.compiler import compile_layers
from codesign.frontend import load_model
from codesign.fusion.summary import summarize_fusion
from codesign.passes.fuse_layers import FuseLayers
from codesign.passes.pipeline import run_pipeline

MODELS = ("mobilenet_v3_large", "mobilenet_v3_small", "mobilenet_v2", "resnet18", "resnet50", "vgg11", "bert_tiny")
ARCHS = ("simba", "eyeriss")


def totals(schedule, clock_Hz: float) -> dict:
    latency = schedule.cycles / clock_Hz
    return {"energy_J": schedule.energy_J, "latency_s": latency, "edp_Js": schedule.energy_J * latency,
            "groups": len(schedule.groups)}


def run(model: str, arch_name: str, seed: int) -> dict:
    arch = load_arch(arch_name)
    graph = load_model(model).graph
    start = time.perf_counter()
    compile_layers(graph, arch, "edp", seed)  # the per-layer mappings (layer-by-layer baseline)
    mapping_seconds = time.perf_counter() - start
    start = time.perf_counter()
    fused, results = run_pipeline(graph, arch, [FuseLayers(seed=seed)])
    search_seconds = time.perf_counter() - start
    details = results["fuse-layers"].details
    summary = summarize_fusion(fused, compile_layers(fused, arch, "edp", seed), "edp", details)
    base = totals(details.layer_by_layer, arch.clock_frequency_Hz)
    rows = {name: totals(schedule, arch.clock_frequency_Hz)
            for name, schedule in (("greedy", details.greedy), ("ga", details.chosen))}
    return {
        "model": model, "arch": arch_name, "seed": seed, "layer_by_layer": base, **rows,
        "edp_gain": {name: base["edp_Js"] / row["edp_Js"] for name, row in rows.items()},
        "energy_gain": {name: base["energy_J"] / row["energy_J"] for name, row in rows.items()},
        "compiled_edp_gain": summary.ratios()["edp"],
        "mapping_seconds": round(mapping_seconds, 2), "ga_seconds": round(search_seconds, 2),
        "ga_generations": len(details.search.history) - 1, "ga_evaluations": details.search.evaluations,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--archs", nargs="+", default=list(ARCHS))
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    runs = [run(model, arch, arguments.seed) for arch in arguments.archs for model in arguments.models]
    averages = {arch: {"ga_edp_gain_mean": statistics.mean(r["edp_gain"]["ga"] for r in runs if r["arch"] == arch),
                       "greedy_edp_gain_mean": statistics.mean(r["edp_gain"]["greedy"] for r in runs
                                                               if r["arch"] == arch)}
                for arch in arguments.archs}
    print(json.dumps({"benchmark": "fusion", "machine": platform.machine(), "python": platform.python_version(),
                      "runs": runs, "averages": averages}, indent=2))


if __name__ == "__main__":
    main()
