"""Per-layer bit widths as the mixed-precision search handles them: a configuration, its graph,
and what it costs and how accurate it is, each measured once.

A configuration maps compute-layer names to one width (weights, the layer's input and its
output at that width); layers it leaves out stay in float (the target's native precision).
A value that two layers read at different widths (a ResNet block input feeding the main and
the shortcut convolution) is kept at the wider of them: it is quantized once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from codesign.arch.schema import Architecture
from codesign.compiler import compile_layers
from codesign.ir import Graph, LayerBits
from codesign.passes.set_precision import LayerRequest, quantize_graph
from codesign.target import MapperSettings

Config = Mapping[str, int]
"""Compute-layer name -> bits (weights and activations); absent layers stay float."""


def config_key(config: Config) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(config.items()))


def quantized(graph: Graph, config: Config) -> Graph:
    """`graph` with each configured layer's weights and activations at its width."""
    requests = {name: LayerRequest(bits, bits, bits) for name, bits in config.items()}
    return quantize_graph(graph, requests, widest=True)


def layer_bits_of(graph: Graph, config: Config) -> dict[str, LayerBits]:
    """The quantizer's view of `config`: each layer's widths as the quantized graph has them
    (shared inputs at the widest request, as the cost model sees them too)."""
    return widths_in_graph(quantized(graph, config))


def widths_in_graph(graph: Graph) -> dict[str, LayerBits]:
    """The quantizer's configuration of a graph whose widths are in its types (after
    set-precision or assign-precision): every compute layer with an integer weight."""
    config = {}
    for node in graph.compute_nodes:
        if node.weight is not None and node.weight.type.numeric == "int":
            weight_bits = node.weight.type.bits
            source = node.inputs[0].type
            input_bits = source.bits if source.numeric == "int" else weight_bits
            output = node.outputs[0].type
            config[node.name] = LayerBits(weight_bits, input_bits, output.bits if output.numeric == "int" else input_bits)
    return config


@dataclass(frozen=True)
class Cost:
    energy_J: float
    latency_s: float

    @property
    def edp_Js(self) -> float:
        return self.energy_J * self.latency_s

    def value(self, objective: str) -> float:
        return {"latency": self.latency_s, "energy": self.energy_J, "edp": self.edp_Js}[objective]


@dataclass(eq=False)
class Measurements:
    """Accuracy and cost of configurations, each measured once (searches revisit them)."""

    graph: Graph
    arch: Architecture
    mapper: MapperSettings
    accuracy_of: object
    """Config -> top-1 accuracy (the quantized executor on the labelled data)."""
    accuracies: dict = field(default_factory=dict)
    costs: dict = field(default_factory=dict)

    def accuracy(self, config: Config) -> float:
        key = config_key(config)
        if key not in self.accuracies:
            self.accuracies[key] = self.accuracy_of(config)
        return self.accuracies[key]

    def cost(self, config: Config) -> Cost:
        key = config_key(config)
        if key not in self.costs:  # mappings are cached per layer shape and bits: re-costing is cheap
            report = compile_layers(quantized(self.graph, config), self.arch, self.mapper.objective,
                                    self.mapper.seed).report
            self.costs[key] = Cost(report.energy_J, report.latency_s)
        return self.costs[key]
