"""Design points of an HDC workload (`workloads: ['hdc:D=512,batch=1000']` in a space): the
neuro-symbolic schedule on the point's FeFET macro (codesign/neurosymbolic/schedule.py), its
accuracy with the search's read-back errors, and how it compares with the A100 reference.

Metrics: energy_J and latency_s per query of the batch (what the Pareto front sorts; edp_Js their
product), single_query_energy_J and single_query_latency_s, the A100 reference's figures divided
by the macro's (gpu_energy_ratio, gpu_latency_ratio for one query; gpu_batch_energy_ratio,
gpu_batch_latency_ratio per query of the batch; gpu_on_chip_energy_ratio for one query with DRAM,
HBM and PCIe left out on both sides; > 1: the macro wins), the split chosen, and,
when the space asks for accuracy, accuracy (top-1, search errors included) and accuracy_loss
against the float32 workload.
"""

from __future__ import annotations

import json
from functools import lru_cache

from codesign.arch.schema import Architecture
from codesign.neurosymbolic.schedule import schedule_hdc

HDC_METRICS = ('single_query_energy_J', 'single_query_latency_s', 'gpu_energy_ratio', 'gpu_latency_ratio',
               'gpu_batch_energy_ratio', 'gpu_batch_latency_ratio', 'gpu_on_chip_energy_ratio', 'mac_arrays',
               'search_arrays')


def is_hdc_workload(workload: str) -> bool:
    return workload.startswith('hdc:')


def hdc_metrics(workload_text: str, arch: Architecture, objective: str, with_accuracy: bool) -> dict:
    """The metrics of one design point (module docstring); CodesignError for a design that cannot run it."""
    workload = _workload(workload_text)
    schedule = schedule_hdc(workload, arch, workload.batch, objective)
    gpu = _gpu(workload_text)
    single, per_query = schedule.single_query, schedule.per_query_in_batch
    metrics = {'energy_J': per_query.energy_J, 'latency_s': per_query.latency_s,
               'edp_Js': per_query.energy_J * per_query.latency_s,
               'single_query_energy_J': single.energy_J, 'single_query_latency_s': single.latency_s,
               'gpu_energy_ratio': gpu.single_query_energy_J / single.energy_J,
               'gpu_latency_ratio': gpu.single_query_latency_s / single.latency_s,
               'gpu_batch_energy_ratio': gpu.energy_per_query_J / per_query.energy_J,
               'gpu_batch_latency_ratio': gpu.latency_per_query_s / per_query.latency_s,
               'gpu_on_chip_energy_ratio': (gpu.single_query_energy_J - gpu.single_query_off_chip_J)
               / (single.energy_J - single.off_chip_J),
               'mac_arrays': schedule.mac.arrays, 'search_arrays': schedule.search.arrays}
    if with_accuracy:
        metrics |= _accuracy(workload_text, arch)
    return metrics


@lru_cache(maxsize=4)
def _workload(text: str):
    from codesign.neurosymbolic.workload import parse_hdc_workload

    return parse_hdc_workload(text)


@lru_cache(maxsize=4)
def _gpu(text: str):
    from codesign.neurosymbolic.references import gpu_reference

    workload = _workload(text)
    return gpu_reference(workload, workload.batch)


def _accuracy_key(arch: Architecture) -> str:
    """What the accuracy depends on: the macro without its array count and split (which only move
    time and energy), and the rest of the spec's precision-relevant settings."""
    macro = arch.compute.model_dump(mode='json', exclude={'arrays', 'search_arrays'})
    return json.dumps(macro, sort_keys=True)


_ACCURACIES: dict[tuple[str, str], dict] = {}
"""Per process: (workload, _accuracy_key) -> accuracy metrics; points differing in arrays share one."""


def _accuracy(text: str, arch: Architecture) -> dict:
    from codesign.accuracy import labelled_test_set
    from codesign.neurosymbolic import measure_hdc

    key = (text, _accuracy_key(arch))
    if key not in _ACCURACIES:
        workload = _workload(text)
        measured = measure_hdc(workload, arch, labelled_test_set(workload.model))
        _ACCURACIES[key] = {'accuracy': measured.with_search_errors,
                            'accuracy_loss': measured.float32 - measured.with_search_errors}
    return _ACCURACIES[key]
