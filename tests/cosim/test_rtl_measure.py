"""Gate-level measurements (codesign/cosim/rtl/measure.py): yosys netlists simulated on Icarus and
Verilator, every result checked against the golden models, toggles turned into energy."""

import pytest

from codesign.cosim.rtl.designs import design_named
from codesign.cosim.rtl.measure import measure
from codesign.cosim.rtl.synth import synthesize
from codesign.cosim.rtl.trace import RtlOptions
from codesign.errors import CodesignError

OPERATIONS = 300


def per_operation(name, simulator="icarus", **options):
    return measure(design_named(name), RtlOptions(**options), simulator, OPERATIONS)


def test_an_8_bit_mac_costs_what_a_45nm_mac_should_within_a_factor_of_ten():
    result = per_operation("mac", bits=8)
    assert result.cycle_figures["cycles_per_operation"] == 1.0
    # Horowitz (ISSCC 2014), 45 nm: an 8-bit multiply 0.2 pJ plus a 24-bit add ~0.08 pJ
    assert 0.03e-12 < result.energy_per_operation_J < 3e-12
    assert 100e-12 < result.area_m2 < 5000e-12  # hundreds of um^2 of 45 nm cells
    assert result.cell_counts["DFF_X1"] == 2 * 8 + 8 + 1  # the accumulator and out_valid


def test_fewer_operand_bits_never_cost_more_energy_or_area():
    narrow, wide = per_operation("mac", bits=4), per_operation("mac", bits=8)
    assert narrow.energy_per_operation_J < wide.energy_per_operation_J
    assert narrow.area_m2 < wide.area_m2


def test_a_precision_scalable_unit_does_more_cheaper_products_at_fewer_bits():
    two, eight = per_operation("scalable-mac", bits=2), per_operation("scalable-mac", bits=8)
    assert two.cycle_figures["products_per_cycle"] == 16 and eight.cycle_figures["products_per_cycle"] == 1
    assert two.area_m2 == eight.area_m2  # one unit, two modes
    assert two.energy_per_operation_J < eight.energy_per_operation_J / 4


def test_a_bit_serial_mac_takes_one_cycle_per_input_bit():
    assert per_operation("bitserial-mac", bits=4).cycle_figures["cycles_per_operation"] == 4
    assert per_operation("bitserial-mac", bits=8).cycle_figures["cycles_per_operation"] == 8


def test_icarus_and_verilator_see_the_same_toggles():
    icarus, verilator = per_operation("synapse", "icarus", bits=8), per_operation("synapse", "verilator", bits=8)
    assert icarus.toggles == verilator.toggles > 0
    assert icarus.energy_J == pytest.approx(verilator.energy_J, rel=1e-12)


def test_a_wrong_golden_model_fails_the_gate_level_check(monkeypatch):
    monkeypatch.setenv("CODESIGN_RTL_PLANTED_BUG", "1")  # the golden MAC wraps where the RTL saturates
    with pytest.raises(CodesignError, match="disagrees with the golden model"):
        per_operation("mac", bits=8, accumulator_bits=16)


def test_a_verilog_error_names_the_file_and_yosys_message(tmp_path):
    broken = tmp_path / "broken.v"
    broken.write_text("module broken(input a, output b);\n  assign b = a +;\nendmodule\n")
    with pytest.raises(CodesignError, match=r"yosys failed: .*broken\.v.*") as error:
        synthesize([str(broken)], "broken", {}, tmp_path / "work")
    assert "\n" not in str(error.value)


def test_unsupported_widths_name_the_supported_range():
    with pytest.raises(CodesignError, match="supported: 2 to 16"):
        per_operation("mac", bits=17)
