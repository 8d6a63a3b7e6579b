"""Compute-in-memory targets against published figures: ResNet-18 on the crossbar and FeFET
specs (energy, TOPS/W, ADC share), their chip area by component (the ISAAC-like one against
ISAAC's published 85.4 mm^2), the FeFET macro's TOPS/W, its MAC error rates, and the
associative-search workload against an A100. Prints one JSON document.

    .venv/bin/python benchmarks/cim_validation.py
"""

from __future__ import annotations

import json

from codesign.arch import load_arch
from codesign.compiler import compile_graph
from codesign.cost.fefet import fefet_parts, mac_error_rate, tops_per_watt
from codesign.cost.in_memory import cim_chip
from codesign.search_workload import SearchWorkload, compile_search
from codesign.frontend import load_model
from codesign.target import target_for

ISAAC_CHIP_AREA_M2 = 85.4e-6
"""Shafiee et al., ISCA 2016: the whole chip, its chip-to-chip links (about 23 mm^2 in
hwcomponents-library's tabulation of ISAAC) included."""


def network(arch_name: str, model: str = "resnet18") -> dict:
    report = compile_graph(load_model(model).graph, load_arch(arch_name))
    compute = [layer for layer in report.layers if layer.macs]
    energy = sum(layer.energy_J for layer in compute)
    dram = sum(layer.energy_breakdown_J["dram"] for layer in compute)
    adc = sum(layer.energy_breakdown_J["adc"] for layer in compute)
    operations = 2 * sum(layer.macs for layer in compute)
    return {"arch": arch_name, "model": model, "network_energy_J": report.energy_J,
            "network_latency_s": report.latency_s, "compute_layers_energy_J": energy,
            "tops_per_watt": operations / energy / 1e12,
            "tops_per_watt_without_dram": operations / (energy - dram) / 1e12,
            "adc_share": adc / energy, "adc_share_on_chip": adc / (energy - dram)}


def area(arch_name: str) -> dict:
    by_component = target_for(load_arch(arch_name)).area_m2()
    result = {"arch": arch_name, "area_m2": by_component, "total_m2": sum(by_component.values())}
    if arch_name == "crossbar":
        result["published_m2"] = ISAAC_CHIP_AREA_M2
    return result


def fefet_macro() -> dict:
    arch = load_arch("fefet_1f1c")
    config, chip = arch.compute, cim_chip(arch)
    narrow, wide = fefet_parts(config, chip), fefet_parts(config.model_copy(update={"adc_bits": 8}), chip)
    return {
        "tops_per_watt": {"adc5_input1": tops_per_watt(narrow, 1), "adc5_input2": tops_per_watt(narrow, 2),
                          "adc8_input1": tops_per_watt(wide, 1), "adc8_input2": tops_per_watt(wide, 2)},
        "error_rates": {str(rows): dict(zip(("cell", "output"), mac_error_rate(config.model_copy(
            update={"rows": rows}), rows))) for rows in (64, 128, 256)},
    }


def search() -> dict:
    report, comparison = compile_search(SearchWorkload(1024, 512, 10000), load_arch("fefet_1f1c"))
    return {"fefet_energy_J": report.energy_J, "fefet_latency_s": report.latency_s, **comparison}


def main() -> None:
    names = ("crossbar", "crossbar_neurosim", "fefet_1f1c")
    result = {"networks": [network(name) for name in names], "areas": [area(name) for name in names],
              "fefet_macro": fefet_macro(), "search": search()}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
