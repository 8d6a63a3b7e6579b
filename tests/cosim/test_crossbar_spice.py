"""A crossbar column in ngspice (codesign.cosim.crossbar_column): physics, ADC transfer, energy.

All reads of both column heights run once, two at a time (module fixture); the checks then look
at the measurements. The spec is the ISAAC-like crossbar (2-bit cells, 100 ns read, 8-bit 1.28 GS/s
ADC); the column has wire resistance, so its current sits a few percent below V*sum(G*x).
"""

from itertools import pairwise
from math import ceil

import numpy
import pytest

from codesign.arch.catalog import load_arch
from codesign.cosim.crossbar_column import ColumnDevices, ColumnRead, column_adc_bits, simulate_column_reads
from codesign.cosim.crossbar_energy import energy_by_component
from codesign.errors import CodesignError

HEIGHTS = (8, 16)
RANDOM_READS = 6
DEVICES = ColumnDevices()


def _prefix_sweep(rows: int) -> list[ColumnRead]:
    """First k rows driven, k = 0..rows: every step adds one cell's current."""
    levels = tuple((3, 1, 2, 0)[row % 4] for row in range(rows))
    return [ColumnRead(levels, tuple(int(row < active) for row in range(rows))) for active in range(rows + 1)]


def _random_reads(rows: int) -> list[ColumnRead]:
    generator = numpy.random.default_rng(rows)
    return [ColumnRead(tuple(int(v) for v in generator.integers(0, 4, rows)),
                       tuple(int(v) for v in generator.integers(0, 2, rows))) for _ in range(RANDOM_READS)]


@pytest.fixture(scope="module")
def config():
    return load_arch("crossbar").compute


@pytest.fixture(scope="module")
def measured(config):
    """{rows: (sweep reads and measurements, random reads and measurements)}"""
    batches = {rows: (_prefix_sweep(rows), _random_reads(rows)) for rows in HEIGHTS}
    everything = [read for sweep, extra in batches.values() for read in sweep + extra]
    results = iter(simulate_column_reads(config, everything))
    return {rows: (list(zip(sweep, results)), list(zip(extra, results))) for rows, (sweep, extra) in batches.items()}


def _all(measured, rows):
    sweep, extra = measured[rows]
    return sweep + extra


def _lsb_A(config) -> float:
    return DEVICES.read_V * (1 / DEVICES.on_ohm - 1 / DEVICES.off_ohm) / (2**config.cell_bits - 1)


@pytest.mark.parametrize("rows", HEIGHTS)
def test_column_current_is_v_sum_gx_less_a_few_percent_of_ir_drop(measured, rows):
    for read, result in _all(measured, rows):
        if sum(read.inputs) == 0:
            assert abs(result.column_current_A) < 1e-9
        else:
            assert 0.01 < 1 - result.column_current_A / result.ideal_current_A < 0.10


@pytest.mark.parametrize("rows", HEIGHTS)
def test_adc_code_is_monotone_and_within_one_lsb_unless_ir_drop_says_more(measured, config, rows):
    pairs = sorted(_all(measured, rows), key=lambda pair: pair[1].ideal_current_A)
    codes = [result.code for _, result in pairs]
    assert codes == sorted(codes)
    assert codes[-1] > codes[0]  # the sweep spans the range, not one code
    for _, result in pairs:
        assert result.adc_bits == column_adc_bits(config, rows)
        assert abs(result.code - result.column_current_A / _lsb_A(config)) <= 1  # the converter itself
        drop_lsb = (result.ideal_current_A - result.column_current_A) / _lsb_A(config)
        allowed = 1 if drop_lsb < 0.5 else 1 + ceil(drop_lsb)  # IR drop predicts the rest
        assert abs(result.code - result.ideal_code) <= allowed


@pytest.mark.parametrize("rows", HEIGHTS)
def test_energy_per_read_grows_with_active_rows(measured, rows):
    sweep, _ = measured[rows]
    drivers = [result.energies_J["drivers"] for _, result in sweep]
    totals = [result.energies_J["drivers"] + result.energies_J["amplifier"] + result.energies_J["comparator"]
              + result.energies_J["dac_reference"] for _, result in sweep]
    assert drivers[0] == 0.0
    assert all(later > earlier for earlier, later in pairwise(drivers))
    assert all(later > earlier for earlier, later in pairwise(totals))


def test_settles_within_the_read_and_the_sense_amplifier_is_in_the_compared_total(measured, config):
    read, result = measured[16][0][-1]  # all 16 rows driven
    assert 0 < result.settling_s < config.array_read_time_s / 10
    energy = energy_by_component(load_arch("crossbar"), read, result)
    assert set(energy) == {"word_lines", "cells", "sense_amplifier", "adc", "total"}
    parts = [value for key, value in energy.items() if key != "total"]
    for side in ("spice", "model"):
        assert energy["total"][side] == pytest.approx(sum(part[side] for part in parts))
    assert energy["sense_amplifier"]["spice"] == pytest.approx(result.energies_J["amplifier"])
    assert energy["sense_amplifier"]["spice"] > energy["adc"]["spice"] > 0  # the TIA dominates the conversion
    assert energy["sense_amplifier"]["model"] == 0.0  # the analytical model has no term for it


def test_an_overlong_run_is_a_codesign_error_naming_the_circuit(config):
    read = _prefix_sweep(8)[-1]
    with pytest.raises(CodesignError, match="crossbar column N=8"):
        simulate_column_reads(config, [read], time_limit_s=0.01)
