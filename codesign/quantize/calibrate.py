"""Activation ranges of every compute layer's inputs, from a float run of training images."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy

from codesign.accuracy.execute import MatmulKernel, run_graph
from codesign.errors import CodesignError
from codesign.ir import Graph, Node
from codesign.quantize.layers import check_inputs, is_product

Range = tuple[float, float]
"""(min, max) of one tensor."""


@dataclass(frozen=True)
class Ranges:
    """Per-tensor (min, max) of each compute layer's activation operands on the calibration batch:
    one range for a weighted layer's input, two for a product of activations (attention)."""

    operands: Mapping[str, tuple[Range, ...]]
    """Compute-layer name -> one (min, max) per activation operand, in the layer's input order."""

    def of(self, layer: str) -> tuple[Range, ...]:
        ranges = self.operands.get(layer)
        if ranges is None:
            raise CodesignError(f"quantize: no calibrated range for layer '{layer}' (calibrate this graph first)")
        return ranges


def calibrate(graph: Graph, calibration: numpy.ndarray) -> Ranges:
    """The ranges of every compute layer's activation operands over a float run of `calibration`."""
    images = check_inputs(graph, calibration, "calibration inputs")
    seen: dict[str, list[Range]] = {}

    def recording(node: Node) -> MatmulKernel:
        def kernel(inputs: numpy.ndarray, weights: numpy.ndarray) -> numpy.ndarray:
            operands = (inputs, weights) if is_product(node) else (inputs,)
            ranges = seen.setdefault(node.name, [(numpy.inf, -numpy.inf)] * len(operands))
            for index, operand in enumerate(operands):  # groups and matrix pairs are separate calls
                low, high = ranges[index]
                ranges[index] = (min(low, float(operand.min(initial=numpy.inf))),
                                 max(high, float(operand.max(initial=-numpy.inf))))
            return inputs @ weights
        return kernel

    run_graph(graph, images, recording)
    return Ranges(MappingProxyType({name: tuple(ranges) for name, ranges in seen.items()}))
