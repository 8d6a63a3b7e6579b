"""The order in which layers drop to a narrower width: sensitivity per unit of cost saved.

A layer's sensitivity at b bits (Schaefer et al., arXiv 2306.04879; HAWQ-V2):
  hessian(l, b)      = 1/2 x mean diagonal of the loss Hessian in l's weights (Hutchinson's
                       estimator, codesign/quantize) x ||Q_b(W_l) - W_l||^2: the second-order
                       loss increase quantizing l's weights to b bits causes;
  interaction(l, b)  = hessian(l, b) + 1/2 x the sum over l's neighbours n (the compute layers
                       just before and after it) of the measured joint effect
                       D(l + n) - D(l) - D(n), where D is the output divergence (KL of the
                       quantized from the float outputs on training images) with those layers
                       at b bits: quantizing two neighbours together can hurt more, or less,
                       than the sum of each alone, which the Hessian cannot see.
The order is ascending sensitivity divided by what lowering the layer saves on the target
(its own cost model, the pass' objective), so the same accuracy budget spends precision where
this target gains most from it. `hessian_only` drops the interaction term; `random` shuffles.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy

from codesign.ir import Graph

SAVING_FLOOR = 1e-30
"""A layer whose lowering saves nothing still gets an order (last), not a division by zero."""


@dataclass(frozen=True)
class Sensitivity:
    traces: Mapping[str, float]
    """Mean diagonal of the loss Hessian in each layer's weights."""
    perturbations: Mapping[tuple[str, int], float]
    """(layer, bits) -> ||Q_b(W) - W||^2."""
    joint_effects: Mapping[tuple[str, str, int], float]
    """(layer, next layer, bits) -> D(both) - D(first) - D(second)."""

    def hessian(self, layer: str, bits: int) -> float:
        return 0.5 * max(self.traces[layer], 0.0) * self.perturbations[(layer, bits)]

    def interaction(self, layer: str, bits: int) -> float:
        joint = sum(effect for (first, second, width), effect in self.joint_effects.items()
                    if width == bits and layer in (first, second))
        return self.hessian(layer, bits) + 0.5 * joint


def measure_joint_effects(layers: Sequence[str], widths: Sequence[int],
                          divergence: Callable[[Mapping[str, int]], float]) -> dict[tuple[str, str, int], float]:
    """D(l + n) - D(l) - D(n) for every pair of consecutive layers at every width."""
    effects = {}
    for bits in widths:
        alone = {layer: divergence({layer: bits}) for layer in layers}
        for first, second in zip(layers, layers[1:]):
            effects[(first, second, bits)] = divergence({first: bits, second: bits}) - alone[first] - alone[second]
    return effects


def kl_divergence(float_logits: numpy.ndarray, quantized_logits: numpy.ndarray) -> float:
    """Mean KL(float || quantized) of the softmax outputs: a label-free loss increase."""
    reference, quantized = _log_softmax(float_logits), _log_softmax(quantized_logits)
    return float(numpy.mean(numpy.sum(numpy.exp(reference) * (reference - quantized), axis=-1)))


def _log_softmax(logits: numpy.ndarray) -> numpy.ndarray:
    logits = numpy.asarray(logits, dtype=numpy.float64).reshape(len(logits), -1)
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - numpy.log(numpy.exp(shifted).sum(axis=1, keepdims=True))


Ordering = Callable[[Sequence[str], int], list[str]]
"""(layers still eligible, the width they may drop to) -> those layers, first to drop first."""


def cost_aware_ordering(score: Callable[[str, int], float], saving: Callable[[str, int], float]) -> Ordering:
    def order(layers: Sequence[str], bits: int) -> list[str]:
        return sorted(layers, key=lambda layer: (score(layer, bits) / max(saving(layer, bits), SAVING_FLOOR), layer))
    return order


def random_ordering(seed: int) -> Ordering:
    def order(layers: Sequence[str], bits: int) -> list[str]:
        shuffled = sorted(layers)
        random.Random(f"{seed}:{bits}").shuffle(shuffled)
        return shuffled
    return order


def compute_layers(graph: Graph, skipped: Sequence[str]) -> list[str]:
    """The layers the search assigns widths to, in graph order."""
    return [node.name for node in graph.compute_nodes if node.name not in skipped and node.weight is not None]
