"""The ngspice runner: real simulations in child processes, time limits, one-line failures."""

import math
import time

import pytest

from codesign.cosim.ngspice import run_limits, run_netlist, run_netlists
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


# a latch with no consistent state once `in` rises at 0.5 ns: ngspice gives up at that time
NO_CONVERGENCE = """flipping latch
V1 in 0 PULSE(0 1 0.5n 1p 1p 1n 2n)
B1 out 0 V = (v(in) > 0.5) ? (v(out) > 0.5 ? 0 : 1) : 0
C1 out 0 1p
.tran 1p 1n
.end
"""


def test_a_non_converging_netlist_is_one_line_with_ngspice_s_own_message():
    with pytest.raises(CodesignError) as caught:
        run_netlists([RC, NO_CONVERGENCE, RC], "latch", workers=1)
    assert str(caught.value) == ('latch (run 1): transient analysis failed: no convergence (TRAN: Timestep too '
                                 'small; time = 5.005e-10, timestep = 1.25e-24: trouble with node "out")')


def test_ngspice_s_reason_is_picked_from_its_stderr():
    from codesign.cosim.ngspice import ngspice_message

    assert ngspice_message(["Warning: x", "doAnalyses: TRAN:  Timestep too small; time = 1e-9", "aborted"]) \
        == "TRAN: Timestep too small; time = 1e-9"
    assert ngspice_message(["Error: Transient op failed", "run simulation(s) aborted"]) == "Error: Transient op failed"
    assert ngspice_message([]) == "ngspice gave no reason"


def test_one_worker_runs_netlists_in_turn_without_leftovers():
    netlists = [RC.replace("R1 a b 1k", f"R1 a b {resistance}") for resistance in ("1k", "4k", "1k")]
    first, other, again = (waves["b"][-1] for waves in run_netlists(netlists, "rc", workers=1))
    assert first == again != other


def test_the_command_limit_overrides_the_caller_s():
    long_run = RC.replace(".tran 1u 500u", ".tran 1p 1")
    with run_limits(netlist_s=0.3), pytest.raises(CodesignError, match="within 0.3 s"):
        run_netlist(long_run, "slow rc", time_limit_s=60)


def test_the_overall_limit_stops_launching_and_kills_running_netlists():
    long_run = RC.replace(".tran 1u 500u", ".tran 1p 1")
    started = time.monotonic()
    with run_limits(total_s=0.5), pytest.raises(CodesignError) as caught:
        run_netlists([RC, RC, long_run, long_run, RC], "batch")
    assert time.monotonic() - started < 3
    assert "batch: stopped at the overall time limit of 0.5 s (--total-time-limit) with 2 of 5 netlists done" \
        in str(caught.value)


@pytest.mark.parametrize("value", [0.0, -1.0, math.nan, math.inf])
def test_bad_limits_are_one_line_errors(value):
    with pytest.raises(CodesignError, match="--time-limit must be a positive number of seconds"):
        with run_limits(netlist_s=value):
            pass
    with pytest.raises(CodesignError, match="--total-time-limit must be a positive number of seconds"):
        with run_limits(total_s=value):
            pass
