"""The IR by itself: loop nests, immutability, the verifier and the printer."""

import dataclasses

import pytest

from codesign.ir import ConvAttrs, Graph, MatMulAttrs, Node, Op, Param, TensorType, Value, VerificationError
from codesign.ir import format_node, verify


def value(name, *shape, bits=32):
    return Value(name, TensorType(tuple(shape), bits))


def conv(name="conv", source="x", target="y", input_shape=(1, 8, 16, 16), output_shape=(1, 16, 8, 8),
         weight_shape=(16, 8, 3, 3), **attributes):
    attrs = ConvAttrs(kernel=weight_shape[2:], **{"strides": (2, 2), "pads": (1, 1, 1, 1), **attributes})
    weight = Param(f"{name}.w", TensorType(weight_shape), "weight", 1)
    return Node(name, Op.CONV, (value(source, *input_shape),), (value(target, *output_shape),), attrs, (weight,))


def test_tensor_type_sizes_and_bits():
    tensor = TensorType((2, 3, 4), bits=4)
    assert tensor.elements == 24 and tensor.bytes == 12
    assert tensor.with_bits(8).bytes == 24 and str(tensor) == "2x3x4:f4"
    with pytest.raises(ValueError):
        TensorType((2, -1))


def test_conv_loop_nest_and_sizes():
    node = conv()
    assert node.loop_nest.sizes == {"N": 1, "G": 1, "K": 16, "C": 8, "P": 8, "Q": 8, "R": 3, "S": 3}
    assert node.macs == 16 * 8 * 8 * 8 * 9
    assert node.loop_nest.weight_elements == 16 * 8 * 9
    assert node.loop_nest.input_elements == 8 * 16 * 16
    assert node.loop_nest.output_elements == 16 * 64
    assert node.param_count == 16 * 8 * 9 and node.param_bytes == 16 * 8 * 9 * 4


def test_depthwise_loop_nest():
    node = conv(weight_shape=(8, 1, 3, 3), output_shape=(1, 8, 8, 8), group=8)
    assert node.loop_nest.sizes == {"N": 1, "G": 8, "K": 1, "C": 1, "P": 8, "Q": 8, "R": 3, "S": 3}
    assert node.macs == 8 * 64 * 9


def test_batched_matmul_loop_nest():
    node = Node("attention", Op.MATMUL, (value("q", 2, 4, 16, 8), value("k", 2, 4, 8, 16)),
                (value("scores", 2, 4, 16, 16),), MatMulAttrs())
    assert node.loop_nest.sizes == {"N": 1, "G": 8, "K": 16, "C": 8, "P": 16, "Q": 1, "R": 1, "S": 1}
    assert node.macs == 2 * 4 * 16 * 8 * 16
    assert not node.loop_nest.weight_is_constant


def test_gemm_with_transposed_weight():
    weight = Param("w", TensorType((10, 32)), "weight", 1)
    node = Node("fc", Op.GEMM, (value("x", 4, 32),), (value("y", 4, 10),), MatMulAttrs(transpose_b=True), (weight,))
    assert node.loop_nest.sizes == {"N": 1, "G": 1, "K": 10, "C": 32, "P": 4, "Q": 1, "R": 1, "S": 1}
    verify(Graph("g", (value("x", 4, 32),), (value("y", 4, 10),), (node,)))


def test_nodes_and_graphs_are_immutable():
    node = conv()
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.name = "other"
    graph = Graph("g", (value("x", 1, 8, 16, 16),), (value("y", 1, 16, 8, 8),), (node,))
    renamed = dataclasses.replace(graph, name="h")
    assert graph.name == "g" and renamed.nodes is graph.nodes


def test_verifier_accepts_a_valid_chain():
    first = conv()
    relu = Node("relu", Op.RELU, (value("y", 1, 16, 8, 8),), (value("z", 1, 16, 8, 8),))
    graph = Graph("g", (value("x", 1, 8, 16, 16),), (value("z", 1, 16, 8, 8),), (first, relu))
    assert verify(graph) is graph
    assert graph.consumers["y"] == (relu,) and graph.producers["z"] is relu
    assert list(graph.to_networkx().edges) == [("conv", "relu")]


@pytest.mark.parametrize(("nodes", "message"), [
    ((Node("relu", Op.RELU, (value("y", 1, 16, 8, 8),), (value("z", 1, 16, 8, 8),)), conv()), "before it is produced"),
    ((conv(), conv(source="x", target="z")), "used twice"),
    ((conv(), conv(name="other", source="x", target="y")), "defined twice"),
    ((conv(output_shape=(1, 16, 9, 9), target="z"),), "produces (1, 16, 9, 9)"),
    ((conv(weight_shape=(16, 4, 3, 3), target="z"),), "input channels"),
    ((conv(), Node("relu", Op.RELU, (value("y", 1, 16, 4, 4),), (value("z", 1, 16, 4, 4),))), "reads 'y' as"),
    ((Node("add", Op.ADD, (value("x", 1, 8, 16, 16), value("x", 1, 8, 16, 16)), (value("z", 1, 8, 16, 15),)),),
     "produces"),
])
def test_verifier_rejects(nodes, message):
    graph = Graph("g", (value("x", 1, 8, 16, 16),), (), nodes)
    with pytest.raises(VerificationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        verify(graph)


def test_verifier_rejects_a_missing_graph_output():
    graph = Graph("g", (value("x", 1, 8, 16, 16),), (value("nowhere", 1),), (conv(),))
    with pytest.raises(VerificationError, match="graph output 'nowhere'"):
        verify(graph)


def test_printer_shows_one_line_with_loops_and_macs():
    line = format_node(conv())
    assert line == ("conv = Conv(x; weight 16x8x3x3:f32) {kernel=3x3 strides=2x2 pads=1x1x1x1} "
                    "-> y:1x16x8x8:f32 | K16 C8 P8 Q8 R3 S3 | macs 73728")
