"""QuantizeLinear/DequantizeLinear pairs that compute scheme.py's arithmetic in ONNX.

Widths up to 8 ride on int8/uint8 and 9..16 on int16/uint16 (opset 21): the scale is chosen for
the layer's b bits, so the levels used are the b-bit ones. A weight never leaves its b-bit grid
(its scale maps max |w| to the top level); an activation is clipped to its b-bit range first, so
it saturates there and not at the carrier type's ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy
import onnx
from onnx import helper, numpy_helper

from codesign.quantize.scheme import ActivationGrid, channel_maxima, weight_scales

CARRIER_BITS = 8
"""Widths above this need the 16-bit integer types, and with them opset 21."""


@dataclass
class Insertions:
    """New nodes and initializers for the rewritten model, with names unique in it."""

    taken: set[str]
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    initializers: list[onnx.TensorProto] = field(default_factory=list)

    def name(self, base: str) -> str:
        candidate, suffix = base, 1
        while candidate in self.taken:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        self.taken.add(candidate)
        return candidate

    def constant(self, base: str, array: numpy.ndarray) -> str:
        name = self.name(base)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op_type: str, inputs: list[str], base: str, **attributes) -> str:
        output = self.name(f"{base}_output")
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=self.name(base), **attributes))
        return output


def quantized_weight(insertions: Insertions, base: str, weights: numpy.ndarray, axis: int, bits: int) -> str:
    """A float initializer holding `weights`, through a per-channel symmetric Q/DQ pair; the
    name of the dequantized tensor."""
    weights = numpy.asarray(weights, dtype=numpy.float32)
    scales = weight_scales(channel_maxima(weights, axis), bits)
    integer = numpy.int8 if bits <= CARRIER_BITS else numpy.int16
    source = insertions.constant(f"{base}/weight", weights)
    scale = insertions.constant(f"{base}/weight_scale", scales)
    zero_point = insertions.constant(f"{base}/weight_zero_point", numpy.zeros(len(scales), dtype=integer))
    levels = insertions.node("QuantizeLinear", [source, scale, zero_point], f"{base}/weight_quantize", axis=axis)
    return insertions.node("DequantizeLinear", [levels, scale, zero_point], f"{base}/weight_dequantize", axis=axis)


def quantized_activation(insertions: Insertions, base: str, value: str, grid: ActivationGrid, bits: int) -> str:
    """Clip `value` to the grid's range, then a per-tensor asymmetric Q/DQ pair; the name of the
    dequantized tensor."""
    integer = numpy.uint8 if bits <= CARRIER_BITS else numpy.uint16
    low = insertions.constant(f"{base}/clip_min", numpy.array(grid.lowest, dtype=numpy.float32))
    high = insertions.constant(f"{base}/clip_max", numpy.array(grid.highest, dtype=numpy.float32))
    clipped = insertions.node("Clip", [value, low, high], f"{base}/clip")
    scale = insertions.constant(f"{base}/scale", numpy.array(grid.scale, dtype=numpy.float32))
    zero_point = insertions.constant(f"{base}/zero_point", numpy.array(grid.zero_point, dtype=integer))
    levels = insertions.node("QuantizeLinear", [clipped, scale, zero_point], f"{base}/quantize")
    return insertions.node("DequantizeLinear", [levels, scale, zero_point], f"{base}/dequantize")
