"""Top-1 test accuracy of the trained digits CNN at each shipped architecture's precision.

Prints one JSON document: per configuration the accuracy on the 450 test images and the
seconds one evaluation takes (calibration on 256 training images included; best of --repeat).

    .venv/bin/python benchmarks/accuracy_digits.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

from codesign.accuracy import accuracy_at, labelled_test_set
from codesign.arch import load_arch
from codesign.frontend import load_model
from codesign.target import target_for

SIMBA_OPERAND_BITS = (6, 4, 3, 2)
CROSSBAR_ADC_BITS = (3, 4, 5, 6, 7, 8, 9)
FEFET_ADC_BITS = (3, 4, 5, 6, 9)


def with_compute(arch, **changes):
    """`arch` with fields of its innermost component (compute unit or macro) changed."""
    innermost = arch.compute.model_copy(update=changes)
    return arch.model_copy(update={"hierarchy": (*arch.hierarchy[:-1], innermost)})


def configurations() -> list[tuple[str, object]]:
    """(label, architecture or None for float32) in table order."""
    simba, crossbar, fefet = load_arch("simba"), load_arch("crossbar"), load_arch("fefet_1f1c")
    rows = [("float32", None), ("simba", simba), ("eyeriss", load_arch("eyeriss")),
            ("crossbar_neurosim", load_arch("crossbar_neurosim"))]
    rows += [(f"simba operand_bits={bits}", with_compute(simba, operand_bits=bits)) for bits in SIMBA_OPERAND_BITS]
    rows += [(f"crossbar adc_bits={bits}", with_compute(crossbar, adc_bits=bits)) for bits in CROSSBAR_ADC_BITS]
    rows += [(f"fefet_1f1c adc_bits={bits}", with_compute(fefet, adc_bits=bits)) for bits in FEFET_ADC_BITS]
    return rows


def measure(graph, arch, data, repeat: int) -> dict:
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        accuracy = accuracy_at(graph, target_for(arch).dot_product, data)
        seconds.append(time.perf_counter() - start)
    return {"accuracy": round(accuracy, 4), "seconds_min": round(min(seconds), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    graph, data = load_model("digits_cnn").graph, labelled_test_set("digits_cnn")
    results = [{"configuration": label, **measure(graph, arch, data, arguments.repeat)}
               for label, arch in configurations()]
    print(json.dumps({"benchmark": "accuracy_digits", "machine": platform.machine(), "cpus": os.cpu_count(),
                      "test_images": len(data.labels), "results": results}, indent=1))


if __name__ == "__main__":
    main()
