"""`convert-snn`: a trained ReLU network as a rate-coded spiking network (IF or LIF neurons,
T timesteps, thresholds balanced on calibration data, reset by subtraction).

    -p "convert-snn{timesteps=16,neuron=if,norm=percentile}"

The spiking simulation is codesign/accuracy/spiking.py (numpy, on the IR: the dynamics are three
lines, and the same executor runs every other accuracy in codesign, so no SNN library is
needed). It runs the workload's labelled test set; the summary holds the SNN's and the ANN's
top-1 accuracy, and per layer the spike rates and synaptic operations. The IR is annotated:
each ReLU with its SpikingNeuron (kind, threshold, leak, timesteps, measured spike rate), each
compute layer with its SynapticEvents (input spike rate, synaptic operations per inference).
The weights are not changed. Ops with no spiking equivalent are a one-line error naming the node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy

from codesign.arch.schema import Architecture
from codesign.ir import Graph, SpikingNeuron, SynapticEvents
from codesign.passes.pipeline import PassContext, PassResult, register_pass

NORMS = ("max", "percentile")


@register_pass
@dataclass(frozen=True)
class ConvertSnn:
    name: ClassVar[str] = "convert-snn"
    timesteps: int = 16
    """Timesteps T of every inference."""
    neuron: str = "if"
    """if (integrate-and-fire) or lif (leaky: the membrane keeps `leak` of itself per step)."""
    leak: float = 0.95
    """lif only."""
    norm: str = "percentile"
    """Thresholds from the max (max) or the `percentile` (percentile) of each ReLU's calibration activations."""
    percentile: float = 99.9

    def __post_init__(self) -> None:
        from codesign.accuracy.spiking import NEURON_KINDS

        if not 1 <= self.timesteps <= 4096:
            raise ValueError(f"timesteps must be from 1 to 4096 (got {self.timesteps})")
        if self.neuron not in NEURON_KINDS:
            raise ValueError(f"neuron must be one of {', '.join(NEURON_KINDS)} (got {self.neuron!r})")
        if self.norm not in NORMS:
            raise ValueError(f"norm must be one of {', '.join(NORMS)} (got {self.norm!r})")
        if not 0 < self.leak <= 1 or not 50 <= self.percentile <= 100:
            raise ValueError("leak must be in (0, 1] and percentile from 50 to 100")

    def run(self, graph: Graph, arch: Architecture, progress: Callable[[str], None] | None = None,
            context: PassContext | None = None) -> PassResult:
        from codesign.accuracy.execute import run_graph
        from codesign.accuracy.spiking import NeuronModel, check_convertible, relu_thresholds, simulate

        say = progress or (lambda message: None)
        check_convertible(graph)
        data = (context or PassContext()).labelled_data(self.name)
        ann_scores = run_graph(graph, data.images)
        say("balancing thresholds on calibration images")
        thresholds = relu_thresholds(graph, data.calibration, self.norm, self.percentile)
        say(f"simulating {len(data.labels)} inputs over {self.timesteps} timesteps")
        neuron = NeuronModel(self.neuron, self.leak if self.neuron == "lif" else 1.0)
        scores, counts = simulate(graph, data.images, thresholds, self.timesteps, neuron)
        samples = len(data.labels)
        steps = samples * self.timesteps
        neurons = {name: SpikingNeuron(self.neuron, thresholds[name], neuron.leak, self.timesteps,
                                       counts.spikes.get(name, 0.0) / (steps * counts.neurons[name]))
                   for name in counts.neurons}
        synapses = {name: SynapticEvents(self.timesteps, counts.input_events[name] / (steps * counts.input_size[name]),
                                         counts.synaptic_operations[name] / samples, name in counts.analog_inputs)
                    for name in counts.synaptic_operations}
        annotated = replace(graph, nodes=tuple(
            node.annotated(neurons[node.name]) if node.name in neurons else
            node.annotated(synapses[node.name]) if node.name in synapses else node for node in graph.nodes))
        summary = {
            "accuracy": _top1(scores, data.labels), "ann_accuracy": _top1(ann_scores, data.labels),
            "timesteps": self.timesteps, "neuron": self.neuron, "norm": self.norm,
            "neurons": {name: {"threshold": item.threshold, "spike_rate": item.spike_rate,
                               "neurons": counts.neurons[name]} for name, item in neurons.items()},
            "layers": {name: {"input_spike_rate": item.input_spike_rate, "synaptic_operations": item.synaptic_operations,
                              "analog_inputs": item.analog_inputs} for name, item in synapses.items()},
        }
        summary["metrics"] = neurobench_metrics(graph, summary, counts.neurons, self.timesteps)
        return PassResult(annotated, None, summary)


def _top1(scores: numpy.ndarray, labels: numpy.ndarray) -> float:
    return float(numpy.mean(numpy.asarray(scores).reshape(len(labels), -1).argmax(axis=1) == labels))


def neurobench_metrics(graph: Graph, summary: dict, neurons: dict[str, int], timesteps: int) -> dict:
    """NeuroBench's metrics (Yik et al., arXiv 2304.04640), by its definitions, per inference.
    The neurobench package itself does not install beside the CPU torch 2.13 (it pins torchaudio
    2.11, which pins torch 2.11), so these are computed here:
      footprint            bytes of every parameter at its width (float: 4 bytes)
      connection_sparsity  zero weights / weights of the compute layers
      activation_sparsity  1 - spikes / (neurons x timesteps), over the spiking layers
      synaptic_operations  Dense: MACs x timesteps; Effective_MACs: non-zero analog input x
                           non-zero weight; Effective_ACs: spike x non-zero weight
      membrane_updates     neurons x timesteps"""
    weights = [node.weight.data for node in graph.compute_nodes if node.weight is not None and node.weight.data is not None]
    footprint = sum(param.data.size * (param.type.bits if param.type.numeric == "int" else 32) / 8
                    for node in graph for param in node.params if param.data is not None)
    layers = summary["layers"]
    spikes = sum(item["spike_rate"] * neurons[name] * timesteps for name, item in summary["neurons"].items())
    updates = sum(neurons.values()) * timesteps
    return {
        "footprint": footprint,
        "connection_sparsity": sum(int(numpy.sum(data == 0)) for data in weights) / max(1, sum(data.size for data in weights)),
        "activation_sparsity": 1.0 - spikes / updates if updates else 0.0,
        "synaptic_operations": {
            "Dense": float(sum(node.macs for node in graph.compute_nodes) * timesteps),
            "Effective_MACs": sum(item["synaptic_operations"] for item in layers.values() if item["analog_inputs"]),
            "Effective_ACs": sum(item["synaptic_operations"] for item in layers.values() if not item["analog_inputs"])},
        "membrane_updates": float(updates),
        "accuracy": summary["accuracy"],
    }
