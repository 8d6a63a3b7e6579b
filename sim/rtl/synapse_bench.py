"""cocotb bench of rtl/synapse_accumulator.v against its golden model
(codesign.cosim.rtl.golden_lif.SynapseModel: the running sum of a timestep's weights, saturated
at every addition).

Every cycle's outputs are compared with the model. Parameters come in CODESIGN_RTL_PARAMETERS
(JSON: WEIGHT_BITS, CURRENT_BITS), the seed in CODESIGN_RTL_SEED. Inputs are driven at the
falling edge and outputs sampled in the read-only phase after the rising edge.
"""

from __future__ import annotations

import json
import os

import cocotb
import numpy
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from codesign.cosim.rtl.golden_lif import SynapseModel, signed_range, synapse_current
from codesign.cosim.rtl.trace import to_unsigned

PARAMETERS = json.loads(os.environ["CODESIGN_RTL_PARAMETERS"])
WEIGHT_BITS, CURRENT_BITS = PARAMETERS["WEIGHT_BITS"], PARAMETERS["CURRENT_BITS"]
WEIGHT_LOW, WEIGHT_HIGH = signed_range(WEIGHT_BITS)
SEED = int(os.environ.get("CODESIGN_RTL_SEED", "1"))


def cycle(weight: int | None = None, flush: int = 0, rst: int = 0) -> dict[str, int]:
    """One cycle's inputs: an event carrying `weight` (None: no event)."""
    return {"rst": rst, "event_valid": int(weight is not None), "weight": weight or 0, "flush": flush}


async def run(dut, vectors: list[dict[str, int]], label: str) -> list[int]:
    """Apply `vectors` one per cycle (a reset cycle first), compare every cycle's outputs, and
    return the currents the unit output."""
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    model, currents = SynapseModel(CURRENT_BITS), []
    await FallingEdge(dut.clk)
    for index, vector in enumerate([cycle(rst=1), *vectors]):
        dut.rst.value = vector["rst"]
        dut.event_valid.value = vector["event_valid"]
        dut.weight.value = to_unsigned(vector["weight"], WEIGHT_BITS)
        dut.flush.value = vector["flush"]
        await RisingEdge(dut.clk)
        await ReadOnly()
        expected = model.clock(**vector)
        got = {"current_out": dut.current_out.value.to_signed(), "current_valid": int(dut.current_valid.value)}
        assert got == expected, f"{label}, cycle {index}, inputs {vector}: got {got}, golden {expected}"
        if got["current_valid"]:
            currents.append(got["current_out"])
        await FallingEdge(dut.clk)
    return currents


@cocotb.test()
async def random_events(dut):
    """Uniform random weights (full range), 30 % idle cycles, a flush about every 20 cycles (some
    with an event in the same cycle), a reset about every 400; each output current is also checked
    against the saturating running sum of its timestep's weights."""
    rng = numpy.random.default_rng(SEED)
    vectors, steps, weights = [], [], []
    for _ in range(4000):
        weight = int(rng.integers(WEIGHT_LOW, WEIGHT_HIGH + 1)) if rng.random() >= 0.3 else None
        vector = cycle(weight, flush=int(rng.random() < 0.05), rst=int(rng.random() < 1 / 400))
        vectors.append(vector)
        if vector["rst"]:
            weights = []
            continue
        if vector["flush"]:
            steps.append(weights)
            weights = []
        if weight is not None:
            weights.append(weight)
    currents = await run(dut, vectors, "random events")
    # A reset drops the timestep in flight; every flush outputs the one since the last flush or reset.
    assert currents == [synapse_current(step, CURRENT_BITS) for step in steps]


@cocotb.test()
async def corners(dut):
    """Saturation high and low and coming back off it, flushes with and without an event in the
    same cycle, empty timesteps, back-to-back flushes, a reset together with an event and a flush,
    and idle cycles."""
    fill = (1 << (CURRENT_BITS - 1)) // max(1, WEIGHT_HIGH) + 3  # events of the largest weight that saturate
    vectors = [cycle(WEIGHT_HIGH)] * fill + [cycle(WEIGHT_LOW)] * 2 + [cycle(flush=1)]
    vectors += [cycle(WEIGHT_LOW)] * (fill + 2) + [cycle(WEIGHT_HIGH)] * 2 + [cycle(WEIGHT_LOW, flush=1)]
    vectors += [cycle(flush=1), cycle(flush=1), cycle(None), cycle(WEIGHT_HIGH, flush=1), cycle(-1), cycle(flush=1)]
    vectors += [cycle(WEIGHT_HIGH)] * 5 + [cycle(WEIGHT_HIGH, flush=1, rst=1), cycle(1), cycle(None), cycle(flush=1)]
    vectors += [cycle(WEIGHT_HIGH if index % 2 else WEIGHT_LOW, flush=int(index % 7 == 0)) for index in range(40)]
    vectors += [cycle(None)] * 3 + [cycle(flush=1)]
    await run(dut, vectors, "corners")
