"""Fair references for the HDC workload (issue 20, item 3): where the FeFET macro wins, and where not.

    gpu_reference(digits_hdc(512), batch=1000)                       # all on an A100
    simba_gpu_reference(digits_hdc(512), load_arch("simba"), 1000)   # CNN on simba, search on the A100

All cost the same graph as the FeFET macro's MAC half, workload.mac_graph: the front end ending in
the encoder, the F x D +-1 projection as one more MatMul (encoder.py). The GPU runs it as an FP16
GEMM like every layer; simba at the widths the graph gives (2-bit weights, native activations)
where it supports them. The sign (and bit-packing) of the hypervector is taken to be free in the
encoder's output stage; the output is charged at the layer's precision.

GPU (codesign/cost/gpu_roofline.py): every kernel from its FP16 roofline plus a launch; the search is
the bit-packed XOR + popcount kernel of fefet_search.GpuReference, one kernel for the batch.

simba + GPU: the front end and encoder compiled on the given arch at the batch (codesign.ir.batch
re-batches the imported graph: weights fetched once per batch), the hypervectors (D bits a query)
copied to the GPU by one DMA over PCIe 4.0 x16, then the same search kernel. The three stages run
one after another (no pipelining of sub-batches: harsh on the reference's batch latency).

PCIe 4.0 x16: 16 GT/s per lane with 128b/130b encoding = 31.5 GB/s per direction (PCI Express Base
Specification 4.0, PCI-SIG 2017); the whole link rate is assumed (generous: DMA reaches ~80% of it).
DMA latency 10 us per copy: our assumption for a small cudaMemcpy's driver and link round trip (a
few to ~10 us is the usual order). Link energy 5 pJ/bit: our assumption, a typical long-reach SerDes
figure; at D bits a query it is negligible either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from codesign.arch.schema import Architecture
from codesign.compiler import compile_graph
from codesign.cost.fefet_search import NVIDIA_A100
from codesign.cost.gpu_roofline import A100_FP16, RooflineCost
from codesign.errors import CodesignError
from codesign.ir import Graph
from codesign.ir.batch import with_batch
from codesign.neurosymbolic.encoder import ENCODER_NAME
from codesign.neurosymbolic.workload import HdcWorkload

PCIE4_X16_B_PER_S = 16e9 * 16 * 128 / 130 / 8
PCIE_DMA_LATENCY_S = 10e-6
PCIE_J_PER_BIT = 5e-12

Parts = Mapping[str, tuple[float, float]]
"""Part name ('front end', 'encoder', 'search', 'transfer') -> (energy_J, latency_s)."""


@dataclass(frozen=True)
class ReferenceCost:
    name: str
    description: str
    batch: int
    single_query_energy_J: float
    single_query_latency_s: float
    batch_energy_J: float
    batch_latency_s: float
    """The whole batch of `batch` queries, from first image in to last class out."""
    breakdown: Parts
    """One query (batch 1) by part; sums to the single-query energy and latency."""
    batch_breakdown: Parts
    """The whole batch by part; sums to the batch energy and latency."""
    single_query_off_chip_J: float = 0.0
    """Of the single query's energy: DRAM (HBM) traffic and the PCIe copy."""
    batch_off_chip_J: float = 0.0
    """Of the batch's energy: DRAM (HBM) traffic and the PCIe copy."""

    @property
    def energy_per_query_J(self) -> float:
        """At `batch`: the batch's energy shared by its queries."""
        return self.batch_energy_J / self.batch

    @property
    def latency_per_query_s(self) -> float:
        """At `batch`: the batch latency shared by its queries (the inverse throughput)."""
        return self.batch_latency_s / self.batch


def gpu_reference(workload: HdcWorkload, batch: int) -> ReferenceCost:
    """Front end, encoder and search all on the A100 (FP16 tensor-core roofline, then the search)."""
    _check_batch(batch)
    graph = workload.mac_graph
    single, whole = (_gpu_parts(graph, workload, size) for size in (1, batch))
    description = (f"{A100_FP16.name}: front end and encoder one FP16 kernel a layer (epilogues fused), "
                   f"search one XOR + popcount kernel")
    return _reference("A100", description, batch, single, whole)


def simba_gpu_reference(workload: HdcWorkload, arch: Architecture, batch: int) -> ReferenceCost:
    """Front end and encoder compiled on `arch` (simba), hypervectors over PCIe, search on the A100."""
    _check_batch(batch)
    graph = workload.mac_graph
    single, whole = (_accelerator_parts(graph, workload, arch, size) for size in (1, batch))
    description = (f"{arch.name} (front end and encoder, compiled at the batch) + PCIe 4.0 x16 "
                   f"+ {NVIDIA_A100.name} (search)")
    return _reference(f"{arch.name}+A100", description, batch, single, whole)


def encoder_part(graph: Graph) -> frozenset[str]:
    """The encoder's node names (encoder.py) and whatever follows it."""
    names = [node.name for node in graph.nodes]
    return frozenset(names[names.index(ENCODER_NAME):])


def _gpu_parts(graph: Graph, workload: HdcWorkload, batch: int) -> tuple[Parts, float]:
    """The parts, and their off-chip energy (HBM traffic)."""
    roofline = A100_FP16.graph_cost(graph, batch)
    search = NVIDIA_A100.search_cost(workload.classes, workload.dimensions, batch)
    parts = {**_split(roofline, encoder_part(graph)), "search": (search.energy_J, search.latency_s)}
    return parts, roofline.dram_J + search.energy_breakdown_J["dram"]


def _split(roofline: RooflineCost, encoder: frozenset[str]) -> Parts:
    parts = {"front end": [0.0, 0.0], "encoder": [0.0, 0.0]}
    for kernel in roofline.kernels:
        part = parts["encoder" if kernel.kernel.name in encoder else "front end"]
        part[0] += kernel.energy_J
        part[1] += kernel.latency_s
    return {name: (energy_J, latency_s) for name, (energy_J, latency_s) in parts.items()}


def _accelerator_parts(graph: Graph, workload: HdcWorkload, arch: Architecture, batch: int) -> tuple[Parts, float]:
    """The parts, and their off-chip energy (the accelerator's DRAM level, PCIe, the GPU's HBM)."""
    report = compile_graph(with_batch(graph, batch), arch, model_name=workload.label)
    dram = arch.memory_levels[0].name
    encoder = encoder_part(graph)
    parts = {name: (sum(layer.energy_J for layer in report.layers if (layer.name in encoder) == is_encoder),
                    sum(layer.latency_s for layer in report.layers if (layer.name in encoder) == is_encoder))
             for name, is_encoder in (("front end", False), ("encoder", True))}
    search = NVIDIA_A100.search_cost(workload.classes, workload.dimensions, batch)
    transfer = pcie_transfer(batch * workload.dimensions)
    off_chip_J = (sum(layer.energy_breakdown_J.get(dram, 0.0) for layer in report.layers) + transfer[0]
                  + search.energy_breakdown_J["dram"])
    return {**parts, "transfer": transfer, "search": (search.energy_J, search.latency_s)}, off_chip_J


def pcie_transfer(bits: int) -> tuple[float, float]:
    """(energy_J, latency_s) of one DMA copy of `bits` bits from the accelerator to the GPU."""
    return bits * PCIE_J_PER_BIT, PCIE_DMA_LATENCY_S + bits / 8 / PCIE4_X16_B_PER_S


def _reference(name: str, description: str, batch: int, single: tuple[Parts, float],
               whole: tuple[Parts, float]) -> ReferenceCost:
    def total(parts: Parts, index: int) -> float:
        return sum(part[index] for part in parts.values())

    (single_parts, single_off_chip_J), (whole_parts, whole_off_chip_J) = single, whole
    return ReferenceCost(name, description, batch, total(single_parts, 0), total(single_parts, 1),
                         total(whole_parts, 0), total(whole_parts, 1), single_parts, whole_parts,
                         single_off_chip_J, whole_off_chip_J)


def _check_batch(batch: int) -> None:
    if not isinstance(batch, int) or batch < 1:
        raise CodesignError(f"HDC reference: batch must be a whole number of at least 1 (got {batch!r})")
