"""Top-1 accuracy of a trained workload run at an architecture's precision.

Every compute layer's dot products are done as the architecture does them (execute.py's kernel
hook); everything else (bias, pooling, activations, softmax) runs in float32, as a digital
periphery at higher precision would.

Quantization, the same for every target:
  * weights: symmetric, linear, one scale per tensor (per layer, all groups), signed levels
    -(2^(b-1) - 1)..2^(b-1) - 1, round to nearest; the right operand of a MatMul of two
    activations (attention) takes the weight's place, its scale from the calibration batch;
  * activations (a compute layer's input): one scale per layer from the largest |value| of a
    calibration batch of TRAINING images run in float; unsigned levels 0..2^b - 1 where the value
    is provably non-negative (after ReLU, Clip(min >= 0), ...; the input when the data set says
    so), else signed as the weights; values beyond the calibrated range saturate.
Which dot product a layer gets, at which bits, the target decides (Target.dot_product: a
DigitalDot or an AnalogMacro at the layer's bits from the IR).
Digital (DigitalDot): weights and inputs at their bits; the integer sums are kept in a signed
accumulator of accumulator_bits that saturates. Where the calibrated sums need more bits than
it has (Eyeriss: 16-bit operands, 16-bit partial sums), its low bits are dropped (a per-layer
fixed-point shift chosen on the calibration batch), as Eyeriss truncates its 32-bit products
to 16 bits; here the truncation is of the exact sum, not of each product.
Compute in memory: see analog.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import ceil, log2

import numpy

from codesign.accuracy.analog import AnalogMacro, ConversionTally, analog_dot
from codesign.accuracy.datasets import LabelledData
from codesign.accuracy.execute import KernelForNode, MatmulKernel, run_graph
from codesign.errors import CodesignError
from codesign.ir import Graph, Node, Op


@dataclass(frozen=True)
class DigitalDot:
    """A digital MAC array's dot product: integer operands, a saturating accumulator."""

    weight_bits: int
    input_bits: int
    accumulator_bits: int


DotProduct = DigitalDot | AnalogMacro
DotProductFor = Callable[[Node], DotProduct]
"""What a target says about each compute node (Target.dot_product)."""


@dataclass(frozen=True)
class LayerRange:
    """A compute layer's float ranges on the calibration batch."""

    input_max: float
    """Largest |input| of its dot products."""
    sum_max: float
    """Largest |dot product| (before bias)."""
    weight_max: float = 0.0
    """Largest |right operand|: what scales a MatMul's second activation, which has no constant data."""


def accuracy_at(graph: Graph, dot_product: DotProductFor | None, data: LabelledData,
                tallies: dict[str, ConversionTally] | None = None) -> float:
    """Fraction of `data`'s test images whose top-scoring class is the label, with every compute
    node's dot products done as `dot_product(node)` says (a target's); None: float32.
    `tallies`, when given, receives node name -> what its ADCs did (compute-in-memory layers)."""
    scores = predict(graph, dot_product, data, tallies)
    return float(numpy.mean(scores.reshape(len(data.labels), -1).argmax(axis=1) == data.labels))


def predict(graph: Graph, dot_product: DotProductFor | None, data: LabelledData,
            tallies: dict[str, ConversionTally] | None = None) -> numpy.ndarray:
    """The graph's outputs for `data.images` with `dot_product`'s arithmetic (None: float32)."""
    if dot_product is None:
        return run_graph(graph, data.images)
    ranges = calibrate(graph, data.calibration)
    non_negative = non_negative_values(graph, data.non_negative_inputs)
    return run_graph(graph, data.images, kernels(dot_product, ranges, non_negative, tallies))


def calibrate(graph: Graph, calibration: numpy.ndarray) -> dict[str, LayerRange]:
    """Node name -> LayerRange of every compute node, from a float run of `calibration`."""
    ranges: dict[str, LayerRange] = {}

    def recording_kernel(node: Node) -> MatmulKernel:
        def kernel(inputs: numpy.ndarray, weights: numpy.ndarray) -> numpy.ndarray:
            sums = inputs @ weights
            seen = ranges.get(node.name, LayerRange(0.0, 0.0))  # groups (and matrix pairs) are separate calls
            ranges[node.name] = LayerRange(max(seen.input_max, float(numpy.abs(inputs).max(initial=0))),
                                           max(seen.sum_max, float(numpy.abs(sums).max(initial=0))),
                                           max(seen.weight_max, float(numpy.abs(weights).max(initial=0))))
            return sums
        return kernel

    run_graph(graph, calibration, recording_kernel)
    return ranges


_KEEPS_SIGN = frozenset({Op.MAX_POOL, Op.AVERAGE_POOL, Op.GLOBAL_AVERAGE_POOL, Op.GLOBAL_MAX_POOL,
                         Op.VIEW, Op.ADD, Op.MUL, Op.CONCAT})
"""Ops whose output is non-negative when all their operands are."""
_NON_NEGATIVE = frozenset({Op.RELU, Op.SOFTMAX, Op.SIGMOID, Op.HARD_SIGMOID})


def non_negative_values(graph: Graph, non_negative_inputs: bool) -> frozenset[str]:
    """Names of the values that are >= 0 for every input, by the ops that produce them."""
    known = {value.name for value in graph.inputs} if non_negative_inputs else set()
    for node in graph:
        clipped = node.op is Op.CLIP and node.attrs.minimum is not None and node.attrs.minimum >= 0
        kept = (node.op in _KEEPS_SIGN and all(value.name in known for value in node.inputs)
                and all(param.data is not None and (param.data >= 0).all() for param in node.params))
        if node.op in _NON_NEGATIVE or clipped or kept:
            known.update(value.name for value in node.outputs)
    return frozenset(known)


def quantize(values: numpy.ndarray, scale: float, bits: int, signed: bool) -> numpy.ndarray:
    """Integer levels of `values` at `scale` per level, saturated to `bits` (float32: exact below 2^24)."""
    largest = 2 ** (bits - 1) - 1 if signed else 2**bits - 1
    levels = numpy.round(numpy.asarray(values, dtype=numpy.float32 if bits <= 24 else numpy.float64) / scale)
    return numpy.clip(levels, -largest if signed else 0, largest)


def scale_for(largest_value: float, bits: int, signed: bool) -> float:
    """The step that maps `largest_value` to the top level (1.0 for an all-zero tensor)."""
    levels = 2 ** (bits - 1) - 1 if signed else 2**bits - 1
    return largest_value / levels if largest_value > 0 else 1.0


def kernels(dot_product: DotProductFor, ranges: dict[str, LayerRange], non_negative: frozenset[str],
            tallies: dict[str, ConversionTally] | None = None) -> KernelForNode:
    """The kernel of each compute node, as `dot_product` says the target computes it; analog
    layers count their conversions into `tallies[node.name]` when given."""
    def kernel_for(node: Node) -> MatmulKernel:
        if node.weight is not None and node.weight.data is None:
            raise CodesignError(f"accuracy: node '{node.name}' ({node.op.value}) has no constant weight")
        model = dot_product(node)
        weight_bits, input_bits = model.weight_bits, model.input_bits
        signed_inputs = node.inputs[0].name not in non_negative
        layer = ranges[node.name]
        weight_max = layer.weight_max if node.weight is None else float(numpy.abs(node.weight.data).max(initial=0))
        weight_scale = scale_for(weight_max, weight_bits, True)
        input_scale = scale_for(layer.input_max, input_bits, signed_inputs)
        if isinstance(model, DigitalDot):
            dot = _accumulator(model.accumulator_bits, layer.sum_max / (weight_scale * input_scale))
        else:
            tally = None if tallies is None else tallies.setdefault(node.name, ConversionTally())
            dot = _analog(model, signed_inputs, tally)

        def kernel(inputs: numpy.ndarray, weights: numpy.ndarray) -> numpy.ndarray:
            levels = dot(quantize(inputs, input_scale, input_bits, signed_inputs),
                         quantize(weights, weight_scale, weight_bits, True))
            return (levels * (input_scale * weight_scale)).astype(numpy.float32)
        return kernel
    return kernel_for


def _accumulator(accumulator_bits: int, largest_sum: float):
    """Exact integer sums, truncated to the accumulator's fixed-point format and saturated."""
    needed_bits = ceil(log2(largest_sum + 1)) + 1  # with the sign bit
    shift = 2.0 ** max(0, needed_bits - accumulator_bits)
    largest = 2 ** (accumulator_bits - 1)

    def dot(inputs: numpy.ndarray, weights: numpy.ndarray) -> numpy.ndarray:
        sums = inputs.astype(numpy.float64) @ weights.astype(numpy.float64)  # exact below 2^53
        return numpy.clip(numpy.floor(sums / shift), -largest, largest - 1) * shift
    return dot


def _analog(macro: AnalogMacro, signed_inputs: bool, tally: ConversionTally | None):
    def dot(inputs: numpy.ndarray, weights: numpy.ndarray) -> numpy.ndarray:
        return analog_dot(inputs, weights, macro, signed_inputs, tally)
    return dot
