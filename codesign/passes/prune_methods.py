"""What the crossbar-aware pruner measures of a pruned model, and the masks of its baselines.

A method's result: top-1 accuracy with the target's own arithmetic (codesign/accuracy, the
analog emulator at the spec's ADC), and cost from the target's cost model on the graph with the
pruned weights in it (the same path any pruned ONNX model takes through `compile`): the ADC
energy, the whole chip's, and each layer's sparsity and ADC resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy

from codesign.accuracy.datasets import LabelledData
from codesign.accuracy.quantize import accuracy_at
from codesign.arch.schema import Architecture
from codesign.compiler import compile_graph
from codesign.ir import Graph, Pruned
from codesign.passes.prune_layout import LayerCrossbars


@dataclass(frozen=True)
class LayerOutcome:
    name: str
    sparsity: float
    adc_bits: int
    """The widest resolution any of its crossbars converts at."""
    mean_adc_bits: float
    """Over its conversions."""


@dataclass(frozen=True)
class MethodOutcome:
    """One method's pruned model, as measured on the target."""

    name: str
    accuracy: float
    sparsity: float
    """Zero weights / weights, over the pruned layers."""
    adc_energy_J: float
    energy_J: float
    exponential_adc_energy: float
    """Sum over conversions of 2^bits: the ADC energy under D.U.B.'s model (energy doubles per bit), in its units."""
    layers: tuple[LayerOutcome, ...]
    graph: Graph

    def figures(self, dense: MethodOutcome) -> dict:
        """The JSON of this method against the dense model."""
        return {
            "accuracy": self.accuracy, "accuracy_drop": dense.accuracy - self.accuracy, "sparsity": self.sparsity,
            "adc_energy_J": self.adc_energy_J, "energy_J": self.energy_J,
            "adc_energy_improvement": dense.adc_energy_J / self.adc_energy_J if self.adc_energy_J else float("inf"),
            "energy_improvement": dense.energy_J / self.energy_J,
            "adc_energy_improvement_exponential_model": dense.exponential_adc_energy / self.exponential_adc_energy
            if self.exponential_adc_energy else float("inf"),
            "layers": {layer.name: {"sparsity": layer.sparsity, "adc_bits": layer.adc_bits,
                                    "mean_adc_bits": layer.mean_adc_bits} for layer in self.layers},
        }


def with_weights(graph: Graph, weights: dict[str, numpy.ndarray], levels: dict[str, numpy.ndarray] | None = None) -> Graph:
    """`graph` with the given layers' weights replaced (float32), each annotated Pruned with its
    sparsity (and, with `levels`, its crossbars' levels)."""
    nodes = []
    for node in graph.nodes:
        if node.name in weights:
            data = numpy.asarray(weights[node.name], dtype=numpy.float32)
            params = tuple(replace(param, data=data) if param is node.weight else param for param in node.params)
            node = replace(node, params=params)
            chosen = () if levels is None else tuple(int(level) for level in numpy.asarray(levels[node.name]).ravel())
            node = node.annotated(Pruned(float(numpy.mean(data == 0)), chosen))
        nodes.append(node)
    return replace(graph, nodes=tuple(nodes))


def measure(name: str, graph: Graph, arch: Architecture, target, data: LabelledData,
            layers: list[LayerCrossbars]) -> MethodOutcome:
    """`graph`'s accuracy with the target's arithmetic and its cost on the target (module docstring)."""
    report = compile_graph(graph, arch)
    names = {layer.name for layer in layers}
    nodes = {node.name: node for node in graph.compute_nodes}
    outcomes, zeros, count, exponential = [], 0, 0, 0.0
    for layer_cost in report.layers:
        by_bits = {int(bits): conversions for bits, conversions in (layer_cost.mapping or {}).get("adc_conversions_by_bits", {}).items()}
        exponential += sum(conversions * 2.0**bits for bits, conversions in by_bits.items() if bits)
        if layer_cost.name in names:
            weight = nodes[layer_cost.name].weight.data
            zeros, count = zeros + int(numpy.sum(weight == 0)), count + weight.size
            total = sum(by_bits.values())
            outcomes.append(LayerOutcome(layer_cost.name, float(numpy.mean(weight == 0)), int(layer_cost.mapping["adc_bits"]),
                                         sum(bits * conversions for bits, conversions in by_bits.items()) / total))
    adc = sum(layer_cost.energy_breakdown_J.get("adc", 0.0) for layer_cost in report.layers)
    return MethodOutcome(name, accuracy_at(graph, target.dot_product, data), zeros / max(count, 1), adc,
                         report.energy_J, exponential, tuple(outcomes), graph)


def global_magnitude_masks(weights: dict[str, numpy.ndarray], sparsity: float) -> dict[str, numpy.ndarray]:
    """Keep the largest |w| over all layers together, pruning the fraction `sparsity` of them."""
    magnitudes = numpy.concatenate([numpy.abs(values).ravel() for values in weights.values()])
    pruned = int(round(sparsity * magnitudes.size))
    if pruned == 0:
        return {name: numpy.ones(values.shape, dtype=bool) for name, values in weights.items()}
    threshold = numpy.partition(magnitudes, pruned - 1)[pruned - 1]
    return {name: numpy.abs(values) > threshold for name, values in weights.items()}


def layer_magnitude_masks(weights: dict[str, numpy.ndarray], sparsities: dict[str, float]) -> dict[str, numpy.ndarray]:
    """Keep each layer's largest |w|, pruning the fraction sparsities[layer] of its weights."""
    masks = {}
    for name, values in weights.items():
        pruned = int(round(sparsities.get(name, 0.0) * values.size))
        order = numpy.argsort(numpy.abs(values).ravel(), kind="stable")
        keep = numpy.ones(values.size, dtype=bool)
        keep[order[:pruned]] = False
        masks[name] = keep.reshape(values.shape)
    return masks


def channel_masks(weights: dict[str, numpy.ndarray], axes: dict[str, int], sparsity: float) -> dict[str, numpy.ndarray]:
    """Per layer, zero the fraction `sparsity` of its output channels (along axes[layer]) with
    the smallest L2 norm."""
    masks = {}
    for name, values in weights.items():
        moved = numpy.moveaxis(numpy.abs(values), axes[name], 0)
        norms = numpy.sqrt((moved.reshape(len(moved), -1) ** 2).sum(axis=1))
        pruned = numpy.argsort(norms, kind="stable")[:int(round(sparsity * len(norms)))]
        keep = numpy.ones(len(norms), dtype=bool)
        keep[pruned] = False
        shape = [1] * values.ndim
        shape[axes[name]] = len(norms)
        masks[name] = numpy.broadcast_to(keep.reshape(shape), values.shape).copy()
    return masks
