"""cocotb bench of rtl/bitserial_mac.v against the golden model (codesign/cosim/rtl/golden_mac.py).

A valid/ready source offers MACs (holding each until accepted, with random bubbles); the design's
in_ready is its back-pressure. Every cycle's accumulator, out_valid and in_ready are compared with
the golden model's cycle-level reference (mac_bench.run_cycles). Parameters from
CODESIGN_RTL_PARAMETERS (JSON)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import cocotb
from mac_bench import parameters, run_cycles

from codesign.cosim.rtl.golden_mac import BitserialMacReference, bitserial_activation_bits
from codesign.cosim.rtl.trace import to_unsigned

Mac = tuple[int, int, int, int]
"""(weight, activation, activation_bits, clear), the activation a signed activation_bits-bit value."""


def _operand_bits() -> int:
    return parameters()["OPERAND_BITS"]


def _reference() -> BitserialMacReference:
    values = parameters()
    return BitserialMacReference(values["OPERAND_BITS"], values["ACCUMULATOR_BITS"], bool(values["SATURATE"]))


def _vector(mac: Mac, in_valid: int = 1, rst: int = 0) -> dict[str, int]:
    weight, activation, activation_bits, clear = mac
    bits = _operand_bits()
    return {"rst": rst, "in_valid": in_valid, "clear": clear, "weight": to_unsigned(weight, bits),
            "activation": to_unsigned(activation, bits), "activation_bits": activation_bits}


def _reset() -> dict[str, int]:
    return _vector((0, 0, 0, 0), in_valid=0, rst=1)


def _random_mac(rng: random.Random, clear: float = 0.05) -> Mac:
    """Uniform operands; activation_bits mostly 1..OPERAND_BITS, sometimes out of range (0, or
    above OPERAND_BITS: the design clamps), the activation a value of the bits used."""
    bits = _operand_bits()
    requested = rng.randint(1, bits) if rng.random() < 0.9 else rng.choice([0, bits + 1, 31])
    used = bitserial_activation_bits(requested, bits)
    return (rng.randint(-(1 << (bits - 1)), (1 << (bits - 1)) - 1),
            rng.randint(-(1 << (used - 1)), (1 << (used - 1)) - 1), requested, int(rng.random() < clear))


class ValidReadySource:
    """Offers `macs` in order, each held (in_valid high, operands stable) until accepted: in_valid
    and in_ready at an edge without rst; in a bubble (probability `bubble` before an offer) in_valid
    is low with random operands on the bus; rst is high in the cycles `resets` (counted from the
    first cycle, which resets). After the last acceptance, idle cycles drain the MAC in flight."""

    def __init__(self, macs: Sequence[Mac], rng: random.Random, bubble: float = 0.0, resets: Sequence[int] = ()):
        self.macs, self.rng, self.bubble, self.resets = list(macs), rng, bubble, set(resets)
        self.next, self.cycle, self.drain = 0, 0, _operand_bits() + 1

    def __call__(self, applied, sampled):
        if applied is None:
            return _reset()
        self.cycle += 1
        offered = bool(applied["in_valid"])
        if offered and not applied["rst"] and sampled is not None and sampled["in_ready"] == 1:
            self.next, offered = self.next + 1, False  # accepted at the edge just passed
        if self.next >= len(self.macs):
            self.drain -= 1
            vector = None if self.drain < 0 else _vector(_random_mac(self.rng), in_valid=0)
        elif offered or self.rng.random() >= self.bubble:
            vector = _vector(self.macs[self.next])
        else:
            vector = _vector(_random_mac(self.rng), in_valid=0)
        if vector is not None:
            vector["rst"] = int(self.cycle in self.resets)
        return vector


@cocotb.test()
async def random_back_to_back(dut):
    """Seeded random MACs offered back to back: in_ready paces them, one every B cycles."""
    rng = random.Random(1)
    macs = [_random_mac(rng) for _ in range(150)]
    await run_cycles(dut, ValidReadySource(macs, rng), _reference())


@cocotb.test()
async def bubbles_and_mid_stream_reset(dut):
    """Random bubbles on in_valid (with random operands on the idle bus) and rst in the middle of
    MACs: the MAC in flight is dropped, the source goes on with the next."""
    rng = random.Random(2)
    macs = [_random_mac(rng, clear=0.1) for _ in range(120)]
    await run_cycles(dut, ValidReadySource(macs, rng, bubble=0.3, resets=(40, 41, 203, 350)), _reference())


@cocotb.test()
async def extreme_operands(dut):
    """Most negative x most negative, x most positive, all-ones activations (the sign bit's
    subtraction), one-bit activations (0 or -1), at the full width and at narrower widths."""
    bits = _operand_bits()
    macs: list[Mac] = []
    for used in sorted({1, 2, bits - 1, bits}):
        if used < 1:
            continue
        low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        a_low, a_high = -(1 << (used - 1)), (1 << (used - 1)) - 1
        for weight, activation in ((low, a_low), (low, a_high), (high, a_high), (high, a_low), (low, -1), (-1, -1)):
            macs.append((weight, activation, used, 1))
            macs.append((weight, activation, used, 0))
    await run_cycles(dut, ValidReadySource(macs, random.Random(3)), _reference())


@cocotb.test()
async def overflow(dut):
    """Past the accumulator's positive end with the largest product, past its negative end and
    back: saturation (SATURATE=1) or wrap-around (0). The sums in flight must not saturate early."""
    values = parameters()
    bits = values["OPERAND_BITS"]
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    crossing = min(2 * (1 << (values["ACCUMULATOR_BITS"] - 1)) // (1 << (2 * bits - 2)) + 2, 500)
    macs = [(low, low, bits, 1)] + [(low, low, bits, 0)] * crossing
    macs += [(low, high, bits, 0)] * (2 * crossing) + [(high, high, bits, 0)] * crossing
    await run_cycles(dut, ValidReadySource(macs, random.Random(4)), _reference())

