"""Golden models of the spiking hardware in rtl/: the leaky-integrate-and-fire neuron
(lif_neuron.v) and the accumulate-only synapse unit (synapse_accumulator.v), cycle by cycle, and
their measurement Designs.

The neuron's update is the SNN target's own (codesign.accuracy.spiking.neuron_step) on integer
membranes, leak 1 - 2**-LEAK_SHIFT applied as v - (v >> LEAK_SHIFT), followed by the one thing
the register adds: the stored membrane saturates at its signed range. The synapse unit's current
is the running sum of the timestep's weights, saturated at every addition.

CODESIGN_RTL_PLANTED_BUG=1 makes saturation wrap instead (a deliberately wrong golden model: the
benches must then fail, which shows that they reach saturation and compare it).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy

from codesign.cosim.rtl.trace import Design, RtlOptions, Trace, Vector, to_signed, to_unsigned

PLANTED_BUG_VARIABLE = "CODESIGN_RTL_PLANTED_BUG"
MEMBRANE_HEADROOM_BITS = 4
"""The measured neuron's membrane is this many bits wider than its input current."""
MEASURED_LEAK_SHIFT = 4
"""The measured neuron leaks 1/16 of its membrane per step (leak 0.9375)."""
SYNAPSE_HEADROOM_BITS = 8
"""The measured synapse unit's current is this many bits wider than a weight (256 full-scale events)."""
TARGET_SPIKE_RATE = 0.2
"""The measurement trace's threshold makes the neuron fire in about this fraction of its steps."""
IDLE_FRACTION = 0.15
"""Cycles without a synaptic event in the synapse unit's measurement trace."""


def planted_bug() -> bool:
    return os.environ.get(PLANTED_BUG_VARIABLE) == "1"


def signed_range(bits: int) -> tuple[int, int]:
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def saturate(values, bits: int) -> numpy.ndarray:
    """Clamp to the signed `bits` range (wraps under the planted bug)."""
    values = numpy.asarray(values, dtype=numpy.int64)
    if planted_bug():
        return (values + (1 << (bits - 1))) % (1 << bits) - (1 << (bits - 1))
    low, high = signed_range(bits)
    return numpy.clip(values, low, high)


def leak_of_shift(leak_shift: int) -> float:
    """The leak (membrane kept per step) of a neuron that shifts by `leak_shift` (0: none, IF)."""
    return 1.0 if leak_shift == 0 else 1.0 - 2.0 ** -leak_shift


def lif_step(membrane, current, threshold, membrane_bits: int, leak_shift: int = 0,
             reset_to_zero: bool = False) -> tuple[numpy.ndarray, numpy.ndarray]:
    """One timestep of lif_neuron (any array shape): the target's neuron_step, then saturation of
    the membrane to `membrane_bits`. The spike is decided on the exact (unsaturated) sum."""
    from codesign.accuracy.spiking import neuron_step  # here: importing the SNN target takes 0.5 s

    membrane, current, threshold = (numpy.asarray(value, dtype=numpy.int64) for value in (membrane, current, threshold))
    membrane, spikes = neuron_step(membrane, current, threshold, leak_of_shift(leak_shift),
                                   "zero" if reset_to_zero else "subtract")
    return saturate(membrane, membrane_bits), spikes


def synapse_current(weights: Sequence[int], current_bits: int) -> int:
    """The current of one timestep's events: the running sum, saturated at every addition."""
    total = 0
    for weight in weights:
        total = int(saturate(total + int(weight), current_bits))
    return total


@dataclass
class LifNeuronModel:
    """lif_neuron cycle by cycle: clock() is one rising edge; it returns the outputs after it."""

    membrane_bits: int
    leak_shift: int = 0
    reset_to_zero: bool = False
    membrane: int = 0
    spike: int = 0
    out_valid: int = 0

    def clock(self, rst: int, step_valid: int, current: int, threshold: int) -> dict[str, int]:
        if rst:
            self.membrane, self.spike, self.out_valid = 0, 0, 0
        elif step_valid:
            membrane, spike = lif_step(self.membrane, current, threshold, self.membrane_bits, self.leak_shift,
                                       self.reset_to_zero)
            self.membrane, self.spike, self.out_valid = int(membrane), int(spike), 1
        else:
            self.spike, self.out_valid = 0, 0
        return {"membrane": self.membrane, "spike": self.spike, "out_valid": self.out_valid}


@dataclass
class SynapseModel:
    """synapse_accumulator cycle by cycle: an event in a flush cycle opens the next timestep."""

    current_bits: int
    accumulator: int = 0
    current_out: int = 0
    current_valid: int = 0

    def clock(self, rst: int, event_valid: int, weight: int, flush: int) -> dict[str, int]:
        if rst:
            self.accumulator, self.current_out, self.current_valid = 0, 0, 0
        else:
            base = 0 if flush else self.accumulator
            if flush:
                self.current_out = self.accumulator
            self.current_valid = int(bool(flush))
            self.accumulator = int(saturate(base + (int(weight) if event_valid else 0), self.current_bits))
        return {"current_out": self.current_out, "current_valid": self.current_valid}


def _compare(index: int, vector: Vector, expected: dict[str, int], outputs: Vector, widths: dict[str, int]) -> None:
    for name, value in expected.items():
        if to_unsigned(value, widths[name]) != int(outputs[name]):
            got = to_signed(outputs[name], widths[name]) if widths[name] > 1 else int(outputs[name])
            raise AssertionError(f"cycle {index}: {name} is {got}, the golden model says {value} "
                                 f"(inputs {dict(vector)})")


# ---- the neuron's measurement design ------------------------------------------------------------

def _lif_membrane_bits(options: RtlOptions) -> int:
    return options.bits + MEMBRANE_HEADROOM_BITS


def _lif_parameters(options: RtlOptions) -> dict[str, int]:
    return {"MEMBRANE_BITS": _lif_membrane_bits(options), "CURRENT_BITS": options.bits,
            "LEAK_SHIFT": MEASURED_LEAK_SHIFT, "RESET_TO_ZERO": 0}


def _lif_ports_in(options: RtlOptions) -> dict[str, int]:
    return {"rst": 1, "step_valid": 1, "current": options.bits, "threshold": _lif_membrane_bits(options) - 1}


def _lif_ports_out(options: RtlOptions) -> dict[str, int]:
    return {"membrane": _lif_membrane_bits(options), "spike": 1, "out_valid": 1}


def _lif_currents(options: RtlOptions, rng: numpy.random.Generator, steps: int) -> numpy.ndarray:
    """Uniform over the full signed range, with 30 % of the steps drawn from the positive half, so
    the membrane drifts up and the neuron fires at a steady rate."""
    low, high = signed_range(options.bits)
    uniform = rng.integers(low, high + 1, steps)
    return numpy.where(rng.random(steps) < 0.3, rng.integers(0, high + 1, steps), uniform)


def _lif_threshold(currents: numpy.ndarray, membrane_bits: int) -> int:
    """The threshold, among a spread of candidates, whose spike rate on `currents` is nearest
    TARGET_SPIKE_RATE (all candidates simulated at once, as a layer of neurons)."""
    largest = signed_range(membrane_bits)[1]
    candidates = numpy.unique(numpy.geomspace(1, largest, 96).astype(numpy.int64))
    membrane = numpy.zeros_like(candidates)
    spikes = numpy.zeros_like(candidates)
    for current in currents:
        membrane, fired = lif_step(membrane, current, candidates, membrane_bits, MEASURED_LEAK_SHIFT)
        spikes += fired
    return int(candidates[numpy.argmin(numpy.abs(spikes / len(currents) - TARGET_SPIKE_RATE))])


def _lif_trace(options: RtlOptions, rng: numpy.random.Generator, operations: int) -> Trace:
    """A reset cycle, then one membrane update per cycle at a ~20 % spike rate."""
    membrane_bits, widths = _lif_membrane_bits(options), _lif_ports_out(options)
    currents = _lif_currents(options, rng, operations)
    threshold = _lif_threshold(currents, membrane_bits)
    inputs = [{"rst": 1, "step_valid": 0, "current": 0, "threshold": threshold}]
    inputs += [{"rst": 0, "step_valid": 1, "current": to_unsigned(current, options.bits), "threshold": threshold}
               for current in currents]
    inputs = tuple(inputs)

    def check(outputs: Sequence[Vector]) -> dict[str, float]:
        if len(outputs) != len(inputs):
            raise AssertionError(f"{len(outputs)} output vectors for {len(inputs)} input vectors")
        model = LifNeuronModel(membrane_bits, MEASURED_LEAK_SHIFT, False)
        valid_cycles, spikes, latencies = [], 0, []
        for index, (vector, sampled) in enumerate(zip(inputs, outputs)):
            expected = model.clock(vector["rst"], vector["step_valid"], to_signed(vector["current"], options.bits),
                                   vector["threshold"])
            _compare(index, vector, expected, sampled, widths)
            if sampled["out_valid"]:
                valid_cycles.append(index)
                spikes += int(sampled["spike"])
            if vector["step_valid"] and not vector["rst"]:
                latencies.append(next(later for later in range(index, len(outputs)) if outputs[later]["out_valid"])
                                 - index + 1)
        span = valid_cycles[-1] - valid_cycles[0] + 1
        return {"cycles_per_operation": span / len(valid_cycles), "latency_cycles": float(max(latencies)),
                "spike_rate": spikes / len(valid_cycles)}

    return Trace(inputs, check, operations, "membrane update")


LIF_DESIGN = Design(
    name="lif", sources=("lif_neuron.v",), top="lif_neuron", ports_in=_lif_ports_in, ports_out=_lif_ports_out,
    parameters=_lif_parameters, trace=_lif_trace, bits_range=(2, 16))


# ---- the synapse unit's measurement design ------------------------------------------------------

def _synapse_current_bits(options: RtlOptions) -> int:
    return options.bits + SYNAPSE_HEADROOM_BITS


def _synapse_parameters(options: RtlOptions) -> dict[str, int]:
    return {"WEIGHT_BITS": options.bits, "CURRENT_BITS": _synapse_current_bits(options)}


def _synapse_ports_in(options: RtlOptions) -> dict[str, int]:
    return {"rst": 1, "event_valid": 1, "weight": options.bits, "flush": 1}


def _synapse_ports_out(options: RtlOptions) -> dict[str, int]:
    return {"current_out": _synapse_current_bits(options), "current_valid": 1}


def _synapse_trace(options: RtlOptions, rng: numpy.random.Generator, operations: int) -> Trace:
    """A reset cycle, then timesteps of 8-64 events with uniform random weights (full signed
    range), IDLE_FRACTION idle cycles, and a flush ending each timestep (half of the flushes carry
    the next timestep's first event); a last flush outputs the last timestep."""
    low, high = signed_range(options.bits)
    idle = {"rst": 0, "event_valid": 0, "weight": 0, "flush": 0}
    inputs: list[Vector] = [{**idle, "rst": 1}]
    events, step_left = 0, int(rng.integers(8, 65))
    while events < operations:
        if rng.random() < IDLE_FRACTION:
            inputs.append(dict(idle))
            continue
        vector = {**idle, "event_valid": 1, "weight": to_unsigned(int(rng.integers(low, high + 1)), options.bits)}
        if step_left == 0:  # this cycle ends the timestep
            vector["flush"] = 1
            step_left = int(rng.integers(8, 65))
            if rng.random() < 0.5:
                vector["event_valid"], vector["weight"] = 0, 0
        inputs.append(vector)
        if vector["event_valid"]:
            events, step_left = events + 1, step_left - 1
    inputs.append({**idle, "flush": 1})
    inputs_tuple = tuple(inputs)
    widths = _synapse_ports_out(options)

    def check(outputs: Sequence[Vector]) -> dict[str, float]:
        if len(outputs) != len(inputs_tuple):
            raise AssertionError(f"{len(outputs)} output vectors for {len(inputs_tuple)} input vectors")
        model = SynapseModel(_synapse_current_bits(options))
        event_cycles, latencies = 0, []
        for index, (vector, sampled) in enumerate(zip(inputs_tuple, outputs)):
            expected = model.clock(vector["rst"], vector["event_valid"], to_signed(vector["weight"], options.bits),
                                   vector["flush"])
            _compare(index, vector, expected, sampled, widths)
            event_cycles += int(bool(vector["event_valid"]))
            if vector["flush"]:
                latencies.append(next(later for later in range(index, len(outputs))
                                      if outputs[later]["current_valid"]) - index + 1)
        # Every event was accepted in its own cycle (the results all agree), none stalled.
        return {"cycles_per_operation": event_cycles / events, "latency_cycles": float(max(latencies)),
                "trace_cycles_per_operation": len(inputs_tuple) / events}

    return Trace(inputs_tuple, check, events, "synaptic op")


SYNAPSE_DESIGN = Design(
    name="synapse", sources=("synapse_accumulator.v",), top="synapse_accumulator", ports_in=_synapse_ports_in,
    ports_out=_synapse_ports_out, parameters=_synapse_parameters, trace=_synapse_trace, bits_range=(2, 16))
