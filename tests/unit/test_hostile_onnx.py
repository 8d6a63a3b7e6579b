"""Broken or hostile ONNX files: each is one line on stderr and exit code 2, promptly, never
a traceback, a hang or a memory blow-up (issue 11, and what fuzzing found)."""

import time
import warnings

import numpy
import pytest
from onnx import AttributeProto, TensorProto, helper

from codesign.frontend import load_onnx
from codesign.ir import Op
from tests.onnx_builders import constant, conv_bn_relu, model, random_constant, save
from tests.unit.test_bad_input import assert_one_line_error, run

I64 = numpy.int64
X4 = [1, 4, 8, 8]


def inspect_error(capsys, tmp_path, onnx_model, *fragments, seconds=10.0):
    started = time.monotonic()
    assert_one_line_error(*run(capsys, "inspect", str(save(onnx_model, tmp_path)))[::2], *fragments)
    assert time.monotonic() - started < seconds


def test_split_axis_far_out_of_range(capsys, tmp_path):
    node = helper.make_node("Split", ["x"], ["a", "b"], name="split", axis=1000)
    inspect_error(capsys, tmp_path, model([node], [("x", [2, 4])], [("a", [1, 4]), ("b", [1, 4])]),
                  "'split'", "axis 1000 is out of range")


@pytest.mark.parametrize(("op_type", "attribute", "value", "fragment"), [
    ("ConvTranspose", "strides", [], "'strides' must be 2 integers >= 1, got []"),
    ("ConvTranspose", "output_padding", [1], "'output_padding' must be 2 integers >= 0"),
    ("ConvTranspose", "dilations", [0, 1], "'dilations' must be 2 integers >= 1"),
    ("Conv", "kernel_shape", [3], "'kernel_shape' must be 2 integers >= 1"),
    ("Conv", "strides", [1, 0], "'strides' must be 2 integers >= 1"),
    ("Conv", "pads", [1, 1, -1, 1], "'pads' must be 4 integers >= 0"),
    ("Conv", "pads", [1, 1], "'pads' must be 4 integers >= 0"),
    ("Conv", "group", 3, "group 3 must be >= 1 and divide"),
    ("Conv", "group", 0, "group 0 must be >= 1"),
    ("Conv", "auto_pad", "SIDEWAYS", "auto_pad must be one of"),
    ("MaxPool", "strides", [2, 2, 2], "'strides' must be 2 integers >= 1"),
])
def test_window_attributes_of_the_wrong_length_or_value(capsys, tmp_path, op_type, attribute, value, fragment):
    """The checker does not look at attribute values and non-strict shape inference skips the
    node, so these reached the importer, which indexed or divided by them."""
    node = helper.make_node(op_type, ["x", "w"] if op_type != "MaxPool" else ["x"], ["y"], name="window",
                            kernel_shape=[3, 3] if op_type == "MaxPool" else None)
    node.attribute.append(helper.make_attribute(attribute, value, attr_type=AttributeProto.INTS)
                          if isinstance(value, list) else helper.make_attribute(attribute, value))
    weight = (4, 2, 3, 3) if op_type == "ConvTranspose" else (6, 4, 3, 3)
    initializers = [] if op_type == "MaxPool" else [random_constant("w", weight)]
    inspect_error(capsys, tmp_path, model([node], [("x", X4)], [("y", X4)], initializers), "'window'", fragment)


@pytest.mark.parametrize(("attributes", "weight", "output", "macs"), [
    ({"group": 2}, (2, 1, 3, 3), [1, 2, 5, 5], 2 * 9 * 9),
    ({"strides": [3, 2], "output_shape": [10, 8]}, (1, 2, 3, 3), [1, 2, 10, 8], 2 * 9 * 9),
])
def test_valid_conv_transpose_attributes_still_import(tmp_path, attributes, weight, output, macs):
    """The checks above must not refuse ONNX's own test models: a grouped ConvTranspose's weight
    is (C, K / group, R, S), and an output_shape beyond the full result is extra output padding."""
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="up", **attributes)
    onnx_model = model([node], [("x", [1, weight[0], 3, 3])], [("y", output)], [random_constant("w", weight)])
    assert load_onnx(save(onnx_model, tmp_path)).graph.node("up").macs == macs


def test_expand_whose_shape_input_is_declared_with_2_to_the_31_entries(capsys, tmp_path):
    """ONNX shape inference before 1.23 builds one dimension per entry: minutes, then out of memory."""
    onnx_model = model([helper.make_node("Expand", ["x", "shape"], ["y"], name="expand")], [("x", [1, 4])],
                       [("y", [1, 4])])
    onnx_model.graph.input.append(helper.make_tensor_value_info("shape", TensorProto.INT64, [2**31]))
    inspect_error(capsys, tmp_path, onnx_model, "'expand'", "2147483648 entries", "at most 1024")


def test_expand_whose_shape_is_made_by_constant_of_shape_with_2_to_the_31_entries(capsys, tmp_path):
    nodes = [helper.make_node("ConstantOfShape", ["n"], ["shape"],
                              value=helper.make_tensor("v", TensorProto.INT64, [1], [1])),
             helper.make_node("Expand", ["x", "shape"], ["y"], name="expand")]
    onnx_model = model(nodes, [("x", [1, 4])], [("y", [1, 4])], [constant("n", numpy.array([2**31], I64))])
    inspect_error(capsys, tmp_path, onnx_model, "'expand'", "at most 1024")


def test_initializer_claiming_more_elements_than_it_holds(capsys, tmp_path):
    """Found by fuzzing: Slice axes declared [2^31] over one stored value hung shape inference
    (onnx 1.23 too) until memory ran out."""
    onnx_model = model([helper.make_node("Slice", ["x", "starts", "ends", "axes"], ["y"], name="slice")],
                       [("x", X4)], [("y", [1, 4, 4, 8])],
                       [constant("starts", numpy.array([2], I64)), constant("ends", numpy.array([6], I64)),
                        constant("axes", numpy.array([2], I64))])
    onnx_model.graph.initializer[2].dims[:] = [2**31]
    inspect_error(capsys, tmp_path, onnx_model, "'axes' is malformed", "more than its data holds")


@pytest.mark.parametrize("name", ["evil\nname", "tab\there\x1b[2J", "x" * 100_000])
def test_hostile_node_names_stay_on_one_short_line(capsys, tmp_path, name):
    onnx_model = model([helper.make_node("Celu", ["x"], ["y"], name=name)], [("x", [1, 4])], [("y", [1, 4])])
    code, _, err = run(capsys, "inspect", str(save(onnx_model, tmp_path)))
    assert_one_line_error(code, err, "'Celu'")
    assert len(err) < 400 and "\x1b" not in err and "\t" not in err
    code, out, _ = run(capsys, "inspect", str(save(onnx_model, tmp_path)), "--allow-unknown", "--ir")
    assert code == 0 and all(line.isprintable() for line in out.splitlines())


def test_hostile_value_names_stay_on_one_line(capsys, tmp_path):
    onnx_model = model([helper.make_node("Relu", ["x"], ["line\nbreak"], name="relu")], [("x", [1, 4])],
                       [("line\nbreak", [-3, 4])])
    inspect_error(capsys, tmp_path, onnx_model, "'line\\nbreak'")


@pytest.mark.parametrize(("shape", "fragment"), [
    ([1, 3, 1_000_000, 1_000_000], "over 2^40 elements"),
    ([2**62, 3, 8, 8], "over 2^40 elements"),
    ([1, 3, 0, 8], "dimension of size 0"),
    ([1, 3, -8, 8], "dynamic shape [1, 3, -8, 8]"),
])
def test_absurd_input_shapes(capsys, tmp_path, shape, fragment):
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv")
    output = [shape[0], 4, max(shape[2] - 2, 1), 6]
    inspect_error(capsys, tmp_path, model([node], [("x", shape)], [("y", output)], [random_constant("w", (4, 3, 3, 3))]),
                  fragment)


def test_negative_declared_output_dimension(capsys, tmp_path):
    onnx_model = model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [("x", [1, 4])], [("y", [-3, 4])])
    inspect_error(capsys, tmp_path, onnx_model, "'y'", "negative dimension")


def test_layer_of_absurd_size(capsys, tmp_path):
    """Each operand within bounds, the product not: 2^60 MACs would overflow the mapper's loop bounds."""
    node = helper.make_node("MatMul", ["a", "b"], ["c"], name="huge")
    side = 2**20
    inspect_error(capsys, tmp_path, model([node], [("a", [side, side]), ("b", [side, side])], [("c", [side, side])]),
                  "'huge'", "over 2^50")


def test_conv_output_of_the_wrong_rank(capsys, tmp_path):
    """Found by fuzzing: a declared output of rank 3 crashed the loop nest (exit 1)."""
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[1, 1, 1, 1])
    inspect_error(capsys, tmp_path, model([node], [("x", X4)], [("y", [1, 6, 8])], [random_constant("w", (6, 4, 3, 3))]),
                  "'conv'", "rank-3 output")


def test_slice_starts_that_are_not_integers(capsys, tmp_path):
    """Found by fuzzing: complex starts were cast to int with only a warning."""
    onnx_model = model([helper.make_node("Slice", ["x", "starts", "ends"], ["y"], name="slice")],
                       [("x", X4)], [("y", [1, 4, 8, 8])],
                       [constant("starts", numpy.array([0], numpy.complex64)), constant("ends", numpy.array([6], I64))])
    inspect_error(capsys, tmp_path, onnx_model, "'slice'", "not integers")


def test_zero_size_weight_is_refused_before_the_cost_models_divide_by_it(capsys, tmp_path):
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv")
    onnx_model = model([node], [("x", X4)], [("y", [1, 0, 6, 6])], [random_constant("w", (0, 4, 3, 3))])
    assert_one_line_error(*run(capsys, "compile", str(save(onnx_model, tmp_path)), "--arch", "crossbar")[::2],
                          "'conv'", "size 0")


def test_gemm_operand_of_the_wrong_rank(capsys, tmp_path):
    node = helper.make_node("Gemm", ["a", "w"], ["y"], name="gemm")
    inspect_error(capsys, tmp_path, model([node], [("a", [2, 3, 1])], [("y", [2, 5])], [random_constant("w", (3, 5))]),
                  "'gemm'", "operand 0 has rank 3")


@pytest.mark.parametrize(("initializer", "values", "folded"), [
    ("var", numpy.full(16, -3.0, numpy.float32), True),
    ("w", numpy.ones((16, 3, 3, 3), I64), False),
])
def test_batch_norm_folding_of_odd_values_warns_nothing(tmp_path, initializer, values, folded):
    """Found by fuzzing: an integer weight made the folded NaNs warn 'invalid value encountered
    in cast' (garbage numbers, exit 0). Integer weights are not folded; NaN is what the file asks."""
    onnx_model = conv_bn_relu()
    index = next(i for i, tensor in enumerate(onnx_model.graph.initializer) if tensor.name == initializer)
    onnx_model.graph.initializer[index].CopyFrom(constant(initializer, values))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        graph = load_onnx(save(onnx_model, tmp_path)).graph
    assert (Op.BATCH_NORMALIZATION not in [node.op for node in graph]) == folded


def test_matmul_of_a_scalar(capsys, tmp_path):
    node = helper.make_node("MatMul", ["a", "b"], ["c"], name="product")
    inspect_error(capsys, tmp_path, model([node], [("a", []), ("b", [4])], [("c", [4])]),
                  "'product'", "operand 0 has rank 0")
