"""FeFET cell and 1FeFET-1C column in ngspice: written states, charge sharing, MAC, Monte Carlo, failures.

Every check is a real ngspice run (no skips: CI installs ngspice); the whole file takes seconds.
"""

import numpy
import pytest

from codesign.arch import load_arch
from codesign.cosim.fefet_column import (
    analytical_sense_V,
    column_netlist,
    monte_carlo,
    nominal_thresholds,
    simulate_columns,
)
from codesign.cosim.fefet_device import FefetParams, pv_loop, written_states
from codesign.cosim.ngspice import run_netlist
from codesign.errors import CodesignError

RUNAWAY = """runaway cell
B1 0 x I=1e-3*exp(100*V(x))
C1 x 0 1p
R1 x 0 1k
.tran 1n 100n
.end
"""


def column_config(rows):
    return load_arch("fefet_1f1c").compute.model_copy(update={"rows": rows})


def test_pulses_write_four_distinct_vth_states_that_reads_do_not_disturb():
    states = written_states(FefetParams(), read_sweeps=2)
    first_reads = [reads[0] for reads in states]
    assert numpy.all(numpy.diff(first_reads) > 0.2)  # erase/program levels are >200 mV apart, ascending
    assert 0.8 < first_reads[-1] - first_reads[0] < 1.3  # the ~1 V memory window of the config
    for first, second in states:
        assert second == pytest.approx(first, abs=3e-3)  # a second read sees the same state


def test_polarization_loop_is_hysteretic_with_remanence():
    gate_V, polarization = pv_loop(FefetParams())
    at_zero = numpy.abs(gate_V) < 0.05
    remanent = polarization[at_zero]
    assert remanent.max() > 0.8 * FefetParams().remanent_polarization_C_per_m2
    assert remanent.min() < -0.8 * FefetParams().remanent_polarization_C_per_m2


def test_charge_sharing_gives_sum_cv_over_sum_c():
    config = column_config(4)
    capacitances = [1e-15, 2e-15, 3e-15, 4e-15]
    result, = simulate_columns(config, [([1, 0, 1, 1], [1, 1, 0, 1], None, capacitances)], "charge share")
    assert result.cell_V[0] == pytest.approx(config.read_V, rel=1e-3)  # weight 1, input 1: charged
    assert result.cell_V[1] < 1e-3 and result.cell_V[2] < 1e-3  # weight 0 or input 0: empty
    shared = numpy.dot(capacitances, result.cell_V) / (config.sense_capacitance_F + sum(capacitances))
    assert result.sense_V == pytest.approx(shared, rel=0.01)


def test_column_output_is_monotone_in_the_weighted_sum_and_matches_the_model():
    config = column_config(16)
    sums = list(range(0, 17, 2))
    cases = [([1] * total + [0] * (16 - total), [1] * 16) for total in sums]
    results = simulate_columns(config, cases, "column N=16")
    outputs = numpy.array([result.sense_V for result in results])
    assert numpy.all(numpy.diff(outputs) > 0)
    expected = numpy.array([analytical_sense_V(config, total) for total in sums])
    assert outputs == pytest.approx(expected, abs=1e-3 * config.read_V)
    # the read rail delivers Q * V_read: 16 input lines plus the charged cells
    for total, result in zip(sums, results):
        drawn = (16 * config.line_capacitance_per_cell_F + total * config.capacitor_F) * config.read_V**2
        assert result.energy_J == pytest.approx(drawn, rel=0.01)


def test_monte_carlo_with_zero_sigma_reproduces_the_nominal_output_exactly():
    config = column_config(8)
    weights, inputs = [1, 0, 1, 1, 0, 1, 0, 1], [1, 1, 0, 1, 1, 1, 0, 1]
    nominal, = simulate_columns(config, [(weights, inputs, nominal_thresholds(config, weights))], "nominal")
    outputs, sums = monte_carlo(config, weights, inputs, runs=3, seed=7, sigma_V=0.0)
    assert list(outputs) == [nominal.sense_V] * 3
    assert list(sums) == [int(numpy.dot(weights, inputs))] * 3


def test_monte_carlo_is_seeded():
    config = column_config(8)
    weights, inputs = [1] * 8, [1] * 8
    first, _ = monte_carlo(config, weights, inputs, runs=2, seed=3, sigma_V=0.1)
    again, _ = monte_carlo(config, weights, inputs, runs=2, seed=3, sigma_V=0.1)
    assert list(first) == list(again) and first[0] != first[1]


def test_a_column_past_its_time_limit_is_an_error_naming_it():
    config = column_config(64)
    netlist = column_netlist(config, [1] * 64, [1] * 64)
    with pytest.raises(CodesignError, match="^fefet column N=64: ngspice did not finish"):
        run_netlist(netlist, "fefet column N=64", "transient", time_limit_s=0.01)


def test_a_cell_that_cannot_converge_is_an_error_naming_it():
    with pytest.raises(CodesignError, match="^runaway cell: transient analysis failed"):
        run_netlist(RUNAWAY, "runaway cell")
