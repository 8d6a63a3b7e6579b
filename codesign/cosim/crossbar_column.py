"""One analog crossbar column with its sense amplifier and flash ADC, simulated in ngspice.

Circuit (netlist generated here, one read per transient run):
  rows      N rows, each a 1-bit driver (0 V or read_V pulse, bit-serial input) through a driver
            resistance, loaded by its whole word line (the crossbar's columns x wire capacitance per cell);
  cells     resistors G_k = G_off + k (G_on - G_off) / (2^cell_bits - 1), k = the stored level;
  bit line  N cells' wire capacitance plus the amplifier input, held at virtual ground by a
            transimpedance amplifier (single-pole op-amp: DC gain, gain-bandwidth; feedback R_f),
            so the column current is V_read sum(G x) and out = -R_f I;
  ADC       flash: 2^B - 1 comparators (tanh B-sources) against a resistor ladder from 0 V to
            -(2^B - 1) LSB with taps at (k - 1/2) LSB, i.e. a rounding quantizer; B is the
            resolution required_adc_bits gives for N rows (capped at the spec's adc_bits).
            One LSB of current is V_read (G_on - G_off)/(2^cell_bits - 1): the code counts cell
            levels, plus the G_off offset of the active rows (the digital back end's to subtract).
Energy comes only from integrated source currents: row drivers, the amplifier's rails (behavioural:
quiescent current plus the current its output sinks, drawn through B-sources), the comparators'
supply (bias current during the conversion window) and the ladder reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import pi

import numpy

from codesign.arch.cim import CrossbarConfig
from codesign.cosim.ngspice import DEFAULT_TIME_LIMIT_S, Waveforms, run_netlists
from codesign.cost.crossbar import CrossbarEnergies, required_adc_bits


@dataclass(frozen=True)
class ColumnDevices:
    """Device values of the simulated column (our choices, not from the spec)."""

    read_V: float = 0.2  # low RRAM read voltage: no read disturb
    on_ohm: float = 100e3  # high-resistance RRAM class (100 kOhm .. 1 MOhm), keeps column current small
    off_ohm: float = 1e6  # on/off ratio 10
    driver_ohm: float = 100.0  # 1-bit word-line driver output resistance
    wire_F_per_cell: float = 0.2e-15  # 0.2 fF/um wire over a ~1 um cell pitch (NeuroSim's wire figure)
    amplifier_input_F: float = 10e-15
    amplifier_gain: float = 1e4  # 80 dB DC gain: virtual-ground error ~1e-4
    amplifier_gbw_Hz: float = 2e9
    amplifier_quiescent_A: float = 50e-6  # from each rail
    rail_V: float = 0.9  # +-rails of the amplifier; comparator supply
    full_scale_V: float = 0.64  # amplifier output swing the ADC spans
    comparator_bias_A: float = 20e-6  # preamp + latch, ~14 fJ per decision at 0.9 V, 1.28 GS/s
    comparator_gain_per_V: float = 2e4  # tanh slope: ~0.1 mV transition, far below an LSB
    ladder_ohm_per_tap: float = 500.0
    edge_s: float = 50e-12


@dataclass(frozen=True)
class ColumnRead:
    """One read: the stored level of every row's cell and the input bit driving each row."""

    levels: tuple[int, ...]
    inputs: tuple[int, ...]


@dataclass(frozen=True)
class ColumnMeasurement:
    adc_bits: int
    column_current_A: float
    ideal_current_A: float
    """V_read x sum(G x)."""
    code: int
    ideal_code: int
    """round(sum(G x) / G_step), clipped to the ADC's range."""
    energies_J: dict[str, float]
    """'drivers', 'cells' (part of 'drivers'), 'word_lines' (the rest), 'amplifier', 'comparators', 'ladder'."""
    settling_s: float
    """From the row edge until the amplifier output stays within half an LSB of its final value."""


def cell_conductances(levels: Sequence[int], cell_bits: int, devices: ColumnDevices) -> list[float]:
    step = (1 / devices.on_ohm - 1 / devices.off_ohm) / (2**cell_bits - 1)
    return [1 / devices.off_ohm + level * step for level in levels]


def column_adc_bits(config: CrossbarConfig, rows: int) -> int:
    return min(config.adc_bits, required_adc_bits(rows, config.cell_bits, 1))


def column_netlist(config: CrossbarConfig, read: ColumnRead, devices: ColumnDevices = ColumnDevices()) -> str:
    rows, bits = len(read.levels), column_adc_bits(config, len(read.levels))
    times = _timing(config, devices)
    lines = [f"* crossbar column, {rows} rows, {bits}-bit flash ADC"]
    lines += _rows(config, read, devices, times)
    lines += _amplifier(config, rows, bits, devices)
    lines += _flash_adc(bits, devices, times)
    lines += [f".tran {times['step']:.4g} {times['end']:.4g}", ".end"]
    return "\n".join(lines)


def _timing(config: CrossbarConfig, devices: ColumnDevices) -> dict[str, float]:
    # rows rise at 'edge', stay up for the spec's read time; the ADC converts in the last sample period
    rise = 0.5e-9
    fall = rise + config.array_read_time_s
    convert = 1 / config.adc_sample_rate_Hz
    return {"rise": rise, "fall": fall, "convert": fall - convert, "sample": fall - convert / 10,
            "end": fall + 1e-9, "step": convert / 20}  # 20 points per ADC sample: resolves settling


def _pulse(high: float, times: dict[str, float], start: float, edge: float) -> str:
    return f"PULSE(0 {high:.6g} {start:.6g} {edge:.4g} {edge:.4g} {times['fall'] - start:.6g} 1)"


def _rows(config, read, devices, times) -> list[str]:
    lines, conductances = [], cell_conductances(read.levels, config.cell_bits, devices)
    word_line_F = config.columns * devices.wire_F_per_cell
    for row, (conductance, bit) in enumerate(zip(conductances, read.inputs)):
        drive = _pulse(devices.read_V, times, times["rise"], devices.edge_s) if bit else "DC 0"
        lines += [f"Vrow{row} drv{row} 0 {drive}", f"Rdrv{row} drv{row} row{row} {devices.driver_ohm:g}",
                  f"Cwl{row} row{row} 0 {word_line_F:.4g}", f"Rcell{row} row{row} bl {1 / conductance:.8g}"]
    return lines


def _amplifier(config, rows, bits, devices) -> list[str]:
    lsb_current = devices.read_V * (1 / devices.on_ohm - 1 / devices.off_ohm) / (2**config.cell_bits - 1)
    feedback_ohm = devices.full_scale_V / 2**bits / lsb_current
    pole_Hz = devices.amplifier_gbw_Hz / devices.amplifier_gain
    bit_line_F = rows * devices.wire_F_per_cell + devices.amplifier_input_F
    rail = devices.rail_V
    return [
        f"Cbl bl 0 {bit_line_F:.4g}", "Vsense bl sum DC 0",  # ammeter: the column current
        f"Eamp gain 0 0 sum {devices.amplifier_gain:g}", "Rpole gain pole 1k",
        f"Cpole pole 0 {1 / (2 * pi * 1e3 * pole_Hz):.4g}",
        "Ebuf drive 0 pole 0 1", "Vout drive out DC 0", f"Rf out sum {feedback_ohm:.6g}",
        # the ideal output stage takes no supply current, so the rails carry it (class-B sink from -rail)
        f"Vpos pos 0 DC {rail:g}", f"Vneg neg 0 DC {-rail:g}",
        f"Bquiet pos 0 I={devices.amplifier_quiescent_A:g}",
        f"Bsink 0 neg I={devices.amplifier_quiescent_A:g}+max(-i(Vout),0)",
    ]


def _flash_adc(bits, devices, times) -> list[str]:
    comparators, lsb = 2**bits - 1, devices.full_scale_V / 2**bits
    resistor = devices.ladder_ohm_per_tap
    lines = [f"Vref ref 0 {_pulse(-comparators * lsb, times, times['convert'], devices.edge_s)}",
             f"Rlad0 0 tap1 {resistor / 2:g}", f"Rlad{comparators} tap{comparators} ref {resistor / 2:g}"]
    lines += [f"Rlad{k} tap{k} tap{k + 1} {resistor:g}" for k in range(1, comparators)]
    # comparator k fires when out is below tap k: more column current, more comparators high
    lines += [f"Bcmp{k} c{k} 0 V={devices.rail_V / 2:g}*(1+tanh({devices.comparator_gain_per_V:g}*(v(tap{k})-v(out))))"
              for k in range(1, comparators + 1)]
    window = _pulse(1, times, times["convert"], devices.edge_s)
    lines += [f"Vwindow window 0 {window}", f"Vcmp cmpsupply 0 DC {devices.rail_V:g}",
              f"Bcmpbias cmpsupply 0 I={comparators * devices.comparator_bias_A:g}*v(window)"]
    return lines


def simulate_column_reads(config: CrossbarConfig, reads: Sequence[ColumnRead],
                          devices: ColumnDevices = ColumnDevices(),
                          time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> list[ColumnMeasurement]:
    """Simulate each read (two in parallel); a stuck or failing run raises CodesignError naming it."""
    rows = {len(read.levels) for read in reads}
    label = f"crossbar column N={'/'.join(map(str, sorted(rows)))}"
    netlists = [column_netlist(config, read, devices) for read in reads]
    waves = run_netlists(netlists, label, "transient", time_limit_s, workers=2)
    return [_measure(config, read, devices, wave) for read, wave in zip(reads, waves)]


def _measure(config, read, devices, waves: Waveforms) -> ColumnMeasurement:
    time, times = waves.time, _timing(config, devices)
    bits = column_adc_bits(config, len(read.levels))
    conductances = cell_conductances(read.levels, config.cell_bits, devices)
    step = (1 / devices.on_ohm - 1 / devices.off_ohm) / (2**config.cell_bits - 1)
    total_G = sum(g * x for g, x in zip(conductances, read.inputs))
    at_sample = int(numpy.searchsorted(time, times["sample"]))
    code = sum(int(waves[f"c{k}"][at_sample] > devices.rail_V / 2) for k in range(1, 2**bits))
    return ColumnMeasurement(
        adc_bits=bits, column_current_A=float(waves["vsense#branch"][at_sample]),
        ideal_current_A=devices.read_V * total_G, code=code,
        ideal_code=min(2**bits - 1, int(numpy.floor(total_G / step + 0.5))),
        energies_J=_energies(read, conductances, devices, waves), settling_s=_settling(waves, times, devices, bits))


def _delivered_J(waves: Waveforms, source: str, node: str) -> float:
    # a source delivers -v i (ngspice's branch current flows into the + terminal)
    return float(numpy.trapezoid(-waves[node] * waves[f"{source}#branch"], waves.time))


def _drawn_from_rail_J(waves: Waveforms, source: str, rail_V: float) -> float:
    # a CMOS driver takes charge from its rail while pulling up and dumps it to ground when pulling
    # down: rail x charge out, not -v i (which would credit back a ramped source's adiabatic recovery)
    current_out = numpy.maximum(-waves[f"{source}#branch"], 0.0)
    return rail_V * float(numpy.trapezoid(current_out, waves.time))


def _energies(read, conductances, devices, waves) -> dict[str, float]:
    drivers = sum(_drawn_from_rail_J(waves, f"vrow{row}", devices.read_V) for row, bit in enumerate(read.inputs) if bit)
    cells = sum(float(numpy.trapezoid((waves[f"row{row}"] - waves["bl"]) ** 2 * conductance, waves.time))
                for row, conductance in enumerate(conductances))
    amplifier = _delivered_J(waves, "vpos", "pos") + _delivered_J(waves, "vneg", "neg")
    return {"drivers": drivers, "cells": cells, "word_lines": drivers - cells, "amplifier": amplifier,
            "comparators": _delivered_J(waves, "vcmp", "cmpsupply"), "ladder": _delivered_J(waves, "vref", "ref")}


def _settling(waves, times, devices, bits) -> float:
    time, output = waves.time, waves["out"]
    final = output[int(numpy.searchsorted(time, times["sample"]))]
    outside = numpy.nonzero((numpy.abs(output - final) > devices.full_scale_V / 2**bits / 2)
                            & (time < times["sample"]))[0]
    last_outside = time[outside[-1]] if len(outside) else times["rise"]
    return float(max(0.0, last_outside - times["rise"]))


def compare_with_analytical(analytical: CrossbarEnergies, read: ColumnRead, measured: ColumnMeasurement) -> dict[str, float]:
    """Simulated / analytical per-read energies (codesign.cost.crossbar.crossbar_energies of the
    spec the column belongs to): ratios, not fits.

    The analytical row drive is a whole word line's DAC, the simulated one this column's driver
    load (its word-line wire and the column's cell); the ADC is compared with comparators + ladder.
    """
    active = max(1, sum(read.inputs))
    energies = measured.energies_J
    return {"cell_read": energies["cells"] / active / analytical.cell_read_J,
            "row_drive": energies["word_lines"] / active / analytical.row_drive_J,
            "adc_conversion": (energies["comparators"] + energies["ladder"])
            / analytical.adc_conversion_J[measured.adc_bits],
            "adc_with_amplifier": (energies["comparators"] + energies["ladder"] + energies["amplifier"])
            / analytical.adc_conversion_J[measured.adc_bits]}
