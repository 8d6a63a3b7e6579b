"""The 1FeFET-1C charge-domain model: hand-derived energies and voltages, invariants, and the
published comparisons (111.6 TOPS/W macro; > 2x latency, ~1000x energy vs. GPU), printed."""

import math
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codesign.arch import load_arch
from codesign.cost import fefet
from codesign.cost.fefet import (
    FefetArrayConfig,
    fefet_1f1c_default,
    fefet_parts,
    mac_error_rate,
    sense_voltage_V,
    sensing_margin_V,
    tops_per_watt,
)
from codesign.cost.fefet_search import NVIDIA_A100, evaluate_search
from codesign.cost.in_memory import cim_chip
from codesign.ir.loopnest import MATMUL_EINSUM, LoopNest

CHIP = cim_chip(load_arch("fefet_1f1c"))
"""The spec around the macro: 28 nm, LPDDR4 at 12.8 GB/s, the 256 KB buffer."""


def evaluate_layer(nest, config, weight_bits=None, input_bits=None, **options):
    """The layer at weight_bits and input_bits (default: the config's), as the FeFET target costs it."""
    bits = {"weight_bits": weight_bits or config.weight_bits, "input_bits": input_bits or config.input_bits}
    return fefet.evaluate_layer(nest, replace(config, **bits), CHIP, **options)


def mac_column_energy(config, active_rows, density=0.5):
    return fefet.mac_column_energy(fefet_parts(config, CHIP), active_rows, density)


def replace(config, **changes):
    """A copy of a frozen spec model with some fields changed."""
    return config.model_copy(update=changes)

FEMTO = 1e-15
PUBLISHED_TOPS_PER_W = 111.6  # 2-bit 1F1C macro, Laleni et al., IEEE JXCDC 10:153-160, 2024


def binary_config(rows: int = 4, **changes) -> FefetArrayConfig:
    """Binary cells with round numbers: C_cell 1 fF, C_sense 4 fF, V_read 1 V, supply 1 V."""
    config = replace(fefet_1f1c_default(), rows=rows, columns=4, arrays=1, cell_bits=1,
                     vth_states_V=(0.2, 1.2), capacitor_F=1 * FEMTO, sense_capacitance_F=4 * FEMTO,
                     line_capacitance_per_cell_F=0.5 * FEMTO, read_V=1.0, supply_V=1.0,
                     adc_bits=4, adc_fom_J_per_step=2 * FEMTO)
    return replace(config, **changes)


def matmul_nest(rows: int, reduction: int, features: int) -> LoopNest:
    dims = (("N", 1), ("G", 1), ("K", features), ("C", reduction), ("P", rows), ("Q", 1), ("R", 1), ("S", 1))
    return LoopNest(dims=dims, einsum=MATMUL_EINSUM, weight_elements=reduction * features,
                    input_elements=rows * reduction, output_elements=rows * features)


def test_four_row_column_energy_by_hand():
    # 4 rows, density 0.5: 2 driven rows, 1 charged cell on average.
    energy = mac_column_energy(binary_config(), active_rows=4, density=0.5)
    assert energy["cell_charge"] == pytest.approx(1 * 1 * FEMTO * 1.0**2)
    assert energy["sense_precharge"] == pytest.approx(4 * FEMTO)
    assert energy["drivers"] == pytest.approx(2 * 0.5 * FEMTO)
    assert energy["adc"] == pytest.approx(2 * FEMTO * 2**4)


def test_charge_sharing_voltage():
    # Three of four cells charged to 1 V share onto 4 fF + 4 x 1 fF: 3 fC / 8 fF.
    assert sense_voltage_V(binary_config(), 3) == pytest.approx(3 / 8)
    assert sensing_margin_V(binary_config()) == pytest.approx(1 / 8)
    # 2-bit cells: one level is a third of V_read.
    two_bit = replace(binary_config(), cell_bits=2, vth_states_V=(0.2, 0.5, 0.8, 1.1))
    assert sense_voltage_V(two_bit, 3) == pytest.approx(1 / 8)


@pytest.mark.parametrize(("weight_bits", "cell_bits", "slices"), [(8, 1, 8), (8, 2, 4), (5, 2, 3), (2, 2, 1)])
def test_bit_slicing_column_count(weight_bits, cell_bits, slices):
    config = replace(fefet_1f1c_default(), cell_bits=cell_bits,
                     vth_states_V=tuple(0.2 + 0.1 * level for level in range(2**cell_bits)))
    cost = evaluate_layer(matmul_nest(rows=4, reduction=100, features=10), config, weight_bits=weight_bits)
    assert cost.mapping["weight_slices"] == slices
    assert cost.mapping["column_tiles"] == math.ceil(10 * slices / config.columns)
    assert cost.mapping["row_tiles"] == 1


def test_layer_cycles_and_tiles():
    config = binary_config(rows=4, columns=4, arrays=2)
    # 10-long reduction on 4 rows: tiles of 4, 4, 2; 2 features x 2 slices = 4 columns: 3 tiles.
    cost = evaluate_layer(matmul_nest(rows=5, reduction=10, features=2), config, weight_bits=2, input_bits=3)
    assert (cost.mapping["row_tiles"], cost.mapping["column_tiles"], cost.mapping["passes"]) == (3, 1, 2)
    assert cost.cycles == 2 * 5 * 3
    assert cost.latency_s == pytest.approx(cost.cycles * config.cycle_s)
    assert cost.utilization == pytest.approx(100 * 2 / (2 * 16 * 2 * 5))


def test_tiny_search_energy_by_hand():
    # 2 patterns of 2 bits: one tile of 4 rows, 2 columns. Per query and column at density 0.5:
    # 2 driven rows, 1 mismatch; one compare of the two distances.
    config = binary_config(rows=4)
    cost = evaluate_search(patterns=2, bits=2, queries=3, config=config, chip=CHIP)
    column = sum(mac_column_energy(config, 4, 0.5).values())
    assert cost.energy_breakdown_J["cell_charge"] == pytest.approx(3 * 2 * 1 * FEMTO)
    analog = sum(cost.energy_breakdown_J[key] for key in ("cell_charge", "sense_precharge", "drivers", "adc"))
    assert analog == pytest.approx(3 * 2 * column)
    assert cost.latency_per_search_s == pytest.approx(config.cycle_s)
    assert cost.energy_J == pytest.approx(sum(cost.energy_breakdown_J.values()))


def test_error_rate_grows_with_variation_and_rows():
    config = fefet_1f1c_default()
    sigmas = [0.02, 0.05, 0.08, 0.12]
    by_sigma = [mac_error_rate(replace(config, vth_sigma_V=sigma), config.rows) for sigma in sigmas]
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in pairwise(by_sigma))
    by_rows = [mac_error_rate(replace(config, rows=rows), rows)[1] for rows in (32, 64, 128, 256)]
    assert by_rows == sorted(by_rows) and by_rows[0] < by_rows[-1]


def test_error_rates_of_the_default_config_printed():
    for cell_bits, states in ((2, fefet_1f1c_default().vth_states_V), (1, (0.2, 1.2))):
        for rows in (64, 128, 256):
            config = replace(fefet_1f1c_default(), rows=rows, cell_bits=cell_bits, vth_states_V=states)
            cell_error, output_error = mac_error_rate(config, rows)
            print(f"{cell_bits}-bit cells, {rows} rows: margin {sensing_margin_V(config) * 1e3:.2f} mV, "
                  f"cell error {cell_error:.2e}, output error {output_error:.2e}")
            assert 0 <= cell_error <= 1 and 0 <= output_error <= 1


@given(rows=st.integers(1, 1024), more=st.integers(1, 1024))
def test_more_rows_never_widen_the_margin(rows, more):
    config = fefet_1f1c_default()
    assert sensing_margin_V(replace(config, rows=rows + more)) <= sensing_margin_V(replace(config, rows=rows))


@given(adc_bits=st.integers(1, 12), reduction=st.integers(1, 600), features=st.integers(1, 300),
       weight_bits=st.integers(1, 8), input_bits=st.integers(1, 8))
def test_more_adc_bits_never_cost_less(adc_bits, reduction, features, weight_bits, input_bits):
    nest = matmul_nest(rows=3, reduction=reduction, features=features)
    configs = (replace(fefet_1f1c_default(), adc_bits=bits) for bits in (adc_bits, adc_bits + 1))
    fewer, more = (evaluate_layer(nest, config, weight_bits, input_bits) for config in configs)
    assert more.energy_J >= fewer.energy_J
    assert more.latency_s >= fewer.latency_s


@given(reduction=st.integers(1, 2000), features=st.integers(1, 600), rows=st.integers(1, 50),
       weight_bits=st.integers(1, 8), input_bits=st.integers(1, 8))
def test_energy_is_the_sum_of_its_breakdown(reduction, features, rows, weight_bits, input_bits):
    nest = matmul_nest(rows, reduction, features)
    cost = evaluate_layer(nest, fefet_1f1c_default(), weight_bits, input_bits)
    assert set(cost.energy_breakdown_J) == {"cell_charge", "sense_precharge", "drivers", "adc",
                                            "shift_add", "buffer", "dram"}
    assert cost.energy_J == pytest.approx(sum(cost.energy_breakdown_J.values()))
    assert 0 < cost.utilization <= 1


def test_two_bit_macro_tops_per_watt_printed():
    config = fefet_1f1c_default()
    for adc_bits in (5, 8):
        for input_bits in (1, 2):
            efficiency = tops_per_watt(fefet_parts(replace(config, adc_bits=adc_bits), CHIP), input_bits=input_bits)
            print(f"2-bit cells, {adc_bits}-bit ADC, {input_bits}-bit inputs: {efficiency:.1f} TOPS/W "
                  f"(published {PUBLISHED_TOPS_PER_W})")
            assert 10 < efficiency < 10_000


def test_search_workload_against_the_gpu_printed():
    patterns, bits, queries = 1024, 512, 10_000
    ours = evaluate_search(patterns, bits, queries, fefet_1f1c_default(), CHIP)
    gpu = NVIDIA_A100.search_cost(patterns, bits, queries)
    fefet_on_chip_J = ours.energy_J - ours.energy_breakdown_J["dram"]
    gpu_on_chip_J = gpu.energy_J - gpu.energy_breakdown_J["dram"]
    print(f"search N={patterns} D={bits} Q={queries}: "
          f"FeFET {ours.energy_J * 1e6:.1f} uJ {ours.latency_s * 1e6:.1f} us; "
          f"{NVIDIA_A100.name} {gpu.energy_J * 1e6:.1f} uJ {gpu.latency_s * 1e6:.1f} us; "
          f"latency ratio {gpu.latency_s / ours.latency_s:.2f}x, "
          f"energy ratio {gpu.energy_J / ours.energy_J:.0f}x, "
          f"without DRAM {gpu_on_chip_J / fefet_on_chip_J:.0f}x (paper: > 2x, ~1000x)")
    assert gpu.energy_J > ours.energy_J
    assert ours.energy_J == pytest.approx(sum(ours.energy_breakdown_J.values()))
