"""The HfZrO2 ferroelectric film of the FeFET, for ngspice: a kinetic multi-grain Preisach model.

ngspice 39 has no ferroelectric device and no Verilog-A, so the film is written with behavioural
sources (sim/spice/README.md). The film between nodes `top` and `bottom` is
  * its linear (background) dielectric capacitance eps0 eps_r A / t, and
  * `grains` independent grains of area A / grains, each a two-state hysteron: its normalized
    polarization p_k (a node voltage on a 1 pF capacitor) moves towards +1 while the film's field
    E = V(top, bottom) / t exceeds the grain's coercive field E_c,k, towards -1 while E < -E_c,k,
    and stays put in between:
        dp_k/dt = [(1 - p_k) max(E/E_c,k - 1, 0) - (1 + p_k) max(-E/E_c,k - 1, 0)] / tau
    so a grain flips in about tau / overdrive: short, high pulses switch fully, pulses just above
    E_c,k switch a grain partly (the pulse-width dependence of partial switching).
The grains' coercive fields are the quantiles of a normal distribution (mean E_c, relative spread
`coercive_field_spread`), as the Gaussian domain fields of Deng et al. (VLSI 2020): a pulse of
intermediate amplitude switches only the grains with the lowest E_c, hence multi-level states.
The polarization charge P A = (A / grains) P_s sum(p_k) reaches the circuit through a charge mirror:
V(q) = P A / 1 pF on a 1 pF capacitor whose current, d(P A)/dt, a CCCS copies from top to bottom.
One summing source instead of one current source per grain keeps a 64-grain film fast in ngspice.

Film values (SI), and where they come from:
  t = 10 nm              Si:HfO2 FeFETs in 28 nm HKMG, 10 nm (Müller et al., VLSI 2012);
                         Hf0.5Zr0.5O2 MFM capacitors 7.5-9.5 nm (Müller et al., APL 99, 2011)
  P_s = 0.20 C/m^2       (20 uC/cm^2) HZO remanent polarization: 16 uC/cm^2 (Müller 2011),
                         25 uC/cm^2 in the FeFET model of Deng et al. (VLSI 2020)
  E_c = 1.0e8 V/m        (1 MV/cm) HZO coercive field (Müller 2011)
  eps_r = 30             orthorhombic HZO, 28 in Deng et al. (VLSI 2020)
  spread 0.15, 64 grains 20 Gaussian domains in Deng 2020; 64 grains of ~25 nm in a 200 x 200 nm
                         gate (HZO grains are ~10-30 nm)
  tau = 5 ns             full switching within the 10-100 ns pulses of 22-28 nm FeFETs (4.2 V, 10 ns:
                         Dünkel et al., IEDM 2017; +-5 V, 20 ns: Müller 2012; 75 ns: Jerry et al., IEDM 2017)
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy

from codesign.cosim.ngspice import run_netlist

VACUUM_PERMITTIVITY_F_PER_M = 8.8541878128e-12
STATE_CAPACITANCE_F = 1e-12
"""The hysterons' state nodes: 1 pF keeps their currents (1e-12 dp/dt) near the circuit's."""


@dataclass(frozen=True)
class FilmParams:
    thickness_m: float = 10e-9
    spontaneous_polarization_C_per_m2: float = 0.20
    coercive_field_V_per_m: float = 1.0e8
    coercive_field_spread: float = 0.15  # standard deviation / mean of the grains' E_c
    relative_permittivity: float = 30.0
    grains: int = 64
    switching_time_s: float = 5e-9  # tau: time to flip a grain at 100% overdrive (E = 2 E_c,k)

    def linear_capacitance_F(self, area_m2: float) -> float:
        return VACUUM_PERMITTIVITY_F_PER_M * self.relative_permittivity * area_m2 / self.thickness_m

    def grain_coercive_fields(self) -> list[float]:
        """Normal quantiles at (k + 1/2) / grains: a deterministic, reproducible sample of the spread."""
        normal = NormalDist()
        return [self.coercive_field_V_per_m * (1 + self.coercive_field_spread
                                               * normal.inv_cdf((index + 0.5) / self.grains))
                for index in range(self.grains)]


def film_lines(film: FilmParams, area_m2: float, top: str, bottom: str, prefix: str = "fe") -> list[str]:
    """Netlist lines of the film between `top` and `bottom` (state nodes `{prefix}p0`...)."""
    lines = [f"C{prefix}lin {top} {bottom} {film.linear_capacitance_F(area_m2):.6e}"]
    states = []
    for index, coercive_field in enumerate(film.grain_coercive_fields()):
        state, coercive_V = f"{prefix}p{index}", coercive_field * film.thickness_m
        overdrive_up = f"uramp(V({top},{bottom})/{coercive_V:.6e}-1)"
        overdrive_down = f"uramp(-V({top},{bottom})/{coercive_V:.6e}-1)"
        rate = (f"((1-V({state}))*{overdrive_up}-(1+V({state}))*{overdrive_down})"
                f"/{film.switching_time_s:.6e}")
        lines += [f"C{state} {state} 0 {STATE_CAPACITANCE_F:g}",
                  f"B{state} 0 {state} I={STATE_CAPACITANCE_F:g}*({rate})"]
        states.append(f"V({state})")
    grain_charge_C = area_m2 / film.grains * film.spontaneous_polarization_C_per_m2
    lines += [f"B{prefix}q {prefix}q 0 V={grain_charge_C / STATE_CAPACITANCE_F:.6e}*({'+'.join(states)})",
              f"V{prefix}qm {prefix}q {prefix}qc DC 0",
              f"C{prefix}q {prefix}qc 0 {STATE_CAPACITANCE_F:g}",
              f"F{prefix}q {top} {bottom} V{prefix}qm 1"]
    return lines


def virgin_state(film: FilmParams, prefix: str = "fe") -> str:
    """Initial conditions of a virgin film: alternate grains up and down (no net polarization)."""
    return " ".join(f"V({prefix}p{index})={1 if index % 2 else -1}" for index in range(film.grains))


def mean_polarization(waves, film: FilmParams, prefix: str = "fe") -> numpy.ndarray:
    """P(t) in C/m^2: the grains' mean normalized polarization times P_s."""
    grains = numpy.mean([waves[f"{prefix}p{index}"] for index in range(film.grains)], axis=0)
    return grains * film.spontaneous_polarization_C_per_m2


def pwl(points: list[tuple[float, float]]) -> str:
    return "PWL(" + " ".join(f"{time:.6e} {value:.6e}" for time, value in points) + ")"


@dataclass(frozen=True)
class PolarizationLoop:
    voltage_V: numpy.ndarray  # across the film, second cycle
    polarization_C_per_m2: numpy.ndarray
    remanent_polarization_C_per_m2: float  # half the loop's opening at V = 0
    coercive_voltage_V: float  # half the distance between the loop's P = 0 crossings
    coercive_field_V_per_m: float


def pv_loop_netlist(film: FilmParams, amplitude_V: float, period_s: float) -> str:
    """A metal-ferroelectric-metal capacitor (1 um^2) driven by two triangular cycles +-amplitude_V."""
    quarter = period_s / 4
    points = [(0.0, 0.0)] + [(quarter * (step + 1), amplitude_V * (0, 1, 0, -1)[(step + 1) % 4])
                              for step in range(8)]
    lines = ["ferroelectric film pv loop", f"Vtop top 0 {pwl(points)}", *film_lines(film, 1e-12, "top", "0"),
             f".ic {virgin_state(film)}", f".tran {period_s / 400:.6e} {2 * period_s:.6e} uic", ".end"]
    return "\n".join(lines) + "\n"


def measure_loop(film: FilmParams, amplitude_V: float = 3.6, period_s: float = 4e-6,
                 time_limit_s: float = 60.0) -> PolarizationLoop:
    """Simulate the film's P-V loop (as an MFM capacitor measurement) and read Pr and Ec off it."""
    waves = run_netlist(pv_loop_netlist(film, amplitude_V, period_s), "ferroelectric film pv loop",
                        "transient", time_limit_s)
    second_cycle = waves.time >= period_s
    voltage, polarization = waves["top"][second_cycle], mean_polarization(waves, film)[second_cycle]
    rising = numpy.gradient(voltage) > 0
    remanent = (_crossing(polarization[~rising], voltage[~rising], 0.0)
                - _crossing(polarization[rising], voltage[rising], 0.0)) / 2
    coercive = (_crossing(voltage[rising], polarization[rising], 0.0)
                - _crossing(voltage[~rising], polarization[~rising], 0.0)) / 2
    return PolarizationLoop(voltage, polarization, float(remanent), float(coercive),
                            float(coercive / film.thickness_m))


def _crossing(values: numpy.ndarray, along: numpy.ndarray, level: float) -> float:
    """values where `along` first crosses `level` (linear interpolation between samples)."""
    signs = numpy.sign(along - level)
    index = int(numpy.nonzero(signs[1:] != signs[:-1])[0][0])
    fraction = (level - along[index]) / (along[index + 1] - along[index])
    return float(values[index] + fraction * (values[index + 1] - values[index]))
