"""convert-snn: the trained digits_cnn as a rate-coded spiking network."""

import numpy
import pytest

from codesign.accuracy.datasets import labelled_test_set
from codesign.accuracy.spiking import NeuronModel, relu_thresholds, simulate
from codesign.arch import load_arch
from codesign.flow import apply_passes
from codesign.frontend import load_model
from codesign.ir import Op, SpikingNeuron, SynapticEvents, verify
from codesign.passes import make_pass
from tests.unit.test_bad_input import assert_one_line_error, run


@pytest.fixture(scope="module")
def converted():
    graph = load_model("digits_cnn").graph
    passed = apply_passes(graph, load_arch("simba"), [make_pass("convert-snn", {"timesteps": 16})], workload="digits_cnn")
    return passed.graph, passed.results["convert-snn"].summary


def test_conversion_keeps_accuracy_within_two_points_at_16_timesteps(converted):
    _, summary = converted
    assert summary["ann_accuracy"] == pytest.approx(0.9889, abs=1e-3)
    assert summary["accuracy"] >= summary["ann_accuracy"] - 0.02


def test_the_ir_carries_neurons_and_synaptic_events(converted):
    graph, summary = converted
    verify(graph)
    for node in graph:
        if node.op is Op.RELU:
            neuron = node.annotation(SpikingNeuron)
            assert neuron.timesteps == 16 and 0 < neuron.spike_rate < 1 and neuron.threshold > 0
        if node.op.is_compute:
            events = node.annotation(SynapticEvents)
            assert events.synaptic_operations == pytest.approx(summary["layers"][node.name]["synaptic_operations"])
    first = graph.compute_nodes[0].annotation(SynapticEvents)
    assert first.analog_inputs and not graph.compute_nodes[1].annotation(SynapticEvents).analog_inputs


def test_synaptic_operations_are_the_spikes_times_their_fan_out(converted):
    """The fully connected layers: every input spike reaches every output through a non-zero weight."""
    graph, summary = converted
    for node in graph.compute_nodes[2:]:
        events = node.annotation(SynapticEvents)
        inputs = node.inputs[0].type.shape[-1]
        fan_out = int(numpy.count_nonzero(node.weight.data)) / inputs
        spikes_per_inference = events.input_spike_rate * inputs * events.timesteps
        assert events.synaptic_operations == pytest.approx(spikes_per_inference * fan_out, rel=1e-6)
    # and the neurons' measured rates are the next layer's input rate where nothing pools between
    neurons = [node for node in graph if node.op is Op.RELU]
    assert graph.compute_nodes[1].annotation(SynapticEvents).input_spike_rate == pytest.approx(
        neurons[0].annotation(SpikingNeuron).spike_rate)


def test_more_timesteps_approach_the_ann_and_cost_more_events():
    graph, data = load_model("digits_cnn").graph, labelled_test_set("digits_cnn")
    thresholds = relu_thresholds(graph, data.calibration, "max", 99.9)
    results = {}
    for timesteps in (2, 32):
        scores, counts = simulate(graph, data.images, thresholds, timesteps, NeuronModel("if"))
        results[timesteps] = (numpy.mean(scores.argmax(axis=1) == data.labels), sum(counts.synaptic_operations.values()))
    assert results[2][0] < results[32][0] and results[32][0] >= 0.98
    assert results[2][1] < results[32][1]


def test_leaky_neurons_fire_less():
    graph, data = load_model("digits_cnn").graph, labelled_test_set("digits_cnn")
    thresholds = relu_thresholds(graph, data.calibration, "percentile", 99.9)
    spikes = [sum(simulate(graph, data.images[:64], thresholds, 16, NeuronModel("lif", leak))[1].spikes.values())
              for leak in (1.0, 0.8)]
    assert spikes[1] < spikes[0]


@pytest.mark.parametrize("options, fragment", [
    ("timesteps=0", "timesteps must be from 1 to 4096"),
    ("neuron=izhikevich", "neuron must be one of if, lif"),
    ("norm=mean", "norm must be one of max, percentile"),
])
def test_bad_options_are_one_line_errors(capsys, options, fragment):
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", "simba", "-p", f"convert-snn{{{options}}}")
    assert_one_line_error(code, err, fragment)


def test_ops_without_a_spiking_equivalent_are_named(capsys):
    code, _, err = run(capsys, "compile", "seq_transformer", "--arch", "simba", "-p", "convert-snn")
    assert_one_line_error(code, err, "convert-snn: node", "has no spiking equivalent")


def test_neurobench_metrics_follow_their_definitions(converted):
    graph, summary = converted
    metrics = summary["metrics"]
    operations = metrics["synaptic_operations"]
    assert operations["Effective_MACs"] + operations["Effective_ACs"] == pytest.approx(
        sum(layer["synaptic_operations"] for layer in summary["layers"].values()))
    assert operations["Dense"] == sum(node.macs for node in graph.compute_nodes) * 16
    assert operations["Effective_MACs"] == pytest.approx(summary["layers"][graph.compute_nodes[0].name]["synaptic_operations"])
    neurons = summary["neurons"]
    assert metrics["membrane_updates"] == sum(item["neurons"] for item in neurons.values()) * 16
    rate = sum(item["spike_rate"] * item["neurons"] for item in neurons.values()) / sum(item["neurons"] for item in neurons.values())
    assert metrics["activation_sparsity"] == pytest.approx(1 - rate)
    assert metrics["connection_sparsity"] < 0.01 and metrics["accuracy"] == summary["accuracy"]
    parameters = sum(param.data.size for node in graph for param in node.params)
    assert metrics["footprint"] == parameters * 4


def test_the_simulator_runs_the_widths_set_precision_gives_two_bits_being_ternary():
    from codesign.accuracy.spiking import _quantized

    weights = numpy.random.default_rng(0).normal(size=(64, 9)).astype(numpy.float32)
    assert len(numpy.unique(_quantized(weights, 2))) == 3 and len(numpy.unique(_quantized(weights, 4))) <= 15
    graph = load_model("digits_cnn").graph
    summaries = [apply_passes(graph, load_arch("snn"), [make_pass("set-precision", {"weights": bits, "activations": 16}),
                                                        make_pass("convert-snn", {"timesteps": 16})],
                              workload="digits_cnn").results["convert-snn"].summary for bits in (8, 2)]
    assert summaries[0]["accuracy"] > 0.97 > summaries[1]["accuracy"]
