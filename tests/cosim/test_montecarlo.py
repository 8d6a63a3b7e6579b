"""Monte Carlo in ngspice: importance sampling agrees with direct counting, the CLI's limits and verdicts."""

import numpy

from codesign.cosim.montecarlo import estimate_error_rate
from codesign.cosim.ngspice import run_netlists
from tests.unit.test_bad_input import assert_one_line_error, run

CELLS, WORD_LINE_V, VTH_V = 8, 1.0, 0.5


def _column(thresholds_V) -> str:
    """A small charge-domain column: each ON cell's NMOS source-follows the word line onto its 1 fF
    (V_cell = V_WL - Vth: linear in the Vth offset), then the cells share onto a 4 fF sense node."""
    lines = ["mc column", f"Vwl wl 0 PULSE(0 {WORD_LINE_V} 10p 10p 10p 1.5n 10n)", "Vrd rd 0 DC 0.8",
             "Vshr shr 0 PULSE(0 1 1.8n 10p 10p 1n 10n)", "Csense sense 0 4f",
             ".model sw1 sw vt=0.5 vh=0.1 ron=1k roff=1e14"]
    for index, threshold in enumerate(thresholds_V):
        lines += [f"M{index} rd wl c{index} 0 n{index} W=1u L=100n",
                  f".model n{index} nmos level=1 vto={threshold:.6f} kp=500u", f"C{index} c{index} 0 1f",
                  f"S{index} c{index} sense shr 0 sw1"]
    return "\n".join(lines + [".tran 10p 3n", ".end"]) + "\n"


def _simulate(offsets_V: numpy.ndarray) -> list[float]:
    on = numpy.array([VTH_V] * 4 + [2.0] * 4)  # 4 ON cells, 4 OFF (far above the word line)
    netlists = [_column(on + row) for row in offsets_V]
    return [waves["sense"][-1] for waves in run_netlists(netlists, "mc column")]


def test_importance_sampling_agrees_with_direct_counting_on_a_real_column():
    # nominal levels of 3, 4 and 5 ON cells: cell 3 raised to OFF, none moved, cell 4 lowered to ON
    moves = numpy.zeros((3, CELLS))
    moves[0, 3], moves[2, 4] = 2.0 - VTH_V, VTH_V - 2.0
    levels = _simulate(moves)
    assert levels[0] < levels[1] < levels[2]
    sigma, predicted = 0.05, 0.01
    direct = estimate_error_rate(_simulate, CELLS, 400, sigma, levels, 1, predicted, "direct", seed=3)
    sampled = estimate_error_rate(_simulate, CELLS, 160, sigma, levels, 1, predicted, "importance", seed=4)
    assert direct.errors >= 2 and sampled.resolvable and sampled.errors >= 30
    (direct_low, direct_high), (low, high) = direct.confidence_interval_95, sampled.confidence_interval_95
    assert low <= direct_high and direct_low <= high  # the intervals overlap
    assert high - low < direct_high - direct_low  # and importance sampling's is the narrower, with fewer runs


def test_spice_commands_stop_at_the_user_s_time_limits(capsys):
    assert_one_line_error(*run(capsys, "spice", "column", "--rows", "8", "--time-limit", "0.01")[::2],
                          "ngspice did not finish the", "within 0.01 s (--time-limit)")
    assert_one_line_error(*run(capsys, "spice", "column", "--rows", "8", "--mc", "500",
                               "--total-time-limit", "1")[::2],
                          "stopped at the overall time limit of 1 s (--total-time-limit)")
    assert_one_line_error(*run(capsys, "spice", "crossbar", "--time-limit", "-2")[::2],
                          "--time-limit must be a positive number of seconds (got -2)")
    assert_one_line_error(*run(capsys, "calibrate", "fefet", "-o", "x.yaml", "--total-time-limit", "nan")[::2],
                          "--total-time-limit must be a positive number of seconds (got nan)")
