"""cocotb bench of rtl/lif_neuron.v against the SNN target's neuron update
(codesign.cosim.rtl.golden_lif.LifNeuronModel: neuron_step plus membrane saturation).

Every cycle's outputs are compared with the model. Parameters come in CODESIGN_RTL_PARAMETERS
(JSON: MEMBRANE_BITS, CURRENT_BITS, LEAK_SHIFT, RESET_TO_ZERO), the seed in CODESIGN_RTL_SEED.
Inputs are driven at the falling edge and outputs sampled in the read-only phase after the
rising edge, so both simulators see the same thing.
"""

from __future__ import annotations

import json
import os

import cocotb
import numpy
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from codesign.cosim.rtl.golden_lif import LifNeuronModel, signed_range
from codesign.cosim.rtl.trace import to_unsigned

PARAMETERS = json.loads(os.environ["CODESIGN_RTL_PARAMETERS"])
MEMBRANE_BITS, CURRENT_BITS = PARAMETERS["MEMBRANE_BITS"], PARAMETERS["CURRENT_BITS"]
CURRENT_LOW, CURRENT_HIGH = signed_range(CURRENT_BITS)
THRESHOLD_MAX = (1 << (MEMBRANE_BITS - 1)) - 1
SEED = int(os.environ.get("CODESIGN_RTL_SEED", "1"))


def step(current: int, threshold: int, step_valid: int = 1, rst: int = 0) -> dict[str, int]:
    return {"rst": rst, "step_valid": step_valid, "current": current, "threshold": threshold}


async def run(dut, vectors: list[dict[str, int]], label: str) -> None:
    """Apply `vectors` one per cycle (a reset cycle first) and compare every cycle's outputs."""
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    model = LifNeuronModel(MEMBRANE_BITS, PARAMETERS["LEAK_SHIFT"], bool(PARAMETERS["RESET_TO_ZERO"]))
    await FallingEdge(dut.clk)
    for index, vector in enumerate([step(0, 1, 0, rst=1), *vectors]):
        dut.rst.value = vector["rst"]
        dut.step_valid.value = vector["step_valid"]
        dut.current.value = to_unsigned(vector["current"], CURRENT_BITS)
        dut.threshold.value = vector["threshold"]
        await RisingEdge(dut.clk)
        await ReadOnly()
        expected = model.clock(**vector)
        got = {"membrane": dut.membrane.value.to_signed(), "spike": int(dut.spike.value),
               "out_valid": int(dut.out_valid.value)}
        assert got == expected, f"{label}, cycle {index}, inputs {vector}: got {got}, golden {expected}"
        await FallingEdge(dut.clk)


@cocotb.test()
async def random_stream(dut):
    """Uniform random currents (full range), thresholds changed now and then, bubbles (20 % of
    cycles without step_valid), and a reset mid-stream about every 300 cycles."""
    rng = numpy.random.default_rng(SEED)
    vectors, threshold = [], int(rng.integers(1, THRESHOLD_MAX + 1))
    for _ in range(4000):
        if rng.random() < 0.02:
            threshold = int(rng.choice([1, THRESHOLD_MAX, rng.integers(1, THRESHOLD_MAX + 1),
                                        rng.integers(1, min(THRESHOLD_MAX, 2 * CURRENT_HIGH) + 1)]))
        vectors.append(step(int(rng.integers(CURRENT_LOW, CURRENT_HIGH + 1)), threshold,
                            step_valid=int(rng.random() >= 0.2), rst=int(rng.random() < 1 / 300)))
    await run(dut, vectors, "random stream")


@cocotb.test()
async def corners(dut):
    """Threshold 1 and max, max and min currents (the membrane saturating up and down), negative
    currents, threshold 0, resets in the middle of a step, and bubbles between extremes."""
    vectors = []
    vectors += [step(CURRENT_HIGH, 1)] * 40  # fires every step; subtracting 1 cannot keep up: saturates high
    vectors += [step(CURRENT_HIGH, THRESHOLD_MAX)] * 40  # climbs to the largest threshold
    vectors += [step(CURRENT_LOW, THRESHOLD_MAX)] * 80  # sinks and saturates low
    vectors += [step(CURRENT_LOW, 1, step_valid=0)] * 3  # bubbles: the membrane holds
    vectors += [step(CURRENT_HIGH, 1)] * 80
    vectors += [step(0, 0)] * 3  # threshold 0: any non-negative membrane fires
    vectors += [step(CURRENT_HIGH, THRESHOLD_MAX, rst=1), step(CURRENT_HIGH, THRESHOLD_MAX)]  # reset wins
    vectors += [step(-1, 1)] * 20  # small negative currents: the leak pulls back toward zero
    vectors += [step(CURRENT_HIGH if index % 2 else CURRENT_LOW, 1 + index % 3, step_valid=index % 5 != 0)
                for index in range(60)]
    vectors += [step(CURRENT_HIGH, THRESHOLD_MAX)] * 30 + [step(CURRENT_HIGH, 1, rst=1)] + [step(CURRENT_LOW, 1)] * 5
    vectors += [step(1, THRESHOLD_MAX)] * 10 + [step(CURRENT_HIGH, 1)] * 10
    await run(dut, vectors, "corners")
