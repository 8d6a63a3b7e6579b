"""The mapper: invariants of the best-found mapping, determinism, and clear failures."""

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesign.cost.dataflow import evaluate, feasible
from codesign.errors import CodesignError
from codesign.mapping.search import search
from tests.unit.dataflow_fixtures import architecture, hardware, mapping, memory, problem


def array_arch(buffer_bytes=256, spad_bytes=16, width=4, unroll=("K", "C")):
    return architecture(
        memory("buffer", buffer_bytes),
        {"kind": "spatial", "name": "array", "axes": [{"name": "x", "size": width, "unroll": list(unroll)}]},
        memory("spad", spad_bytes),
    )


layers = st.fixed_dictionaries({
    "K": st.sampled_from([1, 2, 3, 4, 6, 8]), "C": st.sampled_from([1, 2, 4, 5, 8]),
    "P": st.sampled_from([1, 2, 3, 4, 7]), "R": st.sampled_from([1, 3]),
})


@settings(max_examples=25, deadline=None)
@given(layers, st.sampled_from([32, 64, 128]), st.sampled_from([8, 16, 32]), st.integers(0, 3))
def test_more_buffer_never_means_more_dram_traffic(sizes, buffer_bytes, spad_bytes, seed):
    layer = problem(**sizes)
    small = search(layer, hardware(array_arch(buffer_bytes, spad_bytes)), "dram", seed)
    large = search(layer, hardware(array_arch(buffer_bytes * 2, spad_bytes * 2)), "dram", seed)
    assert large.evaluation.dram_bytes[0] <= small.evaluation.dram_bytes[0]


@settings(max_examples=25, deadline=None)
@given(layers, st.sampled_from([1, 2, 3, 4]), st.integers(1, 4), st.integers(0, 3))
def test_more_processing_elements_never_mean_more_cycles(sizes, width, extra, seed):
    layer = problem(**sizes)
    small = search(layer, hardware(array_arch(width=width)), "latency", seed)
    large = search(layer, hardware(array_arch(width=width + extra)), "latency", seed)
    assert large.evaluation.cycles[0] <= small.evaluation.cycles[0]


def test_best_mapping_beats_every_hand_written_one_it_could_have_found():
    hw = hardware(array_arch(buffer_bytes=1024, spad_bytes=64, width=4))
    layer = problem(K=8, C=4, P=6, R=3)
    best = search(layer, hw, "energy")
    hand = mapping(hw, {"dram": {"P": 2}, "buffer": {"C": 4, "P": 3}, "spad": {"K": 2, "R": 3}},
                   spatial={"array.x": {"K": 4}})
    assert feasible(layer, hw, hand)[0]
    assert best.evaluation.energy_J[0] <= evaluate(layer, hw, hand).energy_J[0]


def test_search_is_deterministic_for_a_seed():
    hw = hardware(array_arch())
    layer = problem(K=8, C=5, P=7, R=3)
    first, second = search(layer, hw, "edp", seed=3), search(layer, hw, "edp", seed=3)
    numpy.testing.assert_array_equal(first.candidate.factors, second.candidate.factors)
    assert first.describe() == second.describe()


def test_a_level_too_small_for_any_tile_is_named():
    hw = hardware(array_arch(spad_bytes=2))  # the spad cannot hold one weight, input and output
    with pytest.raises(CodesignError, match="layer 'conv7'.*level 'spad' holds 2 words, the smallest tiles need 3"):
        search(problem("conv7", K=2, C=2), hw)


def test_unknown_objective():
    with pytest.raises(CodesignError, match="unknown objective 'speed'"):
        search(problem(K=2), hardware(array_arch()), "speed")
