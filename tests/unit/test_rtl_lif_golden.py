"""The golden models of the LIF neuron and the synapse unit (no simulator), on hand-checked cases,
and the SNN target's neuron_step on integers."""

from __future__ import annotations

import numpy
import pytest

from codesign.accuracy.spiking import neuron_step
from codesign.cosim.rtl.golden_lif import (LIF_DESIGN, PLANTED_BUG_VARIABLE, SYNAPSE_DESIGN, LifNeuronModel,
                                           SynapseModel, leak_of_shift, lif_step, saturate, synapse_current)
from codesign.cosim.rtl.trace import RtlOptions, to_signed, to_unsigned


def test_integer_leak_is_a_floor_shift():
    # 1 - 2**-1: v - (v >> 1); -3 >> 1 is -2, so -3 decays to -1 (toward zero), 7 to 4
    membrane, spikes = neuron_step(numpy.array([-3, 7, 100]), numpy.array([0, 0, 0]), 1000, leak=0.5)
    assert membrane.tolist() == [-1, 4, 50] and not spikes.any()
    membrane, _ = neuron_step(numpy.array([100, -100]), numpy.array([1, 1]), 1000, leak=leak_of_shift(4))
    assert membrane.tolist() == [100 - 6 + 1, -100 + 7 + 1]


def test_integer_reset_by_subtraction_and_to_zero():
    membrane, spikes = neuron_step(numpy.array([5, 5, 2]), numpy.array([3, 4, 1]), 8)
    assert membrane.tolist() == [0, 1, 3] and spikes.tolist() == [True, True, False]
    membrane, spikes = neuron_step(numpy.array([5, 5, 2]), numpy.array([3, 4, 1]), 8, reset="zero")
    assert membrane.tolist() == [0, 0, 3] and spikes.tolist() == [True, True, False]


def test_neuron_step_first_step_and_float_zero_reset():
    membrane, spikes = neuron_step(None, numpy.array([0.5, 1.5], dtype=numpy.float32), 1.0, reset="zero")
    assert membrane.tolist() == [0.5, 0.0] and spikes.tolist() == [False, True]
    assert membrane.dtype == numpy.float32


def test_neuron_step_rejects_what_integer_hardware_cannot_do():
    with pytest.raises(ValueError, match="1 - 2"):
        neuron_step(numpy.array([4]), numpy.array([1]), 8, leak=0.9)
    with pytest.raises(ValueError, match="integer current"):
        neuron_step(numpy.array([4]), numpy.array([1.5]), 8)
    with pytest.raises(ValueError, match="integer threshold"):
        neuron_step(numpy.array([4]), numpy.array([1]), 0.5)
    with pytest.raises(ValueError, match="reset"):
        neuron_step(numpy.array([4]), numpy.array([1]), 8, reset="hold")


def test_lif_step_saturates_the_stored_membrane_after_a_spike_on_the_exact_sum():
    # 4-bit membrane: -8..7
    assert [int(x) for x in lif_step(7, 5, 1, 4)] == [7, 1]  # 12 fires, 11 clamps to 7
    assert [int(x) for x in lif_step(7, 7, 7, 4)] == [7, 1]  # 14 >= 7 (beyond the range) fires, 7 stays
    assert [int(x) for x in lif_step(-8, -8, 1, 4)] == [-8, 0]  # -16 clamps to -8
    assert [int(x) for x in lif_step(5, 3, 7, 4, reset_to_zero=True)] == [0, 1]
    assert [int(x) for x in lif_step(-8, 0, 7, 4, leak_shift=1)] == [-4, 0]


def test_planted_bug_wraps(monkeypatch):
    assert int(saturate(8, 4)) == 7
    monkeypatch.setenv(PLANTED_BUG_VARIABLE, "1")
    assert int(saturate(8, 4)) == -8 and int(saturate(-9, 4)) == 7


def test_synapse_current_saturates_at_every_addition():
    assert synapse_current([100, 100], 8) == 127
    assert synapse_current([127, 127, -128], 8) == -1  # not the plain sum, 126
    assert synapse_current([-128, -128, 5], 8) == -123
    assert synapse_current([], 8) == 0


def test_lif_cycle_model_reset_priority_and_bubbles():
    model = LifNeuronModel(membrane_bits=8)
    assert model.clock(0, 1, 10, 16) == {"membrane": 10, "spike": 0, "out_valid": 1}
    assert model.clock(0, 0, 50, 16) == {"membrane": 10, "spike": 0, "out_valid": 0}  # a bubble holds
    assert model.clock(0, 1, 10, 16) == {"membrane": 4, "spike": 1, "out_valid": 1}
    assert model.clock(1, 1, 10, 16) == {"membrane": 0, "spike": 0, "out_valid": 0}  # reset wins


def test_synapse_cycle_model_event_in_a_flush_cycle_opens_the_next_step():
    model = SynapseModel(current_bits=8)
    model.clock(0, 1, 3, 0)
    model.clock(0, 1, 4, 0)
    assert model.clock(0, 1, 100, 1) == {"current_out": 7, "current_valid": 1}
    assert model.clock(0, 0, 0, 0) == {"current_out": 7, "current_valid": 0}  # holds, not valid
    assert model.clock(0, 1, -1, 1) == {"current_out": 100, "current_valid": 1}
    assert model.clock(1, 1, 5, 1) == {"current_out": 0, "current_valid": 0}
    assert model.clock(0, 0, 0, 1) == {"current_out": 0, "current_valid": 1}


@pytest.mark.parametrize("design", [LIF_DESIGN, SYNAPSE_DESIGN], ids=lambda design: design.name)
@pytest.mark.parametrize("bits", [2, 8, 16])
def test_traces_pass_their_own_check_and_catch_a_wrong_output(design, bits):
    options = RtlOptions(bits=bits)
    trace = design.trace(options, numpy.random.default_rng(3), 600)
    ports_in, ports_out = design.ports_in(options), design.ports_out(options)
    assert all(set(vector) == set(ports_in) and all(0 <= vector[name] < 1 << width for name, width in ports_in.items())
               for vector in trace.inputs)
    model = (LifNeuronModel(options.bits + 4, 4) if design is LIF_DESIGN
             else SynapseModel(design.parameters(options)["CURRENT_BITS"]))
    signed_input = "current" if design is LIF_DESIGN else "weight"
    outputs = []
    for vector in trace.inputs:
        arguments = dict(vector)
        arguments[signed_input] = to_signed(vector[signed_input], bits)
        outputs.append({name: to_unsigned(value, ports_out[name]) for name, value in model.clock(**arguments).items()})
    figures = trace.check(outputs)
    assert figures["cycles_per_operation"] == 1.0 and figures["latency_cycles"] == 1.0
    assert trace.operations == 600
    if design is LIF_DESIGN:
        assert trace.operation == "membrane update" and 0.1 <= figures["spike_rate"] <= 0.3
    else:
        assert trace.operation == "synaptic op"
    wrong = [dict(vector) for vector in outputs]
    wrong[len(wrong) // 2]["current_out" if design is SYNAPSE_DESIGN else "membrane"] ^= 1
    with pytest.raises(AssertionError, match=f"cycle {len(wrong) // 2}"):
        trace.check(wrong)


def test_design_ports_and_parameters():
    options = RtlOptions(bits=8)
    assert LIF_DESIGN.parameters(options) == {"MEMBRANE_BITS": 12, "CURRENT_BITS": 8, "LEAK_SHIFT": 4,
                                              "RESET_TO_ZERO": 0}
    assert LIF_DESIGN.ports_in(options) == {"rst": 1, "step_valid": 1, "current": 8, "threshold": 11}
    assert LIF_DESIGN.ports_out(options) == {"membrane": 12, "spike": 1, "out_valid": 1}
    assert SYNAPSE_DESIGN.parameters(options) == {"WEIGHT_BITS": 8, "CURRENT_BITS": 16}
    assert SYNAPSE_DESIGN.ports_in(options) == {"rst": 1, "event_valid": 1, "weight": 8, "flush": 1}
    assert SYNAPSE_DESIGN.ports_out(options) == {"current_out": 16, "current_valid": 1}
