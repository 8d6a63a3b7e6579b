"""ONNX import time of zoo models (target: ResNet-50 under 1 s on a 2-core machine).

Prints one JSON document. The zoo export is done (and cached) before timing starts;
the timed part is `load_onnx`: reading, checking, shape inference, folding, import, verify.

    .venv/bin/python benchmarks/bench_frontend.py [--models resnet50 mobilenet_v3_large] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

from codesign.frontend import load_onnx, resolve_model_path


def time_import(name: str, repeat: int) -> dict:
    path = resolve_model_path(name)
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        graph = load_onnx(path).graph
        seconds.append(time.perf_counter() - start)
    return {
        "model": name, "nodes": len(graph), "macs": graph.macs, "file_bytes": path.stat().st_size,
        "import_s_median": round(statistics.median(seconds), 4), "import_s_min": round(min(seconds), 4),
        "repeat": repeat,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["resnet50", "mobilenet_v3_large", "bert_tiny"])
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    results = [time_import(name, arguments.repeat) for name in arguments.models]
    print(json.dumps({"benchmark": "frontend_import", "machine": platform.machine(),
                      "python": platform.python_version(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
