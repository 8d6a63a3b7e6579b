"""The dataflow cost model on layers small enough to count every access by hand."""

import numpy
import pytest

from codesign.cost.dataflow import evaluate, feasible
from tests.unit.dataflow_fixtures import architecture, hardware, mapping, memory, problem

WEIGHT, INPUT, OUTPUT = 0, 1, 2
DRAM, BUFFER = 0, 1


def single_buffer():
    return hardware(architecture(memory("buffer", 1000)))


def test_everything_in_the_buffer():
    """K=4, C=8, P=2, all loops at the buffer: DRAM moves each tensor once; the MAC reads
    both operands and updates its partial sum from the buffer every cycle."""
    hw = single_buffer()
    result = evaluate(problem(K=4, C=8, P=2), hw, mapping(hw, {"buffer": {"K": 4, "C": 8, "P": 2}}))
    numpy.testing.assert_array_equal(result.reads[0], [[32, 16, 0], [64, 64, 56 + 8]])
    numpy.testing.assert_array_equal(result.writes[0], [[0, 0, 8], [32, 16, 64]])
    assert result.compute_cycles[0] == 64
    # one 8-bit word per cycle and port at the buffer: its 192 reads bound the layer
    assert result.cycles[0] == 192
    # DRAM 100 pJ/word, buffer 10 pJ/word, MAC 1 pJ
    assert result.energy_J[0] == pytest.approx((32 + 16 + 8) * 100e-12 + 304 * 10e-12 + 64 * 1e-12)
    assert result.dram_bytes[0] == 56


def test_loop_above_the_buffer_reuses_what_it_does_not_index():
    """P split across DRAM: the weights stay in the buffer, inputs come twice in halves."""
    hw = single_buffer()
    result = evaluate(problem(K=4, C=8, P=2), hw, mapping(hw, {"dram": {"P": 2}, "buffer": {"K": 4, "C": 8}}))
    numpy.testing.assert_array_equal(result.reads[0, DRAM], [32, 16, 0])
    numpy.testing.assert_array_equal(result.writes[0, DRAM], [0, 0, 8])
    numpy.testing.assert_array_equal(result.writes[0, BUFFER], [32, 16, 64])


@pytest.mark.parametrize(("order", "weight_reads", "output_reloads"), [
    ("NPQSRCKG", 32, 8),   # P inside C: the partial sums of both row halves go back and forth
    ("SRCQPNKG", 64, 0),   # C inside P: the weights are fetched again for each row half
])
def test_loop_order_decides_which_tensor_is_reused(order, weight_reads, output_reloads):
    hw = single_buffer()
    layer = problem(K=4, C=8, P=2)
    candidate = mapping(hw, {"dram": {"C": 2, "P": 2}, "buffer": {"K": 4, "C": 4}}, orders={"dram": order})
    result = evaluate(layer, hw, candidate)
    assert result.reads[0, DRAM, WEIGHT] == weight_reads
    assert result.reads[0, DRAM, OUTPUT] == output_reloads
    assert result.writes[0, DRAM, OUTPUT] == 8 + output_reloads


def test_multicast_across_a_fanout():
    """K=4 spread over 4 PEs: each PE needs the same 2 inputs, read once from the buffer."""
    arch = architecture(memory("buffer", 1000),
                        {"kind": "spatial", "name": "array", "axes": [{"name": "x", "size": 4, "unroll": ["K"]}]},
                        memory("spad", 16))
    hw = hardware(arch, noc=0.5e-12)
    candidate = mapping(hw, {"spad": {"C": 2}}, spatial={"array.x": {"K": 4}})
    result = evaluate(problem(K=4, C=2), hw, candidate)
    spad = 2
    assert result.reads[0, BUFFER, INPUT] == 2 and result.writes[0, spad, INPUT] == 2 * 4
    assert result.reads[0, BUFFER, WEIGHT] == 8 and result.writes[0, spad, WEIGHT] == 8
    assert result.compute_cycles[0] == 2
    # 2 weights + 2 inputs per PE... crossing the array: 8 weights, 2 inputs (multicast), 4 outputs
    assert result.noc_J[0, 0] == pytest.approx((8 + 2 + 4) * 0.5e-12)


def test_input_halo_is_fetched_twice():
    """A 1-D convolution of 4 outputs with 3 taps needs 6 inputs; split in two, 2 overlap."""
    hw = single_buffer()
    layer = problem(P=4, R=3)
    whole = evaluate(layer, hw, mapping(hw, {"buffer": {"P": 4, "R": 3}}))
    split = evaluate(layer, hw, mapping(hw, {"dram": {"P": 2}, "buffer": {"P": 2, "R": 3}}))
    assert whole.reads[0, DRAM, INPUT] == 6
    assert split.reads[0, DRAM, INPUT] == 8


def test_strided_input_tile():
    hw = single_buffer()
    layer = problem(P=3, R=3, strides=(2, 1))
    result = evaluate(layer, hw, mapping(hw, {"buffer": {"P": 3, "R": 3}}))
    assert result.reads[0, DRAM, INPUT] == (3 - 1) * 2 + 3


def test_capacity_and_fanout_limits():
    hw = hardware(architecture(memory("buffer", 10),
                               {"kind": "spatial", "name": "array", "axes": [{"name": "x", "size": 2, "unroll": ["K"]}]},
                               memory("spad", 4)))
    layer = problem(K=4, C=2)
    fits = mapping(hw, {"dram": {"K": 2}, "buffer": {"C": 2}}, spatial={"array.x": {"K": 2}})
    too_wide = mapping(hw, {"buffer": {"C": 2}}, spatial={"array.x": {"K": 4}})
    wrong_dimension = mapping(hw, {"dram": {"K": 4}}, spatial={"array.x": {"C": 2}})
    too_big = mapping(hw, {"buffer": {"K": 4, "C": 2}})  # 8 weights + 2 inputs + 4 outputs > 10
    assert feasible(layer, hw, fits)[0]
    assert not feasible(layer, hw, too_wide)[0]
    assert not feasible(layer, hw, wrong_dimension)[0]
    assert not feasible(layer, hw, too_big)[0]


def test_energy_is_the_sum_of_its_parts():
    hw = single_buffer()
    result = evaluate(problem(K=4, C=8, P=2), hw, mapping(hw, {"dram": {"C": 2}, "buffer": {"K": 4, "C": 4, "P": 2}}))
    parts = result.level_energy_J.sum(axis=1) + result.mac_J + result.noc_J.sum(axis=1)
    assert result.energy_J[0] == pytest.approx(parts[0])
