"""`codesign calibrate mac|lif`: fit the digital units' energy and area to RTL measurements.

  mac  the signed MAC of rtl/mac.v at several operand and accumulator widths; energy and area per
       MAC fitted as a * bw * ba + b * (bw + ba) + d * accumulator_bits + c (least squares; with
       bw = ba in every design, a and b are told apart by the curvature in bits)
  lif  the accumulate-only synapse unit (energy per synaptic event against weight bits) and the
       LIF neuron (energy per membrane update against current bits), each fitted linearly
Each coefficient is written with its standard error and the fit's RMS residual; the measurements
sit beside the built-in model's value for the same unit. The result is a calibration file a spec
references (codesign/arch/rtl_calibration.py). Points are measured on both cores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy

from codesign.arch.components.mac import Mac
from codesign.cosim.rtl.cells import LIBRARY_NODE_M, SOURCE
from codesign.cosim.rtl.designs import design_named
from codesign.cosim.rtl.measure import measure
from codesign.cosim.rtl.trace import RtlOptions
from codesign.errors import CodesignError

MAC_POINTS = ((2, 12), (4, 16), (4, 24), (8, 16), (8, 24), (8, 32), (12, 32), (16, 40))
"""(operand bits, accumulator bits) of the measured MACs."""
SYNAPSE_BITS = (2, 4, 8, 12, 16)
NEURON_BITS = (4, 8, 12, 16)
MAC_TERMS = ("operand_product", "operand_sum", "accumulator_bit", "constant")
LINEAR_TERMS = ("per_bit", "constant")


def calibrate_rtl(kind: str, simulator: str = "icarus", operations: int = 1000, workers: int = 2,
                  progress: Callable[[str], None] = lambda text: None) -> dict:
    if kind == "mac":
        return _calibrate_mac(simulator, operations, workers, progress)
    if kind == "lif":
        return _calibrate_lif(simulator, operations, workers, progress)
    raise CodesignError(f"RTL calibration knows mac and lif (got {kind!r})")


def _calibrate_mac(simulator, operations, workers, progress) -> dict:
    jobs = [("mac", RtlOptions(bits=bits, accumulator_bits=accumulator)) for bits, accumulator in MAC_POINTS]
    results = _measure_all(jobs, simulator, operations, workers, progress)
    points = []
    for (bits, accumulator), result in zip(MAC_POINTS, results):
        model = Mac(bits, accumulator, LIBRARY_NODE_M)
        points.append({"operand_bits": bits, "accumulator_bits": accumulator,
                       "rtl_energy_J": result["energy_per_operation_J"], "model_energy_J": model.compute().energy_J,
                       "rtl_area_m2": result["area_m2"], "model_area_m2": model.area_m2, "cells": result["cells"]})
    columns = [[p["operand_bits"] ** 2, 2 * p["operand_bits"], p["accumulator_bits"], 1] for p in points]
    energy, energy_fit = _least_squares(columns, [p["rtl_energy_J"] for p in points], MAC_TERMS)
    area, area_fit = _least_squares(columns, [p["rtl_area_m2"] for p in points], MAC_TERMS)
    for point, row in zip(points, columns):
        point["fitted_energy_J"] = float(numpy.dot(row, [energy[term] for term in MAC_TERMS]))
    return {"technology_node_m": LIBRARY_NODE_M, "energy_J": energy, "area_m2": area,
            "source": f"codesign calibrate mac --sim {simulator}: rtl/mac.v at (operand, accumulator) bits "
                      f"{', '.join(f'({b}, {a})' for b, a in MAC_POINTS)}; {SOURCE}",
            "fit": {"energy_J": energy_fit, "area_m2": area_fit}, "measurements": points}


def _calibrate_lif(simulator, operations, workers, progress) -> dict:
    jobs = [("synapse", RtlOptions(bits=bits)) for bits in SYNAPSE_BITS] + \
           [("lif", RtlOptions(bits=bits)) for bits in NEURON_BITS]
    results = _measure_all(jobs, simulator, operations, workers, progress)
    synapses, neurons = results[:len(SYNAPSE_BITS)], results[len(SYNAPSE_BITS):]
    synaptic, synaptic_fit = _least_squares([[bits, 1] for bits in SYNAPSE_BITS],
                                            [r["energy_per_operation_J"] for r in synapses], LINEAR_TERMS)
    neuron, neuron_fit = _least_squares([[bits, 1] for bits in NEURON_BITS],
                                        [r["energy_per_operation_J"] for r in neurons], LINEAR_TERMS)
    points = [{"unit": r["design"], "bits": r["bits"], "rtl_energy_J": r["energy_per_operation_J"],
               "rtl_area_m2": r["area_m2"], "cells": r["cells"]} for r in results]
    return {"technology_node_m": LIBRARY_NODE_M, "synaptic_op_J": synaptic, "neuron_update_J": neuron,
            "source": f"codesign calibrate lif --sim {simulator}: rtl/synapse_accumulator.v at weight bits "
                      f"{', '.join(map(str, SYNAPSE_BITS))}, rtl/lif_neuron.v at current bits "
                      f"{', '.join(map(str, NEURON_BITS))}; {SOURCE}",
            "fit": {"synaptic_op_J": synaptic_fit, "neuron_update_J": neuron_fit}, "measurements": points}


def _measure_all(jobs, simulator, operations, workers, progress) -> list[dict]:
    arguments = [(name, options, simulator, operations) for name, options in jobs]
    if workers <= 1:
        results = []
        for argument in arguments:
            results.append(_measure_one(argument))
            progress(f"{len(results)}/{len(arguments)} measured")
        return results
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        results = []
        for result in pool.map(_measure_one, arguments):
            results.append(result)
            progress(f"{len(results)}/{len(arguments)} measured")
        return results


def _measure_one(argument) -> dict:
    name, options, simulator, operations = argument
    return measure(design_named(name), options, simulator, operations).as_dict()


def _least_squares(columns: Sequence[Sequence[float]], measured: Sequence[float],
                   terms: Sequence[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Coefficients by name, and their standard errors plus the RMS residual (relative too)."""
    design, values = numpy.array(columns, dtype=float), numpy.array(measured, dtype=float)
    coefficients, *_ = numpy.linalg.lstsq(design, values, rcond=None)
    residuals = values - design @ coefficients
    freedom = max(1, len(values) - len(terms))
    covariance = residuals @ residuals / freedom * numpy.linalg.pinv(design.T @ design)
    errors = numpy.sqrt(numpy.clip(numpy.diag(covariance), 0, None))
    fit = {f"{term}_standard_error": float(error) for term, error in zip(terms, errors)}
    fit["rms_residual"] = float(numpy.sqrt(numpy.mean(residuals ** 2)))
    fit["rms_relative_residual"] = float(numpy.sqrt(numpy.mean((residuals / values) ** 2)))
    return {term: float(value) for term, value in zip(terms, coefficients)}, fit
