"""Real model files that broke the frontend (issue 11): weights produced in the graph,
weights whose external-data file is absent, and matrix products of 1-D operands."""

import json
import tracemalloc

import numpy
import onnx
import pytest
from onnx import TensorProto, helper

from codesign.accuracy import run_graph
from codesign.arch import load_arch
from codesign.compiler import compile_graph
from codesign.errors import CodesignError
from codesign.frontend import load_onnx
from codesign.ir import Op
from tests.onnx_builders import attention_block, constant, conv_bn_relu, model, random_constant, save
from tests.unit.test_bad_input import assert_one_line_error, run

I64 = numpy.int64


def _filled(name, value, element_type=TensorProto.FLOAT):
    return helper.make_tensor(name, element_type, [1], [value])


def _conv_on(weight_nodes, initializers=(), channels_out=64, size=8, channels_in=3):
    """weight_nodes make 'w'; then Conv(x, w) -> y, 3x3, same padding."""
    nodes = [*weight_nodes, helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[1, 1, 1, 1])]
    return model(nodes, [("x", [1, channels_in, size, size])], [("y", [1, channels_out, size, size])],
                 list(initializers))


def test_constant_of_shape_weight_is_folded(tmp_path):
    """ConstantOfShape(shape=[64, 3, 3, 3], value=0.01) -> Conv weight, as weight-stripped exports write it."""
    onnx_model = _conv_on([helper.make_node("ConstantOfShape", ["w_shape"], ["w"], value=_filled("v", 0.01))],
                          [constant("w_shape", numpy.array([64, 3, 3, 3], I64))])
    graph = load_onnx(save(onnx_model, tmp_path)).graph
    assert [node.op for node in graph] == [Op.CONV]
    weight = graph.node("conv").weight
    assert weight.type.shape == (64, 3, 3, 3) and numpy.allclose(weight.data, 0.01)
    assert graph.macs == 64 * 3 * 9 * 8 * 8


def test_constant_node_weight_and_a_scaled_chain_are_folded(tmp_path):
    values = numpy.random.default_rng(0).standard_normal((64, 3, 3, 3)).astype(numpy.float32)
    direct = _conv_on([helper.make_node("Constant", [], ["w"], value=onnx.numpy_helper.from_array(values, "v"))])
    chain = _conv_on([helper.make_node("Constant", [], ["w0"], value=onnx.numpy_helper.from_array(values, "v")),
                      helper.make_node("Constant", [], ["half"], value=constant("h", numpy.float32(0.5))),
                      helper.make_node("Mul", ["w0", "half"], ["w"])])
    assert numpy.array_equal(load_onnx(save(direct, tmp_path, "a.onnx")).graph.node("conv").weight.data, values)
    assert numpy.array_equal(load_onnx(save(chain, tmp_path, "b.onnx")).graph.node("conv").weight.data, values / 2)


def test_large_generated_weight_is_a_view_that_takes_no_memory(tmp_path):
    """Above the 2^26-element evaluation budget a ConstantOfShape weight used to stay unfolded
    ("unsupported ONNX op type 'ConstantOfShape'"); its Cast and scale fold on the one value."""
    shape = [4096, 2048, 3, 3]  # 75M elements, 300 MB if materialized
    onnx_model = _conv_on([
        helper.make_node("ConstantOfShape", ["w_shape"], ["ones"], value=_filled("v", 1, TensorProto.INT32)),
        helper.make_node("Cast", ["ones"], ["ones_float"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["ones_float", "scale"], ["w"]),
    ], [constant("w_shape", numpy.array(shape, I64)), constant("scale", numpy.float32(0.25))],
        channels_out=4096, size=2, channels_in=2048)
    path = save(onnx_model, tmp_path)
    tracemalloc.start()
    graph = load_onnx(path).graph
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    weight = graph.node("conv").weight
    assert weight.type.shape == tuple(shape) and weight.data[5, 6, 1, 2] == 0.25
    assert peak < 50e6, f"peak {peak / 1e6:.0f} MB: the weight was materialized"


def test_constant_of_shape_with_an_absurd_shape_is_refused(capsys, tmp_path):
    onnx_model = _conv_on([helper.make_node("ConstantOfShape", ["w_shape"], ["w"], value=_filled("v", 0.5))],
                          [constant("w_shape", numpy.array([2**62, 3, 3, 3], I64))])
    assert_one_line_error(*run(capsys, "inspect", str(save(onnx_model, tmp_path)))[::2],
                          "ConstantOfShape", "2^40 elements")


def _without_weights(onnx_model, tmp_path, name="model", **options):
    """Saved with its weights in name.bin, which is then deleted."""
    path = tmp_path / f"{name}.onnx"
    onnx.save_model(onnx_model, str(path), save_as_external_data=True, location=f"{name}.bin", **options)
    (tmp_path / f"{name}.bin").unlink()
    return path


def test_absent_external_data_imports_shapes_with_one_warning(tmp_path):
    reference = load_onnx(save(conv_bn_relu(), tmp_path)).graph
    result = load_onnx(_without_weights(conv_bn_relu(), tmp_path, size_threshold=0))
    graph = result.graph
    assert len(result.warnings) == 1 and "weights absent" in result.warnings[0] and "\n" not in result.warnings[0]
    conv = graph.node("conv")  # BatchNormalization still folds: the same layers as with weights
    assert [node.op for node in graph] == [node.op for node in reference] == [Op.CONV, Op.RELU]
    assert conv.weight.type.shape == (16, 3, 3, 3) and conv.weight.data is None
    assert all(param.data is None for param in conv.params)
    assert graph.macs == reference.macs and graph.param_count == reference.param_count


def test_absent_constant_node_value_folds_to_an_absent_weight(tmp_path):
    """Constant nodes' tensors go to the data file too (convert_attribute=True); ONNX's checker
    demanded that file. A Transpose of the absent value is absent, with its shape."""
    weight_nodes = [helper.make_node("Constant", [], ["w0"], value=random_constant("v", (64, 3, 3, 3))),
                    helper.make_node("Transpose", ["w0"], ["w"], perm=[0, 1, 3, 2])]
    result = load_onnx(_without_weights(_conv_on(weight_nodes), tmp_path, convert_attribute=True))
    weight = result.graph.node("conv").weight
    assert weight.type.shape == (64, 3, 3, 3) and weight.data is None and len(result.warnings) == 1


def test_absent_weights_through_the_cli(capsys, tmp_path):
    path = str(_without_weights(conv_bn_relu(), tmp_path))
    code, out, err = run(capsys, "inspect", path)
    assert code == 0 and err.startswith("codesign: warning: weights absent") and err.count("\n") == 1
    code, _, err = run(capsys, "compile", path, "--arch", "simba")
    assert code == 0 and err.startswith("codesign: warning: weights absent"), err
    code, _, err = run(capsys, "compile", path, "--arch", "crossbar", "--json", str(tmp_path / "r.json"))
    assert code == 0, err
    layers = json.loads((tmp_path / "r.json").read_text())["layers"]
    assert any("dense" in str(layer["mapping"].get("adc_bits_basis", "")) for layer in layers if layer["mapping"])


def test_present_external_data_is_loaded(tmp_path):
    path = tmp_path / "model.onnx"
    onnx.save_model(conv_bn_relu(), str(path), save_as_external_data=True, location="model.bin", size_threshold=0)
    result = load_onnx(path)
    inline = load_onnx(save(conv_bn_relu(), tmp_path, "inline.onnx")).graph
    assert result.warnings == ()
    assert numpy.array_equal(result.graph.node("conv").weight.data, inline.node("conv").weight.data)


def test_crossbar_costs_absent_weights_as_dense_and_says_so(tmp_path):
    graph = load_onnx(_without_weights(conv_bn_relu(), tmp_path)).graph
    present = load_onnx(save(conv_bn_relu(), tmp_path, "inline.onnx")).graph
    arch = load_arch("crossbar")
    absent_conv, present_conv = compile_graph(graph, arch).layers[0], compile_graph(present, arch).layers[0]
    assert absent_conv.mapping["adc_bits_basis"] == "dense: the weights are absent"
    assert "adc_bits_basis" not in present_conv.mapping
    assert absent_conv.mapping["adc_bits"] >= present_conv.mapping["adc_bits"]


def test_accuracy_refuses_absent_weights(tmp_path):
    graph = load_onnx(_without_weights(conv_bn_relu(), tmp_path)).graph
    with pytest.raises(CodesignError, match="accuracy needs weight values.*absent"):
        run_graph(graph, numpy.zeros((1, 3, 32, 32), numpy.float32))


def test_an_absent_reshape_target_is_a_clear_error(capsys, tmp_path):
    """With size_threshold=0 even the Reshape targets go to the data file: their values are needed."""
    path = str(_without_weights(attention_block(), tmp_path, size_threshold=0))
    assert_one_line_error(*run(capsys, "inspect", path)[::2], "'heads_shape', whose values are absent")


def test_external_data_outside_the_model_directory_is_refused(capsys, tmp_path):
    onnx_model = conv_bn_relu()
    path = str(_without_weights(onnx_model, tmp_path))
    loaded = onnx.load(path, load_external_data=False)
    for entry in loaded.graph.initializer[0].external_data:
        if entry.key == "location":
            entry.value = "../elsewhere.bin"
    onnx.save(loaded, path)
    assert_one_line_error(*run(capsys, "inspect", path)[::2], "outside the model's directory")


MATMULS = [((4,), (2, 4, 3)), ((3, 4), (4,)), ((4,), (4,)), ((1, 2, 3, 4), (4,)), ((2, 3, 4), (4, 5))]


@pytest.mark.parametrize(("a_shape", "b_shape"), MATMULS)
def test_matmul_with_1d_operands_counts_every_mac(tmp_path, a_shape, b_shape):
    """numpy semantics: a 1-D left operand is a row, a 1-D right one a column, and the promoted
    dimension is dropped; [4] @ [2, 4, 3] used to count 0 MACs and then divide by them."""
    output_shape = numpy.matmul(numpy.ones(a_shape), numpy.ones(b_shape)).shape
    node = helper.make_node("MatMul", ["a", "b"], ["c"], name="product")
    path = save(model([node], [("a", list(a_shape)), ("b", list(b_shape))], [("c", list(output_shape))]), tmp_path)
    graph = load_onnx(path).graph
    assert graph.macs == max(1, int(numpy.prod(output_shape))) * a_shape[-1]


@pytest.mark.parametrize("arch", ["simba", "crossbar"])
def test_compile_of_the_onnx_matmul_1d_3d_test_model(capsys, tmp_path, arch):
    """The model of ONNX's own node test test_matmul_1d_3d: [4] @ [2, 4, 1] -> [2, 1]."""
    node = helper.make_node("MatMul", ["a", "b"], ["c"])
    path = str(save(model([node], [("a", [4]), ("b", [2, 4, 1])], [("c", [2, 1])], opset=13), tmp_path))
    code, _, err = run(capsys, "compile", path, "--arch", arch, "--json", str(tmp_path / "out.json"))
    assert code == 0, err
    assert json.loads((tmp_path / "out.json").read_text())["total"]["macs"] == 8
