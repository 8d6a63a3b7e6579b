"""A FeFET for ngspice: the HfZrO2 film of fefet_film.py on the gate of the PTM 45 nm HP NMOS (BSIM4).

Gate stack (metal-ferroelectric-insulator-semiconductor): gate `g` -- ferroelectric film -- floating
node `fg` (the film/interlayer interface) -- the MOSFET's gate. The MOSFET is the PTM 45 nm HP card
(codesign/cosim/ptm.py, gate tunnelling off); its EOT of 1.25 nm stands for the ~1 nm SiO2/SiON
interlayer under the film of 28 nm HKMG FeFETs (TiN/Si:HfO2/SiO2/Si: Müller et al., VLSI 2012).
BSIM4 supplies the silicon's charge (accumulation, depletion, inversion) that balances the film's
polarization, so nothing about the memory window is put in by hand:
  * a write switches only as much polarization as the channel can balance: at +V_p the film keeps
    about E_c t of the gate voltage and the rest inverts the channel, whose charge (C_ox per area)
    limits the switched polarization -- program amplitude sets the state (multi-level cell);
  * at rest and during a read the MOS holds little charge, so a state with net polarization P puts
    the depolarizing field ~P / (eps0 eps_r) on the film; grains flip back until it is below their
    E_c: stable states keep |P| <~ eps0 eps_r E_c, a few uC/cm^2 of the film's 20, and
    MW ~ 2 E_c t (~1-2 V), not 2 P_s t / (eps0 eps_r) (> 10 V).
Gate W = L = 200 nm (0.04 um^2, the order of the 0.025 um^2 22 nm FDSOI cells of Dünkel et al.,
IEDM 2017): long enough that the drawn gate area is the channel's (L_eff = 172.5 nm), so the film's
charge balances on the channel rather than on the overlap/fringe capacitances, which at the 45 nm
logic minimum are as large as the channel's.

Write: an erase pulse (all grains down: highest Vth), then a program pulse whose amplitude sets the
state. Read: a gate ramp V_lo -> V_hi at V_ds = 50 mV; Vth is the gate voltage where the drain
current reaches 100 nA x W/L (constant-current criterion). The drain current is the mean of the
drain and source terminal currents: the ramp's displacement current through the gate splits about
equally between them at V_ds = 50 mV and cancels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy

from codesign.cosim.fefet_film import FilmParams, film_lines, mean_polarization, pwl, virgin_state
from codesign.cosim.ngspice import Waveforms, run_netlists
from codesign.cosim.ptm import nmos_model_lines
from codesign.errors import CodesignError

ERASE_V = -3.6
"""Erase amplitude: every grain down (P = -P_s while the pulse lasts), the highest Vth."""
PROGRAM_AMPLITUDES_V = (3.6, 2.2, 1.8, None)
"""The 2-bit cell's states, lowest Vth first: after the erase, a program pulse of this amplitude
(None: no program pulse, the erased state)."""
SWEEP_AMPLITUDES_V = (2.0, 2.6)
"""Program amplitudes measured besides the cell's: the partial-switching curve is the union."""


@dataclass(frozen=True)
class FefetParams:
    """SI values; sources in this module's and fefet_film.py's docstrings."""

    film: FilmParams = field(default_factory=FilmParams)
    width_m: float = 200e-9
    length_m: float = 200e-9
    pulse_s: float = 100e-9  # write pulse width
    edge_s: float = 5e-9  # write pulse rise/fall
    read_drain_V: float = 0.05  # linear region: the read does not disturb through the drain
    read_current_per_square_A: float = 1e-7  # Vth criterion: I_d = 100 nA x W/L
    read_from_V: float = -1.0
    read_to_V: float = 1.2  # just above the highest Vth: reading higher depolarizes the erased state
    read_ramp_s: float = 2e-6  # slow enough that the displacement current is far below the off current

    @property
    def area_m2(self) -> float:
        return self.width_m * self.length_m

    @property
    def read_current_A(self) -> float:
        return self.read_current_per_square_A * self.width_m / self.length_m


def fefet_lines(params: FefetParams, drain: str, gate: str, source: str, prefix: str = "fe") -> list[str]:
    """The FeFET between drain, gate and source (bulk on ground); its floating node is `{prefix}fg`."""
    floating = f"{prefix}fg"
    return [*film_lines(params.film, params.area_m2, gate, floating, prefix),
            # a DC path for the operating point; its 1e20 ohm never discharges a state within a simulation
            f"R{prefix}leak {floating} {source} 1e20",
            f"M{prefix} {drain} {floating} {source} 0 {prefix}nmos W={params.width_m:.6e} L={params.length_m:.6e}",
            *nmos_model_lines(f"{prefix}nmos", floating_gate=True)]


@dataclass(frozen=True)
class WriteRead:
    """What one write sequence and its reads measured."""

    pulses_V: tuple[float, ...]
    thresholds_V: list[float]  # Vth of each read
    gate_V: numpy.ndarray  # the first read's Id-Vg
    drain_A: numpy.ndarray
    polarization_C_per_m2: float  # the film's net polarization after the reads


def write_read_netlist(params: FefetParams, pulses_V, reads: int) -> tuple[str, list[tuple[float, float]]]:
    """Gate pulses, then `reads` gate ramps; returns the netlist and each ramp's (start, end) time."""
    points, time, edge = [(0.0, 0.0)], 0.0, params.edge_s
    for amplitude in pulses_V:
        points += [(time + edge, amplitude), (time + edge + params.pulse_s, amplitude),
                   (time + 2 * edge + params.pulse_s, 0.0)]
        time += 2 * edge + params.pulse_s + 100e-9  # rest at 0 V: depolarization acts here
    ramps = []
    for _ in range(reads):
        start = time + 100e-9
        points += [(start, params.read_from_V), (start + params.read_ramp_s, params.read_to_V),
                   (start + params.read_ramp_s + 100e-9, 0.0)]
        ramps.append((start, start + params.read_ramp_s))
        time = start + params.read_ramp_s + 200e-9
    lines = ["fefet write and read", f"Vg g 0 {pwl(points)}", f"Vd d 0 DC {params.read_drain_V}", "Vs s 0 DC 0",
             *fefet_lines(params, "d", "g", "s"), f".ic {virgin_state(params.film)} V(fefg)=0",
             f".tran {params.read_ramp_s / 200:.6e} {time:.6e} uic", ".end"]
    return "\n".join(lines) + "\n", ramps


def drain_current(waves: Waveforms) -> numpy.ndarray:
    """Channel current: mean of the current into the drain and out of the source (cancels displacement)."""
    return (-waves["vd#branch"] + waves["vs#branch"]) / 2


def threshold_voltage(gate_V: numpy.ndarray, drain_A: numpy.ndarray, current_A: float) -> float:
    """Gate voltage where the drain current first reaches `current_A` (log-linear interpolation)."""
    above = numpy.nonzero(drain_A >= current_A)[0]
    if len(above) == 0:
        raise CodesignError(f"fefet read: drain current never reached {current_A:g} A "
                            f"below V_g = {gate_V.max():.2f} V (Vth above the read ramp)")
    index = int(above[0])
    if index == 0:
        raise CodesignError(f"fefet read: drain current already above {current_A:g} A at "
                            f"V_g = {gate_V[0]:.2f} V (Vth below the read ramp)")
    low, high = numpy.log(max(drain_A[index - 1], 1e-30)), numpy.log(drain_A[index])
    fraction = (numpy.log(current_A) - low) / (high - low)
    return float(gate_V[index - 1] + fraction * (gate_V[index] - gate_V[index - 1]))


def subthreshold_swing(gate_V: numpy.ndarray, drain_A: numpy.ndarray, current_A: float,
                       decades: float = 1.0, below: float = 3.0) -> float:
    """Steepest swing (V/decade) over `decades` of current within `below` decades under `current_A`.

    The curve is resampled at 0.1-decade steps of current (log-linear interpolation between ngspice's
    points), from `current_A` down to the lowest current the ramp resolves (twice its starting
    current); the swing is the smallest gate-voltage change over any `decades`-wide window.
    """
    floor = max(current_A * 10**-below, 2 * abs(drain_A[0]))
    levels = numpy.arange(numpy.log10(current_A), numpy.log10(floor), -0.1)
    steps = int(round(decades / 0.1))
    if len(levels) <= steps:
        raise CodesignError(f"fefet read: less than {decades:g} decade of subthreshold current on the read ramp "
                            f"(starts at {drain_A[0]:.3g} A)")
    gates = numpy.array([threshold_voltage(gate_V, drain_A, 10**level) for level in levels])
    return float(numpy.min(gates[:-steps] - gates[steps:]) / decades)


def write_and_read(params: FefetParams, schemes, reads: int = 2, time_limit_s: float = 60.0) -> list[WriteRead]:
    """Each scheme's pulses then `reads` reads, every scheme its own netlist (both cores)."""
    built = [write_read_netlist(params, pulses, reads) for pulses in schemes]
    waves = run_netlists([netlist for netlist, _ in built], "fefet write and read", "transient", time_limit_s)
    results = []
    for pulses, wave, (_, ramps) in zip(schemes, waves, built, strict=True):
        curves = []
        for start, end in ramps:
            window = (wave.time >= start) & (wave.time <= end)
            curves.append((wave["g"][window], drain_current(wave)[window]))
        thresholds = [threshold_voltage(gate, drain, params.read_current_A) for gate, drain in curves]
        results.append(WriteRead(tuple(pulses), thresholds, *curves[0],
                                 float(mean_polarization(wave, params.film)[-1])))
    return results


def program_scheme(amplitude_V: float | None) -> tuple[float, ...]:
    """Erase, then program with `amplitude_V` (None: erase only)."""
    return (ERASE_V,) if amplitude_V is None else (ERASE_V, amplitude_V)


PARAMETER_SOURCES = {
    "film.thickness_m": "10 nm Si:HfO2 in 28 nm HKMG FeFETs (Müller et al., VLSI 2012); "
                        "HZO 7.5-9.5 nm (Müller et al., APL 2011)",
    "film.spontaneous_polarization_C_per_m2": "HZO Pr 16 uC/cm^2 (Müller et al., APL 2011); "
                                              "25 uC/cm^2 in Deng et al., VLSI 2020",
    "film.coercive_field_V_per_m": "HZO Ec 1 MV/cm (Müller et al., APL 2011)",
    "film.coercive_field_spread": "Gaussian domain coercive fields (Deng et al., VLSI 2020); value assumed",
    "film.relative_permittivity": "orthorhombic HZO ~30; 28 in Deng et al., VLSI 2020",
    "film.grains": "~25 nm grains in a 200 x 200 nm gate (HZO grains 10-30 nm); 20 domains in Deng et al., "
                   "VLSI 2020",
    "film.switching_time_s": "full switching within 10-100 ns pulses (Dünkel et al., IEDM 2017; "
                             "Jerry et al., IEDM 2017)",
    "width_m, length_m": "0.04 um^2 gate, the order of the 0.025 um^2 FeFET cells of Dünkel et al., IEDM 2017",
    "mosfet": "PTM 45 nm HP NMOS, BSIM4 (Zhao and Cao, IEEE TED 2006); its EOT 1.25 nm stands for the "
              "~1 nm SiO2 interlayer",
}
