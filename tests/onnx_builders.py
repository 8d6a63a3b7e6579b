"""Small ONNX models built with onnx.helper, for frontend tests."""

from __future__ import annotations

import numpy
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT = TensorProto.FLOAT


def constant(name: str, array) -> onnx.TensorProto:
    return numpy_helper.from_array(numpy.asarray(array), name)


def random_constant(name: str, shape, seed: int = 0) -> onnx.TensorProto:
    values = numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)
    return numpy_helper.from_array(values, name)


def model(nodes, inputs, outputs, initializers=(), opset: int = 17, ir_version: int | None = None) -> onnx.ModelProto:
    """inputs/outputs: (name, shape) pairs; a shape of None leaves it to inference."""
    graph = helper.make_graph(
        nodes, "test",
        [helper.make_tensor_value_info(name, FLOAT, shape) for name, shape in inputs],
        [helper.make_tensor_value_info(name, FLOAT, shape) for name, shape in outputs],
        list(initializers))
    result = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    if ir_version is not None:
        result.ir_version = ir_version
    return result


def save(model_proto: onnx.ModelProto, directory, name: str = "model.onnx"):
    path = directory / name
    onnx.save(model_proto, str(path))
    return path


def conv_bn_relu(channels_in=3, channels_out=16, size=32) -> onnx.ModelProto:
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("BatchNormalization", ["c", "gamma", "beta", "mean", "var"], ["b"], name="bn"),
        helper.make_node("Relu", ["b"], ["y"], name="relu"),
    ]
    initializers = [
        random_constant("w", (channels_out, channels_in, 3, 3)),
        constant("gamma", numpy.full(channels_out, 2.0, numpy.float32)),
        constant("beta", numpy.full(channels_out, 0.5, numpy.float32)),
        constant("mean", numpy.full(channels_out, 0.25, numpy.float32)),
        constant("var", numpy.full(channels_out, 3.0, numpy.float32)),
    ]
    half = size // 2
    return model(nodes, [("x", [1, channels_in, size, size])], [("y", [1, channels_out, half, half])], initializers)


def attention_block(tokens=16, hidden=32, heads=4) -> onnx.ModelProto:
    """Single-head-group self-attention: Q/K/V projections, QK^T, softmax, AV, output projection."""
    head = hidden // heads
    nodes = []
    for name in ("q", "k", "v"):
        nodes += [
            helper.make_node("MatMul", ["x", f"w_{name}"], [f"{name}_flat"], name=f"{name}_proj"),
            helper.make_node("Reshape", [f"{name}_flat", "heads_shape"], [f"{name}_heads"], name=f"{name}_reshape"),
            helper.make_node("Transpose", [f"{name}_heads"], [f"{name}_t"], name=f"{name}_transpose",
                             perm=[0, 2, 1, 3] if name != "k" else [0, 2, 3, 1]),
        ]
    nodes += [
        helper.make_node("MatMul", ["q_t", "k_t"], ["scores"], name="scores"),
        helper.make_node("Div", ["scores", "scale"], ["scaled"], name="scale"),
        helper.make_node("Softmax", ["scaled"], ["probabilities"], name="softmax", axis=-1),
        helper.make_node("MatMul", ["probabilities", "v_t"], ["context"], name="context"),
        helper.make_node("Transpose", ["context"], ["context_t"], name="merge_transpose", perm=[0, 2, 1, 3]),
        helper.make_node("Reshape", ["context_t", "merged_shape"], ["merged"], name="merge_reshape"),
        helper.make_node("MatMul", ["merged", "w_o"], ["y"], name="out_proj"),
    ]
    initializers = [random_constant(f"w_{name}", (hidden, hidden), seed) for seed, name in enumerate("qkvo")]
    initializers += [
        constant("heads_shape", numpy.array([1, tokens, heads, head], numpy.int64)),
        constant("merged_shape", numpy.array([1, tokens, hidden], numpy.int64)),
        constant("scale", numpy.array(numpy.sqrt(head), numpy.float32)),
    ]
    return model(nodes, [("x", [1, tokens, hidden])], [("y", [1, tokens, hidden])], initializers)


def conv_chain(channels=8, size=16, residual=True) -> onnx.ModelProto:
    """conv1 -> relu -> conv2 -> (+ relu output) -> conv3: three 3x3 convolutions, a residual add."""
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
    ]
    last = "c2"
    if residual:
        nodes.append(helper.make_node("Add", ["c2", "r1"], ["sum"], name="add"))
        last = "sum"
    nodes.append(helper.make_node("Conv", [last, "w3"], ["y"], name="conv3", pads=[1, 1, 1, 1]))
    initializers = [random_constant(f"w{index}", (channels, channels, 3, 3), index) for index in (1, 2, 3)]
    shape = [1, channels, size, size]
    return model(nodes, [("x", shape)], [("y", shape)], initializers)
