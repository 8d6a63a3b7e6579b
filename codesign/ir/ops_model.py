"""Arithmetic-operation counts of the ops that are not multiply-accumulates.

The counts are per output element and deliberately simple (one ALU operation per
basic arithmetic step), so cost models can charge vector-unit energy for them:
  element-wise op: 1 per output element (Sigmoid/Tanh/Erf/Gelu/HardSwish: 4, a
    piecewise or lookup approximation); Sum/Max/Min of n inputs: n-1;
  pooling: kernel area per output element; global pooling: spatial size;
  Softmax: 4 per element (max, subtract, exp, divide; the sum shares the max pass);
  LayerNormalization: 8 per element (mean, variance, normalise, scale and shift);
  BatchNormalization (unfolded): 2 (scale, shift); LRN: size + 3;
  reductions: 1 per input element; data movement and views: 0.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from codesign.ir.attrs import LrnAttrs, PoolAttrs
from codesign.ir.ops import DATA_MOVEMENT_OPS, Op

if TYPE_CHECKING:
    from codesign.ir.graph import Node

_PER_OUTPUT_ELEMENT = {
    Op.SIGMOID: 4, Op.TANH: 4, Op.ERF: 4, Op.GELU: 4, Op.HARD_SWISH: 4, Op.HARD_SIGMOID: 2,
    Op.EXP: 4, Op.SQRT: 4, Op.POW: 2, Op.SOFTMAX: 4, Op.LAYER_NORMALIZATION: 8,
    Op.BATCH_NORMALIZATION: 2, Op.CLIP: 2,
}


def vector_ops_of(node: Node) -> int:
    if node.op.is_compute or node.op.is_zero_cost or node.op in DATA_MOVEMENT_OPS:
        return 0
    output_elements = sum(value.type.elements for value in node.outputs)
    input_elements = sum(value.type.elements for value in node.inputs)
    if node.op in (Op.REDUCE_MEAN, Op.REDUCE_SUM, Op.REDUCE_MAX):
        return input_elements
    if node.op in (Op.GLOBAL_AVERAGE_POOL, Op.GLOBAL_MAX_POOL):
        return input_elements
    if isinstance(node.attrs, PoolAttrs):
        return output_elements * math.prod(node.attrs.kernel)
    if isinstance(node.attrs, LrnAttrs):
        return output_elements * (node.attrs.size + 3)
    if node.op in (Op.SUM, Op.MAX, Op.MIN):
        operands = len(node.inputs) + len(node.params)
        return output_elements * max(operands - 1, 1)
    return output_elements * _PER_OUTPUT_ELEMENT.get(node.op, 1)
