"""A 1FeFET-1C column in ngspice: charge-domain MAC of binary weights and inputs (REFERENCES.md section 4).

Cell i: its input line in_i (driven from the read rail at V_read when x_i = 1, held at 0 otherwise,
loaded by this column's share of line capacitance) is the FeFET's drain; the FeFET's source is
the cell capacitor node cell_i. Phases, as in codesign/cost/fefet.py:
  precharge  reset NMOS switches (gates at V_DD) ground every cell node and the sense node;
  charge     the word line (all FeFET gates) goes to V_WL midway between V_read + Vth_on and
             Vth_off: a low-Vth (weight 1) cell passes V_read onto C_cell, a high-Vth cell stays
             (nearly: subthreshold) off; the word line falls before the input lines;
  share      share NMOS switches (boosted gates) connect every cell node to its bit-line tap; the
             bit line's wire R and C run from the taps to the sense node (C_sense: the ADC input);
             V_out ~ sum(C_i V_i) / (C_sense + sum C_i + parasitics); the share switches then
             open and V_out is sampled HOLD_S later, after their channel charge has been injected.
Every transistor is the PTM 45 nm HP BSIM4 NMOS (codesign.cosim.ptm), bulk at ground. A FeFET is
that transistor with its written threshold: a DC source in series with its gate subtracts
Vth_written - Vth_card, with Vth at the read criterion (READ_CURRENT_A at READ_DRAIN_V, V_sb = 0).
Why a gate source and not a per-cell vth0: the stored polarization acts as a fixed charge at the
gate, i.e. a flat-band (gate-referred) shift of the whole Id-Vg curve, which is what a series
source is; vth0 enters BSIM4's body-effect and DIBL terms, so its shift is not exactly the
constant-current Vth shift; and one shared model card keeps a 64-cell netlist small.
The written states and per-cell variation come from column_parasitics (seeded), as do the
capacitor mismatch, the bit line and the switch and clock parameters. Charge injection and clock
feedthrough are not added as formulas: they are what the BSIM4 switches do when their clocks move.
Row drivers are still ideal switches (2 kOhm); the FeFET's ferroelectric gate is fefet_device.py's.
Energy: the read rail (lines + cells: Q * V_read), and separately the reset, share and word-line
clocks (charge into their loads on rising edges x the clock level: what a CMOS driver draws).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy

from codesign.arch.cim import FefetArrayConfig
from codesign.cosim.column_parasitics import ColumnDraw, ColumnNonIdealities
from codesign.cosim.montecarlo import RateEstimate, choose_method, estimate_error_rate
from codesign.cosim.ngspice import Waveforms, run_netlist, run_netlists
from codesign.cosim.ptm import nmos_model_lines
from codesign.cost.fefet import sense_voltage_V
from codesign.errors import CodesignError

HOLD_S = 200e-12
"""The ADC samples V_out this long after the share switches open (our choice)."""
READ_CURRENT_A = 1e-7
"""Constant-current Vth criterion, as the FeFET cell's read (fefet_device.FefetParams)."""
READ_DRAIN_V = 0.05
TIME_STEP_S = 20e-12
"""Largest transient step; edges and pulses add their own breakpoints (5 ps changed V_out < 0.1 mV)."""
"""ngspice's BSIM4 evaluates devices in OpenMP threads; with the cores busy (two netlists at once,
or other work) their spinning barriers made a 16-cell column take 7 s instead of 0.07 s."""
CLOCKS = ("rst", "wl", "shr")
"""Clock sources whose energy is metered: reset switches, word line, share switches."""


@dataclass(frozen=True)
class ColumnResult:
    sense_V: float  # V_out, sampled HOLD_S after the share switches open
    cell_V: numpy.ndarray  # each cell capacitor's voltage at the end of the charge phase
    energy_J: float  # drawn from the read rail (input lines and cells) over the cycle
    charge_settle_s: float  # from the start of the charge phase until every cell is within 1%
    share_settle_s: float  # from the start of the share phase until V_out is within 1% (switches still on)
    clock_energy_J: dict[str, float]  # reset clock, word line, share clock: what their drivers draw


def word_line_V(config: FefetArrayConfig) -> float:
    """Midway between what passes V_read through an ON cell and what keeps an OFF cell off."""
    return (config.vth_states_V[0] + config.read_V + config.vth_states_V[-1]) / 2


def nominal_thresholds(config: FefetArrayConfig, weights: Sequence[int]) -> numpy.ndarray:
    """Binary weights on the outermost states: weight 1 = lowest Vth (ON), 0 = highest Vth (OFF)."""
    return numpy.array([config.vth_states_V[0] if weight else config.vth_states_V[-1] for weight in weights])


def weight_states(config: FefetArrayConfig, weights: Sequence[int]) -> list[int]:
    """The Vth state index of each binary weight (nominal_thresholds' mapping)."""
    return [0 if weight else config.levels - 1 for weight in weights]


@functools.lru_cache(maxsize=8)
def card_threshold_V(width_m: float, length_m: float) -> float:
    """The PTM card's own Vth at the read criterion, from an ngspice DC sweep (cached per size)."""
    netlist = "\n".join(["ptm45 vth", f"Vd d 0 DC {READ_DRAIN_V}", "Vg g 0 DC 0",
                         f"M1 d g 0 0 ptm45n W={width_m:.4e} L={length_m:.4e}", *nmos_model_lines("ptm45n"),
                         ".dc Vg 0 1.2 0.002", ".end"]) + "\n"
    waves = run_netlist(netlist, "PTM 45 nm Vth sweep", "DC")
    current = numpy.abs(waves["vd#branch"])
    return float(numpy.interp(numpy.log(READ_CURRENT_A), numpy.log(current), waves["v-sweep"]))


def _phase_times(config: FefetArrayConfig) -> tuple[float, float, float]:
    """(charge start, share start, share switches open)."""
    charge_start = config.precharge_s
    share_start = charge_start + config.charge_s
    return charge_start, share_start, share_start + config.share_s


def _pulse(name: str, node: str, low_V: float, high_V: float, start_s: float, edge_s: float,
           width_s: float) -> str:
    return f"V{name} {node} 0 PULSE({low_V} {high_V} {start_s:.6e} {edge_s:.3e} {edge_s:.3e} {width_s:.6e} 1)"


def _clock_meter(clock: str) -> list[str]:
    """V(m_clock) = charge the clock source delivers on its rising edges / 1 pF (ngspice integrates)."""
    return [f"Bm{clock} m{clock} 0 I=min(I(V{clock}),0)", f"Cm{clock} m{clock} 0 1p", f"Rm{clock} m{clock} 0 1e15"]


def _clock_lines(config: FefetArrayConfig, nonideal: ColumnNonIdealities) -> list[str]:
    edge = nonideal.clock_edge_s
    charge_start, share_start, share_open = _phase_times(config)
    return [
        _pulse("rst", "rst", 0, config.supply_V, 0, edge, charge_start - 3 * edge),
        # word line first off, drivers after it: the cells keep their charge
        _pulse("wl", "wl", 0, word_line_V(config), charge_start, edge, config.charge_s - 5 * edge),
        _pulse("drv", "drv", 0, 1, charge_start, edge, config.charge_s - 3 * edge),
        # the pull-downs let go before the pull-ups close and close after they open: no shoot-through
        _pulse("drvoff", "drvoff", 1, 0, charge_start - 2 * edge, edge, config.charge_s),
        _pulse("shr", "shr", 0, nonideal.share_clock_V, share_start, edge, config.share_s - 2 * edge),
        *[line for clock in CLOCKS for line in _clock_meter(clock)]]


def _mos(name: str, drain: str, gate: str, source: str, width_m: float, length_m: float,
         nonideal: ColumnNonIdealities) -> str:
    """A PTM NMOS, bulk at ground, with the junction area and perimeter of its diffusions."""
    diffusion = nonideal.diffusion_length_m
    area, perimeter = width_m * diffusion, 2 * (width_m + diffusion)
    # rgatemod=0 rbodymod=0: the card's gate-electrode (0.4 ohm/sq) and substrate (5-15 ohm)
    # resistances are nothing next to 50 ps edges and kOhm switches; without their internal
    # nodes a column simulates about 1.5x faster
    return (f"M{name} {drain} {gate} {source} 0 ptm45n rgatemod=0 rbodymod=0 W={width_m:.4e} L={length_m:.4e} "
            f"AD={area:.4e} AS={area:.4e} PD={perimeter:.4e} PS={perimeter:.4e}")


def column_netlist(config: FefetArrayConfig, weights: Sequence[int], inputs: Sequence[int],
                   thresholds_V: Sequence[float] | None = None,
                   cell_capacitances_F: Sequence[float] | None = None,
                   nonideal: ColumnNonIdealities | None = None) -> str:
    """One compute cycle of a column of len(weights) cells (config.rows should equal it).

    thresholds_V: each cell's written Vth (default: the nominal states of its weight);
    cell_capacitances_F: each C_cell (default: the spec's); nonideal: the switches, clocks and bit
    line (default: ColumnNonIdealities.from_config). Random draws are the caller's (draw_column).
    """
    nonideal = nonideal or ColumnNonIdealities.from_config(config)
    thresholds = nominal_thresholds(config, weights) if thresholds_V is None else numpy.asarray(thresholds_V)
    capacitances = [config.capacitor_F] * len(weights) if cell_capacitances_F is None else cell_capacitances_F
    card_V = card_threshold_V(nonideal.fefet_width_m, nonideal.fefet_length_m)
    _, _, share_open = _phase_times(config)
    lines = [f"fefet column N={len(weights)}", f"Vrd rd 0 DC {config.read_V}", "Von on 0 DC 1",
             # a charge meter: V(meter) = charge the read rail delivered / 1 pF, integrated by ngspice
             # itself (the sampled current's spikes are too narrow to integrate afterwards)
             "Bmeter meter 0 I=I(Vrd)", "Cmeter meter 0 1p", "Rmeter meter 0 1e15",
             *_clock_lines(config, nonideal),
             f"Csense sense 0 {config.sense_capacitance_F:.6e}",
             _mos("senserst", "sense", "rst", "0", nonideal.switch_width_m, nonideal.switch_length_m, nonideal),
             ".model swdrive sw vt=0.5 vh=0.1 ron=2k roff=1e14", *nmos_model_lines("ptm45n")]
    for index, (input_bit, threshold, capacitance) in enumerate(zip(inputs, thresholds, capacitances, strict=True)):
        lines += _cell_lines(config, nonideal, index, bool(input_bit), float(threshold) - card_V, capacitance)
    saved = ["sense", "meter", *[f"m{clock}" for clock in CLOCKS], *[f"cell{index}" for index in range(len(weights))]]
    # only what measure() reads comes back: a 64-cell column has ~300 vectors otherwise
    lines += [f".save {' '.join(saved)}", f".tran {TIME_STEP_S:g} {share_open + HOLD_S:.6e}",
              ".options method=gear", ".end"]
    return "\n".join(lines) + "\n"


def _cell_lines(config: FefetArrayConfig, nonideal: ColumnNonIdealities, index: int, input_bit: bool,
                gate_shift_V: float, capacitance_F: float) -> list[str]:
    """The cell's driver, line, FeFET, capacitor, switches and its bit-line segment."""
    line, cell, tap = f"in{index}", f"cell{index}", f"bl{index}"
    drive = ([f"S{index}up {line} rd drv 0 swdrive", f"S{index}down {line} 0 drvoff 0 swdrive"] if input_bit
             else [f"S{index}down {line} 0 on 0 swdrive"])
    width, length = nonideal.switch_width_m, nonideal.switch_length_m
    previous = "sense" if index == 0 else f"bl{index - 1}"
    return drive + [
        f"C{index}line {line} 0 {config.line_capacitance_per_cell_F:.6e}",
        # the written state: gate_shift_V = Vth_written - Vth_card, subtracted from the word line
        f"V{index}fe wl g{index} DC {gate_shift_V:.6f}",
        _mos(f"{index}fe", line, f"g{index}", cell, nonideal.fefet_width_m, nonideal.fefet_length_m, nonideal),
        f"C{index} {cell} 0 {capacitance_F:.6e}",
        _mos(f"{index}reset", cell, "rst", "0", width, length, nonideal),
        _mos(f"{index}share", cell, "shr", tap, width, length, nonideal),
        f"R{index}bl {previous} {tap} {nonideal.bit_line_resistance_per_cell_ohm:.6e}",
        f"C{index}bl {tap} 0 {nonideal.bit_line_capacitance_per_cell_F:.6e}"]


def measure(config: FefetArrayConfig, waves: Waveforms, cells: int,
            nonideal: ColumnNonIdealities | None = None) -> ColumnResult:
    nonideal = nonideal or ColumnNonIdealities.from_config(config)
    charge_start, share_start, share_open = _phase_times(config)
    before_share = numpy.searchsorted(waves.time, share_start) - 1
    before_open = numpy.searchsorted(waves.time, share_open - nonideal.clock_edge_s) - 1
    cell_V = numpy.array([waves[f"cell{index}"][before_share] for index in range(cells)])
    energy_J = config.read_V * float(waves["meter"][-1] - waves["meter"][0]) * 1e-12
    levels = {"rst": config.supply_V, "wl": word_line_V(config), "shr": nonideal.share_clock_V}
    clocks = {name: levels[clock] * float(waves[f"m{clock}"][-1] - waves[f"m{clock}"][0]) * 1e-12
              for clock, name in zip(CLOCKS, ("reset_clock", "word_line", "share_clock"), strict=True)}
    charge_settle = max(_settle_time(waves.time, waves[f"cell{index}"], charge_start, before_share)
                        for index in range(cells))
    share_settle = _settle_time(waves.time, waves["sense"], share_start, before_open)
    return ColumnResult(float(waves["sense"][-1]), cell_V, energy_J, charge_settle, share_settle, clocks)


def _settle_time(time: numpy.ndarray, voltage: numpy.ndarray, start_s: float, final_index: int) -> float:
    """Time after start_s from which the voltage stays within 1% (or 0.1 mV) of its value at final_index."""
    final = voltage[final_index]
    tolerance = max(0.01 * abs(final), 1e-4)
    window = numpy.arange(numpy.searchsorted(time, start_s), final_index + 1)
    outside = window[numpy.abs(voltage[window] - final) > tolerance]
    return 0.0 if len(outside) == 0 else float(time[outside[-1] + 1] - start_s)


def simulate_columns(config: FefetArrayConfig, cases: Sequence[tuple], label: str,
                     time_limit_s: float = 60.0, nonideal: ColumnNonIdealities | None = None
                     ) -> list[ColumnResult]:
    """cases: (weights, inputs[, thresholds_V[, cell_capacitances_F]]) each; both cores in parallel."""
    nonideal = nonideal or ColumnNonIdealities.from_config(config)
    netlists = [column_netlist(config, *case, nonideal=nonideal) for case in cases]
    waves = run_netlists(netlists, label, "transient", time_limit_s, workers=2)
    return [measure(config, wave, len(case[0]), nonideal) for wave, case in zip(waves, cases, strict=True)]


MAX_FULL_SWEEP_ROWS = 32
"""Columns up to this many cells sweep every sum 0..N; larger ones SUBSET_SUMS evenly spaced sums."""
SUBSET_SUMS = 17


def transfer_sums(rows: int) -> list[int]:
    if rows <= MAX_FULL_SWEEP_ROWS:
        return list(range(rows + 1))
    return sorted({round(step * rows / (SUBSET_SUMS - 1)) for step in range(SUBSET_SUMS)})


def drawn_case(config: FefetArrayConfig, draw: ColumnDraw, weights: Sequence[int], inputs: Sequence[int]) -> tuple:
    """A simulate_columns case on one drawn column: each cell's Vth in its weight's state, its C_cell."""
    return (list(weights), list(inputs), draw.thresholds_V(config, weight_states(config, weights)),
            list(draw.capacitances_F))


def transfer_cases(config: FefetArrayConfig, draw: ColumnDraw, sums: Sequence[int]) -> list[tuple]:
    """Sum k: the first k cells hold weight 1, the rest 0, every input 1 (OFF cells see V_read too)."""
    rows = config.rows
    return [drawn_case(config, draw, [1] * total + [0] * (rows - total), [1] * rows) for total in sums]


def analytical_sense_V(config: FefetArrayConfig, weighted_sum: int) -> float:
    """codesign.cost.fefet's V_out for a binary sum: a weight-1 cell holds the top level, L - 1."""
    return sense_voltage_V(config, weighted_sum * (config.levels - 1))


def monte_carlo(config: FefetArrayConfig, weights: Sequence[int], inputs: Sequence[int], runs: int,
                predicted: float, seed: int = 0, sigma_V: float | None = None, method: str = "auto",
                progress=None) -> ColumnMonteCarlo:
    """The read-back error rate of one MAC under Vth variation, with its interval (montecarlo.py).

    Each run draws every cell's Vth offset (shifted for importance sampling) and its capacitor from
    the spec's mismatch (never widened: its likelihood ratio is 1). A run is wrong when V_out is
    nearer the nominal SPICE output of a neighbouring sum than of its own: the column's systematic
    INL is the transfer curve's business, not a variation error. `predicted` (the model's rate)
    plans the sample: method 'auto' samples directly when the runs can see it, else importance.
    """
    sigma = config.vth_sigma_V if sigma_V is None else sigma_V
    try:
        choose_method(method, runs, predicted)
    except ValueError as error:
        raise CodesignError(f"Monte Carlo: {error}") from None
    if runs < 1:
        raise CodesignError(f"Monte Carlo: --mc must be at least 1 run (got {runs})")
    label = f"fefet column Monte Carlo N={len(weights)}"
    neighbours, own = _neighbour_cases(weights, inputs)
    levels = numpy.array([result.sense_V for result in simulate_columns(config, neighbours, label + " nominal")])
    nominal, capacitors = nominal_thresholds(config, weights), _capacitor_draws(config, len(weights), seed)
    outputs: list[float] = []

    def simulate(offsets: numpy.ndarray) -> list[float]:
        cases = [(weights, inputs, nominal + row, next(capacitors)) for row in offsets]
        outputs.extend(result.sense_V for result in simulate_columns(config, cases, label))
        return outputs[-len(cases):]

    estimate = estimate_error_rate(simulate, len(weights), runs, sigma, levels, own, predicted, method, seed,
                                   progress)
    return ColumnMonteCarlo(numpy.array(outputs), levels, estimate)


@dataclass(frozen=True, eq=False)
class ColumnMonteCarlo:
    outputs_V: numpy.ndarray  # V_out per run (pilot runs first, for importance sampling)
    levels_V: numpy.ndarray  # nominal V_out of the sums around the true one (the read-back references)
    estimate: RateEstimate


def _neighbour_cases(weights: Sequence[int], inputs: Sequence[int]) -> tuple[list[tuple], int]:
    """(weights, inputs) of sums one below, equal to and one above sum(w * x), where they exist;
    the index of the case itself among them."""
    weights, inputs = [int(bool(w)) for w in weights], [int(bool(x)) for x in inputs]
    cases = [(weights, inputs)]
    charged = [index for index, (w, x) in enumerate(zip(weights, inputs)) if w and x]
    if charged:
        cases.insert(0, ([0 if index == charged[-1] else w for index, w in enumerate(weights)], inputs))
    idle = [index for index, (w, x) in enumerate(zip(weights, inputs)) if not (w and x)]
    if idle:
        above = [1 if index == idle[0] else w for index, w in enumerate(weights)]
        cases.append((above, [1 if index == idle[0] else x for index, x in enumerate(inputs)]))
    return cases, int(bool(charged))


def _capacitor_draws(config: FefetArrayConfig, cells: int, seed: int):
    """Per-run cell capacitances with the spec's mismatch (column_parasitics' Pelgrom sigma), seeded."""
    sigma = ColumnNonIdealities.from_config(config).capacitor_sigma(config.capacitor_F)
    generator = numpy.random.default_rng([seed, 1])
    while True:
        yield config.capacitor_F * (1 + sigma * generator.standard_normal(cells))
