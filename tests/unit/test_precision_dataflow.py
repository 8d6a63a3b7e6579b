"""Precision from the IR on the dataflow targets (cost/precision.py, arch/components/mac.py):
narrower values never cost more, and a precision-scalable MAC turns them into throughput."""

import numpy
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from codesign.arch import load_arch
from codesign.arch.components.mac import Mac, fused_energy_shares
from codesign.arch.energy import energy_table
from codesign.arch.schema import Architecture
from codesign.compiler import compile_graph, compile_layers
from codesign.cost.dataflow import capacity_use, evaluate, feasible, inner_products
from codesign.cost.hardware import hardware_of
from codesign.cost.precision import word_shares
from codesign.cost.problem import DIMENSIONS, Problem
from codesign.frontend import load_onnx
from codesign.fusion.units import build_units
from codesign.ir import LayerBits
from codesign.mapping.candidates import generate
from codesign.mapping.search import search
from codesign.passes.set_precision import SetPrecision
from codesign.target import target_for
from tests.onnx_builders import conv_chain, save

ROLES = ("weight", "input", "output", "accumulator")


def scalable_eyeriss() -> Architecture:
    """Eyeriss with Bit-Fusion MACs: 16-bit units that split into 8-, 4- and 2-bit products."""
    eyeriss = load_arch("eyeriss")
    return eyeriss.model_copy(update={"name": "eyeriss_scalable", "hierarchy": (
        *eyeriss.hierarchy[:-1], eyeriss.compute.model_copy(update={"precision_scalable": True}))})


ARCHS = {name: load_arch(name) for name in ("eyeriss", "simba", "simba_bitfusion")} | {
    "eyeriss_scalable": scalable_eyeriss()}
HARDWARE = {name: hardware_of(arch, energy_table(arch)) for name, arch in ARCHS.items()}


def native(arch_name: str) -> LayerBits:
    unit = ARCHS[arch_name].compute
    return LayerBits(unit.operand_bits, unit.operand_bits, unit.operand_bits, unit.accumulator_bits)


def layer(sizes: dict, bits: LayerBits) -> Problem:
    return Problem("layer", numpy.array([sizes.get(name, 1) for name in DIMENSIONS], dtype=numpy.int64), bits=bits)


layers = st.fixed_dictionaries({
    "K": st.sampled_from([4, 8, 16, 24, 64]), "C": st.sampled_from([3, 8, 16, 32]),
    "P": st.sampled_from([4, 7, 14]), "Q": st.sampled_from([4, 7, 14]), "R": st.sampled_from([1, 3]),
})


@st.composite
def two_precisions(draw, arch_name):
    """(higher, lower): any widths up to the native ones, the lower no wider on any tensor."""
    widest = native(arch_name)
    higher = {role: draw(st.integers(1, getattr(widest, role))) for role in ROLES}
    lower = {role: draw(st.integers(1, higher[role])) for role in ROLES}
    return LayerBits(**higher), LayerBits(**lower)


@settings(max_examples=40, deadline=None)
@given(st.data(), st.sampled_from(sorted(ARCHS)), layers)
def test_fewer_bits_on_any_tensor_never_cost_more_on_the_same_mapping(data, arch_name, sizes):
    # The invariant that holds for every mapping; the mapper's search is a heuristic whose
    # candidates depend on the capacities the bits leave, so its best-found is compared below
    # only on an example.
    higher, lower = data.draw(two_precisions(arch_name))
    sizes["S"] = sizes["R"]
    hardware = HARDWARE[arch_name]
    wide, narrow = layer(sizes, higher), layer(sizes, lower)
    candidates = generate(wide, hardware, seed=0, random_orderings=2)
    candidates = candidates.take(numpy.flatnonzero(feasible(wide, hardware, candidates)))
    assert feasible(narrow, hardware, candidates).all()  # what fits at more bits fits at fewer
    more, fewer = evaluate(wide, hardware, candidates), evaluate(narrow, hardware, candidates)
    for metric in ("energy_J", "cycles", "dram_bytes", "reads", "writes", "noc_J", "mac_J"):
        assert (getattr(fewer, metric) <= getattr(more, metric)).all(), metric


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["simba_bitfusion", "eyeriss_scalable"]), layers)
def test_halving_both_operands_on_a_scalable_mac_lowers_energy_and_cycles_of_a_compute_bound_layer(arch_name, sizes):
    sizes["R"] = sizes["S"] = 3  # no axis unrolls S here: every output reduces over time
    widest = native(arch_name)
    halved = LayerBits(widest.weight // 2, widest.input // 2, widest.output, widest.accumulator)
    hardware, full_width = HARDWARE[arch_name], layer(sizes, widest)
    candidates = generate(full_width, hardware, seed=0, random_orderings=2)
    candidates = candidates.take(numpy.flatnonzero(feasible(full_width, hardware, candidates)))
    full = evaluate(full_width, hardware, candidates)
    compute_bound = full.compute_cycles >= full.level_cycles.max(axis=1)  # every mapping where it is
    assume(compute_bound.any())
    half = evaluate(layer(sizes, halved), hardware, candidates)
    for metric in ("cycles", "energy_J", "mac_J"):
        assert (getattr(half, metric)[compute_bound] < getattr(full, metric)[compute_bound]).all(), metric


def test_a_fixed_mac_gains_nothing_but_data_movement_from_narrow_operands():
    sizes = {"K": 16, "C": 16, "P": 7, "Q": 7, "R": 3, "S": 3}
    hardware = HARDWARE["simba"]
    best = search(layer(sizes, native("simba")), hardware, "edp", seed=0, random_orderings=2)
    narrow = evaluate(layer(sizes, LayerBits(4, 4, 8, 24)), hardware, best.candidate)
    assert narrow.compute_cycles[0] == best.evaluation.compute_cycles[0]
    assert narrow.mac_J[0] == best.evaluation.mac_J[0]
    assert narrow.energy_J[0] < best.evaluation.energy_J[0]


def test_products_per_cycle_follow_bit_fusion():
    unit = Mac(8, 24, 16e-9)  # Sharma et al.: one 8x8, four 4x4 or 8x2 or 2x8, sixteen 2x2 (or 1-bit)
    table = {(8, 8): 1, (4, 4): 4, (8, 2): 4, (2, 8): 4, (2, 2): 16, (1, 1): 16, (3, 5): 2, (6, 8): 1}
    assert {pair: unit.products_per_cycle(*pair) for pair in table} == table


def test_a_fused_product_costs_the_multiplier_bits_it_uses():
    multiply_full, accumulate = fused_energy_shares(8, 24, 8, 8)
    assert multiply_full + accumulate == pytest.approx(1.0)
    multiply_quarter, same_accumulate = fused_energy_shares(8, 24, 4, 4)
    assert multiply_quarter == pytest.approx(multiply_full / 4)
    assert same_accumulate == accumulate


def test_partial_sums_keep_the_accumulator_width_final_outputs_the_output_width():
    simba = HARDWARE["simba"]
    shares = word_shares(layer({}, LayerBits(4, 2, 4, 16)), simba)
    by_level = {level.name: shares.stored[index] for index, level in enumerate(simba.levels)}
    assert list(by_level["accumulation_buffer"][2:]) == [16 / 24]  # 24-bit psum words
    assert by_level["global_buffer"][1:].tolist() == [2 / 8, 4 / 8]  # 8-bit words: requantized outputs
    assert by_level["weight_buffer"][0] == 4 / 8
    eyeriss = HARDWARE["eyeriss"]  # 16-bit words everywhere: psums, except the final outputs in DRAM
    shares = word_shares(layer({}, LayerBits(8, 8, 8, 16)), eyeriss)
    assert (shares.stored[:, 2] == 1.0).all()
    assert shares.final_output.tolist() == [0.5] + [1.0] * (len(eyeriss.levels) - 1)


def test_a_four_bit_tensor_fits_twice_the_values():
    simba = HARDWARE["simba"]
    sizes = {"K": 64, "C": 64, "P": 14, "Q": 14, "R": 3, "S": 3}
    candidates = generate(layer(sizes, native("simba")), simba, seed=0, random_orderings=0)
    inner = inner_products(candidates.factors)
    eight = capacity_use(layer(sizes, native("simba")), simba, inner)
    four = capacity_use(layer(sizes, LayerBits(4, 8, 8, 24)), simba, inner)
    weights_only = [index for index, level in enumerate(simba.levels) if level.holds == ("weight",)]
    numpy.testing.assert_array_equal(four[:, weights_only] * 2, eight[:, weights_only])


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return load_onnx(save(conv_chain(channels=16, size=16), tmp_path_factory.mktemp("chain"))).graph


def test_a_quantized_network_costs_less_and_more_so_on_scalable_macs(chain):
    simba, bitfusion = load_arch("simba"), load_arch("simba_bitfusion")
    quantized = SetPrecision(weights=4, activations=4).run(chain, simba).graph
    full, four = compile_graph(chain, simba), compile_graph(quantized, simba)
    fused = compile_graph(quantized, bitfusion)
    assert compile_graph(chain, bitfusion).energy_J == full.energy_J  # same chip at 8 bits
    assert four.energy_J < full.energy_J and four.latency_s < full.latency_s and four.dram_bytes < full.dram_bytes
    assert fused.energy_J < four.energy_J and fused.latency_s < four.latency_s
    add = next(layer for layer in four.layers if layer.op == "Add")  # streams the residual from DRAM
    assert add.dram_bytes == next(layer for layer in full.layers if layer.op == "Add").dram_bytes / 2


def test_each_precision_is_mapped_on_its_own(chain):
    simba = load_arch("simba")
    target = target_for(simba)
    assert not target.capabilities.precision_scalable
    assert target_for(load_arch("simba_bitfusion")).capabilities.precision_scalable
    quantized = SetPrecision(weights=4, activations=4).run(chain, simba).graph
    node, narrow = chain.compute_nodes[1], quantized.compute_nodes[1]
    full_cost, narrow_cost = target.map_layer(node).cost, target.map_layer(narrow).cost
    assert narrow_cost.bits == {"weight": 4, "input": 4, "output": 4} and full_cost.bits["weight"] == 8
    assert narrow_cost.energy_J < full_cost.energy_J


def test_fused_groups_count_activations_and_weights_at_their_bits(chain):
    simba = load_arch("simba")
    quantized = SetPrecision(weights=4, activations=4).run(chain, simba).graph
    full, four = (build_units(graph, compile_layers(graph, simba))[0] for graph in (chain, quantized))
    for wide, narrow in zip(full, four):
        assert set(narrow.word_shares.values()) == {0.5} and set(wide.word_shares.values()) == {1.0}
        assert narrow.weight_words == wide.weight_words / 2
