"""cocotb bench of rtl/scalable_mac.v against the golden model (codesign/cosim/rtl/golden_mac.py):
per cycle, the sum of (UNIT_BITS/b)^2 products of b-bit signed fields. Parameters from
CODESIGN_RTL_PARAMETERS (JSON); cycle convention and checking as mac_bench.run_cycles."""

from __future__ import annotations

import random

import cocotb
from mac_bench import from_list, parameters, run_cycles

from codesign.cosim.rtl.golden_mac import ScalableMacReference, pack_fields, products_per_cycle

MODE_VALUES = 4  # the 2-bit mode input; modes past the unit's widest run as the widest


def _unit_bits() -> int:
    return parameters()["UNIT_BITS"]


def _modes() -> list[int]:
    """The unit's modes: b = 2 << mode up to UNIT_BITS."""
    return [mode for mode in range(MODE_VALUES) if 2 << mode <= _unit_bits()]


def _bus_bits() -> int:
    return _unit_bits() * _unit_bits() // 2


def _vector(mode: int, weights: list[int], activations: list[int], in_valid: int = 1, clear: int = 0,
            rst: int = 0, garbage: random.Random | None = None) -> dict[str, int]:
    """Fields packed at b = 2 << mode bits; the bus bits above them random when `garbage` is given."""
    bits = min(2 << mode, _unit_bits())
    buses = [pack_fields(weights, bits), pack_fields(activations, bits)]
    if garbage is not None:
        used = len(weights) * bits
        buses = [bus | (garbage.getrandbits(_bus_bits()) >> used << used) for bus in buses]
    return {"rst": rst, "in_valid": in_valid, "clear": clear, "mode": mode, "weights": buses[0],
            "activations": buses[1]}


def _random_fields(rng: random.Random, bits: int, count: int) -> list[int]:
    return [rng.randint(-(1 << (bits - 1)), (1 << (bits - 1)) - 1) for _ in range(count)]


def _random_vector(rng: random.Random, mode: int, bubble: float = 0.0, clear: float = 0.05) -> dict[str, int]:
    bits = min(2 << mode, _unit_bits())
    count = products_per_cycle(_unit_bits(), bits)
    return _vector(mode, _random_fields(rng, bits, count), _random_fields(rng, bits, count),
                   in_valid=int(rng.random() >= bubble), clear=int(rng.random() < clear), garbage=rng)


def _reset() -> dict[str, int]:
    return {"rst": 1, "in_valid": 0, "clear": 0, "mode": 0, "weights": 0, "activations": 0}


def _reference() -> ScalableMacReference:
    values = parameters()
    return ScalableMacReference(values["UNIT_BITS"], values["ACCUMULATOR_BITS"], bool(values["SATURATE"]))


@cocotb.test()
async def random_modes(dut):
    """Seeded uniform random fields, the mode changing every cycle (all four mode values), random
    bits in the bus above the used fields (ignored), occasional clears."""
    rng = random.Random(1)
    vectors = [_reset()] + [_random_vector(rng, rng.randrange(MODE_VALUES)) for _ in range(500)]
    await run_cycles(dut, from_list(vectors), _reference())


@cocotb.test()
async def bubbles_and_mid_stream_reset(dut):
    rng = random.Random(2)
    vectors = [_reset()]
    for index in range(300):
        vector = _random_vector(rng, rng.randrange(MODE_VALUES), bubble=0.35, clear=0.1)
        vector["rst"] = int(index in (71, 72, 200))
        vectors.append(vector)
    await run_cycles(dut, from_list(vectors), _reference())


@cocotb.test()
async def extreme_operands_each_mode(dut):
    """In each mode: every field most negative (both operands), most negative x most positive,
    most positive x most positive; then one product alone at each position k (the others zero),
    which pins each brick's slice and shift."""
    vectors = [_reset()]
    for mode in _modes():
        bits = 2 << mode
        count = products_per_cycle(_unit_bits(), bits)
        low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        for weight, activation in ((low, low), (low, high), (high, high), (-1, -1)):
            vectors.append(_vector(mode, [weight] * count, [activation] * count, clear=1))
            vectors.append(_vector(mode, [weight] * count, [activation] * count))
        for k in range(count):
            weights, activations = [0] * count, [0] * count
            weights[k], activations[k] = low, high - k % 2
            vectors.append(_vector(mode, weights, activations, clear=1))
    await run_cycles(dut, from_list(vectors), _reference())


@cocotb.test()
async def overflow(dut):
    """Past the accumulator's positive end with the widest mode's largest products, past the
    negative end, and back: saturation (SATURATE=1) or wrap-around (0); then the narrowest mode."""
    values = parameters()
    mode, unit_bits = max(_modes()), values["UNIT_BITS"]
    low, high = -(1 << (unit_bits - 1)), (1 << (unit_bits - 1)) - 1
    crossing = min(2 * (1 << (values["ACCUMULATOR_BITS"] - 1)) // (1 << (2 * unit_bits - 2)) + 2, 2000)
    vectors = [_reset(), _vector(mode, [low], [low], clear=1)]
    vectors += [_vector(mode, [low], [low]) for _ in range(crossing)]
    vectors += [_vector(mode, [low], [high]) for _ in range(2 * crossing)]
    vectors += [_vector(mode, [high], [high]) for _ in range(crossing)]
    count = products_per_cycle(unit_bits, 2)
    vectors += [_vector(0, [-2] * count, [-2] * count) for _ in range(20)]
    await run_cycles(dut, from_list(vectors), _reference())
