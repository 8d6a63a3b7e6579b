"""The mixed-precision study of docs/VALIDATION.md (issue 13): assign-precision on three trained
models at the seed paper's budgets, its ordering against Hessian-only, and one budget on three
targets, each target's choice costed on the others. Prints one JSON document (minutes).

    .venv/bin/python benchmarks/precision_study.py [--models digits_resnet ...] [--part budgets|ordering|targets]
"""

from __future__ import annotations

import argparse
import json
import platform

from codesign.arch import load_arch
from codesign.compiler import compile_layers
from codesign.flow import apply_passes
from codesign.frontend import load_model
from codesign.passes import make_pass
from codesign.passes.precision_configs import quantized

MODELS = ("digits_resnet", "digits_mobilenet", "seq_transformer")
BUDGETS = (0.0001, 0.01)
FRONT_BUDGETS = (0.0001, 0.005, 0.01, 0.02, 0.05)
ARCH_16_BIT = "simba16_bitfusion"
TARGETS = ("simba", "eyeriss", "crossbar")


def assign(graph, model: str, arch: str, max_drop: float) -> dict:
    passed = apply_passes(graph, load_arch(arch), [make_pass("assign-precision", {"max_drop": max_drop})],
                          workload=model)
    return passed.results["assign-precision"].summary


def study(models, max_drops) -> tuple[list[dict], list[dict]]:
    """Each model's budgets on one graph (its Hessian traces are measured once per process):
    the seed paper's budgets in full, and inter-layer against Hessian-only ordering at each."""
    budget_rows, ordering_rows = [], []
    for model in models:
        graph = load_model(model).graph
        for max_drop in max_drops:
            summary = assign(graph, model, ARCH_16_BIT, max_drop)
            if max_drop in BUDGETS:
                budget_rows.append({"model": model, "arch": ARCH_16_BIT, "max_drop": max_drop, **_figures(summary)})
            ordering_rows.append({"model": model, "max_drop": max_drop, "inter_layer": _point(summary),
                                  "hessian_only": _point(summary["baselines"]["hessian_only"]),
                                  "random_order": _point(summary["baselines"]["random_order"])})
    return budget_rows, ordering_rows


def targets(model: str) -> dict:
    """One budget on several targets; each target's widths costed on every target."""
    graph = load_model(model).graph
    chosen = {arch: assign(graph, model, arch, 0.01)["bits"] for arch in TARGETS}
    matrix = {}
    for costed_on in TARGETS:
        arch = load_arch(costed_on)
        matrix[costed_on] = {}
        for chosen_on, config in chosen.items():
            report = compile_layers(quantized(graph, config), arch).report
            matrix[costed_on][chosen_on] = {"latency_s": report.latency_s, "energy_J": report.energy_J}
    return {"model": model, "max_drop": 0.01, "bits": chosen, "costed_on": matrix}


def _figures(summary: dict) -> dict:
    keys = ("baseline_accuracy", "accuracy", "accuracy_drop", "latency_reduction_vs_16bit",
            "energy_reduction_vs_16bit", "bits", "seconds")
    baselines = {name: {key: figures[key] for key in ("accuracy_drop", "latency_reduction_vs_16bit",
                                                       "energy_reduction_vs_16bit")}
                 for name, figures in summary["baselines"].items()}
    return {**{key: summary[key] for key in keys}, "baselines": baselines}


def _point(figures: dict) -> dict:
    return {"accuracy_drop": figures["accuracy_drop"], "latency_s": figures["latency_s"],
            "latency_reduction_vs_16bit": figures["latency_reduction_vs_16bit"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--part", choices=("budgets", "ordering", "targets"), nargs="+",
                        default=["budgets", "ordering", "targets"])
    arguments = parser.parse_args()
    document = {"study": "precision", "machine": platform.machine(), "python": platform.python_version()}
    if "budgets" in arguments.part or "ordering" in arguments.part:
        max_drops = FRONT_BUDGETS if "ordering" in arguments.part else BUDGETS
        document["budgets"], ordering_rows = study(arguments.models, max_drops)
        if "ordering" in arguments.part:
            document["ordering"] = ordering_rows
    if "targets" in arguments.part:
        document["targets"] = targets(arguments.models[0])
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
