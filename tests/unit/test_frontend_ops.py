"""Every ONNX op type the frontend promises, each imported from a one-node model."""

import numpy
import pytest
from onnx import TensorProto, helper

from codesign.errors import UnsupportedOpError
from codesign.frontend import load_onnx
from codesign.ir import Op
from tests.onnx_builders import constant, model, random_constant, save

X4 = [1, 4, 8, 8]
I64 = numpy.int64


def case(op_type, expected_op, inputs=("x",), output_shape=X4, input_shapes=None, initializers=(),
         opset=17, outputs=("y",), **attributes):
    """One-node model: op_type(inputs) -> outputs, activations 'x' and 'x2' of shape X4."""
    shapes = input_shapes or {"x": X4, "x2": X4}
    activations = [(name, shapes[name]) for name in inputs if name in shapes]
    node = helper.make_node(op_type, list(inputs), list(outputs), name="node", **attributes)
    output_list = [(name, output_shape) for name in outputs]
    return pytest.param(model([node], activations, output_list, initializers, opset), expected_op,
                        id=f"{op_type}-opset{opset}")


CASES = [
    case("Conv", Op.CONV, ("x", "w", "b"), [1, 6, 8, 8], initializers=[random_constant("w", (6, 4, 3, 3)),
                                                                      random_constant("b", (6,))], pads=[1, 1, 1, 1]),
    case("ConvTranspose", Op.CONV_TRANSPOSE, ("x", "w"), [1, 2, 16, 16], initializers=[random_constant("w", (4, 2, 2, 2))],
         strides=[2, 2]),
    case("Gemm", Op.GEMM, ("v", "w", "b"), [2, 5], input_shapes={"v": [2, 3]},
         initializers=[random_constant("w", (5, 3)), random_constant("b", (5,))], transB=1),
    case("Gemm", Op.GEMM, ("v", "w"), [3, 5], input_shapes={"v": [2, 3]}, initializers=[random_constant("w", (2, 5))],
         transA=1),
    case("MatMul", Op.MATMUL, ("x", "x2"), X4),
    case("MaxPool", Op.MAX_POOL, ("x",), [1, 4, 4, 4], kernel_shape=[2, 2], strides=[2, 2]),
    case("MaxPool", Op.MAX_POOL, ("x",), [1, 4, 4, 4], opset=8, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
    case("AveragePool", Op.AVERAGE_POOL, ("x",), [1, 4, 4, 4], opset=7, kernel_shape=[2, 2], strides=[2, 2]),
    case("GlobalAveragePool", Op.GLOBAL_AVERAGE_POOL, ("x",), [1, 4, 1, 1]),
    *[case(op_type, op, ("x", "x2")) for op_type, op in
      [("Add", Op.ADD), ("Sub", Op.SUB), ("Mul", Op.MUL), ("Div", Op.DIV), ("Max", Op.MAX), ("Min", Op.MIN),
       ("Sum", Op.SUM)]],
    case("Add", Op.ADD, ("x", "bias"), initializers=[random_constant("bias", (4, 1, 1))], opset=7),
    *[case(op_type, op) for op_type, op in
      [("Relu", Op.RELU), ("Sigmoid", Op.SIGMOID), ("Tanh", Op.TANH), ("Erf", Op.ERF), ("HardSwish", Op.HARD_SWISH)]],
    case("LeakyRelu", Op.LEAKY_RELU, alpha=0.1),
    case("HardSigmoid", Op.HARD_SIGMOID, alpha=0.2, beta=0.5),
    case("Clip", Op.CLIP, ("x", "low", "high"), initializers=[constant("low", numpy.float32(0)),
                                                              constant("high", numpy.float32(6))]),
    case("Clip", Op.CLIP, ("x",), opset=9, min=0.0, max=6.0),
    case("Gelu", Op.GELU, opset=20, approximate="tanh"),
    case("Softmax", Op.SOFTMAX, axis=1),
    case("LayerNormalization", Op.LAYER_NORMALIZATION, ("x", "scale", "shift"),
         initializers=[random_constant("scale", (8,)), random_constant("shift", (8,))], axis=-1),
    case("Concat", Op.CONCAT, ("x", "x2"), [1, 8, 8, 8], axis=1),
    case("Split", Op.SPLIT, ("x", "sizes"), [1, 2, 8, 8], outputs=("y", "z"),
         initializers=[constant("sizes", numpy.array([2, 2], I64))], axis=1),
    case("Split", Op.SPLIT, ("x",), [1, 2, 8, 8], opset=9, outputs=("y", "z"), axis=1),
    case("Slice", Op.SLICE, ("x", "starts", "ends", "axes"), [1, 4, 4, 8],
         initializers=[constant("starts", numpy.array([2], I64)), constant("ends", numpy.array([6], I64)),
                       constant("axes", numpy.array([2], I64))]),
    case("Slice", Op.SLICE, ("x",), [1, 4, 4, 8], opset=9, starts=[2], ends=[6], axes=[2]),
    case("Pad", Op.PAD, ("x", "pads"), [1, 4, 10, 10],
         initializers=[constant("pads", numpy.array([0, 0, 1, 1, 0, 0, 1, 1], I64))]),
    case("Pad", Op.PAD, ("x",), [1, 4, 10, 10], opset=9, pads=[0, 0, 1, 1, 0, 0, 1, 1]),
    case("Resize", Op.RESIZE, ("x", "", "scales"), [1, 4, 16, 16],
         initializers=[constant("scales", numpy.array([1, 1, 2, 2], numpy.float32))], mode="nearest"),
    case("Upsample", Op.RESIZE, ("x",), [1, 4, 16, 16], opset=7, scales=[1.0, 1.0, 2.0, 2.0]),
    case("ReduceMean", Op.REDUCE_MEAN, ("x",), [1, 4, 1, 1], opset=13, axes=[2, 3]),
    case("ReduceMean", Op.REDUCE_MEAN, ("x", "axes"), [1, 4, 1, 1], opset=18,
         initializers=[constant("axes", numpy.array([2, 3], I64))]),
    case("LRN", Op.LRN, size=3),
    case("Gather", Op.GATHER, ("table", "ids"), [5, 16], input_shapes={"ids": [5]},
         initializers=[random_constant("table", (100, 16))]),
    case("BatchNormalization", Op.BATCH_NORMALIZATION, ("x", "g", "b", "m", "v"),
         initializers=[random_constant(name, (4,)) for name in "gbm"] + [constant("v", numpy.ones(4, numpy.float32))]),
    case("BatchNormalization", Op.BATCH_NORMALIZATION, ("x", "g", "b", "m", "v"), opset=7,
         initializers=[random_constant(name, (4,)) for name in "gbm"] + [constant("v", numpy.ones(4, numpy.float32))]),
    case("Flatten", Op.VIEW, ("x",), [1, 256], axis=1),
    case("Reshape", Op.VIEW, ("x", "shape"), [1, 4, 64], initializers=[constant("shape", numpy.array([1, 4, 64], I64))]),
    case("Transpose", Op.VIEW, ("x",), [1, 8, 8, 4], perm=[0, 2, 3, 1]),
    case("Squeeze", Op.VIEW, ("x", "axes"), [4, 8, 8], initializers=[constant("axes", numpy.array([0], I64))]),
    case("Unsqueeze", Op.VIEW, ("x", "axes"), [1, 1, 4, 8, 8], initializers=[constant("axes", numpy.array([0], I64))]),
    case("Identity", Op.VIEW),
    case("Dropout", Op.VIEW, opset=7),
]


@pytest.mark.parametrize(("onnx_model", "expected_op"), CASES)
def test_op_imports(tmp_path, onnx_model, expected_op):
    graph = load_onnx(save(onnx_model, tmp_path)).graph
    assert [node.op for node in graph] == [expected_op]
    node = graph.nodes[0]
    declared = [tuple(dim.dim_value for dim in output.type.tensor_type.shape.dim) for output in onnx_model.graph.output]
    assert [value.type.shape for value in node.outputs] == declared
    assert node.vector_ops >= 0 and node.macs >= 0


def test_cast_is_a_view_that_changes_bits(tmp_path):
    node = helper.make_node("Cast", ["x"], ["y"], to=TensorProto.FLOAT16)
    onnx_model = model([node], [("x", X4)], [], opset=17)
    onnx_model.graph.output.append(helper.make_tensor_value_info("y", TensorProto.FLOAT16, X4))
    cast = load_onnx(save(onnx_model, tmp_path)).graph.nodes[0]
    assert cast.op is Op.VIEW and cast.outputs[0].type.bits == 16


def test_unknown_op_is_an_error_or_an_opaque_node(tmp_path):
    path = save(model([helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Celu", ["r"], ["y"], name="odd")],
                      [("x", X4)], [("y", X4)]), tmp_path)
    with pytest.raises(UnsupportedOpError, match="unsupported ONNX op type 'Celu' \\(node 'odd'\\).*--allow-unknown"):
        load_onnx(path)
    result = load_onnx(path, allow_unknown=True)
    assert [node.op for node in result.graph] == [Op.RELU, Op.OPAQUE]
    assert result.graph.nodes[1].macs == 0 and result.graph.nodes[1].vector_ops == 0
    assert "Celu" in result.warnings[0]
