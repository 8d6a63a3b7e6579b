"""Which compute layers the quantizer handles, and checks of what callers hand it.

Two kinds of layer are quantized:
  * weighted: Conv, Gemm or MatMul of one activation and a constant weight (the right-hand
    operand); the weight per output channel, the activation per tensor;
  * products: MatMul of two activations (attention's QK^T and AV); both per tensor, the first at
    the layer's input bits, the second at its weight bits (as codesign.ir.layer_bits reads them).
Anything else (ConvTranspose, a constant left-hand operand, a transposed activation, a weight of
rank > 2) stays float: unsupported_layers() lists them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy

from codesign.accuracy.execute import require_weights
from codesign.errors import CodesignError
from codesign.ir import Graph, LayerBits, Node, Op

QuantConfig = Mapping[str, LayerBits]
"""Compute-layer name -> its bits (weight and input are used; output and accumulator are not:
a layer's output is quantized where the next layer reads it). Absent layers stay float."""

FEWEST_BITS, MOST_BITS = 2, 16
"""Widths the quantizer runs: 1 bit leaves a symmetric weight grid no level but 0; 16 is the
widest integer type of ONNX QuantizeLinear."""


def is_weighted(node: Node) -> bool:
    """An activation times a constant right-hand weight of rank 2 (Gemm, MatMul), or a Conv."""
    weight = node.weight
    if weight is None or len(node.inputs) != 1:
        return False
    if node.op is Op.CONV:
        return not node.attrs.transposed
    if node.op in (Op.GEMM, Op.MATMUL):
        return weight.position == 1 and len(weight.type.shape) == 2 and not node.attrs.transpose_a
    return False


def is_product(node: Node) -> bool:
    """A MatMul of two activations (attention)."""
    return node.op is Op.MATMUL and not node.params and len(node.inputs) == 2


def unsupported_layers(graph: Graph) -> list[str]:
    """Compute layers the quantizer leaves at full precision, in graph order."""
    return [node.name for node in graph.compute_nodes if not (is_weighted(node) or is_product(node))]


def weighted_layers(graph: Graph) -> list[Node]:
    """The compute layers with a constant weight the quantizer handles."""
    return [node for node in graph.compute_nodes if is_weighted(node)]


def output_channel_axis(node: Node) -> int:
    """The axis of the weight that indexes output channels: Conv (K, C, R, S) 0; Gemm's B is
    (N, K) when transposed, else (K, N); MatMul's (K, N)."""
    if node.op is Op.CONV:
        return 0
    return 0 if node.op is Op.GEMM and node.attrs.transpose_b else 1


def weight_data(node: Node) -> numpy.ndarray:
    """The constant weight of a weighted layer, float32; a one-line error for any other node."""
    if not is_weighted(node):
        raise CodesignError(f"quantize: layer '{node.name}' ({node.op.value}) has no constant weight the "
                            "quantizer handles")
    if node.weight.data is None:
        raise CodesignError(f"quantize: the weights of layer '{node.name}' are absent (imported without its "
                            "external data file)")
    return numpy.asarray(node.weight.data, dtype=numpy.float32)


def check_config(graph: Graph, config: QuantConfig) -> None:
    """Every configured name a compute layer, every width one the quantizer runs."""
    layers = {node.name for node in graph.compute_nodes}
    for name, bits in config.items():
        if name not in layers:
            raise CodesignError(f"quantize: '{name}' is not a compute layer of {graph.name} "
                                f"(e.g. {', '.join(sorted(layers)[:3])})")
        if not isinstance(bits, LayerBits):
            raise CodesignError(f"quantize: the bits of '{name}' must be a LayerBits (got {type(bits).__name__})")
        for role in ("weight", "input"):
            width = getattr(bits, role)
            if isinstance(width, bool) or not isinstance(width, int) or not FEWEST_BITS <= width <= MOST_BITS:
                raise CodesignError(f"quantize: {role} bits of '{name}' must be {FEWEST_BITS}..{MOST_BITS} "
                                    f"(got {width!r})")


def check_inputs(graph: Graph, inputs: numpy.ndarray, what: str) -> numpy.ndarray:
    """`inputs` when they are a batch of the graph's input (any batch size): int64 token ids if
    they are integers, else float32."""
    require_weights(graph)
    if len(graph.inputs) != 1 or len(graph.outputs) != 1:
        raise CodesignError(f"quantize: graph '{graph.name}' must have one input and one output "
                            f"(has {len(graph.inputs)} and {len(graph.outputs)})")
    expected = graph.inputs[0].type.shape
    shape = numpy.shape(inputs)
    if len(shape) != len(expected) or tuple(shape[1:]) != tuple(expected[1:]) or shape[0] == 0:
        wanted = "x".join(["N", *map(str, expected[1:])])
        raise CodesignError(f"quantize: {what} have shape {'x'.join(map(str, shape)) or 'scalar'}; "
                            f"{graph.name} takes {wanted}")
    array = numpy.asarray(inputs)  # as execute.py takes them: integers stay ids, the rest float32
    return array.astype(numpy.int64 if array.dtype.kind in "iu" else numpy.float32, copy=False)
