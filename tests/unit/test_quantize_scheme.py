"""The quantization arithmetic (codesign/quantize/scheme.py) and weight_perturbation, by hand."""

import numpy
import pytest
from onnx import helper

from codesign.errors import CodesignError
from codesign.frontend import load_onnx
from codesign.quantize import weight_perturbation
from codesign.quantize.scheme import activation_grid, quantize_weights
from tests.onnx_builders import constant, model, save

WEIGHTS = numpy.array([[0.9, -0.3, 0.1], [0.375, 0.125, -0.75]], dtype=numpy.float32)
"""Two output channels (rows, Gemm with transB=1); the second has exact binary ties at 3 and 2 bits."""


@pytest.fixture(scope="module")
def gemm(tmp_path_factory):
    nodes = [helper.make_node("Gemm", ["x", "w"], ["y"], name="fc", transB=1)]
    path = save(model(nodes, [("x", [1, 3])], [("y", [1, 2])], [constant("w", WEIGHTS)]), tmp_path_factory.mktemp("gemm"))
    return load_onnx(path).graph.node("fc")


def test_weight_perturbation_matches_a_hand_computation(gemm):
    # 3 bits, levels -3..3. Row 0: scale 0.3 -> 0.9, -0.3 exact, 0.1 -> 0 (error 0.1). Row 1: scale
    # 0.25 -> 0.375 / 0.25 = 1.5 rounds half to even to 2 (0.5), 0.125 / 0.25 = 0.5 to 0, -0.75 exact.
    assert weight_perturbation(gemm, 3) == pytest.approx(0.1**2 + 0.125**2 + 0.125**2, rel=1e-5)
    # 2 bits, levels -1..1. Row 0: scale 0.9 -> -0.3 and 0.1 to 0. Row 1: scale 0.75 -> 0.375 / 0.75 =
    # 0.5 to 0 (half to even), 0.125 to 0.
    assert weight_perturbation(gemm, 2) == pytest.approx(0.3**2 + 0.1**2 + 0.375**2 + 0.125**2, rel=1e-5)


def test_weight_perturbation_falls_with_the_bits(gemm):
    perturbations = [weight_perturbation(gemm, bits) for bits in range(2, 17)]
    assert all(wider <= narrower for narrower, wider in zip(perturbations, perturbations[1:]))
    assert perturbations[-1] < 1e-9 < perturbations[0]


@pytest.mark.parametrize("bits", [0, 1, 17, 4.0, True])
def test_weight_perturbation_refuses_widths_it_does_not_run(gemm, bits):
    with pytest.raises(CodesignError, match="weight bits must be 2..16"):
        weight_perturbation(gemm, bits)


def test_weights_are_symmetric_per_channel_with_the_lowest_level_unused():
    weights = numpy.array([[1.0, -1.0, 0.3], [0.07, -0.02, 0.0], [0.0, 0.0, 0.0]], dtype=numpy.float32)
    quantized = quantize_weights(weights, axis=0, bits=4)  # 7 levels each side: -8 is never used
    numpy.testing.assert_allclose(quantized[0], [1.0, -1.0, 2 / 7], rtol=1e-6)
    numpy.testing.assert_allclose(quantized[1], [0.07, -0.02, 0.0], rtol=1e-6)  # its own, finer scale
    assert not quantized[2].any()  # an all-zero channel stays zero


def test_activations_saturate_at_the_calibrated_range_and_keep_zero_exact():
    grid = activation_grid(0.5, 3.0, bits=2)  # widened to [0, 3]: levels 0, 1, 2, 3
    assert (grid.scale, grid.zero_point) == (numpy.float32(1.0), 0)
    values = numpy.array([-2.0, 0.0, 0.5, 1.5, 2.5, 2.6, 7.0], dtype=numpy.float32)
    numpy.testing.assert_array_equal(grid.quantize(values), [0.0, 0.0, 0.0, 2.0, 2.0, 3.0, 3.0])
    signed = activation_grid(-1.0, 2.0, bits=8)
    assert signed.zero_point == 85 and signed.quantize(numpy.zeros(3, numpy.float32)).tolist() == [0.0] * 3
    step = float(signed.scale)
    assert signed.lowest == pytest.approx(-1.0, abs=step) and signed.highest == pytest.approx(2.0, abs=step)


def test_an_all_zero_activation_range_gets_a_unit_scale():
    """As onnxruntime's quantization tool does: QuantizeLinear rejects a zero scale."""
    grid = activation_grid(0.0, 0.0, bits=4)
    assert (grid.scale, grid.zero_point) == (numpy.float32(1.0), 0)
    assert grid.quantize(numpy.array([0.0, 0.4, 20.0], numpy.float32)).tolist() == [0.0, 0.0, 15.0]
