"""A crossbar column in ngspice (codesign.cosim.crossbar_column): physics, ADC transfer, energy.

All reads of both column heights run once, two at a time (module fixture); the checks then look
at the measurements. The spec is the ISAAC-like crossbar (2-bit cells, 100 ns read, 1.28 GS/s ADC).
"""

from itertools import pairwise

import numpy
import pytest

from codesign.arch.catalog import load_arch
from codesign.cosim.crossbar_column import (
    ColumnRead,
    column_adc_bits,
    compare_with_analytical,
    simulate_column_reads,
)
from codesign.cost.crossbar import crossbar_energies
from codesign.cost.in_memory import cim_chip
from codesign.errors import CodesignError

HEIGHTS = (8, 16)
RANDOM_READS = 6


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


@pytest.mark.parametrize("rows", HEIGHTS)
def test_column_current_is_read_voltage_times_sum_of_conductances(measured, rows):
    for read, result in _all(measured, rows):
        if sum(read.inputs) == 0:
            assert abs(result.column_current_A) < 1e-9
        else:
            assert result.column_current_A == pytest.approx(result.ideal_current_A, rel=0.01)


@pytest.mark.parametrize("rows", HEIGHTS)
def test_adc_code_is_monotone_and_within_one_lsb(measured, config, rows):
    pairs = sorted(_all(measured, rows), key=lambda pair: pair[1].ideal_current_A)
    codes = [result.code for _, result in pairs]
    assert codes == sorted(codes)
    assert all(abs(result.code - result.ideal_code) <= 1 for _, result in pairs)
    assert all(result.adc_bits == column_adc_bits(config, rows) for _, result in pairs)
    assert codes[-1] > codes[0]  # the sweep spans the range, not one code


@pytest.mark.parametrize("rows", HEIGHTS)
def test_energy_per_read_grows_with_active_rows(measured, rows):
    sweep, _ = measured[rows]
    drivers = [result.energies_J["drivers"] for _, result in sweep]
    totals = [sum(value for key, value in result.energies_J.items() if key not in ("cells", "word_lines"))
              for _, result in sweep]
    assert drivers[0] == 0.0
    assert all(later > earlier for earlier, later in pairwise(drivers))
    assert all(later > earlier for earlier, later in pairwise(totals))


def test_settles_well_within_the_read_and_ratios_to_the_analytical_model_are_finite(measured, config):
    read, result = measured[16][0][-1]  # all 16 rows driven
    assert 0 < result.settling_s < config.array_read_time_s / 10
    ratios = compare_with_analytical(crossbar_energies(config, cim_chip(load_arch("crossbar"))), read, result)
    assert set(ratios) == {"cell_read", "row_drive", "adc_conversion", "adc_with_amplifier"}
    assert all(0 < ratio < float("inf") for ratio in ratios.values())


def test_an_overlong_run_is_a_codesign_error_naming_the_circuit(config):
    read = _prefix_sweep(8)[-1]
    with pytest.raises(CodesignError, match="crossbar column N=8"):
        simulate_column_reads(config, [read], time_limit_s=0.01)
