"""A FeFET for ngspice: a multi-domain Landau-Khalatnikov ferroelectric capacitor on a MOSFET gate.

ngspice 39 has no ferroelectric device and no Verilog-A, so the gate stack is written with
behavioural B-sources (sim/spice/README.md). Nodes: gate `g` -- ferroelectric -- `fg` (the
floating ferroelectric/insulator interface) -- linear insulator+MOS capacitance C_mos -- source.
Each of `domains` grains has its own normalized polarization p_k = P_k / P_s (a node voltage on a
1 pF capacitor) obeying Landau-Khalatnikov kinetics with its own coercive field:
    rho * dP_k/dt = E - (2 alpha_k P_k + 4 beta_k P_k^3),   E = V(g, fg) / t_fe
and the ferroelectric passes the current A/domains * dP_k/dt per grain from g to fg, in parallel
with its linear dielectric capacitance eps0*eps_r*A/t_fe. The coercive fields are spread evenly
over ec_spread so that pulses of intermediate amplitude switch only some grains: partial switching
and multi-level Vth states. The MOSFET is level 1 (square law, no body effect, no subthreshold).
Memory window ~ 2 P_s A / C_fe = 2 P_s t_fe / (eps0 eps_r) (referred to the gate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy

from codesign.cosim.ngspice import Waveforms, run_netlist, run_netlists
from codesign.errors import CodesignError

VACUUM_PERMITTIVITY_F_PER_M = 8.8541878128e-12
ERASE_V = -4.0
"""Erase: every grain down (P = -P_s), the highest Vth."""
PROGRAM_PULSES_V = ((ERASE_V, 4.0), (ERASE_V, 2.0), (ERASE_V, 1.7), (ERASE_V,))
"""Four states, lowest Vth first: erase, then a 100 ns program pulse whose amplitude sets how many
grains (those with the lowest coercive fields) flip up: all, about 5/8, about 2/8, none."""


@dataclass(frozen=True)
class FefetParams:
    """SI values with their physical meaning; the defaults give a ~1 V memory window around 0.7 V."""

    thickness_m: float = 10e-9  # t_fe: HfO2 ferroelectric film thickness
    area_m2: float = 100e-9 * 100e-9  # A: gate area (W x L of the FeFET)
    remanent_polarization_C_per_m2: float = 0.015  # P_s: effective switched polarization (1.5 uC/cm^2)
    coercive_field_V_per_m: float = 1.5e8  # E_c: mean coercive field (1.5 MV/cm, HfO2 range)
    ec_spread: float = 0.3  # grains' E_c spread evenly over E_c * (1 +- spread/2): partial switching
    domains: int = 8  # grains (independent LK domains) in the gate stack
    relative_permittivity: float = 30.0  # eps_r: linear (background) permittivity of the film
    switching_time_s: float = 2e-9  # LK time constant rho / (2 |alpha|): how fast a grain flips
    mos_to_fe_capacitance_ratio: float = 4.0  # C_mos / C_fe: large, or depolarization erases the state
    mos_threshold_V: float = 0.1  # VTO of the MOSFET seen from the floating node fg
    mos_transconductance_A_per_V2: float = 200e-6  # KP (W/L = 1)
    read_current_A: float = 1e-7  # constant-current Vth criterion: Vth = V_g at I_d = this
    read_drain_V: float = 0.05  # drain bias of the Id-Vg read (linear region, no disturb)

    @property
    def fe_capacitance_F(self) -> float:
        return VACUUM_PERMITTIVITY_F_PER_M * self.relative_permittivity * self.area_m2 / self.thickness_m

    @property
    def coercive_voltage_V(self) -> float:
        """V_c = E_c * t_fe: voltage across the film that switches a mean grain."""
        return self.coercive_field_V_per_m * self.thickness_m

    def landau_coefficients(self, coercive_field_V_per_m: float) -> tuple[float, float]:
        """(alpha, beta) with spontaneous polarization P_s and spinodal (coercive) field E_c.

        From P_s^2 = -alpha / (2 beta) and E_c = max |2 alpha P + 4 beta P^3| over |P| < P_s.
        """
        polarization = self.remanent_polarization_C_per_m2
        alpha = -3 * math.sqrt(3) * coercive_field_V_per_m / (4 * polarization)
        beta = 3 * math.sqrt(3) * coercive_field_V_per_m / (8 * polarization**3)
        return alpha, beta

    def grain_coercive_fields(self) -> list[float]:
        if self.domains == 1:
            return [self.coercive_field_V_per_m]
        steps = [index / (self.domains - 1) - 0.5 for index in range(self.domains)]
        return [self.coercive_field_V_per_m * (1 + self.ec_spread * step) for step in steps]


def gate_stack_lines(params: FefetParams, gate: str, floating: str, source: str, prefix: str = "fe") -> list[str]:
    """Netlist lines of the ferroelectric + MOS capacitance between `gate` and `source`."""
    polarization = params.remanent_polarization_C_per_m2
    grain_area = params.area_m2 / params.domains
    lines = [f"C{prefix}lin {gate} {floating} {params.fe_capacitance_F:.6e}",
             f"C{prefix}mos {floating} {source} {params.fe_capacitance_F * params.mos_to_fe_capacitance_ratio:.6e}",
             # a DC path for the operating point; its 1e18 s time constant never erases a state
             f"R{prefix}leak {floating} {source} 1e30"]
    for index, coercive_field in enumerate(params.grain_coercive_fields()):
        alpha, beta = params.landau_coefficients(coercive_field)
        rho = 2 * abs(alpha) * params.switching_time_s
        pol = f"{prefix}p{index}"
        # dp/dt of the normalized polarization p = P / P_s
        rate = (f"((V({gate},{floating})/{params.thickness_m:.6e}) - ({2 * alpha * polarization:.6e})*V({pol})"
                f" - {4 * beta * polarization**3:.6e}*V({pol})*V({pol})*V({pol})) / {rho * polarization:.6e}")
        # the state capacitor is 1 pF, not 1 F: keeps its current (1e-12 * dp/dt) near circuit currents
        lines += [f"C{pol} {pol} 0 1p", f"B{pol} 0 {pol} I=1e-12*({rate})",
                  f"B{prefix}i{index} {gate} {floating} I={grain_area * polarization:.6e}*({rate})"]
    return lines


def initial_polarization(params: FefetParams, prefix: str = "fe") -> str:
    """A virgin film: alternate grains up and down (zero net polarization and no stored charge)."""
    values = " ".join(f"V({prefix}p{index})={1 if index % 2 else -1}" for index in range(params.domains))
    return f".ic {values} V({prefix}fg)=0"


def fefet_lines(params: FefetParams, drain: str, gate: str, source: str, prefix: str = "fe") -> list[str]:
    return gate_stack_lines(params, gate, f"{prefix}fg", source, prefix) + [
        f"M{prefix} {drain} {prefix}fg {source} {source} {prefix}nmos W=100n L=100n",
        (f".model {prefix}nmos nmos level=1 vto={params.mos_threshold_V} kp={params.mos_transconductance_A_per_V2}"
        " gamma=0 lambda=0")]


def _pwl(points: list[tuple[float, float]]) -> str:
    return "PWL(" + " ".join(f"{time:.6e} {value:.6e}" for time, value in points) + ")"


def write_read_netlist(params: FefetParams, pulses_V: list[float], read_sweeps: int = 1,
                       pulse_s: float = 100e-9, edge_s: float = 5e-9, sweep_to_V: float = 1.6,
                       sweep_s: float = 200e-9) -> tuple[str, list[tuple[float, float]]]:
    """Gate pulses (erase/program) then `read_sweeps` slow gate ramps 0 -> sweep_to_V at a small drain bias.

    Returns the netlist and the (start, end) time of each read ramp.
    """
    gate_points, time = [(0.0, 0.0)], 0.0
    for amplitude in pulses_V:
        gate_points += [(time + edge_s, amplitude), (time + edge_s + pulse_s, amplitude),
                        (time + 2 * edge_s + pulse_s, 0.0)]
        time += 2 * edge_s + pulse_s + 20e-9  # rest at 0 V: depolarization would act here
    ramps = []
    for _ in range(read_sweeps):
        gate_points += [(time + sweep_s, sweep_to_V), (time + sweep_s + edge_s, 0.0)]
        ramps.append((time, time + sweep_s))
        time += sweep_s + edge_s + 20e-9
    lines = ["fefet write and read", f"Vg g 0 {_pwl(gate_points)}", f"Vd d 0 DC {params.read_drain_V}",
             *fefet_lines(params, "d", "g", "0"), initial_polarization(params),
             f".tran 0.5n {time:.6e} uic", ".end"]
    return "\n".join(lines) + "\n", ramps


def threshold_from_sweep(waves: Waveforms, ramp: tuple[float, float], read_current_A: float) -> float:
    """Gate voltage where the drain current first reaches read_current_A on a rising ramp."""
    start, end = ramp
    window = (waves.time >= start) & (waves.time <= end)
    gate, current = waves["g"][window], -waves["vd#branch"][window]  # the source's branch current is negative
    above = numpy.nonzero(current >= read_current_A)[0]
    if len(above) == 0:
        raise CodesignError(f"fefet read: drain current never reached {read_current_A:g} A "
                            f"below V_g = {gate.max():.2f} V (Vth above the sweep)")
    index = above[0]
    if index == 0:
        return float(gate[0])
    fraction = (read_current_A - current[index - 1]) / (current[index] - current[index - 1])
    return float(gate[index - 1] + fraction * (gate[index] - gate[index - 1]))


def write_and_read(params: FefetParams, pulses_V: list[float], read_sweeps: int = 1,
                   time_limit_s: float = 30.0) -> tuple[list[float], float]:
    """Apply gate pulses, then read: (Vth of each read sweep, final mean normalized polarization)."""
    netlist, ramps = write_read_netlist(params, pulses_V, read_sweeps)
    waves = run_netlist(netlist, f"fefet write {pulses_V}", "transient", time_limit_s)
    thresholds = [threshold_from_sweep(waves, ramp, params.read_current_A) for ramp in ramps]
    polarization = numpy.mean([waves[f"fep{index}"][-1] for index in range(params.domains)])
    return thresholds, float(polarization)


def id_vg(params: FefetParams, pulses_V: list[float]) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(gate voltage, drain current) of one read ramp after the pulses."""
    netlist, ramps = write_read_netlist(params, pulses_V)
    waves = run_netlist(netlist, f"fefet id-vg {pulses_V}", "transient")
    window = (waves.time >= ramps[0][0]) & (waves.time <= ramps[0][1])
    return waves["g"][window], -waves["vd#branch"][window]


def pv_loop(params: FefetParams, amplitude_V: float = 4.0, period_s: float = 400e-9,
            time_limit_s: float = 30.0) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(gate voltage, mean polarization in C/m^2) over two triangular gate cycles +-amplitude_V."""
    quarter = period_s / 4
    points = [(0.0, 0.0)] + [(quarter * (step + 1), amplitude_V * (0, 1, 0, -1)[(step + 1) % 4])
                              for step in range(8)]
    lines = ["fefet pv loop", f"Vg g 0 {_pwl(points)}", f"Vd d 0 DC {params.read_drain_V}",
             *fefet_lines(params, "d", "g", "0"), initial_polarization(params),
             f".tran 0.5n {2 * period_s:.6e} uic", ".end"]
    waves = run_netlist("\n".join(lines) + "\n", "fefet pv loop", "transient", time_limit_s)
    polarization = numpy.mean([waves[f"fep{index}"] for index in range(params.domains)], axis=0)
    second_cycle = waves.time >= period_s
    return waves["g"][second_cycle], polarization[second_cycle] * params.remanent_polarization_C_per_m2


def written_states(params: FefetParams, schemes=PROGRAM_PULSES_V, read_sweeps: int = 1,
                   time_limit_s: float = 30.0) -> list[list[float]]:
    """Vth of every read sweep after each pulse scheme (both cores): one list per scheme."""
    built = [write_read_netlist(params, list(pulses), read_sweeps) for pulses in schemes]
    waves = run_netlists([netlist for netlist, _ in built], "fefet write states", "transient", time_limit_s)
    return [[threshold_from_sweep(wave, ramp, params.read_current_A) for ramp in ramps]
            for wave, (_, ramps) in zip(waves, built, strict=True)]
