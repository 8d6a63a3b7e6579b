"""The HDC workload compiled onto a FeFET macro: the neural front end's layers (mapped and costed
as `codesign compile` costs any network) and the associative search of one query against the
class prototypes, in one report: the single-query cost of classifying one image.

What this does not do yet (issue 20, item 2): allocate the macro's arrays between the two halves
(here the front end's weights and the prototypes are taken to be resident together, with no
re-writing of arrays), and batch many queries.
"""

from __future__ import annotations

from dataclasses import replace

from codesign.arch.schema import Architecture
from codesign.compiler import compile_graph
from codesign.cost.result import CompileReport, LayerCost, clocked, with_leakage
from codesign.neurosymbolic.search_errors import fefet_config
from codesign.neurosymbolic.workload import HdcWorkload
from codesign.search_workload import search_dram_bytes
from codesign.target import target_for


def compile_hdc(workload: HdcWorkload, arch: Architecture, objective: str = "edp", seed: int = 0) -> CompileReport:
    """The front end's layers, then the search, as one CompileReport (per classified image)."""
    fefet_config(arch)  # a one-line error on a target that cannot search
    front = compile_graph(workload.front_end, arch, objective, seed, model_name=workload.label)
    return replace(front, layers=(*front.layers, search_layer(workload, arch, front.leakage_W)))


def search_layer(workload: HdcWorkload, arch: Architecture, leakage_W: float) -> LayerCost:
    """One query's nearest-prototype search among `classes` prototypes of D bits."""
    cost = target_for(arch).search_cost(workload.classes, workload.dimensions, 1)
    layer = LayerCost(name=f"search {workload.classes} prototypes x {workload.dimensions} bits",
                      op="AssociativeSearch", macs=0, energy_J=cost.energy_J, latency_s=cost.latency_s, cycles=0.0,
                      utilization=0.0, dram_bytes=search_dram_bytes(workload.classes, workload.dimensions, 1),
                      energy_breakdown_J=dict(cost.energy_breakdown_J))
    return with_leakage(clocked(layer, arch.clock_frequency_Hz), leakage_W)
