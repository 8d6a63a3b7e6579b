"""cocotb bench of rtl/mac.v against the golden model (codesign/cosim/rtl/golden_mac.py).

Parameters come from the environment variable CODESIGN_RTL_PARAMETERS (JSON: the Verilog
parameters the design was built with). Every cycle's outputs are compared with the golden
model's cycle-level reference: inputs are driven just after a rising edge, outputs sampled in
the ReadOnly phase after the next one (the Trace convention).

run_cycles is shared with the other MAC benches.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterable

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge

from codesign.cosim.rtl.golden_mac import MacReference
from codesign.cosim.rtl.trace import to_signed, to_unsigned

PARAMETERS_VARIABLE = "CODESIGN_RTL_PARAMETERS"
MAX_REPORTED = 5

Vector = dict[str, int]
Source = Callable[[Vector | None, Vector | None], Vector | None]
"""source(vector applied before the last edge, outputs sampled after the edge before it) ->
the vector for the next edge, or None to stop."""


def parameters() -> dict[str, int]:
    return json.loads(os.environ[PARAMETERS_VARIABLE])


def from_list(vectors: Iterable[Vector]) -> Source:
    iterator = iter(vectors)
    return lambda applied, sampled: next(iterator, None)


def _drive(dut, vector: Vector) -> None:
    for name, value in vector.items():
        getattr(dut, name).value = int(value)


def _sample(dut, name: str) -> int | str:
    value = getattr(dut, name).value
    try:
        return value.to_unsigned() if hasattr(value, "to_unsigned") else int(value)  # a vector or one bit
    except ValueError:  # X or Z bits
        return str(value)


async def run_cycles(dut, source: Source, reference) -> int:
    """Drive the vectors `source` yields, one per clock cycle, and compare every output after every
    edge with reference.step(inputs before that edge); fail with the first mismatches. Cycles run."""
    Clock(dut.clk, 10, unit="ns").start()
    await RisingEdge(dut.clk)
    applied = source(None, None)
    _drive(dut, applied)
    sampled, mismatches, cycle = None, [], 0
    while applied is not None:
        await RisingEdge(dut.clk)
        expected = reference.step(applied)
        following = source(applied, sampled)
        if following is not None:
            _drive(dut, following)
        await ReadOnly()
        sampled = {name: _sample(dut, name) for name in expected}
        for name, value in expected.items():
            if sampled[name] != value:
                width = len(getattr(dut, name))
                got = to_signed(sampled[name], width) if isinstance(sampled[name], int) and width > 1 else sampled[name]
                golden = to_signed(value, width) if width > 1 else value
                mismatches.append(f"cycle {cycle}: {name} = {got}, golden {golden} (inputs {applied})")
        applied, cycle = following, cycle + 1
    if mismatches:
        raise AssertionError(f"{len(mismatches)} mismatches: " + "; ".join(mismatches[:MAX_REPORTED]))
    return cycle


# ---------------------------------------------------------------- vectors for mac.v

def _signed_range(bits: int) -> tuple[int, int]:
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def _vector(bits: int, weight: int, activation: int, in_valid: int = 1, clear: int = 0, rst: int = 0) -> Vector:
    return {"rst": rst, "in_valid": in_valid, "clear": clear, "weight": to_unsigned(weight, bits),
            "activation": to_unsigned(activation, bits)}


def _reset(bits: int) -> Vector:
    return _vector(bits, 0, 0, in_valid=0, rst=1)


def _random_vector(rng: random.Random, bits: int, bubble: float = 0.0, clear: float = 0.05) -> Vector:
    low, high = _signed_range(bits)
    return _vector(bits, rng.randint(low, high), rng.randint(low, high), in_valid=int(rng.random() >= bubble),
                   clear=int(rng.random() < clear))


def _reference() -> MacReference:
    values = parameters()
    return MacReference(values["OPERAND_BITS"], values["ACCUMULATOR_BITS"], bool(values["SATURATE"]))


@cocotb.test()
async def random_stream(dut):
    """Seeded uniform random operands over the full signed range, back to back, occasional clears."""
    bits, rng = parameters()["OPERAND_BITS"], random.Random(1)
    vectors = [_reset(bits)] + [_random_vector(rng, bits) for _ in range(600)]
    await run_cycles(dut, from_list(vectors), _reference())


@cocotb.test()
async def bubbles_and_mid_stream_reset(dut):
    """in_valid low about a third of the cycles (the accumulator holds), clear alone without in_valid
    (ignored), and rst asserted in the middle of the stream, with and without an input beside it."""
    bits, rng = parameters()["OPERAND_BITS"], random.Random(2)
    vectors = [_reset(bits)]
    for index in range(400):
        vector = _random_vector(rng, bits, bubble=0.35, clear=0.1)
        if index in (97, 98, 250):
            vector["rst"] = 1
        vectors.append(vector)
    await run_cycles(dut, from_list(vectors), _reference())


@cocotb.test()
async def extreme_operands(dut):
    """Most negative x most negative (the largest product), most negative x most positive, maximum
    positive squared, zeros and ones, each after a clear and accumulated."""
    bits = parameters()["OPERAND_BITS"]
    low, high = _signed_range(bits)
    pairs = [(low, low), (low, high), (high, low), (high, high), (low, 0), (0, low), (-1, -1), (1, -1), (low, 1)]
    vectors = [_reset(bits)]
    for weight, activation in pairs:
        vectors.append(_vector(bits, weight, activation, clear=1))
        vectors.extend(_vector(bits, weight, activation) for _ in range(3))
    await run_cycles(dut, from_list(vectors), _reference())


@cocotb.test()
async def overflow(dut):
    """Drive the accumulator past its positive end with the largest product, back past its negative
    end with the most negative one, and back: saturation (SATURATE=1) or wrap-around (0)."""
    values = parameters()
    bits = values["OPERAND_BITS"]
    low, high = _signed_range(bits)
    # Enough largest products (2^(2b-2)) to cross the accumulator's range twice.
    crossing = min(2 * (1 << (values["ACCUMULATOR_BITS"] - 1)) // (1 << (2 * bits - 2)) + 2, 2000)
    vectors = [_reset(bits), _vector(bits, low, low, clear=1)]
    vectors += [_vector(bits, low, low) for _ in range(crossing)]
    vectors += [_vector(bits, low, high) for _ in range(2 * crossing)]
    vectors += [_vector(bits, high, high) for _ in range(crossing)]
    await run_cycles(dut, from_list(vectors), _reference())
