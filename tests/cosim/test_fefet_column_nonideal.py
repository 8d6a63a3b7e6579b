"""The non-ideal 1FeFET-1C column (PTM 45 nm FeFETs and switches, bit line, mismatch): measured INL/DNL.

Real ngspice runs; the draws are seeded, so each check sees the same netlists every time.
"""

import pytest

from codesign.arch import load_arch
from codesign.cosim.column_parasitics import ColumnNonIdealities, draw_column
from codesign.cosim.fefet_column import (
    analytical_sense_V,
    column_netlist,
    drawn_case,
    simulate_columns,
    transfer_cases,
)
from codesign.cosim.fefet_search import analytical_match_V, search_sweep
from codesign.cosim.linearity import linearity
from codesign.cosim.reports import fefet_column_report
from codesign.errors import CodesignError

ARCH = load_arch("fefet_1f1c")


def column_config(rows):
    return ARCH.compute.model_copy(update={"rows": rows})


def test_default_column_at_16_cells_has_a_measured_sub_lsb_inl_and_dnl():
    report = fefet_column_report(ARCH, 16, 0, 0)
    assert [point["sum"] for point in report["transfer"]] == list(range(17))
    assert 0.001 < report["inl_lsb"] < 1 and 0.001 < report["dnl_lsb"] < 1
    assert report["offset_error_lsb"] != 0 and report["gain_error"] != 0
    energy = report["energy_per_cycle_J"]
    assert all(energy[f"spice_{clock}_not_in_model"] > 0 for clock in ("reset_clock", "word_line", "share_clock"))
    assert report["model_leaves_out"] and report["linearity_line"] == "endpoint"


def test_a_larger_capacitor_mismatch_gives_a_larger_inl():
    config = column_config(8)
    sums = list(range(9))

    def inl(relative_sigma_at_1fF):
        nonideal = ColumnNonIdealities.from_config(config, seed=1, vth_sigma_V=0.0,
                                                   capacitor_mismatch_coefficient=relative_sigma_at_1fF * 1e-15**0.5)
        results = simulate_columns(config, transfer_cases(config, draw_column(nonideal, config, 8), sums),
                                   "mismatch", nonideal=nonideal)
        return linearity(sums, [result.sense_V for result in results], analytical_sense_V(config, 1)).inl_lsb

    assert inl(0.2) > 2 * inl(0.005)


def test_switch_charge_injection_pulls_an_idle_column_below_ground():
    config = column_config(8)
    result, = simulate_columns(config, [([1] * 8, [0] * 8)], "idle column")
    # an NMOS switch that opens leaves part of its electron channel on the node: negative charge
    assert -analytical_sense_V(config, 1) < result.sense_V < -1e-3
    assert all(voltage < -1e-3 for voltage in result.cell_V)  # the reset switches did it to the cells


def test_a_seed_gives_one_netlist():
    config = column_config(8)

    def netlist(seed):
        nonideal = ColumnNonIdealities.from_config(config, seed=seed)
        draw = draw_column(nonideal, config, 8)
        return column_netlist(config, *drawn_case(config, draw, [1, 0] * 4, [1] * 8), nonideal=nonideal)

    assert netlist(4) == netlist(4) and netlist(4) != netlist(5)


def test_search_column_is_off_the_ideal_model_but_keeps_distances_ordered():
    config = ARCH.compute
    sweep = search_sweep(config, 4, list(range(5)), seed=2)
    voltages = [voltage for _, voltage in sweep]
    assert voltages == sorted(voltages)
    errors = [abs(voltage - analytical_match_V(config, 4, distance)) for distance, voltage in sweep]
    assert min(errors) > 1e-6 and max(errors) < analytical_match_V(config, 4, 1)  # off, by under 1 LSB


def test_linearity_of_a_known_curve():
    # steps 1, 1.2, 0.8 of an ideal 1 V LSB: the endpoint line has a 1 V step
    result = linearity([0, 1, 2, 3], [0.5, 1.5, 2.7, 3.5], 1.0)
    assert result.dnl_lsb == pytest.approx(0.2) and result.inl_lsb == pytest.approx(0.2)
    assert result.offset_error_lsb == pytest.approx(0.5) and result.gain_error == pytest.approx(0.0)
    with pytest.raises(CodesignError, match="does not rise"):
        linearity([0, 1], [1.0, 0.5], 1.0)


@pytest.mark.parametrize("override, message", [
    ({"clock_edge_s": 0.0}, "clock_edge_s must be a finite number > 0"),
    ({"vth_sigma_V": -0.01}, "vth_sigma_V must be a finite number >= 0"),
    ({"bit_line_ohms": 1.0}, "no parameter bit_line_ohms"),
])
def test_bad_non_ideality_is_a_one_line_error(override, message):
    with pytest.raises(CodesignError, match=message) as error:
        ColumnNonIdealities.from_config(column_config(8), **override)
    assert "\n" not in str(error.value)
