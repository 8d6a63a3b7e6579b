"""Fake-quantized execution: each configured layer's operands are quantized and dequantized
(scheme.py), then its dot products run in float, exactly what a QDQ model in onnxruntime does.

The quantization happens inside execute.py's matmul kernel hook. Quantizing a convolution's
im2col columns equals quantizing its input, because zero (the padding) lies on every grid.
"""

from __future__ import annotations

import numpy

from codesign.accuracy.datasets import LabelledData
from codesign.accuracy.execute import MatmulKernel, float_kernel, run_graph
from codesign.ir import Graph, LayerBits, Node
from codesign.quantize.calibrate import Ranges
from codesign.quantize.layers import QuantConfig, check_config, check_inputs, is_product, is_weighted
from codesign.quantize.scheme import activation_grid, quantize_weights


def quantized_predict(graph: Graph, config: QuantConfig, ranges: Ranges, inputs: numpy.ndarray) -> numpy.ndarray:
    """The graph's outputs (logits) for `inputs` with `config`'s layers fake-quantized; layers
    absent from `config` or unsupported (layers.unsupported_layers) run in float."""
    check_config(graph, config)
    images = check_inputs(graph, inputs, "inputs")

    def kernel_for(node: Node) -> MatmulKernel:
        bits = config.get(node.name)
        if bits is None:
            return float_kernel
        if is_weighted(node):
            return _weighted_kernel(bits, ranges.of(node.name))
        if is_product(node):
            return _product_kernel(bits, ranges.of(node.name))
        return float_kernel

    return run_graph(graph, images, kernel_for)


def quantized_accuracy(graph: Graph, config: QuantConfig, ranges: Ranges, data: LabelledData) -> float:
    """Top-1 accuracy on `data.images` against `data.labels` with `config`'s layers fake-quantized."""
    scores = quantized_predict(graph, config, ranges, data.images)
    return float(numpy.mean(scores.reshape(len(data.labels), -1).argmax(axis=1) == data.labels))


def _weighted_kernel(bits: LayerBits, ranges) -> MatmulKernel:
    """Input per tensor; weights [rows, outputs] per column, i.e. per output channel."""
    grid = activation_grid(*ranges[0], bits.input)

    def kernel(inputs: numpy.ndarray, weights: numpy.ndarray) -> numpy.ndarray:
        return grid.quantize(inputs) @ quantize_weights(weights, 1, bits.weight)
    return kernel


def _product_kernel(bits: LayerBits, ranges) -> MatmulKernel:
    """Both activations per tensor: the left at the input bits, the right at the weight bits."""
    left, right = activation_grid(*ranges[0], bits.input), activation_grid(*ranges[1], bits.weight)

    def kernel(inputs: numpy.ndarray, weights: numpy.ndarray) -> numpy.ndarray:
        return left.quantize(inputs) @ right.quantize(weights)
    return kernel
