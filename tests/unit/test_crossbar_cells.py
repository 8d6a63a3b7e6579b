"""Weight encodings and ADC ranges: what crossbar cells really hold, counted by one function that
the cost model and the accuracy emulator share (codesign/cost/crossbar_cells.py)."""

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import codesign.accuracy.quantize as accuracy_quantize
from codesign.accuracy.datasets import labelled_test_set
from codesign.accuracy.quantize import accuracy_at
from codesign.arch import load_arch
from codesign.compiler import compile_graph
from codesign.cost.crossbar import crossbar_energies, evaluate_layer
from codesign.cost.crossbar_cells import CellLayout, cell_values, nonzero_rows_by_crossbar, weight_levels
from codesign.cost.crossbar_mapping import adc_bits_by_crossbar, map_layer
from codesign.cost.in_memory import cim_chip
from codesign.frontend import load_model
from codesign.target import target_for
from tests.unit.test_crossbar import matrix_layer


def layouts(encoding=None):
    return st.builds(
        lambda encoding, weight_bits, cell_bits, tile_rows, tile_columns, per_read: CellLayout(
            weight_bits, min(cell_bits, weight_bits), encoding, tile_rows, tile_columns, min(per_read, tile_rows)),
        st.sampled_from(["offset", "differential"]) if encoding is None else st.just(encoding),
        st.integers(2, 8), st.integers(1, 4), st.integers(1, 12), st.integers(1, 12), st.integers(1, 12))


@st.composite
def levels_and_layout(draw, encoding=None):
    layout = draw(layouts(encoding))
    rows, outputs = draw(st.integers(1, 30)), draw(st.integers(1, 6))
    top = 2 ** (layout.weight_bits - 1) - 1
    seed = draw(st.integers(0, 2**32 - 1))
    levels = numpy.random.default_rng(seed).integers(-top, top, endpoint=True, size=(rows, outputs))
    return levels, layout, seed


@settings(max_examples=80, deadline=None)
@given(levels_and_layout(encoding="differential"), st.data())
def test_zeroing_weights_never_raises_any_crossbars_count(case, data):
    """Differential: a pruned weight is two zero cells, so no crossbar ever needs more rows."""
    levels, layout, seed = case
    pruned = levels.copy()
    pruned[numpy.random.default_rng(seed + 1).random(levels.shape) < data.draw(st.floats(0, 1))] = 0
    assert (nonzero_rows_by_crossbar(pruned, layout) <= nonzero_rows_by_crossbar(levels, layout)).all()


@settings(max_examples=80, deadline=None)
@given(levels_and_layout(), st.data())
def test_fewer_non_zero_cells_never_need_more_adc_bits(case, data):
    """Any encoding: with a subset of its cells non-zero, no crossbar needs more bits or more ADC energy."""
    levels, layout, _ = case
    config = load_arch("crossbar_neurosim").compute.model_copy(update={
        "rows": layout.tile_rows, "columns": layout.tile_columns, "rows_per_read": layout.rows_per_read,
        "weight_bits": layout.weight_bits, "cell_bits": layout.cell_bits, "weight_encoding": layout.encoding,
        "adc_bits": data.draw(st.integers(1, 12))})
    rows, outputs = levels.shape
    nest = matrix_layer(rows, outputs, positions=3)
    mapping = map_layer(nest, config)
    counts = nonzero_rows_by_crossbar(levels, layout)[None]
    fewer = numpy.maximum(counts - data.draw(st.integers(0, 5)), 0)
    assert (adc_bits_by_crossbar(mapping, config, fewer) <= adc_bits_by_crossbar(mapping, config, counts)).all()
    energies = crossbar_energies(config, cim_chip(load_arch("crossbar_neurosim")))
    dense, sparse = (evaluate_layer(nest, config, energies, nonzero) for nonzero in (counts, fewer))
    # the same per-conversion energies summed in another grouping may differ in the last bit
    assert sparse.energy_breakdown_J["adc"] <= dense.energy_breakdown_J["adc"] * (1 + 1e-12)
    assert sum(dense.conversions_by_bits.values()) == dense.mapping.conversions == sum(sparse.conversions_by_bits.values())


def test_a_differential_all_zero_column_needs_no_resolution():
    layout = CellLayout(8, 2, "differential", 128, 128, 128)
    levels = numpy.zeros((128, 4), dtype=numpy.int64)
    levels[:, 0] = 5  # one column of positive weights, three all zero
    assert cell_values(levels, layout).shape == (2, 128, 4 * 4)
    assert nonzero_rows_by_crossbar(levels, layout).tolist() == [[[128]], [[0]]]  # the negative array is empty
    offset = CellLayout(8, 2, "offset", 128, 128, 128)
    assert nonzero_rows_by_crossbar(numpy.zeros((128, 4), dtype=numpy.int64), offset).tolist() == [[[128]]]


def test_an_all_zero_layer_costs_no_adc_energy_only_when_zero_weights_are_zero_cells():
    config = load_arch("crossbar_differential").compute
    nest = matrix_layer(256, 16, positions=4)
    zero = numpy.zeros((1, 2, 2, 1), dtype=numpy.int64)  # [groups, polarities, row tiles, column tiles]
    energies = crossbar_energies(config, cim_chip(load_arch("crossbar_differential")))
    assert evaluate_layer(nest, config, energies, zero).energy_breakdown_J["adc"] == 0.0
    assert evaluate_layer(nest, config, energies, None).energy_breakdown_J["adc"] > 0.0
    offset = load_arch("crossbar").compute
    counts = nonzero_rows_by_crossbar(numpy.zeros((256, 16), dtype=numpy.int64), CellLayout(16, 2, "offset", 128, 128, 128))
    assert evaluate_layer(nest, offset, energies, counts[None]).energy_breakdown_J["adc"] > 0.0


def test_weight_levels_are_the_emulators_quantization():
    weights = numpy.random.default_rng(0).normal(size=(64, 9)).astype(numpy.float32)
    scale = accuracy_quantize.scale_for(float(numpy.abs(weights).max()), 8, True)
    numpy.testing.assert_array_equal(weight_levels(weights, 8), accuracy_quantize.quantize(weights, scale, 8, True))


@pytest.mark.parametrize("arch_name", ["crossbar_differential", "crossbar_neurosim_differential", "crossbar_neurosim"])
def test_cost_and_emulator_count_the_same_non_zero_rows_layer_by_layer(monkeypatch, arch_name):
    """The emulator's analog_dot sees the weights the cost model counted: the same levels, groups
    and layout give the same per-crossbar counts."""
    graph, data = load_model("digits_cnn").graph, labelled_test_set("digits_cnn")
    arch = load_arch(arch_name)
    target = target_for(arch)
    seen = {}
    original = accuracy_quantize.analog_dot

    def recording(inputs, weights, macro, signed_inputs, tally=None):
        seen.setdefault(macro, []).append(nonzero_rows_by_crossbar(weights.astype(numpy.int64), macro.layout))
        return original(inputs, weights, macro, signed_inputs, tally)

    monkeypatch.setattr(accuracy_quantize, "analog_dot", recording)
    accuracy_at(graph, target.dot_product, data)
    emulated = [counts for calls in seen.values() for counts in calls]
    costed = [target.nonzero_rows(node) for node in graph.compute_nodes]
    assert len(emulated) == sum(len(counts) for counts in costed) == 4
    for counts, from_emulator in zip((group for layer in costed for group in layer), emulated):
        numpy.testing.assert_array_equal(counts, from_emulator)
    # and the compile reports each layer's widest crossbar resolution from those counts
    report = compile_graph(graph, arch)
    compute = [layer for layer in report.layers if layer.mapping and "adc_bits" in layer.mapping]
    assert len(compute) == 4


def test_encodings_and_ranges_on_a_trained_model():
    """NeuroSim-like 5-bit ADCs on digits_cnn (docs/VALIDATION.md, issue 14): a differential
    encoding (small column sums: no offset in the top slice) beats an offset one under either
    range; under offset, scaling the range beats clipping; under differential the sums are so
    small that clipping rarely bites while a range scaled to the worst case steps coarsely."""
    graph, data = load_model("digits_cnn").graph, labelled_test_set("digits_cnn")
    arch = load_arch("crossbar_neurosim")
    accuracy = {}
    for encoding in ("offset", "differential"):
        for adc_range in ("clip", "scale"):
            macro = arch.compute.model_copy(update={"weight_encoding": encoding, "adc_range": adc_range})
            variant = arch.model_copy(update={"hierarchy": (*arch.hierarchy[:-1], macro)})
            accuracy[encoding, adc_range] = accuracy_at(graph, target_for(variant).dot_product, data)
    assert accuracy["offset", "scale"] > accuracy["offset", "clip"], accuracy
    for adc_range in ("clip", "scale"):
        assert accuracy["differential", adc_range] > accuracy["offset", adc_range], accuracy
    assert accuracy["differential", "clip"] > accuracy["differential", "scale"] > 0.9 > accuracy["offset", "scale"], accuracy
