"""Golden models of the MAC units in rtl/ (mac.v, scalable_mac.v, bitserial_mac.v), their
cycle-level references for the cocotb benches, and their Designs for the measurement flow.

Arithmetic (the golden part; plain integers and numpy, nothing of the hardware's structure):
  * a MAC adds weight x activation (signed two's complement) into a signed accumulator of
    accumulator_bits that saturates at its range (SATURATE=1) or wraps (SATURATE=0); `clear`
    with an accepted input starts a new sum: the accumulator takes the product alone;
  * the precision-scalable MAC adds, per cycle, the SUM of n = (UNIT_BITS/b)^2 products of b-bit
    signed fields (product k: weights[k*b +: b] x activations[k*b +: b]);
  * the bit-serial MAC is mac.v's MAC with the activation a signed activation_bits-bit value.
Timing (the references' part) is each module's stated protocol, see its Verilog header.

The Designs' accumulators are signed, 2 x operand bits + 8 guard bits wide, and SATURATE, as the
accuracy model's digital dot product (codesign/accuracy/quantize.py, DigitalDot) keeps its sums:
the guard bits hold 256 extreme products without saturating. Each trace resets the design in its
first cycle, then streams uniform random operands over the full signed range, back to back, and
clears the accumulator every DOT_LENGTH products (one output's reduction).

CODESIGN_RTL_PLANTED_BUG=1 makes `accumulate` wrap where it should saturate and saturate where it
should wrap: the benches' overflow vectors must catch it (tests/cosim/test_rtl_mac.py).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy

from codesign.cosim.rtl.trace import Design, RtlOptions, Trace, Vector, to_signed, to_unsigned
from codesign.errors import CodesignError

PLANTED_BUG_VARIABLE = "CODESIGN_RTL_PLANTED_BUG"
BITS_RANGE = (2, 16)
"""Operand bits every MAC design supports (the scalable MAC: powers of two in it)."""
GUARD_BITS = 8
"""Accumulator bits beyond a full-width product, in the Designs."""
DOT_LENGTH = 64
"""Products per output in a trace: the accumulator is cleared at each output's first input."""
ACTIVATION_BITS_PORT = 5
"""Width of bitserial_mac's activation_bits input (values 1..16)."""
MODE_PORT = 2
"""Width of scalable_mac's mode input (b = 2 << mode, up to 16 bits)."""
FIRST_INPUT_CYCLE = 1
"""A trace's first input cycle: cycle 0 resets the design."""


def planted_bug() -> bool:
    return os.environ.get(PLANTED_BUG_VARIABLE) == "1"


# ---------------------------------------------------------------- arithmetic (the golden model)

def accumulate(accumulator: int, value: int, accumulator_bits: int, saturate: bool) -> int:
    """accumulator + value in a signed accumulator_bits-bit register, saturating or wrapping."""
    if planted_bug():
        saturate = not saturate
    total = int(accumulator) + int(value)
    low, high = -(1 << (accumulator_bits - 1)), (1 << (accumulator_bits - 1)) - 1
    if saturate:
        return min(max(total, low), high)
    return to_signed(total, accumulator_bits)


def mac(accumulator: int, weight: int, activation: int, clear: bool, accumulator_bits: int,
        saturate: bool) -> int:
    """One MAC: the accumulator after adding weight x activation (to 0 when `clear`)."""
    return accumulate(0 if clear else accumulator, int(weight) * int(activation), accumulator_bits, saturate)


def signed_fields(bus: int, field_bits: int, count: int) -> numpy.ndarray:
    """The `count` low `field_bits`-bit fields of `bus`, field k at bits [k*field_bits +: field_bits],
    as signed integers."""
    return numpy.array([to_signed(int(bus) >> (k * field_bits), field_bits) for k in range(count)], dtype=numpy.int64)


def pack_fields(values: Sequence[int], field_bits: int) -> int:
    """The bus with values[k] (two's complement) at bits [k*field_bits +: field_bits]."""
    bus = 0
    for k, value in enumerate(values):
        bus |= to_unsigned(int(value), field_bits) << (k * field_bits)
    return bus


def scalable_mode_bits(unit_bits: int, mode: int) -> int:
    """The operand precision b of a scalable_mac mode (modes past the unit's width run as its widest)."""
    return min(2 << int(mode), unit_bits)


def products_per_cycle(unit_bits: int, bits: int) -> int:
    return (unit_bits // bits) ** 2


def scalable_sum(weights: int, activations: int, unit_bits: int, mode: int) -> int:
    """The sum of the n = (UNIT_BITS/b)^2 products a scalable_mac cycle computes."""
    bits = scalable_mode_bits(unit_bits, mode)
    count = products_per_cycle(unit_bits, bits)
    return int(numpy.dot(signed_fields(weights, bits, count), signed_fields(activations, bits, count)))


def bitserial_activation_bits(requested: int, operand_bits: int) -> int:
    """The activation bits a bitserial_mac uses for an activation_bits input (0 as 1, at most OPERAND_BITS)."""
    return min(max(int(requested), 1), operand_bits)


# ---------------------------------------------------------------- cycle-level references

class MacReference:
    """mac.v cycle by cycle: step(inputs applied before a rising edge) -> outputs just after it
    (bit patterns), by the Trace convention. The design must be reset before its outputs are defined."""

    def __init__(self, operand_bits: int, accumulator_bits: int, saturate: bool):
        self.operand_bits, self.accumulator_bits, self.saturate = operand_bits, accumulator_bits, saturate
        self.accumulator, self.out_valid = 0, 0

    def step(self, inputs: Vector) -> dict[str, int]:
        if inputs["rst"]:
            self.accumulator, self.out_valid = 0, 0
        else:
            if inputs["in_valid"]:
                self.accumulator = mac(self.accumulator, to_signed(inputs["weight"], self.operand_bits),
                                       to_signed(inputs["activation"], self.operand_bits), inputs["clear"],
                                       self.accumulator_bits, self.saturate)
            self.out_valid = int(bool(inputs["in_valid"]))
        return {"accumulator": to_unsigned(self.accumulator, self.accumulator_bits), "out_valid": self.out_valid}


class ScalableMacReference(MacReference):
    """scalable_mac.v cycle by cycle (as MacReference): one cycle adds scalable_sum into the accumulator."""

    def __init__(self, unit_bits: int, accumulator_bits: int, saturate: bool):
        super().__init__(unit_bits, accumulator_bits, saturate)
        self.unit_bits = unit_bits

    def step(self, inputs: Vector) -> dict[str, int]:
        if inputs["rst"]:
            self.accumulator, self.out_valid = 0, 0
        else:
            if inputs["in_valid"]:
                total = scalable_sum(inputs["weights"], inputs["activations"], self.unit_bits, inputs["mode"])
                base = 0 if inputs["clear"] else self.accumulator
                self.accumulator = accumulate(base, total, self.accumulator_bits, self.saturate)
            self.out_valid = int(bool(inputs["in_valid"]))
        return {"accumulator": to_unsigned(self.accumulator, self.accumulator_bits), "out_valid": self.out_valid}


class BitserialMacReference(MacReference):
    """bitserial_mac.v cycle by cycle (as MacReference): an input accepted at edge t (in_valid,
    in_ready, no rst) with B activation bits completes at edge t + B - 1 (accumulator updated,
    out_valid just after it); in_ready is low just after edges t .. t + B - 2."""

    def __init__(self, operand_bits: int, accumulator_bits: int, saturate: bool):
        super().__init__(operand_bits, accumulator_bits, saturate)
        self.cycles_left = 0  # edges still to come before the MAC in flight completes
        self.pending: tuple[int, bool] = (0, False)  # its product and clear

    def step(self, inputs: Vector) -> dict[str, int]:
        if inputs["rst"]:
            self.accumulator, self.out_valid, self.cycles_left = 0, 0, 0
        else:
            self.out_valid = 0
            if self.cycles_left == 0 and inputs["in_valid"]:  # accepted
                bits = bitserial_activation_bits(inputs["activation_bits"], self.operand_bits)
                product = to_signed(inputs["weight"], self.operand_bits) * to_signed(inputs["activation"], bits)
                self.pending, self.cycles_left = (product, bool(inputs["clear"])), bits
            if self.cycles_left:
                self.cycles_left -= 1
                if self.cycles_left == 0:
                    product, clear = self.pending
                    self.accumulator = accumulate(0 if clear else self.accumulator, product,
                                                  self.accumulator_bits, self.saturate)
                    self.out_valid = 1
        return {"accumulator": to_unsigned(self.accumulator, self.accumulator_bits), "out_valid": self.out_valid,
                "in_ready": int(self.cycles_left == 0)}


# ---------------------------------------------------------------- Designs (measurement traces)

def _check_bits(options: RtlOptions, design: str) -> int:
    bits = options.bits
    if not BITS_RANGE[0] <= bits <= BITS_RANGE[1]:
        raise CodesignError(f"{design}: --bits {bits} is not supported (operand bits {BITS_RANGE[0]}..{BITS_RANGE[1]})")
    return bits


def _accumulator_bits(operand_bits: int) -> int:
    return 2 * operand_bits + GUARD_BITS


def _reset_vector(ports: dict[str, int]) -> dict[str, int]:
    return {name: int(name == "rst") for name in ports}


def _random_operands(rng: numpy.random.Generator, bits: int, count: int) -> numpy.ndarray:
    return rng.integers(-(1 << (bits - 1)), 1 << (bits - 1), size=count, endpoint=False)


def _mac_ports_in(options: RtlOptions) -> dict[str, int]:
    bits = _check_bits(options, "mac")
    return {"rst": 1, "in_valid": 1, "clear": 1, "weight": bits, "activation": bits}


def _mac_accumulator_bits(options: RtlOptions) -> int:
    """options.accumulator_bits where given (at least the product's 2 x bits), else 2 x bits + guard."""
    bits = _check_bits(options, "mac")
    if options.accumulator_bits is None:
        return _accumulator_bits(bits)
    if not 2 * bits <= options.accumulator_bits <= 64:
        raise CodesignError(f"mac: a {options.accumulator_bits}-bit accumulator is not supported for {bits}-bit "
                            f"operands (supported: {2 * bits} to 64)")
    return options.accumulator_bits


def _mac_ports_out(options: RtlOptions) -> dict[str, int]:
    return {"accumulator": _mac_accumulator_bits(options), "out_valid": 1}


def _mac_parameters(options: RtlOptions) -> dict[str, int]:
    bits = _check_bits(options, "mac")
    return {"OPERAND_BITS": bits, "ACCUMULATOR_BITS": _mac_accumulator_bits(options), "SATURATE": 1}


def _check_results(outputs: Sequence[Vector], valid_cycles: Sequence[int], expected: Sequence[int],
                   accumulator_bits: int, design: str) -> int:
    """Raise AssertionError unless out_valid is high just after exactly the edges `valid_cycles`
    with the accumulator at `expected` there; the last such cycle."""
    reported = [t for t, output in enumerate(outputs) if output["out_valid"]]
    for t, value in zip(reported, expected):
        got = to_signed(outputs[t]["accumulator"], accumulator_bits)
        assert got == value, f"{design}: accumulator {got} after edge {t}, the golden model says {value}"
    assert reported == list(valid_cycles), (
        f"{design}: out_valid after {len(reported)} edges (first {reported[:3]}), "
        f"expected after {len(valid_cycles)} (first {list(valid_cycles)[:3]})")
    return reported[-1]


def _mac_trace(options: RtlOptions, rng: numpy.random.Generator, operations: int) -> Trace:
    bits = _check_bits(options, "mac")
    accumulator_bits = _mac_accumulator_bits(options)
    operations = max(1, int(operations))
    weights, activations = _random_operands(rng, bits, operations), _random_operands(rng, bits, operations)
    inputs: list[Vector] = [_reset_vector(_mac_ports_in(options))]
    expected, accumulator = [], 0
    for index, (weight, activation) in enumerate(zip(weights, activations)):
        clear = index % DOT_LENGTH == 0
        inputs.append({"rst": 0, "in_valid": 1, "clear": int(clear), "weight": to_unsigned(weight, bits),
                       "activation": to_unsigned(activation, bits)})
        accumulator = mac(accumulator, weight, activation, clear, accumulator_bits, True)
        expected.append(accumulator)

    def check(outputs: Sequence[Vector]) -> dict[str, float]:
        last = _check_results(outputs, range(FIRST_INPUT_CYCLE, FIRST_INPUT_CYCLE + operations), expected,
                              accumulator_bits, "mac")
        return {"cycles_per_operation": (last - FIRST_INPUT_CYCLE + 1) / operations}

    return Trace(tuple(inputs), check, operations, "MAC")


MAC_DESIGN = Design(name="mac", sources=("saturating_add.v", "mac.v"), top="mac", ports_in=_mac_ports_in,
                    ports_out=_mac_ports_out,
                    parameters=_mac_parameters, trace=_mac_trace, bits_range=BITS_RANGE)


def _scalable_configuration(options: RtlOptions) -> tuple[int, int, int]:
    """(UNIT_BITS, mode, products per cycle) for options.bits."""
    bits = _check_bits(options, "scalable-mac")
    if bits & (bits - 1):
        raise CodesignError(f"scalable-mac: --bits {bits} is not supported (a power of two, 2..16: 2, 4, 8, 16)")
    unit_bits = 8 if bits <= 8 else 16
    return unit_bits, bits.bit_length() - 2, products_per_cycle(unit_bits, bits)


def _scalable_ports_in(options: RtlOptions) -> dict[str, int]:
    unit_bits = _scalable_configuration(options)[0]
    bus = unit_bits * unit_bits // 2
    return {"rst": 1, "in_valid": 1, "clear": 1, "mode": MODE_PORT, "weights": bus, "activations": bus}


def _scalable_ports_out(options: RtlOptions) -> dict[str, int]:
    return {"accumulator": _accumulator_bits(_scalable_configuration(options)[0]), "out_valid": 1}


def _scalable_parameters(options: RtlOptions) -> dict[str, int]:
    unit_bits = _scalable_configuration(options)[0]
    return {"UNIT_BITS": unit_bits, "ACCUMULATOR_BITS": _accumulator_bits(unit_bits), "SATURATE": 1}


def _scalable_trace(options: RtlOptions, rng: numpy.random.Generator, operations: int) -> Trace:
    unit_bits, mode, per_cycle = _scalable_configuration(options)
    bits, accumulator_bits = options.bits, _accumulator_bits(unit_bits)
    cycles = max(1, -(-int(operations) // per_cycle))
    cycles_per_output = max(1, DOT_LENGTH // per_cycle)
    inputs: list[Vector] = [_reset_vector(_scalable_ports_in(options))]
    expected, accumulator = [], 0
    for cycle in range(cycles):
        weights, activations = _random_operands(rng, bits, per_cycle), _random_operands(rng, bits, per_cycle)
        clear = cycle % cycles_per_output == 0
        inputs.append({"rst": 0, "in_valid": 1, "clear": int(clear), "mode": mode,
                       "weights": pack_fields(weights, bits), "activations": pack_fields(activations, bits)})
        total = int(numpy.dot(weights, activations))
        accumulator = accumulate(0 if clear else accumulator, total, accumulator_bits, True)
        expected.append(accumulator)
    products = cycles * per_cycle

    def check(outputs: Sequence[Vector]) -> dict[str, float]:
        last = _check_results(outputs, range(FIRST_INPUT_CYCLE, FIRST_INPUT_CYCLE + cycles), expected,
                              accumulator_bits, "scalable-mac")
        measured_cycles = last - FIRST_INPUT_CYCLE + 1
        return {"cycles_per_operation": measured_cycles / products, "products_per_cycle": products / measured_cycles}

    return Trace(tuple(inputs), check, products, f"{bits}-bit product")


SCALABLE_MAC_DESIGN = Design(name="scalable-mac", sources=("saturating_add.v", "scalable_mac.v"), top="scalable_mac",
                             ports_in=_scalable_ports_in, ports_out=_scalable_ports_out,
                             parameters=_scalable_parameters, trace=_scalable_trace, bits_range=BITS_RANGE)


def _bitserial_ports_in(options: RtlOptions) -> dict[str, int]:
    bits = _check_bits(options, "bitserial-mac")
    return {"rst": 1, "in_valid": 1, "clear": 1, "weight": bits, "activation": bits,
            "activation_bits": ACTIVATION_BITS_PORT}


def _bitserial_ports_out(options: RtlOptions) -> dict[str, int]:
    return {"accumulator": _accumulator_bits(_check_bits(options, "bitserial-mac")), "out_valid": 1, "in_ready": 1}


def _bitserial_parameters(options: RtlOptions) -> dict[str, int]:
    bits = _check_bits(options, "bitserial-mac")
    return {"OPERAND_BITS": bits, "ACCUMULATOR_BITS": _accumulator_bits(bits), "SATURATE": 1}


def _bitserial_trace(options: RtlOptions, rng: numpy.random.Generator, operations: int) -> Trace:
    """Back to back MACs with activation_bits = options.bits: each input is offered (in_valid high,
    operands held) for the bits cycles the design takes, so it is accepted on the first of them."""
    bits = _check_bits(options, "bitserial-mac")
    accumulator_bits = _accumulator_bits(bits)
    operations = max(1, int(operations))
    weights, activations = _random_operands(rng, bits, operations), _random_operands(rng, bits, operations)
    inputs: list[Vector] = [_reset_vector(_bitserial_ports_in(options))]
    offered, expected, accumulator = [], [], 0
    for index, (weight, activation) in enumerate(zip(weights, activations)):
        clear = index % DOT_LENGTH == 0
        vector = {"rst": 0, "in_valid": 1, "clear": int(clear), "weight": to_unsigned(weight, bits),
                  "activation": to_unsigned(activation, bits), "activation_bits": bits}
        offered.append(vector)
        inputs.extend([vector] * bits)
        accumulator = mac(accumulator, weight, activation, clear, accumulator_bits, True)
        expected.append(accumulator)

    def check(outputs: Sequence[Vector]) -> dict[str, float]:
        # Transfers: in_valid high before an edge while in_ready (sampled after the edge before) is high.
        accepted = [t for t in range(1, len(inputs)) if inputs[t]["in_valid"] and not inputs[t]["rst"]
                    and outputs[t - 1]["in_ready"]]
        for number, t in enumerate(accepted[:len(offered)]):
            assert inputs[t] == offered[number], (
                f"bitserial-mac: MAC {number} was not the input accepted at edge {t} (the design takes another "
                f"number of cycles per MAC than the {bits} activation bits)")
        assert len(accepted) == len(offered), f"bitserial-mac: {len(accepted)} inputs accepted of {len(offered)}"
        completed = [t for t, output in enumerate(outputs) if output["out_valid"]]
        assert len(completed) == len(offered), f"bitserial-mac: {len(completed)} MACs completed of {len(offered)}"
        last = _check_results(outputs, completed, expected, accumulator_bits, "bitserial-mac")
        return {"cycles_per_operation": (last - accepted[0] + 1) / len(offered),
                "latency_cycles": float(completed[0] - accepted[0] + 1)}

    return Trace(tuple(inputs), check, operations, "MAC")


BITSERIAL_MAC_DESIGN = Design(name="bitserial-mac", sources=("saturating_add.v", "bitserial_mac.v"), top="bitserial_mac",
                              ports_in=_bitserial_ports_in, ports_out=_bitserial_ports_out,
                              parameters=_bitserial_parameters, trace=_bitserial_trace, bits_range=BITS_RANGE)

DESIGNS = (MAC_DESIGN, SCALABLE_MAC_DESIGN, BITSERIAL_MAC_DESIGN)
