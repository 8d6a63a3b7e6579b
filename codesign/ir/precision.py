"""The bits of a compute layer's operands, as the cost models and the accuracy emulator read them.

Precision lives in the IR: a quantized tensor has an integer `TensorType` of its width (the
set-precision pass writes them), a float tensor means "the target's native precision" (a graph
imported from float ONNX carries no quantization). `layer_bits(node, native)` resolves the
two into the bits a target costs.
"""

from __future__ import annotations

from dataclasses import dataclass

from codesign.ir.annotations import AccumulatorBits
from codesign.ir.graph import Node
from codesign.ir.tensor import TensorType


@dataclass(frozen=True)
class LayerBits:
    """Widths of one compute layer's weight, input and output values, and of its partial sums."""

    weight: int
    input: int
    output: int
    accumulator: int | None = None
    """None where the target has no digital accumulator of its own (compute in memory)."""

    def as_dict(self) -> dict[str, int]:
        """For reports: weight, input and output bits."""
        return {"weight": self.weight, "input": self.input, "output": self.output}

    def narrower_or_equal(self, other: LayerBits) -> bool:
        return (self.weight <= other.weight and self.input <= other.input and self.output <= other.output
                and (self.accumulator or 0) <= (other.accumulator or 0))


def quantized_bits(tensor: TensorType) -> int | None:
    """The tensor's width when it is quantized (integer), None when it is float (native)."""
    return tensor.bits if tensor.numeric == "int" else None


def layer_bits(node: Node, native: LayerBits) -> LayerBits:
    """`node`'s bits: each quantized tensor's own width, the target's native width for float ones."""
    weight = node.weight
    weight_bits = quantized_bits(weight.type) if weight is not None else None
    if weight is None and len(node.inputs) > 1:  # an activation-activation product (attention)
        weight_bits = quantized_bits(node.inputs[1].type)
    input_bits = quantized_bits(node.inputs[0].type) if node.inputs else None
    output_bits = quantized_bits(node.outputs[0].type) if node.outputs else None
    accumulator = node.annotation(AccumulatorBits)
    return LayerBits(
        weight=weight_bits or native.weight,
        input=input_bits or native.input,
        output=output_bits or native.output,
        accumulator=accumulator.bits if accumulator is not None and native.accumulator is not None
        else native.accumulator,
    )
