"""AlexNet's five convolutions on the eyeriss spec, against what the Eyeriss chip measured.

Chen et al., JSSC 2017 (abstract and Table V): the CONV layers of AlexNet at batch 4 run
at 35 frames/s with 0.0029 DRAM accesses per MAC (16-bit words, run-length compressed),
at 278 mW chip power (DRAM excluded), 200 MHz. Prints one JSON document.

    .venv/bin/python benchmarks/eyeriss_alexnet.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from codesign.arch import load_arch
from codesign.compiler import compile_graph
from codesign.frontend import load_onnx
from models import zoo

BATCH = 4
PUBLISHED = {"frames_per_second": 35.0, "dram_accesses_per_mac": 0.0029, "chip_power_W": 0.278}


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = zoo.export_onnx("alexnet", Path(directory) / "alexnet.onnx", batch=BATCH)
        graph = load_onnx(path).graph
    arch = load_arch("eyeriss")
    results = {objective: measure(graph, arch, objective) for objective in ("edp", "energy")}
    print(json.dumps({"published": PUBLISHED, "codesign": results}, indent=2))


def measure(graph, arch, objective: str) -> dict:
    report = compile_graph(graph, arch, objective, model_name=f"alexnet batch {BATCH}")
    convolutions = [layer for layer in report.layers if layer.op == "Conv"]
    macs = sum(layer.macs for layer in convolutions)
    seconds = sum(layer.latency_s for layer in convolutions)
    dram_words = sum(layer.dram_bytes for layer in convolutions) / 2  # 16-bit words
    on_chip_J = sum(layer.energy_J - layer.energy_breakdown_J["dram"] for layer in convolutions)
    breakdown = {}
    for layer in convolutions:
        for component, energy in layer.energy_breakdown_J.items():
            breakdown[component] = breakdown.get(component, 0.0) + energy
    total = sum(breakdown.values())
    return {
            "frames_per_second": round(BATCH / seconds, 2),
            "dram_accesses_per_mac": round(dram_words / macs, 5),
            "on_chip_power_W": round(on_chip_J / seconds, 4),
            "utilization": round(macs / (seconds * arch.peak_macs_per_second), 3),
            "energy_share": {component: round(energy / total, 3) for component, energy in breakdown.items()},
            "per_layer": [{"name": layer.name, "macs": layer.macs, "utilization": round(layer.utilization, 3),
                           "dram_accesses_per_mac": round(layer.dram_bytes / 2 / layer.macs, 5)}
                          for layer in convolutions],
    }


if __name__ == "__main__":
    main()
