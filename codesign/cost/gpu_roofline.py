"""A network on a GPU, from its roofline: the reference the accelerators are compared against.

Sources: NVIDIA A100 Tensor Core GPU Architecture whitepaper (2020): per SM per clock, 1024 dense
FP16 fused multiply-adds on the four third-generation tensor cores (312 TFLOPS dense FP16 at
1.41 GHz on 108 SMs) and 256 FP16 FMAs on the CUDA cores (78 TFLOPS); HBM2 bandwidth, energy
per byte, TDP and the kernel launch are the ones the search reference uses (fefet_search.py).

Assumptions (each stated where a user can read it, docs/VALIDATION.md):
  - precision: FP16 everywhere, whatever bits the graph carries (the GPU's inference precision);
    2 bytes per weight and activation value, FP16 multiplies accumulated on the tensor cores;
  - kernels: one per compute layer (a cuDNN / cuBLAS implicit GEMM) with its element-wise
    epilogue chain (bias, ReLU: cost/epilogues.py decides which) fused into it; every other
    non-view op (pooling, data movement, unfused element-wise) one memory-bound kernel on the
    CUDA cores; kernels run one after another on one stream;
  - traffic: each kernel reads its weights once per batch and its activations once per image
    from DRAM and writes its output once (no reuse through the 40 MB L2 between kernels: harsh
    on energy at small batch; perfect reuse inside a kernel: generous);
  - latency per kernel: max(FLOPs / peak, bytes / HBM bandwidth) + one launch; the peak is the
    tensor cores' dense peak even for a GEMM of one row (generous: tiny GEMMs reach a few
    percent of it), so at batch 1 a tiny CNN is launch-bound;
  - energy: FLOPs x (TDP / peak FP16 rate), the board's power spread over its peak throughput
    (the same derivation as the search reference: issue, register file and static power folded
    into each operation), + DRAM bytes x HBM2 energy per byte; no idle power while a launch or a
    stall is waited on (generous to the GPU).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from codesign.cost.epilogues import Epilogue, output_stages
from codesign.cost.fefet_search import A100_CLOCK_HZ, A100_SMS, A100_TDP_W, NVIDIA_A100
from codesign.ir import Graph, Node
from codesign.ir.batch import with_batch

Bound = Literal["launch", "compute", "memory"]


@dataclass(frozen=True)
class GpuKernel:
    """One kernel launch: its tensor-core FLOPs, CUDA-core operations and DRAM traffic."""

    name: str
    tensor_flops: float
    """2 per multiply-accumulate of the compute layer."""
    vector_ops: float
    """Epilogue or standalone element-wise / pooling operations, on the CUDA cores."""
    dram_bytes: float


@dataclass(frozen=True)
class KernelCost:
    kernel: GpuKernel
    energy_J: float
    latency_s: float
    bound: Bound
    """What sets the latency: the launch overhead, the arithmetic or DRAM."""
    dram_J: float = 0.0
    """Of energy_J: the DRAM traffic."""


@dataclass(frozen=True)
class RooflineCost:
    """A graph's kernels, one after another."""

    kernels: tuple[KernelCost, ...]

    @property
    def energy_J(self) -> float:
        return sum(kernel.energy_J for kernel in self.kernels)

    @property
    def latency_s(self) -> float:
        return sum(kernel.latency_s for kernel in self.kernels)

    @property
    def dram_J(self) -> float:
        return sum(kernel.dram_J for kernel in self.kernels)


@dataclass(frozen=True)
class GpuRoofline:
    name: str
    tensor_flops_per_s: float
    vector_flops_per_s: float
    memory_bandwidth_B_per_s: float
    dram_J_per_byte: float
    kernel_launch_s: float
    board_power_W: float
    """Spread over the peak rates to give an energy per operation (no idle power)."""
    bytes_per_value: float
    """Storage of one weight or activation at the GPU's precision."""

    @property
    def tensor_flop_J(self) -> float:
        return self.board_power_W / self.tensor_flops_per_s

    @property
    def vector_op_J(self) -> float:
        return self.board_power_W / self.vector_flops_per_s

    def kernel_cost(self, kernel: GpuKernel) -> KernelCost:
        compute_s = kernel.tensor_flops / self.tensor_flops_per_s + kernel.vector_ops / self.vector_flops_per_s
        memory_s = kernel.dram_bytes / self.memory_bandwidth_B_per_s
        times = {"launch": self.kernel_launch_s, "compute": compute_s, "memory": memory_s}
        energy_J = (kernel.tensor_flops * self.tensor_flop_J + kernel.vector_ops * self.vector_op_J
                    + kernel.dram_bytes * self.dram_J_per_byte)
        return KernelCost(kernel, energy_J, max(compute_s, memory_s) + self.kernel_launch_s,
                          max(times, key=times.__getitem__), kernel.dram_bytes * self.dram_J_per_byte)

    def graph_cost(self, graph: Graph, batch: int = 1) -> RooflineCost:
        """`graph` (imported at batch 1) run on a batch of `batch` images."""
        kernels = graph_kernels(with_batch(graph, batch), self.bytes_per_value)
        return RooflineCost(tuple(self.kernel_cost(kernel) for kernel in kernels))


def graph_kernels(graph: Graph, bytes_per_value: float) -> tuple[GpuKernel, ...]:
    """One kernel per compute layer (epilogues fused in) and per other op that is not a view."""
    epilogues = output_stages(graph)
    chains: dict[str, list[Node]] = {}
    for node in graph.nodes:
        if node.name in epilogues:
            chains.setdefault(epilogues[node.name].host, []).append(node)
    kernels = []
    for node in graph.nodes:
        if node.op.is_zero_cost or node.name in epilogues:
            continue
        if node.op.is_compute:
            kernels.append(compute_kernel(node, chains.get(node.name, []), epilogues, bytes_per_value))
        else:
            values = _elements(node.inputs) + _elements(node.outputs) + _elements(node.params)
            kernels.append(GpuKernel(node.name, 0.0, node.vector_ops, values * bytes_per_value))
    return tuple(kernels)


def compute_kernel(node: Node, chain: list[Node], epilogues: dict[str, Epilogue], bytes_per_value: float) -> GpuKernel:
    """The layer's GEMM with its epilogue chain: weights, inputs and the chain's constants and
    off-chip operands read, one output written (the chain's last value has the layer's shape)."""
    values = _elements(node.params) + _elements(node.inputs) + _elements(node.outputs)
    for member in chain:
        held = epilogues[member.name].on_chip
        values += _elements(member.params) + _elements(v for v in member.inputs if v.name not in held)
    return GpuKernel(node.name, 2.0 * node.macs, float(sum(member.vector_ops for member in chain)),
                     values * bytes_per_value)


def _elements(values) -> int:
    return sum(value.type.elements for value in values)


# A100 peaks from the whitepaper's per-SM rates (module docstring) and fefet_search.py's SMs and clock.
A100_FP16_TENSOR_FLOPS_PER_S = A100_SMS * A100_CLOCK_HZ * 1024 * 2
A100_FP16_VECTOR_FLOPS_PER_S = A100_SMS * A100_CLOCK_HZ * 256 * 2
A100_FP16 = GpuRoofline(
    name=f"{NVIDIA_A100.name}, FP16 tensor cores",
    tensor_flops_per_s=A100_FP16_TENSOR_FLOPS_PER_S,
    vector_flops_per_s=A100_FP16_VECTOR_FLOPS_PER_S,
    memory_bandwidth_B_per_s=NVIDIA_A100.memory_bandwidth_B_per_s,
    dram_J_per_byte=NVIDIA_A100.dram_J_per_byte,
    kernel_launch_s=NVIDIA_A100.kernel_launch_s,
    board_power_W=A100_TDP_W,
    bytes_per_value=2.0,
)
