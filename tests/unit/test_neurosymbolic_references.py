"""The fair references of the HDC workload (issue 20, item 3): the A100 FP16 roofline of a graph,
checked by hand, and the GPU and simba + GPU references of the digits HDC workload."""

import pytest

from codesign.arch import load_arch
from codesign.compiler import compile_graph
from codesign.cost.fefet_search import NVIDIA_A100
from codesign.cost.gpu_roofline import A100_FP16, A100_FP16_TENSOR_FLOPS_PER_S
from codesign.errors import CodesignError
from codesign.ir import ConvAttrs, Graph, Node, Op, Param, PoolAttrs, TensorType, Value, verify
from codesign.ir.batch import with_batch
from codesign.neurosymbolic import digits_hdc
from codesign.neurosymbolic.references import (
    PCIE4_X16_B_PER_S, PCIE_DMA_LATENCY_S, gpu_reference, simba_gpu_reference,
)
from codesign.neurosymbolic.encoder import ENCODER_NAME


def value(name, *shape):
    return Value(name, TensorType(shape))


def small_cnn() -> Graph:
    """Conv 1 -> 2 channels, 3x3, padded, on a 4x4 image; ReLU; 2x2 max pool."""
    weight = Param("conv.w", TensorType((2, 1, 3, 3)), "weight", 1)
    bias = Param("conv.b", TensorType((2,)), "bias", 2)
    conv = Node("conv", Op.CONV, (value("image", 1, 1, 4, 4),), (value("conv_out", 1, 2, 4, 4),),
                ConvAttrs(kernel=(3, 3), pads=(1, 1, 1, 1)), (weight, bias))
    relu = Node("relu", Op.RELU, (value("conv_out", 1, 2, 4, 4),), (value("relu_out", 1, 2, 4, 4),))
    pool = Node("pool", Op.MAX_POOL, (value("relu_out", 1, 2, 4, 4),), (value("pooled", 1, 2, 2, 2),),
                PoolAttrs(kernel=(2, 2), strides=(2, 2)))
    return verify(Graph("small", (value("image", 1, 1, 4, 4),), (value("pooled", 1, 2, 2, 2),), (conv, relu, pool)))


@pytest.fixture(scope="module")
def workload():
    return digits_hdc(512)


@pytest.fixture(scope="module")
def simba():
    return load_arch("simba")


def test_the_a100_fp16_peak_is_the_whitepapers():
    assert A100_FP16_TENSOR_FLOPS_PER_S == pytest.approx(312e12, rel=0.001)
    assert A100_FP16.tensor_flop_J == pytest.approx(400 / 312e12, rel=0.001)


def test_roofline_of_a_small_cnn_by_hand():
    conv, pool = A100_FP16.graph_cost(small_cnn()).kernels  # the ReLU is fused into the conv
    # Conv: 2 x 1 x 4 x 4 x 3 x 3 = 288 MACs; weights 18 + bias 2 + input 16 + output 32 values, FP16.
    assert (conv.kernel.tensor_flops, conv.kernel.vector_ops, conv.kernel.dram_bytes) == (576, 32, 136)
    assert conv.latency_s == pytest.approx(5e-6 + max(576 / 311.87e12, 136 / 1555e9), rel=1e-4)
    assert conv.energy_J == pytest.approx(576 * 400 / 311.87e12 + 32 * 400 / 77.97e12 + 136 * 31.2e-12, rel=1e-3)
    # Max pool: 8 outputs x 4 window elements; reads 32 values, writes 8.
    assert (pool.kernel.tensor_flops, pool.kernel.vector_ops, pool.kernel.dram_bytes) == (0, 32, 80)
    assert pool.energy_J == pytest.approx(32 * 400 / 77.97e12 + 80 * 31.2e-12, rel=1e-3)


def test_weights_are_read_once_per_batch_and_activations_per_image():
    conv = A100_FP16.graph_cost(small_cnn(), batch=1000).kernels[0]
    assert conv.kernel.tensor_flops == 576 * 1000
    assert conv.kernel.dram_bytes == (20 + 1000 * 48) * 2


def test_a_tiny_cnn_is_launch_bound_at_batch_1_and_not_at_a_large_batch():
    assert {kernel.bound for kernel in A100_FP16.graph_cost(small_cnn()).kernels} == {"launch"}
    large = A100_FP16.graph_cost(small_cnn(), batch=1_000_000).kernels
    assert {kernel.bound for kernel in large} == {"memory"}  # 3.5 FLOPs a byte: far below the ridge
    assert large[0].latency_s == pytest.approx(5e-6 + large[0].kernel.dram_bytes / 1555e9)


def test_rebatching_refuses_what_it_cannot_rebatch():
    with pytest.raises(CodesignError, match="batch"):
        with_batch(small_cnn(), 0)
    shapes = {value.type.shape for node in with_batch(small_cnn(), 3) for value in node.outputs}
    assert shapes == {(3, 2, 4, 4), (3, 2, 2, 2)}


def test_the_references_cost_the_macs_graph_with_its_encoder(workload):
    graph = workload.mac_graph
    encoder = graph.compute_nodes[-1]
    assert encoder.name == ENCODER_NAME and encoder.macs == 64 * 512
    assert graph.outputs[0].type.shape == (1, 512)


def test_gpu_reference_parts_and_batch(workload):
    single, batched = gpu_reference(workload, 1), gpu_reference(workload, 1000)
    assert set(single.breakdown) == {"front end", "encoder", "search"}
    assert single.breakdown["search"] == pytest.approx(
        (NVIDIA_A100.search_cost(10, 512, 1).energy_J, NVIDIA_A100.search_cost(10, 512, 1).latency_s))
    assert single.single_query_energy_J == pytest.approx(sum(part[0] for part in single.breakdown.values()))
    assert batched.single_query_energy_J == single.batch_energy_J
    assert batched.batch_energy_J <= 1000 * batched.single_query_energy_J  # weights once per batch
    assert batched.batch_latency_s >= single.batch_latency_s
    assert batched.latency_per_query_s < single.latency_per_query_s / 100  # launches shared by the batch


@pytest.mark.parametrize("reference", ["gpu", "simba"])
def test_more_batch_never_lowers_the_batch_latency(workload, simba, reference):
    costs = [gpu_reference(workload, batch) if reference == "gpu" else simba_gpu_reference(workload, simba, batch)
             for batch in (1, 2, 16, 256)]
    latencies = [cost.batch_latency_s for cost in costs]
    assert latencies == sorted(latencies)
    assert all(cost.batch_energy_J <= cost.batch * cost.single_query_energy_J * (1 + 1e-12) for cost in costs)


def test_simba_reference_holds_the_simba_compile(workload, simba):
    reference = simba_gpu_reference(workload, simba, 64)
    graph = with_batch(workload.mac_graph, 64)
    compiled = compile_graph(graph, simba)
    front_end, encoder = reference.batch_breakdown["front end"], reference.batch_breakdown["encoder"]
    assert front_end[0] + encoder[0] == pytest.approx(compiled.energy_J)
    assert front_end[1] + encoder[1] == pytest.approx(compiled.latency_s)
    transfer_s = reference.batch_breakdown["transfer"][1]
    assert transfer_s == pytest.approx(PCIE_DMA_LATENCY_S + 64 * 512 / 8 / PCIE4_X16_B_PER_S)
    assert reference.batch_energy_J > compiled.energy_J + NVIDIA_A100.search_cost(10, 512, 64).energy_J


@pytest.mark.parametrize("batch", [0, -3])
def test_a_batch_below_one_is_a_one_line_error(workload, simba, batch):
    with pytest.raises(CodesignError, match="batch must be") as error:
        gpu_reference(workload, batch)
    assert "\n" not in str(error.value)
    with pytest.raises(CodesignError, match="batch must be"):
        simba_gpu_reference(workload, simba, batch)
