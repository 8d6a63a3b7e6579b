"""The FeFET device in ngspice (HfZrO2 Preisach film on the PTM 45 nm BSIM4 NMOS): every figure is
measured on simulated waveforms and checked against the physical or published range.

One `codesign spice cell --json --plot` run (7 netlists on both cores) is shared by the module's tests.
"""

import json

import numpy
import pytest

from codesign.cli import main
from codesign.cosim.fefet_characterize import count_distinguishable
from codesign.cosim.fefet_device import subthreshold_swing

SIGMA_V = 0.05  # arch_specs/fefet_1f1c.yaml vth_sigma_V
KEYS = ("subthreshold_swing_mV_per_decade", "remanent_polarization_C_per_m2", "coercive_field_V_per_m",
        "memory_window_V", "on_off_ratio", "write_voltage_V", "write_pulse_s", "distinguishable_states",
        "states", "device")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cell")
    assert main(["spice", "cell", "--json", str(directory / "cell.json"), "--plot", str(directory)]) == 0
    return json.loads((directory / "cell.json").read_text()), directory


@pytest.fixture(scope="module")
def report(run):
    return run[0]


def test_film_loop_has_hzo_remanence_and_coercive_field(report):
    assert 0.10 <= report["remanent_polarization_C_per_m2"] <= 0.30  # 10-30 uC/cm^2
    assert 0.8e8 <= report["coercive_field_V_per_m"] <= 1.6e8  # ~1-1.5 MV/cm
    # a loop, not a line: both branches reach the remanent polarization
    polarization = numpy.array(report["pv_loop"]["polarization_C_per_m2"])
    assert polarization.max() > 0.9 * report["remanent_polarization_C_per_m2"] > 0
    assert polarization.min() < -0.9 * report["remanent_polarization_C_per_m2"]


def test_subthreshold_swing_is_measured_and_physical(report):
    assert all(60 < state["subthreshold_swing_mV_per_decade"] < 120 for state in report["states"])
    assert 60 < report["subthreshold_swing_mV_per_decade"] < 120
    # the fit reads the curve: the same currents over half the gate voltage give half the swing
    state = report["states"][1]
    gate, drain = numpy.array(state["id_vg"]["gate_V"]), numpy.array(state["id_vg"]["drain_A"])
    swing = subthreshold_swing(gate, drain, report["vth_criterion_A"])
    assert swing * 1e3 == pytest.approx(state["subthreshold_swing_mV_per_decade"], rel=1e-9)
    assert subthreshold_swing(gate / 2, drain, report["vth_criterion_A"]) == pytest.approx(swing / 2, rel=1e-9)


def test_memory_window_and_on_off_ratio(report):
    assert 0.5 <= report["memory_window_V"] <= 2.0
    thresholds = [state["vth_first_read_V"] for state in report["states"]]
    assert report["memory_window_V"] == pytest.approx(thresholds[-1] - thresholds[0])
    assert report["on_off_ratio"] > 1e4


def test_four_distinguishable_states_monotone_in_program_amplitude(report):
    programmed = sorted((point["program_V"], point["vth_V"]) for point in report["program_sweep"]
                        if point["program_V"] is not None)
    assert len(programmed) >= 5
    assert numpy.all(numpy.diff([vth for _, vth in programmed]) < 0)  # higher pulses switch more grains
    erased = next(point["vth_V"] for point in report["program_sweep"] if point["program_V"] is None)
    assert erased > programmed[0][1]
    cell_thresholds = [state["vth_first_read_V"] for state in report["states"]]
    assert count_distinguishable(cell_thresholds, SIGMA_V) == 4
    assert report["distinguishable_states"] >= 4
    assert count_distinguishable(cell_thresholds, sigma_V=1.0) == 1  # the criterion can fail


def test_reads_are_non_destructive(report):
    for state in report["states"]:
        assert state["vth_second_read_V"] == pytest.approx(state["vth_first_read_V"], abs=0.4 * SIGMA_V)


def test_spice_cell_json_and_plots(run):
    report, directory = run
    assert all(key in report for key in KEYS)
    assert len(report["states"]) == 4
    assert report["device"]["sources"]["film.coercive_field_V_per_m"]
    for chart in ("fefet_id_vg", "fefet_pv_loop"):
        assert (directory / f"{chart}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (directory / f"{chart}.pdf").read_bytes()[:4] == b"%PDF"
