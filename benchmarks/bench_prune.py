"""prune-crossbar: how long it takes and what it finds (issue 14). Prints one JSON document.

Target: the whole pass (with its baselines) in under 10 minutes per model on 2 cores.

    .venv/bin/python benchmarks/bench_prune.py [--model digits_vgg] [--arch crossbar_differential]
        [--max-drop 0.01] [--levels 1/2/4/8/16]
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

FIGURES = ("baseline_accuracy", "accuracy", "accuracy_drop", "sparsity", "adc_energy_improvement",
           "energy_improvement", "adc_energy_improvement_exponential_model")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="digits_vgg")
    parser.add_argument("--arch", default="crossbar_differential")
    parser.add_argument("--max-drop", type=float, default=0.01)
    parser.add_argument("--levels", default="1/2/4/8/16")
    arguments = parser.parse_args()
    graph = load_model(arguments.model).graph
    prune = make_pass("prune-crossbar", {"max_drop": arguments.max_drop, "levels": arguments.levels})
    start = time.perf_counter()
    result = apply_passes(graph, load_arch(arguments.arch), [prune], workload=arguments.model).results["prune-crossbar"]
    seconds = time.perf_counter() - start
    summary = result.summary
    print(json.dumps({
        "benchmark": "prune-crossbar", "machine": platform.machine(), "python": platform.python_version(),
        "model": arguments.model, "arch": arguments.arch, "levels": arguments.levels, "seconds": round(seconds, 1),
        "trials": len(summary["trials"]), "warnings": list(result.warnings),
        "dub": {key: summary[key] for key in FIGURES},
        "baselines": {name: {key: figures[key] for key in FIGURES if key in figures}
                      for name, figures in summary["baselines"].items()},
        "layers": {name: {"sparsity": round(layer["sparsity"], 3), "adc_bits": layer["adc_bits"],
                          "mean_adc_bits": round(layer["mean_adc_bits"], 2),
                          "dense_mean_adc_bits": round(summary["dense"]["layers"][name]["mean_adc_bits"], 2)}
                   for name, layer in summary["layers"].items()},
    }, indent=2))


if __name__ == "__main__":
    main()
