"""The ONNX frontend on whole small graphs built with onnx.helper: loop nests, folding."""

import numpy
import onnx
import pytest
from onnx import TensorProto, helper

from codesign.errors import DynamicShapeError
from codesign.frontend import load_onnx
from codesign.ir import ConvAttrs, Op
from tests.onnx_builders import attention_block, constant, conv_bn_relu, model, random_constant, save


def test_conv_bn_relu_folds_batch_norm_into_conv(tmp_path):
    graph = load_onnx(save(conv_bn_relu(), tmp_path)).graph
    assert [node.op for node in graph] == [Op.CONV, Op.RELU]
    conv = graph.nodes[0]
    assert conv.loop_nest.sizes == {"N": 1, "G": 1, "K": 16, "C": 3, "P": 16, "Q": 16, "R": 3, "S": 3}
    assert conv.macs == 16 * 3 * 16 * 16 * 9
    assert conv.attrs == ConvAttrs(kernel=(3, 3), strides=(2, 2), pads=(1, 1, 1, 1))
    # W' = W * gamma / sqrt(var + eps); b' = (0 - mean) * gamma / sqrt(var + eps) + beta
    scale = 2.0 / numpy.sqrt(3.0 + 1e-5)
    original = onnx.numpy_helper.to_array(conv_bn_relu().graph.initializer[0])
    numpy.testing.assert_allclose(conv.weight.data, original * scale, rtol=1e-6)
    bias = next(param for param in conv.params if param.role == "bias")
    numpy.testing.assert_allclose(bias.data, numpy.full(16, -0.25 * scale + 0.5), rtol=1e-6)
    assert graph.nodes[1].inputs[0].name == conv.outputs[0].name


def test_folded_conv_bn_computes_the_same_function(tmp_path):
    """Run the original model and a Conv with the folded params through ONNX's reference."""
    from onnx.reference import ReferenceEvaluator

    original = conv_bn_relu()
    conv = load_onnx(save(original, tmp_path)).graph.nodes[0]
    x = numpy.random.default_rng(1).standard_normal((1, 3, 32, 32)).astype(numpy.float32)
    expected = ReferenceEvaluator(original).run(None, {"x": x})[0]
    folded = model(
        [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], strides=[2, 2]),
         helper.make_node("Relu", ["c"], ["y"])],
        [("x", [1, 3, 32, 32])], [("y", [1, 16, 16, 16])],
        [constant("w", conv.params[0].data), constant("b", conv.params[1].data)])
    numpy.testing.assert_allclose(ReferenceEvaluator(folded).run(None, {"x": x})[0], expected, rtol=1e-4, atol=1e-5)


def test_attention_block_loop_nests(tmp_path):
    graph = load_onnx(save(attention_block(tokens=16, hidden=32, heads=4), tmp_path)).graph
    nests = {node.name: node.loop_nest.sizes for node in graph.compute_nodes}
    assert nests["q_proj"] == {"N": 1, "G": 1, "K": 32, "C": 32, "P": 16, "Q": 1, "R": 1, "S": 1}
    # Q K^T per head: [1,4,16,8] @ [1,4,8,16] -> 4 groups of 16x8x16
    assert nests["scores"] == {"N": 1, "G": 4, "K": 16, "C": 8, "P": 16, "Q": 1, "R": 1, "S": 1}
    assert nests["context"] == {"N": 1, "G": 4, "K": 8, "C": 16, "P": 16, "Q": 1, "R": 1, "S": 1}
    assert not graph.node("scores").loop_nest.weight_is_constant
    assert graph.node("q_proj").loop_nest.weight_is_constant
    assert graph.macs == 4 * (16 * 32 * 32) + 2 * (4 * 16 * 8 * 16)
    assert graph.node("q_reshape").op is Op.VIEW
    assert graph.node("softmax").vector_ops == 4 * 4 * 16 * 16


def test_ir_version_3_initializers_listed_as_inputs(tmp_path):
    weight, bias = random_constant("w", (8, 4)), random_constant("b", (8,))
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["y"], transB=1, name="fc")]
    graph_proto = helper.make_graph(
        nodes, "old",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [8, 4]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 8])], [weight, bias])
    old = helper.make_model(graph_proto, opset_imports=[helper.make_opsetid("", 7)])
    old.ir_version = 3
    graph = load_onnx(save(old, tmp_path)).graph
    assert [value.name for value in graph.inputs] == ["x"]
    fc = graph.nodes[0]
    assert fc.weight.type.shape == (8, 4)
    assert fc.loop_nest.sizes == {"N": 1, "G": 1, "K": 8, "C": 4, "P": 2, "Q": 1, "R": 1, "S": 1}


def test_weight_from_constant_subgraph_is_folded(tmp_path):
    """A weight made by Constant -> Transpose and a Reshape target made by shape arithmetic."""
    nodes = [
        helper.make_node("Constant", [], ["w_raw"], value=random_constant("v", (16, 8))),
        helper.make_node("Transpose", ["w_raw"], ["w"], perm=[1, 0]),
        helper.make_node("Shape", ["x"], ["x_shape"]),
        helper.make_node("Gather", ["x_shape", "zero"], ["batch"], axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes"], ["batch_1d"]),
        helper.make_node("ConstantOfShape", ["one_shape"], ["minus_one"],
                         value=helper.make_tensor("m", TensorProto.INT64, [1], [-1])),
        helper.make_node("Concat", ["batch_1d", "minus_one"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["flat"], name="flatten"),
        helper.make_node("MatMul", ["flat", "w"], ["y"], name="fc"),
    ]
    initializers = [constant("zero", numpy.array(0, numpy.int64)), constant("axes", numpy.array([0], numpy.int64)),
                    constant("one_shape", numpy.array([1], numpy.int64))]
    graph = load_onnx(save(model(nodes, [("x", [2, 2, 2, 2])], [("y", [2, 16])], initializers), tmp_path)).graph
    assert [node.op for node in graph] == [Op.VIEW, Op.MATMUL]
    assert graph.node("fc").weight.type.shape == (8, 16)
    assert graph.node("flatten").outputs[0].type.shape == (2, 8)


def test_dynamic_batch_needs_a_binding(tmp_path):
    dynamic = conv_bn_relu()
    dynamic.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "batch"
    dynamic.graph.output[0].type.tensor_type.shape.dim[0].dim_param = "batch"
    path = save(dynamic, tmp_path)
    with pytest.raises(DynamicShapeError, match="input 'x' has a dynamic shape.*--input-shape x="):
        load_onnx(path)
    graph = load_onnx(path, {"x": (4, 3, 32, 32)}).graph
    assert graph.nodes[0].loop_nest["N"] == 4
    with pytest.raises(DynamicShapeError, match="not a graph input"):
        load_onnx(path, {"image": (1, 3, 32, 32)})
    with pytest.raises(DynamicShapeError, match="has 3 dimensions, the input has 4"):
        load_onnx(path, {"x": (1, 3, 32)})


def test_conv_with_same_auto_pad_and_groups(tmp_path):
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="dw", auto_pad="SAME_UPPER", strides=[2, 2], group=8)]
    path = save(model(nodes, [("x", [1, 8, 15, 15])], [("y", [1, 8, 8, 8])], [random_constant("w", (8, 1, 3, 3))]), tmp_path)
    conv = load_onnx(path).graph.nodes[0]
    assert conv.outputs[0].type.shape == (1, 8, 8, 8)
    assert conv.attrs.pads == (1, 1, 1, 1)
    assert conv.loop_nest.sizes == {"N": 1, "G": 8, "K": 1, "C": 1, "P": 8, "Q": 8, "R": 3, "S": 3}


def test_dilated_conv_and_conv_transpose(tmp_path):
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["d"], name="dilated", dilations=[2, 2], pads=[2, 2, 2, 2]),
        helper.make_node("ConvTranspose", ["d", "wt"], ["y"], name="up", strides=[2, 2], pads=[1, 1, 1, 1],
                         output_padding=[1, 1]),
    ]
    initializers = [random_constant("w", (6, 4, 3, 3)), random_constant("wt", (6, 2, 3, 3))]
    graph = load_onnx(save(model(nodes, [("x", [1, 4, 10, 10])], [("y", [1, 2, 20, 20])], initializers), tmp_path)).graph
    dilated, up = graph.nodes
    assert dilated.outputs[0].type.shape == (1, 6, 10, 10)
    assert dilated.loop_nest.dilations == (2, 2)
    assert up.outputs[0].type.shape == (1, 2, 20, 20)
    # each of the 10x10 input pixels of 6 channels scatters a 3x3 kernel into 2 output channels
    assert up.macs == 6 * 10 * 10 * 2 * 9
