"""The ngspice runner: real simulations in child processes, time limits, one-line failures."""

import math

import pytest

from codesign.cosim.ngspice import run_netlist, run_netlists
from codesign.errors import CodesignError

RC = """rc step
V1 a 0 PULSE(0 1 0 1n 1n 1 2)
R1 a b 1k
C1 b 0 100n
.tran 1u 500u
.end
"""


def test_rc_step_matches_the_exponential():
    waves = run_netlist(RC, "rc step")
    tau = 100e-6
    index = abs(waves.time - tau).argmin()
    assert waves["b"][index] == pytest.approx(1 - math.exp(-1), abs=0.01)


def test_parallel_runs_keep_their_order():
    netlists = [RC.replace("R1 a b 1k", f"R1 a b {resistance}") for resistance in ("1k", "2k", "4k")]
    finals = [waves["b"][abs(waves.time - 100e-6).argmin()] for waves in run_netlists(netlists, "rc sweep")]
    assert finals[0] > finals[1] > finals[2]


def test_a_broken_netlist_is_one_line_naming_the_circuit():
    broken = RC.replace("C1 b 0 100n", "D1 b 0 no_such_model")
    with pytest.raises(CodesignError, match="^broken rc: transient analysis failed"):
        run_netlist(broken, "broken rc")


def test_a_run_past_its_time_limit_is_stopped():
    long_run = RC.replace(".tran 1u 500u", ".tran 1p 1")
    with pytest.raises(CodesignError, match="did not finish the transient analysis within 0.5 s"):
        run_netlist(long_run, "slow rc", time_limit_s=0.5)


def test_a_missing_vector_is_named():
    with pytest.raises(CodesignError, match="no vector 'nowhere'"):
        run_netlist(RC, "rc step")["nowhere"]
