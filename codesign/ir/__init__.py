"""The graph IR: immutable nodes with typed attributes and loop nests, a verifier and a printer."""

from codesign.ir.annotations import AccumulatorBits, Annotation, FusionGroup, Pruned, SpikingNeuron, SynapticEvents
from codesign.ir.attrs import (
    Attrs, AxisAttrs, ConvAttrs, LrnAttrs, MatMulAttrs, NoAttrs, OpaqueAttrs, PadAttrs, PoolAttrs,
    ResizeAttrs, ScalarAttrs, SliceAttrs, ViewAttrs,
)
from codesign.ir.graph import Graph, Node, Param, Value
from codesign.ir.loopnest import DIMENSION_NAMES, LoopNest
from codesign.ir.ops import Op
from codesign.ir.precision import LayerBits, layer_bits, quantized_bits
from codesign.ir.printer import format_graph, format_node
from codesign.ir.tensor import TensorType
from codesign.ir.verify import VerificationError, verify

__all__ = [
    "AccumulatorBits", "Annotation", "FusionGroup", "Pruned", "SpikingNeuron", "SynapticEvents", "LayerBits", "layer_bits", "quantized_bits",
    "Attrs", "AxisAttrs", "ConvAttrs", "DIMENSION_NAMES", "Graph", "LoopNest", "LrnAttrs", "MatMulAttrs",
    "NoAttrs", "Node", "Op", "OpaqueAttrs", "PadAttrs", "Param", "PoolAttrs", "ResizeAttrs",
    "ScalarAttrs", "SliceAttrs", "TensorType", "Value", "VerificationError", "ViewAttrs",
    "format_graph", "format_node", "verify",
]
