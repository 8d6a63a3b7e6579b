"""The crossbar column as specified: the spec's SAR converter and its bits, IR drop that grows
with the rows, bad input in one line."""

import pytest

from codesign.arch.catalog import load_arch
from codesign.cosim.crossbar_column import ColumnRead, column_netlist, simulate_column_reads
from codesign.cosim.crossbar_energy import column_levels
from codesign.cost.crossbar import required_adc_bits
from codesign.errors import CodesignError
from tests.unit.test_bad_input import assert_one_line_error, run

HEIGHTS = (8, 32, 128)


@pytest.fixture(scope="module")
def config():
    return load_arch("crossbar").compute


@pytest.fixture(scope="module")
def full_reads(config):
    """Every row driven, at each height: {rows: measurement}."""
    reads = [ColumnRead(column_levels(rows, config.cell_bits), (1,) * rows) for rows in HEIGHTS]
    return dict(zip(HEIGHTS, simulate_column_reads(config, reads)))


def test_the_converter_has_the_specs_bits_and_converts_as_many_as_the_model(config, full_reads):
    netlist = column_netlist(config, ColumnRead((1,) * 8, (1,) * 8))
    dac_capacitors = [line for line in netlist.splitlines() if line.startswith("Cbot") and not line.startswith("Cbotd")]
    assert config.adc_bits == 8 and len(dac_capacitors) == config.adc_bits
    for rows, result in full_reads.items():
        assert result.adc_bits == min(config.adc_bits, required_adc_bits(rows, config.cell_bits, 1))
    assert [full_reads[rows].adc_bits for rows in HEIGHTS] == [5, 7, 8]  # 128 rows would need 9: capped


def test_ir_drop_is_measurable_and_grows_with_rows(full_reads):
    errors = [1 - full_reads[rows].column_current_A / full_reads[rows].ideal_current_A for rows in HEIGHTS]
    assert errors[0] > 0.01
    assert errors[0] < errors[1] < errors[2] < 0.15


def test_resolution_out_of_the_specs_range_is_refused(config):
    read = ColumnRead((1,) * 8, (1,) * 8)
    with pytest.raises(CodesignError, match="ADC bits must be between 1 and the spec's adc_bits=8"):
        simulate_column_reads(config, [read], adc_bits=9)


def test_rows_out_of_range_is_one_line(capsys):
    assert_one_line_error(*run(capsys, "spice", "crossbar", "--rows", "129")[::2],
                          "--rows must be between 1 and the crossbar's rows=128 (got 129)")
