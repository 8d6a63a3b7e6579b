"""What lowering one layer's width saves on the target, by its own cost model: the layer mapped
at the widest candidate minus the layer mapped at the narrower width (mappings are cached per
layer shape and bits, so each costs one search at most)."""

from __future__ import annotations

from codesign.ir import Graph
from codesign.passes.precision_configs import quantized
from codesign.target import Target


class LayerSavings:
    def __init__(self, graph: Graph, target: Target, objective: str, widest: int):
        self.graph, self.target, self.objective, self.widest = graph, target, objective, widest
        self._values: dict[tuple[str, int], float] = {}

    def saving(self, layer: str, bits: int) -> float:
        return self.value(layer, self.widest) - self.value(layer, bits)

    def value(self, layer: str, bits: int) -> float:
        if (layer, bits) not in self._values:
            node = quantized(self.graph, {layer: bits}).node(layer)
            cost = self.target.map_layer(node).cost
            self._values[(layer, bits)] = {"latency": cost.latency_s, "energy": cost.energy_J,
                                           "edp": cost.energy_J * cost.latency_s}[self.objective]
        return self._values[(layer, bits)]
