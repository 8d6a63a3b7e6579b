"""Accuracy at an architecture's precision: the trained digits CNN on its real test split."""

from collections import Counter
from dataclasses import replace

import numpy
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from codesign.accuracy import accuracy_at, labelled_test_set, predict, run_graph
from codesign.accuracy.analog import AnalogMacro, ConversionTally, analog_dot, fefet_macro
from codesign.arch import load_arch
from codesign.errors import CodesignError
from codesign.frontend import load_model
from codesign.ir import Graph, Node, Op, TensorType, Value
from codesign.target import target_for
from models.digits import train_digits_cnn

CROSSBAR_SWEEP_IMAGES = 120
"""The ADC sweep runs on the first test images only: the bit-serial crossbar model costs ~1 s
per low-resolution evaluation of the whole split."""


@pytest.fixture(scope="module")
def graph():
    return load_model("digits_cnn").graph


@pytest.fixture(scope="module")
def data():
    return labelled_test_set("digits_cnn")


def with_compute(arch, **changes):
    """`arch` with fields of its innermost component (its compute unit or macro) changed."""
    return arch.model_copy(update={"hierarchy": (*arch.hierarchy[:-1], arch.compute.model_copy(update=changes))})


def dot_products(arch, **changes):
    """How the target of `arch` with `changes` computes each node's dot products."""
    return target_for(with_compute(arch, **changes)).dot_product


def test_float_executor_matches_torch_and_the_reported_accuracy(graph, data):
    model, reported_accuracy = train_digits_cnn()
    with torch.no_grad():
        expected = model(torch.from_numpy(data.images)).numpy()
    numpy.testing.assert_allclose(predict(graph, None, data), expected, atol=1e-4)
    assert accuracy_at(graph, None, data) == pytest.approx(reported_accuracy, abs=1e-6)
    assert 0.97 <= reported_accuracy <= 1.0


def test_only_the_trained_workload_has_labelled_data(data):
    assert labelled_test_set("resnet18") is None
    assert data.images.shape == (450, 1, 8, 8) and data.labels.shape == (450,)
    assert data.images.min() >= 0 and data.images.max() <= 1


def test_dataflow_accuracy_falls_with_the_operand_bits(graph, data):
    simba = load_arch("simba")
    full = accuracy_at(graph, None, data)
    assert accuracy_at(graph, dot_products(simba, operand_bits=8), data) >= full - 0.01
    assert accuracy_at(graph, dot_products(simba, operand_bits=2), data) < full - 0.1


def test_eyeriss_narrow_accumulator_keeps_the_accuracy(graph, data):
    """16-bit operands into 16-bit partial sums: the accumulator drops low bits, not high ones."""
    assert accuracy_at(graph, dot_products(load_arch("eyeriss")), data) >= accuracy_at(graph, None, data) - 0.01


def test_crossbar_accuracy_never_falls_as_the_adc_gains_bits(graph, data):
    subset = replace(data, images=data.images[:CROSSBAR_SWEEP_IMAGES], labels=data.labels[:CROSSBAR_SWEEP_IMAGES])
    crossbar = load_arch("crossbar")
    accuracies = [accuracy_at(graph, dot_products(crossbar, adc_bits=bits), subset) for bits in range(3, 9)]
    assert accuracies == sorted(accuracies)
    assert accuracies[0] < 0.5 and accuracies[-1] > 0.95


def test_crossbar_with_enough_adc_bits_is_the_ideal_quantized_network(graph, data):
    """128 rows x 3 (2-bit cells) x 1 (1-bit inputs) = 384 needs 9 bits; 16 never clips."""
    crossbar = load_arch("crossbar")
    ideal = predict(graph, dot_products(crossbar, adc_bits=16), data)
    numpy.testing.assert_array_equal(predict(graph, dot_products(crossbar, adc_bits=9), data), ideal)
    subset = replace(data, images=data.images[:CROSSBAR_SWEEP_IMAGES])
    clipped = predict(graph, dot_products(crossbar, adc_bits=6), subset)  # 7 bits never clip here
    assert not numpy.array_equal(clipped, ideal[:CROSSBAR_SWEEP_IMAGES])


def test_fefet_accuracy_rises_to_the_ideal_with_the_adc_bits(graph, data):
    macro = load_arch("fefet_1f1c")
    low, high = (accuracy_at(graph, dot_products(macro, adc_bits=bits), data) for bits in (3, 9))
    assert low < 0.5 and high >= accuracy_at(graph, None, data) - 0.01


def test_fefet_adc_resolving_every_column_sum_is_exact():
    macro = fefet_macro(with_compute(load_arch("fefet_1f1c"), adc_bits=9).compute, 8, 8)  # 511 levels >= 384
    assert len(macro.conversion_errors) == macro.adc_full_scale + 1 and not macro.conversion_errors.any()
    assert macro.exact_up_to == float("inf")


def test_fefet_operand_bits_are_the_specs_for_cost_and_accuracy(graph):
    """No width is hard-coded: a float graph runs at the macro's weight_bits and input_bits."""
    target = target_for(with_compute(load_arch("fefet_1f1c"), weight_bits=6, input_bits=4))
    node = graph.compute_nodes[0]
    macro = target.dot_product(node)
    assert (macro.weight_bits, macro.input_bits, macro.input_bits_per_cycle) == (6, 4, 1)
    assert target.map_layer(node).cost.bits == {"weight": 6, "input": 4, "output": 4}
    assert target.map_layer(node).cost.mapping["weight_slices"] == 3  # 6 bits on 2-bit cells


def test_unsupported_op_is_a_codesign_error():
    value = Value("x", TensorType((1, 4)))
    output = Value("y", TensorType((1, 4)))
    graph = Graph("exp", (value,), (output,), (Node("e", Op.EXP, (value,), (output,)),))
    with pytest.raises(CodesignError, match="op Exp of node 'e' is not supported"):
        run_graph(graph, numpy.zeros((2, 4), dtype=numpy.float32))


@st.composite
def macros(draw, adc_bits=None):
    encoding = draw(st.sampled_from(['offset', 'differential']))
    weight_bits = draw(st.integers(2 if encoding == 'differential' else 1, 8))
    input_bits = draw(st.integers(1, 8))
    tile_rows = draw(st.integers(1, 16))
    return AnalogMacro(
        weight_bits=weight_bits, cell_bits=draw(st.integers(1, weight_bits)), input_bits=input_bits,
        input_bits_per_cycle=draw(st.integers(1, input_bits)), tile_rows=tile_rows,
        rows_per_read=draw(st.integers(1, tile_rows)), adc_bits=adc_bits or draw(st.integers(1, 10)),
        adc_full_scale=None, tile_columns=draw(st.integers(1, 12)), encoding=encoding,
        adc_range=draw(st.sampled_from(['clip', 'scale'])))


@st.composite
def operands(draw, macro):
    rows, outputs, vectors = draw(st.integers(1, 40)), draw(st.integers(1, 5)), draw(st.integers(1, 6))
    signed_inputs = draw(st.booleans())
    weight_top, input_top = 2 ** (macro.weight_bits - 1) - 1, 2 ** (macro.input_bits - 1) - 1
    input_range = (-input_top, input_top) if signed_inputs else (0, 2**macro.input_bits - 1)
    seed = draw(st.integers(0, 2**32 - 1))
    generator = numpy.random.default_rng(seed)
    inputs = generator.integers(*input_range, endpoint=True, size=(vectors, rows))
    weights = generator.integers(-weight_top, weight_top, endpoint=True, size=(rows, outputs))
    return inputs, weights, signed_inputs


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_crossbar_kernel_without_clipping_is_the_exact_integer_matmul(data):
    # 24 bits resolve every column sum the model allows (< 2^24); 16 clip 2 rows of 8-bit cells and inputs.
    macro = data.draw(macros(adc_bits=24))
    inputs, weights, signed_inputs = data.draw(operands(macro))
    numpy.testing.assert_array_equal(analog_dot(inputs, weights, macro, signed_inputs), inputs @ weights)


def read_by_read(inputs, weights, macro, signed_inputs, counts=None):
    """The crossbar's dot product one read, one input slice and one weight slice at a time, written
    from the encodings' and ADC ranges' definitions (not with codesign/cost/crossbar_cells.py);
    `counts` (a Counter), when given, counts the conversions, clipped and rounded sums."""
    input_offset = 2 ** (macro.input_bits - 1) if signed_inputs else 0
    if macro.encoding == 'differential':
        arrays, stored_bits, weight_offset = [(1, numpy.maximum(weights, 0)), (-1, numpy.maximum(-weights, 0))], \
            macro.weight_bits - 1, 0
    else:
        weight_offset = 2 ** (macro.weight_bits - 1)
        arrays, stored_bits = [(1, weights + weight_offset)], macro.weight_bits
    stored_inputs = inputs + input_offset
    shifts = list(range(0, stored_bits, macro.cell_bits))
    top = (2**macro.cell_bits - 1) * (2**macro.input_bits_per_cycle - 1)
    total = numpy.zeros((len(inputs), weights.shape[1]), dtype=numpy.int64)
    for sign, stored in arrays:
        # cells[rows, K * slices], a weight's slices on adjacent columns, lowest first
        cells = numpy.stack([(stored >> shift) & (2**macro.cell_bits - 1) for shift in shifts], axis=2).reshape(len(stored), -1)
        for tile in range(0, len(weights), macro.tile_rows):
            tile_end = min(tile + macro.tile_rows, len(weights))
            reads = [slice(start, min(start + macro.rows_per_read, tile_end))
                     for start in range(tile, tile_end, macro.rows_per_read)]
            busiest = numpy.max([(cells[rows] != 0).sum(axis=0) for rows in reads], axis=0)  # per column
            crossbar_busiest = [busiest[(column // macro.tile_columns) * macro.tile_columns:
                                        (column // macro.tile_columns + 1) * macro.tile_columns].max()
                                for column in range(cells.shape[1])]
            steps = numpy.maximum(numpy.array(crossbar_busiest) * top / (2**macro.adc_bits - 1), 1.0)
            for rows in reads:
                for input_shift in range(0, macro.input_bits, macro.input_bits_per_cycle):
                    driven = (stored_inputs[:, rows] >> input_shift) & (2**macro.input_bits_per_cycle - 1)
                    for index, weight_shift in enumerate(shifts):
                        columns = slice(index, None, len(shifts))
                        sums = driven @ cells[rows, columns]
                        if macro.adc_range == 'scale':
                            converted = numpy.round(numpy.round(sums / steps[columns]) * steps[columns]).astype(numpy.int64)
                        else:
                            converted = numpy.minimum(sums, 2**macro.adc_bits - 1)
                        if counts is not None:
                            clipped = sums > 2**macro.adc_bits - 1 if macro.adc_range == 'clip' else numpy.zeros(sums.shape, dtype=bool)
                            counts.update(conversions=sums.size, clipped=int(clipped.sum()),
                                          rounded=int(((converted != sums) & ~clipped).sum()))
                        total += sign * (converted << (input_shift + weight_shift))
    return (total - weight_offset * stored_inputs.sum(axis=1, keepdims=True)
            - input_offset * weights.sum(axis=0))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_crossbar_kernel_converts_every_read_as_the_adc_does(data):
    macro = data.draw(macros())
    inputs, weights, signed_inputs = data.draw(operands(macro))
    numpy.testing.assert_array_equal(analog_dot(inputs, weights, macro, signed_inputs),
                                     read_by_read(inputs, weights, macro, signed_inputs))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_adc_tally_counts_what_each_conversion_did(data):
    macro = data.draw(macros())
    inputs, weights, signed_inputs = data.draw(operands(macro))
    expected, tally = Counter(), ConversionTally()
    exact = inputs @ weights
    converted = read_by_read(inputs, weights, macro, signed_inputs, expected)
    numpy.testing.assert_array_equal(analog_dot(inputs, weights, macro, signed_inputs, tally), converted)
    assert (tally.conversions, tally.clipped, tally.rounded) == \
        (expected['conversions'], expected['clipped'], expected['rounded'])
    assert tally.error_squares == pytest.approx(float(numpy.square(converted - exact).sum()))
    assert tally.exact_squares == pytest.approx(float(numpy.square(exact).sum()))


def test_adc_tally_of_a_hand_checked_column():
    # 2-bit weights +1 stored with offset 2 as 3 = 0b11: two 1-bit slices, both 1; 1-bit inputs;
    # 4 rows read at once. All inputs on: both columns sum 4, above a 2-bit ADC's top code 3:
    # clipped to 3 + 2 x 3 = 9, less the offset 2 x 4 = 8, gives 1 where the exact sum is 4.
    macro = AnalogMacro(weight_bits=2, cell_bits=1, input_bits=1, input_bits_per_cycle=1, tile_rows=4,
                        rows_per_read=4, adc_bits=2, adc_full_scale=None, tile_columns=2)
    weights = numpy.ones((4, 1), dtype=numpy.int64)
    tally = ConversionTally()
    assert analog_dot(numpy.array([[1, 1, 1, 1]]), weights, macro, False, tally).tolist() == [[1.0]]
    assert (tally.conversions, tally.clipped, tally.rounded) == (2, 2, 0)
    assert tally.clipped_fraction == 1.0 and tally.relative_error == pytest.approx(0.75)
    analog_dot(numpy.array([[1, 1, 0, 0]]), weights, macro, False, tally)  # sums 2: exact
    assert (tally.conversions, tally.clipped, tally.rounded) == (4, 2, 0)
    # A FeFET-like ADC over a full scale of 8 in 3 steps of 8/3: a sum of 4 reads 5 (rounded).
    fefet_like = replace(macro, adc_full_scale=8.0)
    rounding = ConversionTally()
    assert analog_dot(numpy.array([[1, 1, 1, 1]]), weights, fefet_like, False, rounding).tolist() == [[7.0]]
    assert (rounding.conversions, rounding.clipped, rounding.rounded) == (2, 0, 2)
    assert fefet_like.range_name == 'full column' and macro.range_name == 'clip'


def test_adc_tallies_name_the_clipping_layer(graph, data):
    tallies = {}
    accuracy_at(graph, target_for(load_arch("crossbar_neurosim")).dot_product, data, tallies)
    assert set(tallies) == {node.name for node in graph.compute_nodes}
    worst = max(tallies.values(), key=lambda tally: tally.relative_error)
    assert worst.clipped_fraction > 0.1 and worst.rounded == 0  # 5-bit clip ADC, 128 rows at once
    exact = {}
    accuracy_at(graph, target_for(load_arch("crossbar")).dot_product, data, exact)  # 8-bit ADCs
    assert all(tally.clipped == tally.rounded == 0 and tally.conversions > 0 for tally in exact.values())


class WindowOps(torch.nn.Module):
    """Grouped, strided, dilated conv with a folded BatchNorm, HardSwish, both average-pool
    divisors, ceil_mode, padded max pool, Clip, Flatten, Reshape, Gemm and Softmax."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(4, 8, 3, stride=2, padding=2, dilation=2, groups=2)
        self.norm = torch.nn.BatchNorm2d(8)
        self.depthwise = torch.nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.average = torch.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        self.average_with_pads = torch.nn.AvgPool2d((3, 4), stride=2, padding=(1, 2), count_include_pad=True)
        self.max = torch.nn.MaxPool2d(3, stride=2, padding=1)
        self.linear = torch.nn.Linear(72, 5)

    def forward(self, images):
        features = torch.relu(self.norm(self.conv(images)))
        features = torch.nn.functional.hardswish(self.depthwise(features)) + features * 0.5
        pooled = self.max(self.average(features)) + self.max(self.average_with_pads(features))
        flat = torch.clamp(pooled, -1, 2).flatten(1)
        return torch.softmax(self.linear(flat.reshape(flat.shape[0], -1)), dim=1)


def test_float_executor_matches_torch_on_window_and_elementwise_ops(tmp_path):
    torch.manual_seed(0)
    model = WindowOps().eval()
    with torch.no_grad():
        model.norm.running_mean.uniform_(-1, 1)
        model.norm.running_var.uniform_(0.5, 2)
    torch.onnx.export(model, (torch.randn(1, 4, 17, 15),), tmp_path / "ops.onnx", dynamo=False)
    images = torch.randn(5, 4, 17, 15)
    with torch.no_grad():
        expected = model(images).numpy()
    actual = run_graph(load_model(str(tmp_path / "ops.onnx")).graph, images.numpy())
    numpy.testing.assert_allclose(actual, expected, atol=1e-5)
