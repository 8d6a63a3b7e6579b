"""The FeFET's device figures, all measured on ngspice waveforms (fefet_device.py, fefet_film.py).

One run simulates the film's P-V loop and, for the erased state and every program amplitude of
SWEEP_AMPLITUDES_V, a write followed by two reads. From these:
  remanent polarization, coercive field   the film's loop at V = 0 and P = 0 (second cycle)
  Vth of each state                       100 nA x W/L on each read; both reads reported
  subthreshold swing                      steepest decade within three decades below that current
  memory window                           Vth(erased) - Vth(fully programmed)
  ON/OFF ratio                            I(fully programmed) / I(erased) at the read voltage midway
                                          between their Vth
  distinguishable states                  from the lowest Vth up, count each state whose Vth is at
                                          least SEPARATION_SIGMAS x sigma above the last one counted
                                          (sigma: the spec's device-to-device Vth spread; a reference
                                          midway between two states is then 3 sigma from each)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from codesign.cosim.fefet_device import (
    PROGRAM_AMPLITUDES_V,
    SWEEP_AMPLITUDES_V,
    FefetParams,
    WriteRead,
    program_scheme,
    subthreshold_swing,
    write_and_read,
)
from codesign.cosim.fefet_film import PolarizationLoop, measure_loop

SEPARATION_SIGMAS = 6.0


@dataclass(frozen=True)
class CellCharacterization:
    params: FefetParams
    loop: PolarizationLoop
    sweep: dict[float | None, WriteRead]  # by program amplitude (None: erased)
    swings_V_per_decade: dict[float | None, float]
    memory_window_V: float
    read_V: float  # gate voltage of the ON/OFF measurement
    on_off_ratio: float
    vth_sigma_V: float
    distinguishable_states: int

    @property
    def cell_states(self) -> list[WriteRead]:
        return [self.sweep[amplitude] for amplitude in PROGRAM_AMPLITUDES_V]


def characterize(vth_sigma_V: float, params: FefetParams | None = None) -> CellCharacterization:
    params = params or FefetParams()
    amplitudes = [None, *sorted(set(SWEEP_AMPLITUDES_V) | {a for a in PROGRAM_AMPLITUDES_V if a is not None})]
    results = write_and_read(params, [program_scheme(amplitude) for amplitude in amplitudes])
    sweep = dict(zip(amplitudes, results, strict=True))
    swings = {amplitude: subthreshold_swing(result.gate_V, result.drain_A, params.read_current_A)
              for amplitude, result in sweep.items()}
    programmed, erased = sweep[PROGRAM_AMPLITUDES_V[0]], sweep[None]
    read_V = (programmed.thresholds_V[0] + erased.thresholds_V[0]) / 2
    on_off = _current_at(programmed, read_V) / _current_at(erased, read_V)
    return CellCharacterization(
        params, measure_loop(params.film), sweep, swings,
        memory_window_V=erased.thresholds_V[0] - programmed.thresholds_V[0], read_V=read_V,
        on_off_ratio=on_off, vth_sigma_V=vth_sigma_V,
        distinguishable_states=count_distinguishable([r.thresholds_V[0] for r in results], vth_sigma_V))


def count_distinguishable(thresholds_V, sigma_V: float, sigmas: float = SEPARATION_SIGMAS) -> int:
    """States counted from the lowest Vth up, each >= sigmas x sigma_V above the last one counted."""
    ordered = sorted(thresholds_V)
    count, last = 1, ordered[0]
    for vth in ordered[1:]:
        if vth - last >= sigmas * sigma_V:
            count, last = count + 1, vth
    return count


def _current_at(result: WriteRead, gate_V: float) -> float:
    """The first read's drain current at `gate_V` (log-linear interpolation on the rising ramp)."""
    return float(numpy.exp(numpy.interp(gate_V, result.gate_V, numpy.log(numpy.maximum(result.drain_A, 1e-30)))))
