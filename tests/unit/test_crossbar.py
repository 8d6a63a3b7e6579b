"""The ADC-limited crossbar target: layers small enough to count by hand, the ADC models, invariants."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesign.arch import load_arch
from codesign.arch.components.adc import Adc
from codesign.cost.crossbar import (
    BREAKDOWN_KEYS,
    CrossbarEnergies,
    crossbar_energies,
    evaluate_layer,
    isaac_like,
    map_layer,
    neurosim_like,
    required_adc_bits,
    to_layer_cost,
)
from codesign.cost.in_memory import cim_chip
from codesign.ir.loopnest import MATMUL_EINSUM, LoopNest

ISAAC_CHIP = cim_chip(load_arch("crossbar"))
"""The spec around the ISAAC-like macro: 32 nm, LPDDR4, the 64 KB tile buffer."""


def replace(config, **changes):
    """A copy of a frozen spec model with some fields changed."""
    return config.model_copy(update=changes)

# Round per-action energies so that every expected number below is a hand product.
HAND_ENERGIES = CrossbarEnergies(
    cell_read_J=1e-15, row_drive_J=10e-15, adc_conversion_J=tuple(bits * 1e-12 for bits in range(11)),
    shift_add_J=0.1e-12, buffer_per_bit_J=0.01e-12, noc_per_bit_J=0.1e-12, dram_per_bit_J=1e-12,
)


def small_chip(**changes):
    """128x128 crossbars, 2-bit cells, 8-bit weights and inputs streamed 1 bit per read, an 8-bit
    ADC per crossbar at 1.28 GS/s, 4 crossbars in all."""
    return replace(isaac_like(), **{"weight_bits": 8, "input_bits": 8, "tiles": 1, "crossbars_per_tile": 4, **changes})


def matrix_layer(rows, features, positions=1):
    """A matrix product: `positions` input vectors of `rows` elements times a rows x features matrix."""
    dims = (("N", 1), ("G", 1), ("K", features), ("C", rows), ("P", positions), ("Q", 1), ("R", 1), ("S", 1))
    return LoopNest(dims=dims, einsum=MATMUL_EINSUM, weight_elements=rows * features,
                    input_elements=positions * rows, output_elements=positions * features)


def conv_layer(N=1, G=1, K=4, C=4, P=4, Q=4, R=3, S=3):
    dims = (("N", N), ("G", G), ("K", K), ("C", C), ("P", P), ("Q", Q), ("R", R), ("S", S))
    return LoopNest(dims=dims, einsum="conv", weight_elements=G * K * C * R * S,
                    input_elements=N * G * C * (P + R - 1) * (Q + S - 1), output_elements=N * G * K * P * Q)


# --- hand-derived layers -----------------------------------------------------------------------

def test_a_256_by_64_matrix_on_128x128_crossbars():
    """256 rows; 64 weights x 4 two-bit slices = 256 columns: 2 x 2 crossbars, all cells used.
    4 input vectors x 8 input bits = 32 reads per crossbar, 128 in all; each read drives 128 rows
    and converts 128 columns."""
    mapping = map_layer(matrix_layer(256, 64, positions=4), small_chip())
    assert (mapping.rows, mapping.columns, mapping.weight_slices) == (256, 256, 4)
    assert (mapping.row_tiles, mapping.column_tiles, mapping.crossbars) == (2, 2, 4)
    assert mapping.row_utilization == mapping.column_utilization == 1.0
    assert (mapping.reads, mapping.conversions, mapping.row_drives) == (128, 128 * 128, 128 * 128)
    assert mapping.cell_reads == 128 * 128 * 128
    assert (mapping.replication, mapping.passes, mapping.sequential_reads) == (1, 1, 32)


def test_the_256_by_64_matrix_energy_and_latency():
    result = evaluate_layer(matrix_layer(256, 64, positions=4), small_chip(), HAND_ENERGIES)
    # 128 rows x 3 levels x 1 input level: 385 values need 9 bits; the 8-bit ADC clips to 8.
    assert result.adc_bits == 8
    expected = {
        "array": 128**3 * 1e-15,
        "dac": 128**2 * 10e-15,
        "adc": 128**2 * 8e-12,
        "shift_add": 128**2 * 0.1e-12,
        "buffer": 8 * (4 * 256 + 4 * 64) * 0.01e-12,  # im2col inputs read, outputs written, 8 bits each
        "noc": 8 * (4 * 256 + 4 * 64) * 0.1e-12,  # input and output tensors cross once
        "dram": (256 * 64 * 8 + 8 * (4 * 256 + 4 * 64)) * 1e-12,  # weights once, activations once
    }
    assert tuple(result.energy_breakdown_J) == BREAKDOWN_KEYS
    assert result.energy_breakdown_J == pytest.approx(expected)
    assert result.energy_J == pytest.approx(sum(expected.values()))
    # 128 columns on one ADC at 1.28 GS/s: 100 ns per read, 32 reads one after another.
    assert result.read_time_s == pytest.approx(100e-9)
    assert result.latency_s == pytest.approx(32 * 100e-9)
    assert result.utilization == pytest.approx(1.0)
    assert result.dram_bytes == (256 * 64 * 8 + 8 * 1280) / 8


def test_a_wider_adc_converts_at_the_full_precision_need():
    result = evaluate_layer(matrix_layer(256, 64, positions=4), small_chip(adc_bits=10), HAND_ENERGIES)
    assert result.adc_bits == 9
    assert result.energy_breakdown_J["adc"] == pytest.approx(128**2 * 9e-12)


def test_replication_shares_output_positions_among_idle_crossbars():
    """8 crossbars hold 2 copies: 2 positions each, 16 reads in sequence; 32 crossbars would allow 8
    copies but 4 positions use only 4, so half the chip idles."""
    layer = matrix_layer(256, 64, positions=4)
    two_copies = evaluate_layer(layer, small_chip(crossbars_per_tile=8), HAND_ENERGIES)
    assert two_copies.mapping.replication == 2
    assert two_copies.latency_s == pytest.approx(16 * 100e-9)
    assert two_copies.utilization == pytest.approx(1.0)
    four_copies = evaluate_layer(layer, small_chip(crossbars_per_tile=32), HAND_ENERGIES)
    assert four_copies.mapping.replication == 4
    assert four_copies.utilization == pytest.approx(0.5)
    # copies share the work: the same reads, the same energy
    single = evaluate_layer(layer, small_chip(), HAND_ENERGIES)
    assert four_copies.energy_J == pytest.approx(single.energy_J)


def test_partial_tiles_and_row_groups():
    """200 x 40 with 64 rows per read: rows 128 + 72 (2 + 2 row groups), columns 128 + 32."""
    mapping = map_layer(matrix_layer(200, 40), small_chip(rows_per_read=64))
    assert (mapping.row_tiles, mapping.column_tiles) == (2, 2)
    assert mapping.row_utilization == pytest.approx(200 / 256)
    assert mapping.column_utilization == pytest.approx(160 / 256)
    assert mapping.reads == 8 * 4 * 2  # 8 input bits x 4 row groups x 2 column tiles
    assert mapping.conversions == 8 * 4 * 160
    assert mapping.row_drives == 8 * 200 * 2
    assert mapping.max_active_rows == 64
    assert mapping.sequential_reads == 8 * 2


def test_a_grouped_convolution_maps_each_group_apart():
    """G=2, C=4, 3x3: 36 rows and 4 x 4 = 16 columns per group, one crossbar each."""
    mapping = map_layer(conv_layer(G=2, K=4, C=4, P=2, Q=2), small_chip(crossbars_per_tile=64))
    assert (mapping.rows, mapping.columns, mapping.crossbars) == (36, 16, 2)
    assert mapping.conversions == 2 * 2 * 2 * 8 * 16  # 4 positions x 8 bits x 2 groups x 16 columns
    assert mapping.replication == 4  # 32 copies fit, 4 positions use 4


def test_too_few_crossbars_run_the_layer_in_passes():
    mapping = map_layer(matrix_layer(512, 64), small_chip())
    assert (mapping.crossbars, mapping.passes, mapping.replication) == (8, 2, 1)


# --- ADC resolution ------------------------------------------------------------------------------

@pytest.mark.parametrize(("active_rows", "cell_bits", "input_bits", "bits"), [
    (1, 1, 1, 1), (127, 1, 1, 7), (128, 1, 1, 8),
    (128, 2, 1, 9),  # ISAAC: 9 bits, brought to 8 by its weight-flip encoding
    (128, 2, 2, 11), (256, 2, 2, 12), (16, 1, 4, 8),
])
def test_required_adc_bits_on_known_values(active_rows, cell_bits, input_bits, bits):
    assert required_adc_bits(active_rows, cell_bits, input_bits) == bits


@pytest.mark.parametrize("cell_bits", [1, 2, 4])
def test_each_halving_of_nonzero_rows_drops_one_bit(cell_bits):
    full = required_adc_bits(128, cell_bits, 1)
    for halvings, nonzero in enumerate([128, 64, 32, 16, 8, 4, 2, 1]):
        assert required_adc_bits(128, cell_bits, 1, nonzero_rows=nonzero) == full - halvings


def test_sparsity_lowers_the_layer_resolution_and_adc_energy():
    layer, chip = matrix_layer(256, 64, positions=4), small_chip()
    dense = evaluate_layer(layer, chip, HAND_ENERGIES)
    sparse = evaluate_layer(layer, chip, HAND_ENERGIES, nonzero_rows=16)
    assert sparse.adc_bits == 6  # 16 x 3 + 1 = 49 values
    assert sparse.energy_breakdown_J["adc"] == pytest.approx(dense.energy_breakdown_J["adc"] * 6 / 8)


# --- ADC models ----------------------------------------------------------------------------------

def test_murmann_fit_matches_hwcomponents_adc_and_isaac():
    """Reference values computed with hwcomponents-adc 1.0.21's own get_energy/get_area; ISAAC's
    8-bit ADC is 16 mW / 8 ADCs / 1.28 GS/s = 1.5625 pJ per conversion."""
    adc = Adc(8, 1.28e9, 32e-9)
    assert adc.convert().energy_J == pytest.approx(1.54337e-12, rel=1e-5)
    assert adc.convert().energy_J == pytest.approx(16e-3 / 8 / 1.28e9, rel=0.02)
    assert adc.area_m2 == pytest.approx(6469.27e-12, rel=1e-5)
    assert adc.leakage_W == pytest.approx(4.93878e-4, rel=1e-5)
    assert adc.convert().latency_s == pytest.approx(1 / 1.28e9)
    assert Adc(12, 1e6, 65e-9).convert().energy_J == pytest.approx(2.17513e-11, rel=1e-5)
    assert Adc(5, 1.25e8, 22e-9).convert().energy_J == pytest.approx(3.70296e-13, rel=1e-5)


def test_zigzag_formula():
    """(100 fF x 8 + 0.001 fF x 4^8) x 0.9^2 = 865.536 fF x 0.81 V^2."""
    adc = Adc(8, 1e9, 28e-9, model="zigzag")
    assert adc.convert().energy_J == pytest.approx(865.536e-15 * 0.81)
    assert adc.area_m2 == pytest.approx(10 ** (1.206 - 0.0369 * 8) * 256 * 1e-12)
    assert adc.leakage_W == 0.0


def test_unknown_adc_model_is_refused():
    with pytest.raises(ValueError, match="unknown ADC model 'flash'"):
        Adc(8, 1e9, 32e-9, model="flash")


# --- invariants ----------------------------------------------------------------------------------

layers = st.builds(
    conv_layer, N=st.integers(1, 2), G=st.integers(1, 3), K=st.integers(1, 80), C=st.integers(1, 40),
    P=st.integers(1, 6), Q=st.integers(1, 6), R=st.sampled_from([1, 3]), S=st.sampled_from([1, 3]))
chips = st.builds(
    small_chip, cell_bits=st.integers(1, 4), rows_per_read=st.sampled_from([16, 32, 64, 128]),
    crossbars_per_tile=st.integers(1, 64), input_bits_per_cycle=st.integers(1, 2))


@settings(max_examples=200, deadline=None)
@given(bits=st.integers(1, 19), rate=st.floats(1e5, 1e10), node=st.floats(7e-9, 180e-9),
       model=st.sampled_from(["murmann", "zigzag"]))
def test_more_adc_bits_never_cost_less(bits, rate, node, model):
    assert Adc(bits + 1, rate, node, model).convert().energy_J >= Adc(bits, rate, node, model).convert().energy_J


@settings(max_examples=100, deadline=None)
@given(layer=layers, chip=chips, adc_bits=st.integers(1, 9))
def test_a_wider_adc_never_costs_a_layer_less(layer, chip, adc_bits):
    narrow = replace(chip, adc_bits=adc_bits)
    wide = replace(chip, adc_bits=adc_bits + 1)
    assert evaluate_layer(layer, wide, crossbar_energies(wide, ISAAC_CHIP)).energy_J >= \
        evaluate_layer(layer, narrow, crossbar_energies(narrow, ISAAC_CHIP)).energy_J


@given(rows=st.integers(1, 512), cell_bits=st.integers(1, 4), input_bits=st.integers(1, 4),
       nonzero=st.integers(0, 512))
def test_fewer_nonzero_rows_never_need_more_bits(rows, cell_bits, input_bits, nonzero):
    sparser = required_adc_bits(rows, cell_bits, input_bits, nonzero_rows=nonzero)
    assert sparser <= required_adc_bits(rows, cell_bits, input_bits, nonzero_rows=nonzero + 1)
    assert sparser <= required_adc_bits(rows, cell_bits, input_bits)


@settings(max_examples=100, deadline=None)
@given(layer=layers, chip=chips, nonzero=st.none() | st.integers(0, 128))
def test_energy_is_the_sum_of_its_breakdown(layer, chip, nonzero):
    result = evaluate_layer(layer, chip, crossbar_energies(chip, ISAAC_CHIP), nonzero_rows=nonzero)
    assert tuple(result.energy_breakdown_J) == BREAKDOWN_KEYS
    assert all(value >= 0 for value in result.energy_breakdown_J.values())
    assert result.energy_J == pytest.approx(sum(result.energy_breakdown_J.values()))
    assert 0 < result.utilization <= 1 + 1e-12


@settings(max_examples=100, deadline=None)
@given(layer=layers, chip=chips, columns_per_adc=st.sampled_from([1, 2, 4, 8, 16, 32, 64]))
def test_more_columns_per_adc_never_reduce_latency(layer, chip, columns_per_adc):
    shared = evaluate_layer(layer, replace(chip, columns_per_adc=2 * columns_per_adc), HAND_ENERGIES)
    assert shared.latency_s >= evaluate_layer(layer, replace(chip, columns_per_adc=columns_per_adc), HAND_ENERGIES).latency_s


# --- a whole network -------------------------------------------------------------------------------

def test_layer_cost_carries_the_mapping():
    chip = small_chip()
    result = evaluate_layer(matrix_layer(256, 64, positions=4), chip, HAND_ENERGIES)
    cost = to_layer_cost("fc", "Gemm", 256 * 64 * 4, result, ISAAC_CHIP.clock_frequency_Hz)
    assert cost.energy_J == result.energy_J
    assert cost.cycles == pytest.approx(32 * 100e-9 * 1.28e9)
    assert cost.mapping["crossbars"] == 4 and cost.mapping["adc_bits"] == 8


@pytest.mark.slow
@pytest.mark.parametrize(("config", "spec"), [(isaac_like(), "crossbar"), (neurosim_like(), "crossbar_neurosim")],
                         ids=["isaac_like", "neurosim_like"])
def test_resnet18_evaluates_on_both_presets(config, spec, capsys):
    from codesign.frontend import load_model

    energies = crossbar_energies(config, cim_chip(load_arch(spec)))
    nodes = load_model("resnet18").graph.compute_nodes
    results = [evaluate_layer(node.loop_nest, config, energies) for node in nodes]
    for result in results:
        assert math.isfinite(result.energy_J) and result.energy_J > 0
        assert math.isfinite(result.latency_s) and result.latency_s > 0
        assert 0 < result.utilization <= 1
    total = {key: sum(result.energy_breakdown_J[key] for result in results) for key in BREAKDOWN_KEYS}
    energy, macs = sum(total.values()), sum(node.loop_nest.macs for node in nodes)
    on_chip = energy - total["dram"]
    with capsys.disabled():
        print(f"\n{config.name}: ResNet-18 {energy * 1e3:.3f} mJ, {2 * macs / energy / 1e12:.3f} TOPS/W "
              f"({2 * macs / on_chip / 1e12:.3f} without DRAM), ADC {total['adc'] / energy:.1%} of all "
              f"({total['adc'] / on_chip:.1%} on chip), latency {sum(r.latency_s for r in results) * 1e6:.1f} us, "
              f"shares " + ", ".join(f"{key} {value / energy:.1%}" for key, value in total.items()))
