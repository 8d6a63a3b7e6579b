"""The MAC units' golden models (codesign/cosim/rtl/golden_mac.py) on hand-checked cases, their
cycle-level references, and their Designs' traces checked against outputs the references produce
(no simulator)."""

import numpy
import pytest

from codesign.cosim.rtl.golden_mac import (BITSERIAL_MAC_DESIGN, MAC_DESIGN, PLANTED_BUG_VARIABLE,
                                           SCALABLE_MAC_DESIGN, BitserialMacReference, MacReference,
                                           ScalableMacReference, accumulate, bitserial_activation_bits, mac,
                                           pack_fields, scalable_sum, signed_fields)
from codesign.cosim.rtl.trace import RtlOptions, to_signed, to_unsigned
from codesign.errors import CodesignError


def test_accumulate_saturates_or_wraps_at_the_signed_range():
    assert accumulate(120, 10, 8, saturate=True) == 127
    assert accumulate(-120, -10, 8, saturate=True) == -128
    assert accumulate(120, 10, 8, saturate=False) == -126  # 130 - 256
    assert accumulate(-120, -10, 8, saturate=False) == 126
    assert accumulate(100, 27, 8, saturate=True) == 127 and accumulate(100, 27, 8, saturate=False) == 127


def test_planted_bug_swaps_saturation_and_wrap_around(monkeypatch):
    monkeypatch.setenv(PLANTED_BUG_VARIABLE, "1")
    assert accumulate(120, 10, 8, saturate=True) == -126
    assert accumulate(120, 10, 8, saturate=False) == 127
    assert accumulate(1, 2, 8, saturate=True) == 3  # a small bug: only overflow shows it


def test_mac_clear_and_extreme_products():
    assert mac(1000, -128, -128, clear=True, accumulator_bits=24, saturate=True) == 16384
    assert mac(1000, -128, 127, clear=False, accumulator_bits=24, saturate=True) == 1000 - 16256
    assert mac(0, -2, -2, clear=False, accumulator_bits=4, saturate=True) == 4
    assert mac(5, -2, -2, clear=False, accumulator_bits=4, saturate=True) == 7
    assert mac(5, -2, -2, clear=False, accumulator_bits=4, saturate=False) == -7  # 9 - 16


def test_fields_pack_and_unpack_two_s_complement():
    assert pack_fields([1, -1], 4) == 0xF1
    assert pack_fields([-2, 1, 0, -1], 2) == 0b11_00_01_10
    assert list(signed_fields(0xF1, 4, 2)) == [1, -1]
    assert list(signed_fields(0b11_00_01_10, 2, 4)) == [-2, 1, 0, -1]


def test_scalable_sum_is_the_sum_of_the_mode_s_products():
    # 8-bit unit, mode 1 (4-bit): four products 1*2 + (-8)*3 + 7*(-8) + (-1)*(-1) = -77.
    weights, activations = pack_fields([1, -8, 7, -1], 4), pack_fields([2, 3, -8, -1], 4)
    assert scalable_sum(weights, activations, 8, 1) == -77
    # Mode 0 (2-bit): sixteen (-2) x (-2).
    assert scalable_sum(pack_fields([-2] * 16, 2), pack_fields([-2] * 16, 2), 8, 0) == 64
    # Mode 2 (8-bit): one product; the bus bits above it are ignored; mode 3 runs as mode 2.
    garbage = 0xABCDEF << 8
    assert scalable_sum(0x80 | garbage, 0x80 | garbage, 8, 2) == 16384
    assert scalable_sum(0x80 | garbage, 0x7F, 8, 3) == -16256
    # 16-bit unit, mode 3: (-32768)^2.
    assert scalable_sum(0x8000, 0x8000, 16, 3) == 1 << 30


def test_bitserial_activation_bits_are_clamped():
    assert [bitserial_activation_bits(requested, 8) for requested in (0, 1, 5, 8, 9, 31)] == [1, 1, 5, 8, 8, 8]


def _vector(**values):
    vector = {"rst": 0, "in_valid": 1, "clear": 0, "weight": 0, "activation": 0}
    vector.update(values)
    return vector


def test_mac_reference_timing_reset_and_bubbles():
    reference = MacReference(4, 10, saturate=True)
    assert reference.step(_vector(rst=1, weight=3, activation=3)) == {"accumulator": 0, "out_valid": 0}
    assert reference.step(_vector(weight=3, activation=to_unsigned(-2, 4), clear=1)) == {
        "accumulator": to_unsigned(-6, 10), "out_valid": 1}
    assert reference.step(_vector(in_valid=0, weight=7, activation=7, clear=1)) == {
        "accumulator": to_unsigned(-6, 10), "out_valid": 0}
    assert reference.step(_vector(weight=to_unsigned(-8, 4), activation=to_unsigned(-8, 4))) == {
        "accumulator": 58, "out_valid": 1}


def test_scalable_reference_adds_one_cycle_s_sum():
    reference = ScalableMacReference(8, 20, saturate=False)
    reference.step({"rst": 1, "in_valid": 0, "clear": 0, "mode": 0, "weights": 0, "activations": 0})
    out = reference.step({"rst": 0, "in_valid": 1, "clear": 1, "mode": 1, "weights": pack_fields([1, -8, 7, -1], 4),
                          "activations": pack_fields([2, 3, -8, -1], 4)})
    assert to_signed(out["accumulator"], 20) == -77 and out["out_valid"] == 1


def test_bitserial_reference_takes_activation_bits_cycles_per_mac():
    reference = BitserialMacReference(8, 24, saturate=True)
    reference.step(_vector(rst=1, activation_bits=8))
    offered = _vector(weight=to_unsigned(-128, 8), activation=0b101, activation_bits=3, clear=1)  # -128 x -3
    outputs = [reference.step(offered) for _ in range(4)]
    assert [output["in_ready"] for output in outputs] == [0, 0, 1, 0]  # accepted again at the 4th edge
    assert [output["out_valid"] for output in outputs] == [0, 0, 1, 0]
    assert to_signed(outputs[2]["accumulator"], 24) == 384
    one_bit = reference.step(_vector(weight=5, activation=1, activation_bits=0))  # 1 bit: the value -1
    assert one_bit["in_ready"] == 0  # the MAC accepted at the 4th edge is still in flight


def _reference_for(design, options):
    parameters = design.parameters(options)
    saturate = bool(parameters["SATURATE"])
    if design is SCALABLE_MAC_DESIGN:
        return ScalableMacReference(parameters["UNIT_BITS"], parameters["ACCUMULATOR_BITS"], saturate)
    kind = BitserialMacReference if design is BITSERIAL_MAC_DESIGN else MacReference
    return kind(parameters["OPERAND_BITS"], parameters["ACCUMULATOR_BITS"], saturate)


@pytest.mark.parametrize("design, bits, expected", [
    (MAC_DESIGN, 2, {"cycles_per_operation": 1.0}),
    (MAC_DESIGN, 16, {"cycles_per_operation": 1.0}),
    (SCALABLE_MAC_DESIGN, 2, {"cycles_per_operation": 1 / 16, "products_per_cycle": 16.0}),
    (SCALABLE_MAC_DESIGN, 4, {"cycles_per_operation": 1 / 4, "products_per_cycle": 4.0}),
    (SCALABLE_MAC_DESIGN, 8, {"cycles_per_operation": 1.0, "products_per_cycle": 1.0}),
    (SCALABLE_MAC_DESIGN, 16, {"cycles_per_operation": 1.0, "products_per_cycle": 1.0}),
    (BITSERIAL_MAC_DESIGN, 3, {"cycles_per_operation": 3.0, "latency_cycles": 3.0}),
    (BITSERIAL_MAC_DESIGN, 8, {"cycles_per_operation": 8.0, "latency_cycles": 8.0}),
])
def test_trace_passes_its_checker_on_the_reference_s_outputs_and_catches_a_wrong_value(design, bits, expected):
    options = RtlOptions(bits=bits)
    trace = design.trace(options, numpy.random.default_rng(0), 300)
    ports_in, ports_out = design.ports_in(options), design.ports_out(options)
    for vector in trace.inputs:
        assert set(vector) == set(ports_in)
        assert all(0 <= vector[name] < 1 << width for name, width in ports_in.items())
    reference = _reference_for(design, options)
    outputs = [reference.step(vector) for vector in trace.inputs]
    assert all(set(output) == set(ports_out) for output in outputs)
    assert trace.check(outputs) == pytest.approx(expected)
    assert 300 <= trace.operations < 300 + 16
    assert sum(vector["clear"] for vector in trace.inputs) >= 2  # several outputs' reductions

    last = max(t for t, output in enumerate(outputs) if output["out_valid"])
    wrong = [dict(output) for output in outputs]
    wrong[last]["accumulator"] ^= 1
    with pytest.raises(AssertionError, match="golden model"):
        trace.check(wrong)


def test_bitserial_trace_checker_catches_a_slower_design():
    options = RtlOptions(bits=4)
    trace = BITSERIAL_MAC_DESIGN.trace(options, numpy.random.default_rng(1), 20)
    slower = BitserialMacReference(4, 16, saturate=True)
    original_step = slower.step

    def step(vector):  # one more busy cycle per MAC: in_ready comes back an edge late
        output = original_step(vector)
        if output["out_valid"]:
            slower.cycles_left = 1
        return {**output, "in_ready": int(slower.cycles_left == 0)}

    slower.step = step
    with pytest.raises(AssertionError, match="bitserial-mac"):
        trace.check([slower.step(vector) for vector in trace.inputs])


def test_design_parameters_and_ports():
    assert MAC_DESIGN.parameters(RtlOptions(bits=8)) == {"OPERAND_BITS": 8, "ACCUMULATOR_BITS": 24, "SATURATE": 1}
    assert MAC_DESIGN.ports_out(RtlOptions(bits=8)) == {"accumulator": 24, "out_valid": 1}
    assert SCALABLE_MAC_DESIGN.parameters(RtlOptions(bits=4)) == {"UNIT_BITS": 8, "ACCUMULATOR_BITS": 24, "SATURATE": 1}
    assert SCALABLE_MAC_DESIGN.parameters(RtlOptions(bits=16))["UNIT_BITS"] == 16
    assert SCALABLE_MAC_DESIGN.ports_in(RtlOptions(bits=2)) == {
        "rst": 1, "in_valid": 1, "clear": 1, "mode": 2, "weights": 32, "activations": 32}
    assert BITSERIAL_MAC_DESIGN.ports_in(RtlOptions(bits=5))["activation_bits"] == 5
    assert BITSERIAL_MAC_DESIGN.ports_out(RtlOptions(bits=5)) == {"accumulator": 18, "out_valid": 1, "in_ready": 1}


@pytest.mark.parametrize("design, bits, message", [
    (MAC_DESIGN, 1, "2..16"), (MAC_DESIGN, 17, "2..16"), (BITSERIAL_MAC_DESIGN, 32, "2..16"),
    (SCALABLE_MAC_DESIGN, 6, "power of two"), (SCALABLE_MAC_DESIGN, 32, "2..16"),
])
def test_unsupported_widths_name_the_supported_range(design, bits, message):
    with pytest.raises(CodesignError, match=message):
        design.parameters(RtlOptions(bits=bits))
    with pytest.raises(CodesignError, match=message):
        design.trace(RtlOptions(bits=bits), numpy.random.default_rng(0), 10)
