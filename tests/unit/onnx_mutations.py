"""Seeded mutations of small, valid ONNX models: the inputs of the frontend's fuzz test.

Each mutation keeps the protobuf well-formed but breaks the model's meaning the way real
files do (an attribute of the wrong length or sign, an absurd or negative dimension, a
hostile name, an input deleted, nodes out of order, another opset) or, last, breaks its
bytes. seed_models() are the starting points; mutated(model, rng) returns file bytes.
"""

from __future__ import annotations

import math
import random

import numpy
import onnx
from onnx import AttributeProto, TensorProto, helper

from tests.onnx_builders import attention_block, constant, conv_bn_relu, conv_chain, model, random_constant

INTERESTING_INTS = [-(2**62), -(2**31), -1, 0, 1, 2, 3, 7, 64, 2**31, 2**62]
INTERESTING_FLOATS = [math.nan, math.inf, -1.0, 0.0, 1e30]
HOSTILE_NAMES = ["a\nb", "x" * 5000, "", "\x1b[31mred", "名前", "with space", "'quoted'"]
OP_TYPES = ["Conv", "ConvTranspose", "MatMul", "Gemm", "MaxPool", "AveragePool", "GlobalAveragePool", "Relu",
            "Add", "Mul", "Reshape", "Transpose", "Split", "Concat", "Slice", "Pad", "Resize", "Softmax",
            "LayerNormalization", "Gather", "Expand", "Tile", "ReduceMean", "LRN", "Clip", "Flatten",
            "BatchNormalization", "ConstantOfShape", "Constant", "Shape", "Size", "Range", "Celu", "NoSuchOp"]
ATTRIBUTE_NAMES = ["axis", "axes", "strides", "pads", "dilations", "kernel_shape", "group", "perm", "auto_pad",
                   "output_padding", "keepdims", "size", "transA", "transB", "epsilon", "mode", "value"]
OPSETS = [1, 6, 7, 9, 11, 13, 17, 21, 1000]
I64 = numpy.int64


def seed_models() -> list[onnx.ModelProto]:
    """Small models covering every importer family, each valid before mutation."""
    x4 = [1, 4, 8, 8]
    one = _one_node
    return [
        conv_bn_relu(3, 8, 8), conv_chain(channels=4, size=8), attention_block(tokens=4, hidden=8, heads=2),
        one("MaxPool", x4, [1, 4, 4, 4], kernel_shape=[2, 2], strides=[2, 2]),
        one("AveragePool", x4, [1, 4, 8, 8], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        one("ConvTranspose", x4, [1, 2, 16, 16], [random_constant("w", (4, 2, 2, 2))], strides=[2, 2]),
        one("Conv", x4, [1, 4, 8, 8], [random_constant("w", (4, 1, 3, 3))], group=4, auto_pad="SAME_UPPER"),
        one("Gemm", [2, 3], [2, 5], [random_constant("w", (5, 3)), random_constant("b", (5,))], transB=1),
        one("MatMul", [4], [2, 3], [random_constant("w", (2, 4, 3))]),
        one("Split", x4, [1, 2, 8, 8], outputs=2, axis=1),
        one("Concat", x4, [1, 8, 8, 8], [random_constant("c", (1, 4, 8, 8))], axis=1),
        one("Reshape", x4, [1, 4, 64], [constant("shape", numpy.array([1, 4, 64], I64))]),
        one("Softmax", x4, x4, axis=-1),
        one("Slice", x4, [1, 4, 4, 8], [constant("starts", numpy.array([2], I64)),
                                          constant("ends", numpy.array([6], I64)), constant("axes", numpy.array([2], I64))]),
        one("Pad", x4, [1, 4, 10, 10], [constant("pads", numpy.array([0, 0, 1, 1, 0, 0, 1, 1], I64))]),
        one("ReduceMean", x4, [1, 4, 1, 1], opset=13, axes=[2, 3]),
        _gather(),
        one("Expand", [1, 4], [3, 4], [constant("shape", numpy.array([3, 4], I64))]),
        one("LRN", x4, x4, size=3),
        one("Clip", x4, x4, [constant("low", numpy.float32(0)), constant("high", numpy.float32(6))]),
        _generated_weight(),
    ]


def _one_node(op_type, input_shape, output_shape, initializers=(), outputs=1, opset=17, **attributes):
    """op_type(x, *initializers) -> y (or y0, y1, ...)."""
    names = [f"y{index}" for index in range(outputs)] if outputs > 1 else ["y"]
    node = helper.make_node(op_type, ["x", *[t.name for t in initializers]], names, name="node", **attributes)
    return model([node], [("x", input_shape)], [(name, output_shape) for name in names], list(initializers), opset)


def _gather() -> onnx.ModelProto:
    """An embedding lookup: a constant table indexed by integer ids."""
    node = helper.make_node("Gather", ["table", "ids"], ["y"], name="embedding")
    result = model([node], [("ids", [5])], [("y", [5, 16])], [random_constant("table", (100, 16))])
    result.graph.input[0].type.tensor_type.elem_type = TensorProto.INT64
    return result


def _generated_weight() -> onnx.ModelProto:
    """ConstantOfShape -> Mul -> Conv weight: a weight computed in the graph."""
    nodes = [
        helper.make_node("ConstantOfShape", ["weight_shape"], ["ones"],
                         value=helper.make_tensor("fill", TensorProto.FLOAT, [1], [1.0])),
        helper.make_node("Mul", ["ones", "scale"], ["w"]),
        helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[1, 1, 1, 1]),
    ]
    initializers = [constant("weight_shape", numpy.array([8, 4, 3, 3], I64)), constant("scale", numpy.float32(0.5))]
    return model(nodes, [("x", [1, 4, 8, 8])], [("y", [1, 8, 8, 8])], initializers)


def mutated(original: onnx.ModelProto, rng: random.Random) -> bytes:
    """One to three semantic mutations, then now and then a byte-level one."""
    copy = onnx.ModelProto()
    copy.CopyFrom(original)
    for _ in range(rng.randint(1, 3)):
        rng.choice(MUTATIONS)(copy, rng)
    data = copy.SerializeToString()
    return _mutate_bytes(data, rng) if rng.random() < 0.05 else data


def _mutate_attribute(proto: onnx.ModelProto, rng: random.Random) -> None:
    """A new value of the attribute's own type (the checker checks names and types, not values),
    now and then one of another type or name."""
    node = rng.choice(proto.graph.node)
    known = _schema_attributes(node)
    if node.attribute and rng.random() < 0.6:
        attribute = rng.choice(node.attribute)
        name, kind = attribute.name, attribute.type
        node.attribute.remove(attribute)
    elif known and rng.random() < 0.8:
        name, kind = rng.choice(sorted(known.items()))
    else:
        name, kind = rng.choice(ATTRIBUTE_NAMES), rng.choice([AttributeProto.INTS, AttributeProto.INT,
                                                               AttributeProto.FLOAT, AttributeProto.STRING])
    for existing in [a for a in node.attribute if a.name == name]:
        node.attribute.remove(existing)
    node.attribute.append(_random_attribute(name, kind, rng))


def _schema_attributes(node: onnx.NodeProto) -> dict[str, int]:
    """Attribute name -> type, from the op's ONNX schema (empty for unknown ops)."""
    try:
        schema = onnx.defs.get_schema(node.op_type, domain=node.domain)
    except Exception:  # not an ONNX op
        return {}
    return {name: int(attribute.type) for name, attribute in schema.attributes.items()}


def _random_attribute(name: str, kind: int, rng: random.Random) -> AttributeProto:
    if kind == AttributeProto.INTS:
        value = [rng.choice(INTERESTING_INTS) for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 8]))]
        return helper.make_attribute(name, value, attr_type=AttributeProto.INTS)
    if kind == AttributeProto.INT:
        return helper.make_attribute(name, rng.choice(INTERESTING_INTS))
    if kind == AttributeProto.FLOAT:
        return helper.make_attribute(name, rng.choice(INTERESTING_FLOATS))
    if kind == AttributeProto.STRING:
        return helper.make_attribute(name, rng.choice(["", "SAME_UPPER", "SAME_LOWER", "VALID", "bogus", "a\nb"]))
    if kind == AttributeProto.FLOATS:
        value = [rng.choice(INTERESTING_FLOATS) for _ in range(rng.choice([0, 1, 2, 4]))]
        return helper.make_attribute(name, value, attr_type=AttributeProto.FLOATS)
    dims = [rng.choice([0, 1, 2, 3]) for _ in range(rng.randint(0, 2))]
    element_type = rng.choice([TensorProto.FLOAT, TensorProto.INT64])
    return helper.make_attribute(name, helper.make_tensor("t", element_type, dims, [1] * math.prod(dims)))


def _mutate_dims(proto: onnx.ModelProto, rng: random.Random) -> None:
    graph = proto.graph
    infos = [*graph.input, *graph.output, *graph.value_info]
    if graph.initializer and rng.random() < 0.4:
        dims = rng.choice(graph.initializer).dims
    else:
        target = rng.choice(infos).type.tensor_type.shape
        dims = [dim.dim_value for dim in target.dim]
        _edit_dims(dims, rng)
        target.ClearField("dim")
        for size in dims:
            target.dim.add().dim_value = size
        return
    _edit_dims(dims, rng)


def _edit_dims(dims, rng: random.Random) -> None:
    choice = rng.random()
    if dims and choice < 0.6:
        dims[rng.randrange(len(dims))] = rng.choice(INTERESTING_INTS)
    elif dims and choice < 0.8:
        del dims[rng.randrange(len(dims))]
    else:
        dims.append(rng.choice(INTERESTING_INTS))


def _mutate_dtype(proto: onnx.ModelProto, rng: random.Random) -> None:
    element_type = rng.choice([value for _, value in TensorProto.DataType.items()])
    graph = proto.graph
    if graph.initializer and rng.random() < 0.5:
        rng.choice(graph.initializer).data_type = element_type
    else:
        rng.choice([*graph.input, *graph.output]).type.tensor_type.elem_type = element_type


def _mutate_op_type(proto: onnx.ModelProto, rng: random.Random) -> None:
    node = rng.choice(proto.graph.node)
    node.op_type = rng.choice(OP_TYPES)
    if rng.random() < 0.1:
        node.domain = rng.choice(["com.microsoft", "ai.onnx", "x\ny"])


def _mutate_name(proto: onnx.ModelProto, rng: random.Random) -> None:
    node = rng.choice(proto.graph.node)
    hostile = rng.choice(HOSTILE_NAMES)
    if rng.random() < 0.5:
        node.name = hostile
        return
    old = rng.choice([*node.output, *node.input]) if (node.input or node.output) else ""
    for each in proto.graph.node:  # rename the value everywhere (or, now and then, only here)
        if each is node or rng.random() < 0.8:
            each.input[:] = [hostile if name == old else name for name in each.input]
            each.output[:] = [hostile if name == old else name for name in each.output]
    for info in [*proto.graph.input, *proto.graph.output, *proto.graph.initializer]:
        if info.name == old:
            info.name = hostile


def _mutate_inputs(proto: onnx.ModelProto, rng: random.Random) -> None:
    node = rng.choice(proto.graph.node)
    inputs = list(node.input)
    choice = rng.random()
    if inputs and choice < 0.3:
        del inputs[rng.randrange(len(inputs))]
    elif inputs and choice < 0.5:
        inputs.append(rng.choice(inputs))
    elif inputs and choice < 0.7:
        inputs[rng.randrange(len(inputs))] = ""
    elif inputs and choice < 0.85:
        rng.shuffle(inputs)
    else:
        inputs.append(rng.choice(["x", "no_such_value", *[t.name for t in proto.graph.initializer]]))
    node.input[:] = inputs


def _mutate_nodes(proto: onnx.ModelProto, rng: random.Random) -> None:
    nodes = list(proto.graph.node)
    choice = rng.random()
    if len(nodes) > 1 and choice < 0.4:
        del nodes[rng.randrange(len(nodes))]
    elif choice < 0.7:
        nodes.insert(rng.randrange(len(nodes) + 1), rng.choice(nodes))
    else:
        rng.shuffle(nodes)
    copies = [onnx.NodeProto.FromString(node.SerializeToString()) for node in nodes]
    del proto.graph.node[:]
    proto.graph.node.extend(copies)


def _mutate_opset(proto: onnx.ModelProto, rng: random.Random) -> None:
    proto.opset_import[0].version = rng.choice(OPSETS)


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    mutable = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        mutable[rng.randrange(len(mutable))] = rng.randrange(256)
    return bytes(mutable[: rng.randint(1, len(mutable))] if rng.random() < 0.5 else mutable)


MUTATIONS = [_mutate_attribute, _mutate_dims, _mutate_dtype, _mutate_op_type, _mutate_name, _mutate_inputs,
             _mutate_nodes, _mutate_opset]
