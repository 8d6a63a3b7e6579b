"""The crossbar column's converter: the spec's SAR ADC (charge redistribution), as netlist lines.

ISAAC's converter (Shafiee et al., ISCA 2016) is an 8-bit 1.28 GS/s SAR ADC (after Kull et al.,
"A 3.1 mW 8b 1.2 GS/s single-channel asynchronous SAR ADC with alternate comparators", ISSCC
2013). A flash converter of the spec's 8 bits would need 255 comparators; a SAR has one comparator
and a binary-weighted capacitor DAC, and a read needing fewer bits simply runs fewer cycles, which
is how codesign.cost.crossbar takes its converters to be resolution-configurable (module docstring
there). So the simulated converter is:

  DAC        config.adc_bits binary-weighted capacitors 2^j C_u plus one dummy C_u (2^A C_u in all);
             bottom-plate sampling: while `track` is high the bottom plates follow the amplifier
             output and the top plate sits at 0 V; then each bottom plate goes to the reference
             (-full scale: the amplifier output is negative) when its bit is set, else to ground,
             so the top plate is |out| - code x full scale / 2^A.
  cycles     one per converted bit, MSB first, each 1 / (sample rate x adc_bits) long (the spec's
             converter at its rate); a B-bit read uses the B most significant capacitors and stops
             after B cycles (D.U.B.-style resolution).
  comparator behavioural (tanh) on the top plate, with a half-LSB offset so the result rounds,
             latched by a switch onto a hold capacitor at the end of each cycle.
Switches are voltage-controlled conductances (B-sources). Energy from simulated currents: the
reference source (the DAC's switching charge) and the comparator's supply (its bias current while
it decides; a chosen value, class of a StrongARM latch with preamplifier). The SAR logic
(a few registers per cycle) is not simulated.
"""

from __future__ import annotations

from dataclasses import dataclass

TRACK, ACTIVE = "track", "sar_active"
LEAK_OHM = 1e12  # off-switch leakage: gives the floating nodes a DC path; time constants of 0.1 s and more


@dataclass(frozen=True)
class SarDevices:
    """Our choices for the converter's devices."""

    unit_F: float = 1e-15  # unit capacitor: kT/C noise sqrt(kT / 256 fF) = 0.13 mV << the 2.5 mV 8-bit LSB
    switch_S: float = 1e-2  # 100 ohm switches: the 128 fF MSB settles in ~13 ps of a ~98 ps cycle
    comparator_bias_A: float = 0.5e-3  # ~44 fJ per decision at 0.9 V over one cycle
    comparator_gain_per_V: float = 2e4  # tanh slope: ~0.1 mV transition, far below an LSB
    hold_F: float = 1e-15
    hold_S: float = 1e-3  # 1 ps hold time constant: latches within the strobe


def cycle_s(adc_bits: int, sample_rate_Hz: float) -> float:
    return 1 / (sample_rate_Hz * adc_bits)


def sar_lines(spec_bits: int, bits: int, full_scale_V: float, rail_V: float, start_s: float,
              cycle: float, devices: SarDevices = SarDevices()) -> list[str]:
    """The converter sampling node `out` until start_s, then converting `bits` of it (<= spec_bits)."""
    edge_s = cycle / 20
    lines = [f"Vtrack {TRACK} 0 PULSE(1 0 {start_s:.6g} {edge_s:.4g} {edge_s:.4g} 1 2)",
             f"Vactive {ACTIVE} 0 PULSE(0 1 {start_s:.6g} {edge_s:.4g} {edge_s:.4g} {bits * cycle:.6g} 2)",
             f"Vdacref dacref 0 DC {-full_scale_V:g}",
             # the top plate lets go first: its charge then stays put while the bottom plates move
             f"Vtracktop tracktop 0 PULSE(1 0 {start_s - 2 * edge_s:.6g} {edge_s:.4g} {edge_s:.4g} 1 2)",
             f"Btop top 0 I=v(top)*{devices.switch_S:g}*v(tracktop)", f"Rleaktop top 0 {LEAK_OHM:g}"]
    plates = [(f"bot{j}", 2**j, j) for j in range(spec_bits)] + [("botd", 1, None)]
    for node, units, bit in plates:
        control = f"v(ctrl{bit})" if bit is not None and bit >= spec_bits - bits else "0"
        lines += _plate(node, units, control, devices)
    # keep a bit when |out| > (trial code - 1/2) LSB of the B-bit conversion: rounding
    half_lsb = full_scale_V / 2 ** (bits + 1)
    lines.append(f"Bdec dec 0 V=0.5*(1+tanh({devices.comparator_gain_per_V:g}*(v(top)+{half_lsb:.6g})))")
    for step in range(bits):
        lines += _bit(spec_bits - 1 - step, start_s + step * cycle, cycle, edge_s, devices)
    lines += [f"Vcmp cmpsupply 0 DC {rail_V:g}",
              f"Bcmpbias cmpsupply 0 I={devices.comparator_bias_A:g}*v({ACTIVE})"]
    return lines


def _plate(node: str, units: int, control: str, devices: SarDevices) -> list[str]:
    switch = devices.switch_S
    return [f"C{node} top {node} {units * devices.unit_F:.6g}",
            f"B{node}in out {node} I=(v(out)-v({node}))*{switch:g}*v({TRACK})",
            f"B{node}ref dacref {node} I=(v(dacref)-v({node}))*{switch:g}*(1-v({TRACK}))*{control}",
            f"B{node}gnd 0 {node} I=-v({node})*{switch:g}*(1-v({TRACK}))*(1-{control})"]


def _bit(bit: int, begin: float, cycle: float, edge: float, devices: SarDevices) -> list[str]:
    # trial during its cycle, then the decision latched just before the cycle ends
    end = begin + cycle
    return [f"Vtrial{bit} trial{bit} 0 PULSE(0 1 {begin:.6g} {edge:.4g} {edge:.4g} {cycle - 2 * edge:.6g} 1)",
            f"Vafter{bit} after{bit} 0 PULSE(0 1 {end - edge:.6g} {edge:.4g} {edge:.4g} 1 2)",
            f"Vstrobe{bit} strobe{bit} 0 PULSE(0 1 {end - 0.3 * cycle:.6g} {edge / 5:.4g} {edge / 5:.4g} "
            f"{0.2 * cycle:.6g} 1)",
            f"Bhold{bit} 0 held{bit} I=(v(dec)-v(held{bit}))*{devices.hold_S:g}*v(strobe{bit})",
            f"Chold{bit} held{bit} 0 {devices.hold_F:g}", f"Rleak{bit} held{bit} 0 {LEAK_OHM:g}",
            f"Bctrl{bit} ctrl{bit} 0 V=v(trial{bit})+v(after{bit})*v(held{bit})"]


def sar_code(held: dict[int, float], spec_bits: int, bits: int) -> int:
    """The B-bit output code from the hold capacitors' voltages (bit -> V) at the end of the conversion."""
    return sum(2 ** (bit - (spec_bits - bits)) for bit in range(spec_bits - bits, spec_bits) if held[bit] > 0.5)
