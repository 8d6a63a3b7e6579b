"""Fake-quantized execution (codesign/quantize) on the trained digits CNN and its real test split."""

from dataclasses import replace

import numpy
import pytest
from onnx import helper

from codesign.accuracy import run_graph
from codesign.errors import CodesignError
from codesign.frontend import load_model, load_onnx
from codesign.ir import LayerBits
from codesign.quantize import (
    calibrate, export_qdq, hessian_traces, quantized_accuracy, quantized_predict, unsupported_layers,
    weight_perturbation,
)
from tests.onnx_builders import model, random_constant, save
from tests.unit.quantize_fixtures import data, ranges, uniform  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def graph():
    return load_model("digits_cnn").graph


def float_accuracy(graph, data):
    return float(numpy.mean(run_graph(graph, data.images).argmax(axis=1) == data.labels))


def test_calibration_covers_every_compute_layer_input(graph, ranges, data):
    assert set(ranges.operands) == {node.name for node in graph.compute_nodes}
    first = ranges.of(graph.compute_nodes[0].name)
    assert first == ((0.0, pytest.approx(float(data.calibration.max()))),)  # pixels / 16, conv padding 0
    assert all(low <= 0 <= high for (low, high), in ranges.operands.values())  # ReLU outputs and padding


def test_sixteen_bits_match_float(graph, data, ranges):
    config = uniform(graph, 16)
    float_logits = run_graph(graph, data.images)
    assert quantized_accuracy(graph, config, ranges, data) == pytest.approx(float_accuracy(graph, data), abs=0.005)
    # A few test images drive activations beyond the training images' range, and saturate there;
    # calibrated on the test images themselves, every logit is float's.
    close = numpy.abs(quantized_predict(graph, config, ranges, data.images) - float_logits).max(axis=1) < 5e-3
    assert close.mean() > 0.95
    own_ranges = calibrate(graph, data.images)
    numpy.testing.assert_allclose(quantized_predict(graph, config, own_ranges, data.images), float_logits, atol=5e-3)


def test_an_empty_config_is_the_float_network(graph, data, ranges):
    numpy.testing.assert_array_equal(quantized_predict(graph, {}, ranges, data.images), run_graph(graph, data.images))


def test_accuracy_falls_at_two_bits(graph, data, ranges):
    full = float_accuracy(graph, data)
    assert quantized_accuracy(graph, uniform(graph, 8), ranges, data) >= full - 0.01
    assert quantized_accuracy(graph, uniform(graph, 2), ranges, data) < full - 0.2


def test_one_layer_at_two_bits_hurts_less_than_all(graph, data, ranges):
    first = graph.compute_nodes[0].name
    one = quantized_accuracy(graph, {first: LayerBits(2, 8, 8)}, ranges, data)
    assert one > quantized_accuracy(graph, uniform(graph, 2), ranges, data)


def test_the_same_call_gives_the_same_numbers(graph, data, ranges):
    config = uniform(graph, 4)
    first = quantized_predict(graph, config, ranges, data.images)
    numpy.testing.assert_array_equal(first, quantized_predict(graph, config, calibrate(graph, data.calibration), data.images))


@pytest.mark.parametrize("config, message", [
    ({"no_such_layer": LayerBits(8, 8, 8)}, "not a compute layer"),
    ({"/0/Conv": LayerBits(1, 8, 8)}, "weight bits of '/0/Conv' must be 2..16"),
    ({"/0/Conv": LayerBits(8, 17, 8)}, "input bits of '/0/Conv' must be 2..16"),
    ({"/0/Conv": 8}, "must be a LayerBits"),
])
def test_bad_configs_are_one_line_errors(graph, data, ranges, config, message):
    with pytest.raises(CodesignError, match=message) as error:
        quantized_predict(graph, config, ranges, data.images)
    assert "\n" not in str(error.value)


def test_inputs_of_the_wrong_shape_are_refused(graph, data, ranges):
    with pytest.raises(CodesignError, match=r"shape 5x1x4x4; .* takes Nx1x8x8"):
        calibrate(graph, data.calibration[:5, :, :4, :4])
    with pytest.raises(CodesignError, match="takes Nx1x8x8"):
        quantized_predict(graph, {}, ranges, data.images.reshape(len(data.images), 64))
    with pytest.raises(CodesignError, match="takes Nx1x8x8"):
        quantized_accuracy(graph, {}, ranges, replace(data, images=data.images[:, :, :7]))
    with pytest.raises(CodesignError, match="takes Nx1x8x8"):
        hessian_traces(graph, replace(data, calibration=data.calibration[:, 0]))


def test_absent_weights_are_a_one_line_error(graph, data, ranges, tmp_path):
    conv = graph.compute_nodes[0]
    weightless = replace(conv, params=tuple(replace(param, data=None) for param in conv.params))
    stripped = replace(graph, nodes=tuple(weightless if node is conv else node for node in graph.nodes))
    calls = [lambda: calibrate(stripped, data.calibration), lambda: quantized_predict(stripped, {}, ranges, data.images),
             lambda: hessian_traces(stripped, data), lambda: weight_perturbation(weightless, 4),
             lambda: export_qdq(stripped, tmp_path / "none.onnx", {}, ranges, tmp_path / "q.onnx")]
    for call in calls:
        with pytest.raises(CodesignError, match="weights .* absent") as error:
            call()
        assert "\n" not in str(error.value)


def test_layers_the_quantizer_does_not_handle_are_listed(tmp_path):
    """A constant left-hand operand, a transposed activation and a ConvTranspose stay float."""
    nodes = [
        helper.make_node("MatMul", ["w_left", "x"], ["left"], name="constant_left"),
        helper.make_node("Gemm", ["left", "w_gemm"], ["gemm"], name="transposed_a", transA=1),
        helper.make_node("Reshape", ["gemm", "image_shape"], ["image"], name="to_image"),
        helper.make_node("ConvTranspose", ["image", "w_deconv"], ["up"], name="deconv"),
        helper.make_node("Conv", ["up", "w_conv"], ["y"], name="conv"),
    ]
    initializers = [random_constant("w_left", (4, 4)), random_constant("w_gemm", (4, 4)),
                    random_constant("w_deconv", (1, 1, 2, 2)), random_constant("w_conv", (1, 1, 1, 1)),
                    helper.make_tensor("image_shape", 7, [4], [1, 1, 4, 4])]
    graph = load_onnx(save(model(nodes, [("x", [4, 4])], [("y", [1, 1, 5, 5])], initializers), tmp_path)).graph
    assert unsupported_layers(graph) == ["constant_left", "transposed_a", "deconv"]
    with pytest.raises(CodesignError, match="no constant weight the quantizer handles"):
        weight_perturbation(graph.node("deconv"), 4)
    assert weight_perturbation(graph.node("conv"), 4) >= 0
