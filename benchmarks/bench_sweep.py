"""Sweep throughput: design points per second for a 200-point grid of single-layer evaluations
and a 50-point grid of whole-network compiles (digits_cnn), with 1 and 2 local workers and
through a local Ray instance the benchmark starts. Prints one JSON document.

    .venv/bin/python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from pathlib import Path

import numpy
import onnx
from onnx import helper, numpy_helper

from codesign.target.dataflow import forget_mappings
from codesign.dse.sweep import run_sweep

SPACE = """name: {name}
description: benchmark
base: simba
parameters:
  - path: [hierarchy, pe_array, axes, x, size]
    values: {x}
  - path: [hierarchy, pe_array, axes, y, size]
    values: {y}
  - path: [hierarchy, global_buffer, capacity_bytes]
    values: {buffer}
workloads: [{workload}]
objectives: [energy, latency]
strategy: {{kind: grid}}
"""


def single_layer_model(directory: Path) -> Path:
    """One 3x3 convolution, 32 -> 32 channels on 28x28: the 'single-layer evaluation' workload."""
    weight = numpy_helper.from_array(numpy.random.default_rng(0).standard_normal((32, 32, 3, 3)).astype("float32"), "w")
    graph = helper.make_graph([helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[1, 1, 1, 1])], "layer",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 32, 28, 28])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 32, 28, 28])], [weight])
    path = directory / "layer.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def timed(label: str, space_text: str, directory: Path, workers: int, backend: str) -> dict:
    space = directory / f"space-{label}-{backend}-{workers}.yaml"
    space.write_text(space_text)
    forget_mappings()  # each run maps cold: forked workers would otherwise inherit the last run's mappings
    start = time.perf_counter()
    outputs = run_sweep(space, directory / f"out-{label}-{backend}-{workers}", workers, backend=backend)
    seconds = time.perf_counter() - start
    return {"backend": backend, "workers": workers, "points": outputs.points, "seconds": round(seconds, 2),
            "points_per_second": round(outputs.points / seconds, 2)}


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        layer = SPACE.format(name="layer", x=[1, 2, 4, 8], y=[1, 2, 4, 8, 16],
                             buffer=[4096 * 2**k for k in range(10)], workload=single_layer_model(directory))
        network = SPACE.format(name="network", x=[1, 2, 4, 8, 16], y=[2, 4], buffer=[8192, 16384, 32768, 65536, 131072],
                               workload="digits_cnn")
        results = {}
        for label, text in (("single_layer_200", layer), ("network_50", network)):
            runs = [timed(label, text, directory, workers, "local") for workers in (1, 2)]
            runs.append(timed(label, text, directory, 2, "ray"))
            results[label] = {"runs": runs, "speedup_2_workers": round(runs[0]["seconds"] / runs[1]["seconds"], 2)}
    print(json.dumps({"benchmark": "sweep", "machine": platform.machine(), **results}, indent=2))


if __name__ == "__main__":
    main()
