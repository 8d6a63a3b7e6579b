"""assign-precision: how long its parts take, and what it finds (issue 13).

Targets: Hessian sensitivity of digits_resnet in under 60 s and the whole pass in under
5 minutes on the 2-core machine. Prints one JSON document.

    .venv/bin/python benchmarks/bench_precision.py [--model digits_resnet] [--arch simba16_bitfusion]
"""

from __future__ import annotations

import argparse
import json
import platform
import time

from codesign.accuracy.datasets import labelled_test_set
from codesign.arch import load_arch
from codesign.flow import compile_model
from codesign.frontend import load_model
from codesign.passes import make_pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="digits_resnet")
    parser.add_argument("--arch", default="simba16_bitfusion")
    parser.add_argument("--max-drop", type=float, default=0.01)
    arguments = parser.parse_args()
    from codesign.quantize import hessian_traces

    graph, data = load_model(arguments.model).graph, labelled_test_set(arguments.model)
    start = time.perf_counter()
    traces = hessian_traces(graph, data)
    hessian_seconds = time.perf_counter() - start
    start = time.perf_counter()
    pass_ = make_pass("assign-precision", {"max_drop": arguments.max_drop})
    outcome = compile_model(graph, load_arch(arguments.arch), [pass_], model_name=arguments.model)
    pass_seconds = time.perf_counter() - start
    summary = outcome.pass_results["assign-precision"].summary
    print(json.dumps({
        "benchmark": "precision", "machine": platform.machine(), "python": platform.python_version(),
        "model": arguments.model, "arch": arguments.arch, "layers": len(traces),
        "hessian_seconds": round(hessian_seconds, 2), "pass_and_compile_seconds": round(pass_seconds, 2),
        "accuracy_evaluations": summary["accuracy_evaluations"],
        "configurations_costed": summary["configurations_costed"],
        "result": {key: summary[key] for key in ("baseline_accuracy", "accuracy", "accuracy_drop",
                                                 "latency_reduction_vs_16bit", "energy_reduction_vs_16bit")},
    }, indent=2))


if __name__ == "__main__":
    main()
