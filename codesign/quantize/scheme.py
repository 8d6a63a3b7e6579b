"""The quantization arithmetic, step for step what ONNX QuantizeLinear/DequantizeLinear compute.

Weights: symmetric, one scale per output channel, scale = max|w| / (2^(b-1) - 1), signed levels
-(2^(b-1) - 1)..2^(b-1) - 1 (the lowest level of the integer type is never used, so the grid is
symmetric), no zero point.
Activations: one scale and zero point per tensor from a calibrated (min, max) widened to hold 0
(so that zero padding and ReLU zeros stay exact), scale = (max - min) / (2^b - 1); the value is
clipped to the b-bit grid's ends before it is quantized, so it saturates at b bits whatever the
width of the integer type that carries it.
Rounding is half to even (numpy.round, as QuantizeLinear); every step is float32 with a true
division, as onnxruntime computes it, so the two agree bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

FLOAT = numpy.float32


def signed_levels(bits: int) -> int:
    """The largest level of a symmetric signed grid of `bits`."""
    return 2 ** (bits - 1) - 1


def weight_scales(largest_magnitudes: numpy.ndarray, bits: int) -> numpy.ndarray:
    """One scale per channel from each channel's max |w|; 1.0 for an all-zero channel (any
    positive scale gives zero levels, and QuantizeLinear rejects a zero scale)."""
    largest = numpy.asarray(largest_magnitudes, dtype=FLOAT)
    scales = largest / FLOAT(signed_levels(bits))
    return numpy.where(scales > 0, scales, FLOAT(1.0)).astype(FLOAT)


def channel_maxima(weights: numpy.ndarray, axis: int) -> numpy.ndarray:
    """max |w| of each slice along `axis` (the output channels)."""
    others = tuple(index for index in range(weights.ndim) if index != axis % weights.ndim)
    return numpy.abs(numpy.asarray(weights, dtype=FLOAT)).max(axis=others)


def quantize_weights(weights: numpy.ndarray, axis: int, bits: int) -> numpy.ndarray:
    """Dequantized per-channel weights: round(w / scale) * scale, saturated to the signed grid."""
    weights = numpy.asarray(weights, dtype=FLOAT)
    shape = [1] * weights.ndim
    shape[axis % weights.ndim] = -1
    scales = weight_scales(channel_maxima(weights, axis), bits).reshape(shape)
    largest = signed_levels(bits)
    levels = numpy.clip(numpy.round(weights / scales), -largest, largest)
    return (levels * scales).astype(FLOAT)


@dataclass(frozen=True)
class ActivationGrid:
    """The b-bit grid of one activation tensor: scale, zero point, and the float range it covers."""

    scale: numpy.float32
    zero_point: int
    levels: int
    """The top level, 2^b - 1 (the bottom one is 0)."""

    @property
    def lowest(self) -> numpy.float32:
        """The value of level 0: the clip's lower bound."""
        return FLOAT(FLOAT(-self.zero_point) * self.scale)

    @property
    def highest(self) -> numpy.float32:
        """The value of the top level: the clip's upper bound."""
        return FLOAT(FLOAT(self.levels - self.zero_point) * self.scale)

    def quantize(self, values: numpy.ndarray) -> numpy.ndarray:
        """Dequantized values: Clip, QuantizeLinear, DequantizeLinear. After the clip the levels
        lie within 0..levels, so (round(x / scale) + zero point - zero point) * scale is
        round(x / scale) * scale exactly (integers are exact in float32), in place on one copy."""
        result = numpy.clip(numpy.asarray(values, dtype=FLOAT), self.lowest, self.highest)
        numpy.divide(result, self.scale, out=result)
        numpy.round(result, out=result)
        return numpy.multiply(result, self.scale, out=result)


def activation_grid(minimum: float, maximum: float, bits: int) -> ActivationGrid:
    """The asymmetric grid of `bits` over [minimum, maximum] widened to hold 0."""
    low, high = FLOAT(min(minimum, 0.0)), FLOAT(max(maximum, 0.0))
    levels = 2**bits - 1
    scale = FLOAT((high - low) / FLOAT(levels))
    if not scale > 0:  # an all-zero tensor: any grid with 0 on it will do
        scale = FLOAT(1.0)
    zero_point = int(numpy.clip(numpy.round(-low / scale), 0, levels))
    return ActivationGrid(scale, zero_point, levels)
