"""1FeFET-1C column in ngspice: charge sharing, MAC, Monte Carlo, failures (the device: test_fefet_device.py).

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


def test_charge_sharing_gives_sum_cv_over_sum_c():
    config = column_config(4)
    capacitances = [1e-15, 2e-15, 3e-15, 4e-15]
    result, = simulate_columns(config, [([1, 0, 1, 1], [1, 1, 0, 1], None, capacitances)], "charge share")
    # weight 1, input 1: charged, a little below V_read (the FeFET's body effect limits what it passes)
    assert 0.9 * config.read_V < result.cell_V[0] < config.read_V
    assert abs(result.cell_V[1]) < 0.06 and abs(result.cell_V[2]) < 0.03  # OFF (subthreshold) or undriven
    shared = numpy.dot(capacitances, result.cell_V) / (config.sense_capacitance_F + sum(capacitances))
    # the cell nodes' junctions and the bit line share charge too: within 10% of the capacitor formula
    assert result.sense_V == pytest.approx(shared, rel=0.1)


def test_column_output_is_monotone_in_the_weighted_sum_and_near_the_model():
    config = column_config(16)
    sums = list(range(0, 17, 4))
    cases = [([1] * total + [0] * (16 - total), [1] * 16) for total in sums]
    results = simulate_columns(config, cases, "column N=16")
    outputs = numpy.array([result.sense_V for result in results])
    assert numpy.all(numpy.diff(outputs) > 0)
    expected = numpy.array([analytical_sense_V(config, total) for total in sums])
    assert outputs == pytest.approx(expected, abs=analytical_sense_V(config, 1))  # within 1 LSB
    # the read rail delivers Q * V_read: the 16 input lines (more than their 0.3 fF: FeFET drain
    # junctions and overlaps), and per charged cell C_cell V_read^2 plus its node's junctions (< 0.7 fF)
    cell_J = config.capacitor_F * config.read_V**2
    assert results[0].energy_J > 16 * config.line_capacitance_per_cell_F * config.read_V**2
    for total, result in zip(sums[1:], results[1:]):
        assert 0.9 * cell_J < (result.energy_J - results[0].energy_J) / total < 1.7 * cell_J


def test_monte_carlo_with_zero_sigma_reads_every_run_back():
    config = column_config(8)
    weights, inputs = [1, 0, 1, 1, 0, 1, 0, 1], [1, 1, 0, 1, 1, 1, 0, 1]
    carlo = monte_carlo(config, weights, inputs, 3, 1e-5, seed=7, sigma_V=0.0)
    # the references: the nominal column at sums 3, 4 (this one) and 5; only capacitor mismatch moves the runs
    assert list(carlo.levels_V) == sorted(carlo.levels_V)
    assert carlo.outputs_V == pytest.approx([carlo.levels_V[1]] * 3, rel=0.02)
    assert carlo.estimate.errors == 0 and carlo.estimate.method == "direct"


def test_monte_carlo_is_seeded():
    config = column_config(8)
    weights, inputs = [1] * 8, [1] * 8
    first = monte_carlo(config, weights, inputs, 2, 1e-5, seed=3, sigma_V=0.1).outputs_V
    again = monte_carlo(config, weights, inputs, 2, 1e-5, seed=3, sigma_V=0.1).outputs_V
    assert list(first) == list(again) and first[0] != first[1]


def test_a_column_past_its_time_limit_is_an_error_naming_it():
    config = column_config(64)
    netlist = column_netlist(config, [1] * 64, [1] * 64)
    with pytest.raises(CodesignError, match="^fefet column N=64: ngspice did not finish"):
        run_netlist(netlist, "fefet column N=64", "transient", time_limit_s=0.01)


def test_a_cell_that_cannot_converge_is_an_error_naming_it():
    with pytest.raises(CodesignError, match="^runaway cell: transient analysis failed"):
        run_netlist(RUNAWAY, "runaway cell")
