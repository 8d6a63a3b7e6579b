"""One analog crossbar column with its wires, sense amplifier and the spec's SAR ADC, in ngspice.

Circuit (netlist generated here, one read per transient run):
  rows      N rows, each a 1-bit driver (0 V or read_V pulse, bit-serial input) through a driver
            resistance into its word line: a ladder of word_line_sections RC sections holding the
            wire's resistance and capacitance per cell and, at each section's end, the other columns'
            cells (at the mean level, to their virtual grounds); the simulated column is the one
            farthest from the drivers (the largest IR drop along the row);
  cells     resistors G_k = G_off + k (G_on - G_off) / (2^cell_bits - 1), k = the stored level;
  bit line  one wire segment (R, C per cell) between neighbouring rows, row 0 the farthest from
            the amplifier, ending at a transimpedance amplifier that holds it at virtual ground
            (single-pole op-amp: DC gain, gain-bandwidth; feedback R_f), out = -R_f I;
  ADC       the spec's SAR converter (crossbar_sar.py): adc_bits capacitors, converting B bits,
            B = column_adc_bits: the rule the model uses per read (required_adc_bits for N rows of
            cell_bits cells and 1-bit inputs) capped at the spec's adc_bits.
With wire resistance the column current falls below V_read sum(G x) (the ideal): less voltage
reaches the far cells. One LSB of current is V_read (G_on - G_off)/(2^cell_bits - 1): the code counts
cell levels, plus the G_off offset of the active rows (the digital back end's to subtract).
Energy comes only from integrated source currents: row drivers (whole word lines), the amplifier's
rails (behavioural: quiescent current plus the current its output sinks, drawn through B-sources),
the converter's reference and comparator supply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import pi

import numpy

from codesign.arch.cim import CrossbarConfig
from codesign.cosim.crossbar_sar import SarDevices, cycle_s, sar_code, sar_lines
from codesign.cosim.ngspice import DEFAULT_TIME_LIMIT_S, Waveforms, run_netlists
from codesign.cost.crossbar import CrossbarEnergies, required_adc_bits
from codesign.errors import CodesignError

# Interconnect at 32 nm (ISAAC's node), from DNN+NeuroSim V1.3 Param.cpp (its ITRS-derived table):
# wire width 56 nm, aspect ratio 1.8, resistivity 3.70e-8 ohm m (copper with size effects);
# NeuroSim's cross-point cell is 2F x 2F with F = that wire width; 0.2 fF/um wire capacitance.
WIRE_WIDTH_M, WIRE_ASPECT, WIRE_RESISTIVITY_OHM_M = 56e-9, 1.8, 3.70e-8


@dataclass(frozen=True)
class ColumnDevices:
    """Device values of the simulated column (our choices, not from the spec, unless cited)."""

    read_V: float = 0.2  # low RRAM read voltage: no read disturb
    on_ohm: float = 100e3  # high-resistance RRAM class (100 kOhm .. 1 MOhm), keeps column current small
    off_ohm: float = 1e6  # on/off ratio 10
    driver_ohm: float = 20.0  # word-line driver sized for its row's ~0.14 mA: under 3 mV of its own drop
    wire_ohm_per_m: float = WIRE_RESISTIVITY_OHM_M / (WIRE_WIDTH_M**2 * WIRE_ASPECT)  # 6.6 ohm/um
    wire_F_per_m: float = 0.2e-15 / 1e-6
    cell_pitch_m: float = 2 * WIRE_WIDTH_M
    word_line_sections: int = 8  # loads lumped per section: overstates a uniform line's drop by < 1/16
    amplifier_input_F: float = 10e-15
    amplifier_gain: float = 1e4  # 80 dB DC gain: virtual-ground error ~1e-4
    amplifier_gbw_Hz: float = 2e9
    amplifier_quiescent_A: float = 50e-6  # from each rail
    rail_V: float = 0.9  # +-rails of the amplifier; comparator supply
    full_scale_V: float = 0.64  # amplifier output swing the ADC spans
    edge_s: float = 50e-12
    sar: SarDevices = SarDevices()

    @property
    def wire_ohm_per_cell(self) -> float:
        return self.wire_ohm_per_m * self.cell_pitch_m

    @property
    def wire_F_per_cell(self) -> float:
        return self.wire_F_per_m * self.cell_pitch_m


@dataclass(frozen=True)
class ColumnRead:
    """One read: the stored level of every row's cell and the input bit driving each row."""

    levels: tuple[int, ...]
    inputs: tuple[int, ...]


@dataclass(frozen=True)
class ColumnMeasurement:
    adc_bits: int
    """Bits this read converts (the converter itself has the spec's adc_bits capacitors)."""
    column_current_A: float
    ideal_current_A: float
    """V_read x sum(G x): no wire resistance."""
    code: int
    ideal_code: int
    """round(sum(G x) / G_step), clipped to the ADC's range."""
    energies_J: dict[str, float]
    """'drivers' (whole word lines) = 'cells' (this column's) + 'other_cells' + 'word_lines' (wires, driver);
    'amplifier', 'comparator', 'dac_reference'."""
    settling_s: float
    """From the row edge until the amplifier output stays within half an LSB of its final value."""


def cell_conductances(levels: Sequence[int], cell_bits: int, devices: ColumnDevices) -> list[float]:
    step = (1 / devices.on_ohm - 1 / devices.off_ohm) / (2**cell_bits - 1)
    return [1 / devices.off_ohm + level * step for level in levels]


def column_adc_bits(config: CrossbarConfig, rows: int) -> int:
    """The model's rule per read (required_adc_bits, 1-bit inputs) capped at the spec's converter."""
    return min(config.adc_bits, required_adc_bits(rows, config.cell_bits, 1))


def column_netlist(config: CrossbarConfig, read: ColumnRead, devices: ColumnDevices = ColumnDevices(),
                   adc_bits: int | None = None) -> str:
    rows, bits = len(read.levels), _bits(config, len(read.levels), adc_bits)
    times = _timing(config, devices)
    lines = [f"* crossbar column, {rows} rows, {config.adc_bits}-bit SAR ADC converting {bits} bits"]
    lines += _rows(config, read, devices, times)
    lines += _bit_line(rows, devices)
    lines += _amplifier(config, bits, devices)
    lines += sar_lines(config.adc_bits, bits, devices.full_scale_V, devices.rail_V, times["convert"],
                       cycle_s(config.adc_bits, config.adc_sample_rate_Hz), devices.sar)
    lines += [f".tran {times['step']:.4g} {times['end']:.4g}", ".end"]
    return "\n".join(lines)


def _bits(config: CrossbarConfig, rows: int, adc_bits: int | None) -> int:
    if adc_bits is None:
        return column_adc_bits(config, rows)
    if not 1 <= adc_bits <= config.adc_bits:
        raise CodesignError(f"ADC bits must be between 1 and the spec's adc_bits={config.adc_bits} (got {adc_bits})")
    return adc_bits


def _timing(config: CrossbarConfig, devices: ColumnDevices) -> dict[str, float]:
    # rows rise at 'rise', stay up for the spec's read time; the ADC samples one conversion period
    # before the rows fall and converts in that period
    rise = 0.5e-9
    fall = rise + config.array_read_time_s
    convert = 1 / config.adc_sample_rate_Hz
    return {"rise": rise, "fall": fall, "convert": fall - convert, "end": fall + 1e-9,
            "step": cycle_s(config.adc_bits, config.adc_sample_rate_Hz) / 4}


def _pulse(high: float, times: dict[str, float], start: float, edge: float) -> str:
    return f"PULSE(0 {high:.6g} {start:.6g} {edge:.4g} {edge:.4g} {times['fall'] - start:.6g} 1)"


def _other_columns_G(config: CrossbarConfig, devices: ColumnDevices) -> float:
    """The other columns' cells of one row, at the mean level (their weights are not simulated)."""
    return (config.columns - 1) * (1 / devices.on_ohm + 1 / devices.off_ohm) / 2


def _rows(config, read, devices, times) -> list[str]:
    lines, conductances = [], cell_conductances(read.levels, config.cell_bits, devices)
    sections = min(devices.word_line_sections, config.columns)
    cells_per_section = config.columns / sections
    section_ohm = devices.wire_ohm_per_cell * cells_per_section
    section_F = devices.wire_F_per_cell * cells_per_section
    load_ohm = sections / _other_columns_G(config, devices)
    for row, (conductance, bit) in enumerate(zip(conductances, read.inputs)):
        drive = _pulse(devices.read_V, times, times["rise"], devices.edge_s) if bit else "DC 0"
        lines += [f"Vrow{row} drv{row} 0 {drive}", f"Rdrv{row} drv{row} w{row}_0 {devices.driver_ohm:g}"]
        for section in range(1, sections + 1):
            node = f"w{row}_{section}"
            lines += [f"Rw{row}_{section} w{row}_{section - 1} {node} {section_ohm:.6g}",
                      f"Cw{row}_{section} {node} 0 {section_F:.6g}", f"Rload{row}_{section} {node} 0 {load_ohm:.6g}"]
        lines.append(f"Rcell{row} w{row}_{sections} bl{row} {1 / conductance:.8g}")
    return lines


def _bit_line(rows: int, devices: ColumnDevices) -> list[str]:
    lines = []
    for row in range(rows):
        following = f"bl{row + 1}" if row + 1 < rows else "bl"
        lines += [f"Cbl{row} bl{row} 0 {devices.wire_F_per_cell:.6g}",
                  f"Rbl{row} bl{row} {following} {devices.wire_ohm_per_cell:.6g}"]
    return lines


def _amplifier(config, bits, devices) -> list[str]:
    lsb_current = devices.read_V * (1 / devices.on_ohm - 1 / devices.off_ohm) / (2**config.cell_bits - 1)
    feedback_ohm = devices.full_scale_V / 2**bits / lsb_current
    pole_Hz = devices.amplifier_gbw_Hz / devices.amplifier_gain
    rail = devices.rail_V
    return [
        f"Cbl bl 0 {devices.amplifier_input_F:.4g}", "Vsense bl sum DC 0",  # ammeter: the column current
        f"Eamp gain 0 0 sum {devices.amplifier_gain:g}", "Rpole gain pole 1k",
        f"Cpole pole 0 {1 / (2 * pi * 1e3 * pole_Hz):.4g}",
        "Ebuf drive 0 pole 0 1", "Vout drive out DC 0", f"Rf out sum {feedback_ohm:.6g}",
        # the ideal output stage takes no supply current, so the rails carry it (class-B sink from -rail)
        f"Vpos pos 0 DC {rail:g}", f"Vneg neg 0 DC {-rail:g}",
        f"Bquiet pos 0 I={devices.amplifier_quiescent_A:g}",
        f"Bsink 0 neg I={devices.amplifier_quiescent_A:g}+max(-i(Vout),0)",
    ]


def simulate_column_reads(config: CrossbarConfig, reads: Sequence[ColumnRead],
                          devices: ColumnDevices = ColumnDevices(),
                          time_limit_s: float = DEFAULT_TIME_LIMIT_S,
                          adc_bits: int | None = None) -> list[ColumnMeasurement]:
    """Simulate each read (two in parallel), converting `adc_bits` (default column_adc_bits); a stuck or
    failing run raises CodesignError naming it."""
    rows = {len(read.levels) for read in reads}
    label = f"crossbar column N={'/'.join(map(str, sorted(rows)))}"
    netlists = [column_netlist(config, read, devices, adc_bits) for read in reads]
    waves = run_netlists(netlists, label, "transient", time_limit_s, workers=2)
    return [_measure(config, read, devices, wave, _bits(config, len(read.levels), adc_bits))
            for read, wave in zip(reads, waves)]


def _measure(config, read, devices, waves: Waveforms, bits: int) -> ColumnMeasurement:
    time, times = waves.time, _timing(config, devices)
    conductances = cell_conductances(read.levels, config.cell_bits, devices)
    step = (1 / devices.on_ohm - 1 / devices.off_ohm) / (2**config.cell_bits - 1)
    total_G = sum(g * x for g, x in zip(conductances, read.inputs))
    at_sample = int(numpy.searchsorted(time, times["convert"]))
    at_code = int(numpy.searchsorted(time, times["fall"]))
    held = {bit: float(waves[f"held{bit}"][at_code]) for bit in range(config.adc_bits - bits, config.adc_bits)}
    return ColumnMeasurement(
        adc_bits=bits, column_current_A=float(waves["vsense#branch"][at_sample]),
        ideal_current_A=devices.read_V * total_G, code=sar_code(held, config.adc_bits, bits),
        ideal_code=min(2**bits - 1, int(numpy.floor(total_G / step + 0.5))),
        energies_J=_energies(config, read, conductances, devices, waves),
        settling_s=_settling(waves, times, devices, bits))


def _delivered_J(waves: Waveforms, source: str, node: str) -> float:
    # a source delivers -v i (ngspice's branch current flows into the + terminal)
    return float(numpy.trapezoid(-waves[node] * waves[f"{source}#branch"], waves.time))


def _drawn_J(waves: Waveforms, source: str, node: str) -> float:
    # a CMOS driver or reference buffer takes charge from its rail while it pushes its output toward
    # the rail and dumps it otherwise: only delivered power counts, none is credited back
    return float(numpy.trapezoid(numpy.maximum(-waves[node] * waves[f"{source}#branch"], 0.0), waves.time))


def _energies(config, read, conductances, devices, waves) -> dict[str, float]:
    sections = min(devices.word_line_sections, config.columns)
    load_G = _other_columns_G(config, devices) / sections
    drivers = sum(_drawn_J(waves, f"vrow{row}", f"drv{row}") for row, bit in enumerate(read.inputs) if bit)
    cells = sum(float(numpy.trapezoid((waves[f"w{row}_{sections}"] - waves[f"bl{row}"]) ** 2 * conductance,
                                      waves.time)) for row, conductance in enumerate(conductances))
    other_cells = sum(float(numpy.trapezoid(waves[f"w{row}_{section}"] ** 2 * load_G, waves.time))
                      for row in range(len(conductances)) for section in range(1, sections + 1))
    amplifier = _delivered_J(waves, "vpos", "pos") + _delivered_J(waves, "vneg", "neg")
    return {"drivers": drivers, "cells": cells, "other_cells": other_cells,
            "word_lines": drivers - cells - other_cells, "amplifier": amplifier,
            "comparator": _delivered_J(waves, "vcmp", "cmpsupply"), "dac_reference": _drawn_J(waves, "vdacref", "dacref")}


def _settling(waves, times, devices, bits) -> float:
    time, output = waves.time, waves["out"]
    final = output[int(numpy.searchsorted(time, times["convert"]))]
    outside = numpy.nonzero((numpy.abs(output - final) > devices.full_scale_V / 2**bits / 2)
                            & (time < times["convert"]))[0]
    last_outside = time[outside[-1]] if len(outside) else times["rise"]
    return float(max(0.0, last_outside - times["rise"]))


def compare_with_analytical(analytical: CrossbarEnergies, read: ColumnRead, measured: ColumnMeasurement,
                            columns: int) -> dict[str, dict[str, float]]:
    """Energy of one conversion (this column's read) by component, SPICE vs the analytical model
    (codesign.cost.crossbar.crossbar_energies of the spec): like with like, no fits.

      word_lines       this column's share (1/columns) of the active word lines: SPICE the driver's
                       energy less every cell's, model row_drive_J per active row
      cells            this column's active cells: model cell_read_J per active row
      sense_amplifier  the TIA's rails; the model has no term for it (CrossbarEnergies has none; its
                       docstring lists sample-and-hold as not modelled): 0
      adc              comparator + DAC reference; model adc_conversion_J at the read's bits
    """
    active, energies = sum(read.inputs), measured.energies_J
    spice = {"word_lines": energies["word_lines"] / columns, "cells": energies["cells"],
             "sense_amplifier": energies["amplifier"], "adc": energies["comparator"] + energies["dac_reference"]}
    model = {"word_lines": analytical.row_drive_J * active / columns, "cells": analytical.cell_read_J * active,
             "sense_amplifier": 0.0, "adc": analytical.adc_conversion_J[measured.adc_bits]}
    spice["total"], model["total"] = sum(spice.values()), sum(model.values())
    return {key: {"spice": spice[key], "model": model[key]} for key in spice}
