"""convert-snn: conversion plus spiking simulation of a trained model on its whole test set (issue 15).

Target: digits_cnn at T=16 in under 30 s on 2 cores. Prints one JSON document.

    .venv/bin/python benchmarks/bench_snn.py [--model digits_cnn] [--timesteps 8 16 32] [--norm percentile]
"""

from __future__ import annotations

import argparse
import json
import platform
import time

from codesign.arch import load_arch
from codesign.flow import apply_passes
from codesign.frontend import load_model
from codesign.passes import make_pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="digits_cnn")
    parser.add_argument("--timesteps", type=int, nargs="+", default=[8, 16, 32])
    parser.add_argument("--norm", default="percentile")
    parser.add_argument("--neuron", default="if")
    arguments = parser.parse_args()
    graph, rows = load_model(arguments.model).graph, []
    for timesteps in arguments.timesteps:
        convert = make_pass("convert-snn", {"timesteps": timesteps, "norm": arguments.norm, "neuron": arguments.neuron})
        start = time.perf_counter()
        summary = apply_passes(graph, load_arch("simba"), [convert], workload=arguments.model).results["convert-snn"].summary
        rows.append({"timesteps": timesteps, "seconds": round(time.perf_counter() - start, 2),
                     "accuracy": summary["accuracy"], "ann_accuracy": summary["ann_accuracy"],
                     "synaptic_operations": round(sum(layer["synaptic_operations"] for layer in summary["layers"].values())),
                     "spike_rates": {name: round(neuron["spike_rate"], 4) for name, neuron in summary["neurons"].items()}})
    print(json.dumps({"benchmark": "convert-snn", "machine": platform.machine(), "python": platform.python_version(),
                      "model": arguments.model, "norm": arguments.norm, "neuron": arguments.neuron, "runs": rows},
                     indent=2))


if __name__ == "__main__":
    main()
