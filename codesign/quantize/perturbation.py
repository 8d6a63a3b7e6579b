"""How far quantization moves a layer's weights: the ||Q_b(W) - W||^2 of second-order sensitivity
(HAWQ-V2: the loss rises by about Tr(H)/n * ||Q(W) - W||^2)."""

from __future__ import annotations

import numpy

from codesign.errors import CodesignError
from codesign.ir import Node
from codesign.quantize.layers import FEWEST_BITS, MOST_BITS, output_channel_axis, weight_data
from codesign.quantize.scheme import quantize_weights


def weight_perturbation(node: Node, bits: int) -> float:
    """Sum of squares of (per-channel symmetric `bits`-bit weights - float weights) of `node`."""
    if isinstance(bits, bool) or not isinstance(bits, int) or not FEWEST_BITS <= bits <= MOST_BITS:
        raise CodesignError(f"quantize: weight bits must be {FEWEST_BITS}..{MOST_BITS} (got {bits!r})")
    weights = weight_data(node)
    error = quantize_weights(weights, output_channel_axis(node), bits).astype(numpy.float64) - weights
    return float(numpy.sum(error * error))
