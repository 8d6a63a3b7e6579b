"""The neuro-symbolic workload: N stored patterns of D bits, queried Q times (associative
search), on a target that can search (capabilities.associative_search: the FeFET 1FeFET-1C
macro), next to the same search on a reference GPU.

    codesign compile --arch fefet_1f1c --workload search:N=1024,D=512,Q=10000
"""

from __future__ import annotations

from dataclasses import dataclass

from codesign.arch.schema import Architecture
from codesign.cost.fefet_search import NVIDIA_A100, SearchCost, answer_index_bits
from codesign.cost.result import CompileReport, LayerCost, MapperStats, clocked
from codesign.errors import CodesignError
from codesign.target import target_for

FIELDS = ("N", "D", "Q")


@dataclass(frozen=True)
class SearchWorkload:
    patterns: int
    bits: int
    queries: int

    @property
    def label(self) -> str:
        return f"search:N={self.patterns},D={self.bits},Q={self.queries}"


def parse_workload(text: str) -> SearchWorkload:
    kind, _, arguments = text.partition(":")
    values = {}
    for item in filter(None, arguments.split(",")):
        key, _, value = item.partition("=")
        if key.strip() not in FIELDS or not value.strip().isdigit() or int(value) <= 0:
            raise CodesignError(f"--workload '{text}': expected search:N=<patterns>,D=<bits>,Q=<queries> "
                                f"with positive integers (bad item '{item}')")
        values[key.strip()] = int(value)
    if kind != "search" or set(values) != set(FIELDS):
        raise CodesignError(f"--workload '{text}': expected search:N=<patterns>,D=<bits>,Q=<queries>")
    return SearchWorkload(values["N"], values["D"], values["Q"])


def compile_search(workload: SearchWorkload, arch: Architecture) -> tuple[CompileReport, dict]:
    """The search as a one-layer compile report, and a JSON block comparing it with the GPU."""
    target = target_for(arch)
    if not target.capabilities.associative_search:
        raise CodesignError(f"--workload search runs on a macro that can search (kind fefet_array); "
                            f"'{arch.name}' ends in kind {arch.compute.kind!r} (try --arch fefet_1f1c)")
    ours = target.search_cost(workload.patterns, workload.bits, workload.queries)
    gpu = NVIDIA_A100.search_cost(workload.patterns, workload.bits, workload.queries)
    layer = clocked(LayerCost(name=workload.label, op="AssociativeSearch", macs=0, energy_J=ours.energy_J,
                              latency_s=ours.latency_s, cycles=0.0, utilization=0.0, dram_bytes=search_dram_bytes(workload.patterns, workload.bits, workload.queries),
                              energy_breakdown_J=dict(ours.energy_breakdown_J)), arch.clock_frequency_Hz)
    report = CompileReport(workload.label, arch.name, "search", arch.clock_frequency_Hz, (layer,),
                           MapperStats(0, 0.0, "associative search on the FeFET macro"))
    return report, _comparison(ours, gpu)


def search_dram_bytes(patterns: int, bits: int, queries: int) -> float:
    """Bytes from DRAM: the stored patterns once, and each query with its answer's index."""
    index_bits = answer_index_bits(patterns)
    return (patterns * bits + queries * (bits + index_bits)) / 8


def _comparison(ours: SearchCost, gpu: SearchCost) -> dict:
    on_chip = ours.energy_J - ours.energy_breakdown_J["dram"]
    gpu_on_chip = gpu.energy_J - gpu.energy_breakdown_J["dram"]
    return {
        "gpu_reference": {"name": NVIDIA_A100.name, "energy_J": gpu.energy_J, "latency_s": gpu.latency_s,
                          "energy_breakdown_J": dict(gpu.energy_breakdown_J)},
        "vs_gpu": {"latency_ratio": gpu.latency_s / ours.latency_s, "energy_ratio": gpu.energy_J / ours.energy_J,
                   "energy_ratio_without_dram": gpu_on_chip / on_chip,
                   "energy_per_search_J": ours.energy_per_search_J,
                   "latency_per_search_s": ours.latency_per_search_s},
    }
