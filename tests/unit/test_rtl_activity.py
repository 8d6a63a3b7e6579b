"""Toggle counting from a VCD and the gate library's energy arithmetic (no simulators)."""

import pytest

from codesign.cosim.rtl.activity import count_toggles
from codesign.cosim.rtl.cells import CELLS, SUPPLY_V, cell_area_m2, clock_energy_J, toggle_energy_J
from codesign.cosim.rtl.calibrate import _least_squares

VCD = """$timescale 1ps $end
$scope module codesign_bench $end
$var reg 1 ! clk $end
$scope module dut $end
$var wire 1 " n1 $end
$var wire 3 # acc [2:0] $end
$upscope $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
x"
bxxx #
0!
$end
#5000
0"
b000 #
#10000
1"
b101 #
#15000
0"
b110 #
#20000
bx #
"""


def test_toggles_are_counted_per_bit_and_x_is_not_a_toggle(tmp_path):
    path = tmp_path / "run.vcd"
    path.write_text(VCD)
    toggles = count_toggles(path, "dut")
    # n1: x->0 (no), 0->1, 1->0: 2 toggles. acc: xxx->000 (no), 000->101 (bits 0, 2),
    # 101->110 (bits 0, 1), 110->xxx (no). Least significant bit first.
    assert toggles["n1"] == [2]
    assert toggles["acc"] == [2, 1, 1]
    assert "clk" not in toggles  # outside the dut scope


def test_short_vector_values_are_zero_extended(tmp_path):
    path = tmp_path / "run.vcd"
    path.write_text(VCD.replace("b101 #", "b1 #").replace("b110 #", "b10 #"))
    # 000 -> 001 (bit 0) -> 010 (bits 0, 1)
    assert count_toggles(path, "dut")["acc"] == [2, 1, 0]


def test_toggle_energy_is_half_c_v_squared_and_grows_with_load():
    nand = CELLS["$_NAND_"]
    assert toggle_energy_J("$_NAND_", 0.0, 45e-9) == pytest.approx(0.5 * nand.internal_F * SUPPLY_V ** 2)
    assert toggle_energy_J("$_NAND_", 2e-15, 45e-9) > toggle_energy_J("$_NAND_", 1e-15, 45e-9)
    # a smaller node switches less energy in less area
    assert toggle_energy_J("$_XOR_", 1e-15, 16e-9) < toggle_energy_J("$_XOR_", 1e-15, 45e-9)
    assert cell_area_m2("$_DFF_P_", 16e-9) < cell_area_m2("$_DFF_P_", 45e-9) == CELLS["$_DFF_P_"].area_m2
    assert clock_energy_J(45e-9) > 0


def test_least_squares_recovers_an_exact_fit_with_zero_uncertainty():
    columns = [[bits * bits, 2 * bits, accumulator, 1] for bits, accumulator in ((2, 12), (4, 16), (8, 24), (8, 32), (16, 40))]
    truth = (3e-15, 5e-15, 7e-15, 11e-15)
    values = [sum(c * t for c, t in zip(row, truth)) for row in columns]
    coefficients, fit = _least_squares(columns, values, ("a", "b", "d", "c"))
    assert [coefficients[name] for name in "abdc"] == pytest.approx(truth, rel=1e-6)
    assert fit["rms_relative_residual"] < 1e-9
    assert fit["a_standard_error"] < 1e-20


def test_the_command_line_names_every_design_and_only_those():
    from codesign.cosim.rtl.designs import DESIGN_NAMES, designs

    assert DESIGN_NAMES == tuple(designs())
