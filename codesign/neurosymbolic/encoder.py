"""The hypervector encoder as one more layer of the front end: a MatMul of the features by the
seeded +-1 projection (hdc.projection_matrix), whose outputs' signs are the hypervectors.

As a node of the graph it is costed like any other layer on the MAC half of the macro and run by
the accuracy emulator at the macro's precision. Its weights are typed as 2-bit integers: each +-1
fits one 2-bit FeFET cell (one weight slice) and quantizes exactly at that width; inputs and
outputs stay at the target's native width (the sign is read from the column sums).
"""

from __future__ import annotations

from codesign.errors import CodesignError
from codesign.ir import Graph, MatMulAttrs, Node, Op, Param, TensorType, Value
from codesign.neurosymbolic.hdc import projection_matrix

ENCODER_NAME = "hdc_encoder"
HYPERVECTOR_VALUE = "hdc_projected"
PROJECTION_BITS = 2
"""Signed +-1 needs two bits (-1, 0, +1): one 2-bit cell."""


def with_encoder(front_end: Graph, dimensions: int, seed: int) -> Graph:
    """`front_end` (whose one output is [batch, F] features) followed by the encoder MatMul [F -> D]."""
    features = front_end.outputs[0]
    if len(features.type.shape) != 2:
        raise CodesignError(f"the HDC encoder projects flat features [batch, F]; '{features.name}' has shape "
                            f"{features.type.shape}")
    batch, width = features.type.shape
    projection = projection_matrix(width, dimensions, seed)  # [D, F]
    weight = Param("hdc_projection", TensorType((width, dimensions), PROJECTION_BITS, "int"), "weight", 1,
                   projection.T.copy())
    projected = Value(HYPERVECTOR_VALUE, TensorType((batch, dimensions)))
    encoder = Node(ENCODER_NAME, Op.MATMUL, (features,), (projected,), MatMulAttrs(), (weight,))
    return Graph(f"{front_end.name}+encoder", front_end.inputs, (projected,), (*front_end.nodes, encoder))
