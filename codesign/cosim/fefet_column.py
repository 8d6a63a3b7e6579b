"""A 1FeFET-1C column in ngspice: charge-domain MAC of binary weights and inputs (REFERENCES.md section 4).

Cell i: its input line in_i (driven from the read rail at V_read when x_i = 1, held at 0 otherwise,
loaded by this column's share of line capacitance) is the FeFET's drain; the FeFET's source is
the cell capacitor node cell_i. Phases, as in codesign/cost/fefet.py:
  precharge  reset switches ground every cell node and the sense node;
  charge     the word line (all FeFET gates) goes to V_WL midway between V_read + Vth_on and
             Vth_off: a low-Vth (weight 1) cell passes V_read onto C_cell, a high-Vth cell stays off;
             the word line falls before the input lines, so the cells keep their charge;
  share      share switches connect every cell node to the sense node:
             V_out = sum(C_i V_i) / (C_sense + sum C_i).
The FeFET here is a simplified two-state switch: a level-1 MOSFET whose threshold is the written Vth
(the config's lowest state for weight 1, highest for weight 0, plus any Monte Carlo offset), so
columns of 8-64 cells simulate in well under a second. fefet_device.py has the ferroelectric
gate stack that writes those states. Row drivers and reset/share switches are ideal switches.
Energy is what the read rail delivers (lines + cells: Q * V_read); a ground reset draws nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy

from codesign.arch.cim import FefetArrayConfig
from codesign.cosim.ngspice import Waveforms, run_netlists
from codesign.cost.fefet import sense_voltage_V

EDGE_S = 20e-12
FEFET_KP_A_PER_V2 = 500e-6  # a wide read FeFET: its on-resistance settles 1 fF in picoseconds


@dataclass(frozen=True)
class ColumnResult:
    sense_V: float  # V_out at the end of the share phase
    cell_V: numpy.ndarray  # each cell capacitor's voltage at the end of the charge phase
    energy_J: float  # drawn from the read rail (input lines and cells) over the cycle
    charge_settle_s: float  # from the start of the charge phase until every cell is within 1%
    share_settle_s: float  # from the start of the share phase until V_out is within 1%


def word_line_V(config: FefetArrayConfig) -> float:
    """Midway between what passes V_read through an ON cell and what keeps an OFF cell off."""
    return (config.vth_states_V[0] + config.read_V + config.vth_states_V[-1]) / 2


def nominal_thresholds(config: FefetArrayConfig, weights: Sequence[int]) -> numpy.ndarray:
    """Binary weights on the outermost states: weight 1 = lowest Vth (ON), 0 = highest Vth (OFF)."""
    return numpy.array([config.vth_states_V[0] if weight else config.vth_states_V[-1] for weight in weights])


def _phase_times(config: FefetArrayConfig) -> tuple[float, float, float]:
    charge_start = config.precharge_s
    share_start = charge_start + config.charge_s
    return charge_start, share_start, share_start + config.share_s


def _pulse(name: str, node: str, high_V: float, start_s: float, width_s: float) -> str:
    return f"V{name} {node} 0 PULSE(0 {high_V} {start_s:.6e} {EDGE_S} {EDGE_S} {width_s:.6e} 1)"


def column_netlist(config: FefetArrayConfig, weights: Sequence[int], inputs: Sequence[int],
                   thresholds_V: Sequence[float] | None = None,
                   cell_capacitances_F: Sequence[float] | None = None) -> str:
    """One compute cycle of a column of len(weights) cells (config.rows should equal it)."""
    thresholds = nominal_thresholds(config, weights) if thresholds_V is None else numpy.asarray(thresholds_V)
    capacitances = cell_capacitances_F or [config.capacitor_F] * len(weights)
    charge_start, share_start, end = _phase_times(config)
    lines = [f"fefet column N={len(weights)}", f"Vrd rd 0 DC {config.read_V}", "Von on 0 DC 1",
             # a charge meter: V(meter) = charge the read rail delivered / 1 pF, integrated by ngspice
             # itself (the sampled current's spikes are too narrow to integrate afterwards)
             "Bmeter meter 0 I=I(Vrd)", "Cmeter meter 0 1p", "Rmeter meter 0 1e15",
             _pulse("rst", "rst", 1, 0, charge_start - 3 * EDGE_S),
             # word line first off, drivers after it: the cells keep their charge
             _pulse("wl", "wl", word_line_V(config), charge_start, config.charge_s - 6 * EDGE_S),
             _pulse("drv", "drv", 1, charge_start, config.charge_s - 3 * EDGE_S),
             # the pull-downs let go before the pull-ups close and close after they open: no shoot-through
             (f"Vdrvoff drvoff 0 PULSE(1 0 {charge_start - 3 * EDGE_S:.6e} {EDGE_S} {EDGE_S} "
             f"{config.charge_s + EDGE_S:.6e} 1)"),
             _pulse("shr", "shr", 1, share_start, config.share_s),
             f"Csense sense 0 {config.sense_capacitance_F:.6e}", "Ssenserst sense 0 rst 0 swreset",
             ".model swreset sw vt=0.5 vh=0.1 ron=100 roff=1e14",
             ".model swdrive sw vt=0.5 vh=0.1 ron=2k roff=1e14",
             ".model swshare sw vt=0.5 vh=0.1 ron=500 roff=1e14"]
    for index, (weight_input, threshold, capacitance) in enumerate(zip(inputs, thresholds, capacitances,
                                                                        strict=True)):
        lines += _cell_lines(config, index, bool(weight_input), float(threshold), capacitance)
    lines += [f".tran 5p {end:.6e}", ".options method=gear", ".end"]
    return "\n".join(lines) + "\n"


def _cell_lines(config: FefetArrayConfig, index: int, input_bit: bool, threshold_V: float,
                capacitance_F: float) -> list[str]:
    line, cell = f"in{index}", f"cell{index}"
    drive = ([f"S{index}up {line} rd drv 0 swdrive", f"S{index}down {line} 0 drvoff 0 swdrive"] if input_bit
             else [f"S{index}down {line} 0 on 0 swdrive"])
    return drive + [
        f"C{index}line {line} 0 {config.line_capacitance_per_cell_F:.6e}",
        f"M{index} {line} wl {cell} 0 fefet{index} W=100n L=100n",
        f".model fefet{index} nmos level=1 vto={threshold_V:.6f} kp={FEFET_KP_A_PER_V2} gamma=0 lambda=0",
        f"C{index} {cell} 0 {capacitance_F:.6e}",
        f"S{index}reset {cell} 0 rst 0 swreset",
        f"S{index}share {cell} sense shr 0 swshare"]


def measure(config: FefetArrayConfig, waves: Waveforms, cells: int) -> ColumnResult:
    charge_start, share_start, _ = _phase_times(config)
    before_share = numpy.searchsorted(waves.time, share_start - EDGE_S) - 1
    cell_V = numpy.array([waves[f"cell{index}"][before_share] for index in range(cells)])
    energy_J = config.read_V * float(waves["meter"][-1] - waves["meter"][0]) * 1e-12
    charge_settle = max(_settle_time(waves.time, waves[f"cell{index}"], charge_start, before_share)
                        for index in range(cells))
    share_settle = _settle_time(waves.time, waves["sense"], share_start, len(waves.time) - 1)
    return ColumnResult(float(waves["sense"][-1]), cell_V, energy_J, charge_settle, share_settle)


def _settle_time(time: numpy.ndarray, voltage: numpy.ndarray, start_s: float, final_index: int) -> float:
    """Time after start_s from which the voltage stays within 1% (or 0.1 mV) of its final value."""
    final = voltage[final_index]
    tolerance = max(0.01 * abs(final), 1e-4)
    window = numpy.arange(numpy.searchsorted(time, start_s), final_index + 1)
    outside = window[numpy.abs(voltage[window] - final) > tolerance]
    return 0.0 if len(outside) == 0 else float(time[outside[-1] + 1] - start_s)


def simulate_columns(config: FefetArrayConfig, cases: Sequence[tuple], label: str,
                     time_limit_s: float = 60.0) -> list[ColumnResult]:
    """cases: (weights, inputs[, thresholds_V[, cell_capacitances_F]]) each; both cores in parallel."""
    netlists = [column_netlist(config, *case) for case in cases]
    waves = run_netlists(netlists, label, "transient", time_limit_s, workers=2)
    return [measure(config, wave, len(case[0])) for wave, case in zip(waves, cases, strict=True)]


def analytical_sense_V(config: FefetArrayConfig, weighted_sum: int) -> float:
    """codesign.cost.fefet's V_out for a binary sum: a weight-1 cell holds the top level, L - 1."""
    return sense_voltage_V(config, weighted_sum * (config.levels - 1))


def monte_carlo(config: FefetArrayConfig, weights: Sequence[int], inputs: Sequence[int], runs: int,
                seed: int = 0, sigma_V: float | None = None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(V_out per run, read-back sum per run): Vth ~ N(state, sigma) per cell, seeded.

    The read-back is the nearest integer of V_out over the analytical step of one weight-1 cell.
    """
    sigma = config.vth_sigma_V if sigma_V is None else sigma_V
    generator = numpy.random.default_rng(seed)
    nominal = nominal_thresholds(config, weights)
    cases = [(weights, inputs, nominal + sigma * generator.standard_normal(len(weights))) for _ in range(runs)]
    results = simulate_columns(config, cases, f"fefet column Monte Carlo N={len(weights)}")
    outputs = numpy.array([result.sense_V for result in results])
    return outputs, numpy.rint(outputs / analytical_sense_V(config, 1)).astype(int)
