"""Loop nests of compute ops, in the one vocabulary every cost model reads.

Dimensions (Timeloop/ZigZag convention):
  N batch, G groups, K output channels per group, C input channels per group,
  P/Q output rows/columns, R/S filter rows/columns.
A matrix product out[M, Nout] += a[M, Kred] * b[Kred, Nout] maps onto the same names:
rows of `a` are output positions P, the reduction is C, the output features are K.
Batched products (attention) put the batch dimensions that the second operand also has
into G (each has its own "weights") and the rest into N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codesign.ir.attrs import ConvAttrs, MatMulAttrs
from codesign.ir.ops import Op
from codesign.ir.tensor import TensorType

if TYPE_CHECKING:
    from codesign.ir.graph import Node

DIMENSION_NAMES = ("N", "G", "K", "C", "P", "Q", "R", "S")

CONV_EINSUM = "out[N,G,K,P,Q] += in[N,G,C,P*sh+R*dh,Q*sw+S*dw] * weight[G,K,C,R,S]"
CONV_TRANSPOSE_EINSUM = "out[N,G,K,P*sh+R*dh,Q*sw+S*dw] += in[N,G,C,P,Q] * weight[G,C,K,R,S]"
MATMUL_EINSUM = "out[N,G,P,K] += a[N,G,P,C] * b[G,C,K]"


@dataclass(frozen=True)
class LoopNest:
    """The perfect loop nest of one compute op."""

    dims: tuple[tuple[str, int], ...]
    """(name, size) for N, G, K, C, P, Q, R, S, in that order."""
    einsum: str
    """How the three tensors are indexed by the dimensions."""
    strides: tuple[int, int] = (1, 1)
    dilations: tuple[int, int] = (1, 1)
    weight_is_constant: bool = True
    """False for activation-activation products (attention's Q*K^T and A*V)."""
    weight_elements: int = 0
    input_elements: int = 0
    output_elements: int = 0

    @property
    def sizes(self) -> dict[str, int]:
        return dict(self.dims)

    def __getitem__(self, name: str) -> int:
        return self.sizes[name]

    @property
    def macs(self) -> int:
        return math.prod(size for _, size in self.dims)

    def __str__(self) -> str:
        return " ".join(f"{name}{size}" for name, size in self.dims if size != 1) or "1"


def operand_types(node: Node) -> list[TensorType]:
    """The node's operands in ONNX input order, whether activations or constants."""
    total = len(node.inputs) + len(node.params)
    slots: list[TensorType | None] = [None] * total
    for param in node.params:
        slots[param.position] = param.type
    activations = iter(node.inputs)
    return [slot if slot is not None else next(activations).type for slot in slots]


def loop_nest_of(node: Node) -> LoopNest:
    if node.op in (Op.CONV, Op.CONV_TRANSPOSE):
        return _conv_nest(node)
    return _matmul_nest(node)


def _conv_nest(node: Node) -> LoopNest:
    attrs = node.attrs
    assert isinstance(attrs, ConvAttrs)
    input_type, weight_type = operand_types(node)[:2]
    output_type = node.outputs[0].type
    batch, input_channels = input_type.shape[:2]
    output_channels = output_type.shape[1]
    groups = attrs.group
    if attrs.transposed:
        rows, columns = input_type.shape[2:]  # each input pixel scatters into R x S outputs
        einsum = CONV_TRANSPOSE_EINSUM
    else:
        rows, columns = output_type.shape[2:]
        einsum = CONV_EINSUM
    dims = (
        ("N", batch), ("G", groups),
        ("K", output_channels // groups), ("C", input_channels // groups),
        ("P", rows), ("Q", columns), ("R", attrs.kernel[0]), ("S", attrs.kernel[1]),
    )
    return LoopNest(
        dims=dims, einsum=einsum, strides=attrs.strides, dilations=attrs.dilations,
        weight_elements=weight_type.elements, input_elements=input_type.elements,
        output_elements=output_type.elements,
    )


def _matmul_nest(node: Node) -> LoopNest:
    attrs = node.attrs if isinstance(node.attrs, MatMulAttrs) else MatMulAttrs()
    a_type, b_type = operand_types(node)[:2]
    a_shape, b_shape = _as_matrix(a_type.shape, is_left=True), _as_matrix(b_type.shape, is_left=False)
    if attrs.transpose_a:
        a_shape = a_shape[:-2] + (a_shape[-1], a_shape[-2])
    if attrs.transpose_b:
        b_shape = b_shape[:-2] + (b_shape[-1], b_shape[-2])
    rows, reduction = a_shape[-2:]
    features = b_shape[-1]
    # The batch dimensions of the promoted operands, not of the output: numpy drops the
    # row or column a 1-D operand was promoted to, so [K] @ [B, K, N] gives [B, N].
    batch_total = math.prod(_broadcast(a_shape[:-2], b_shape[:-2]))
    groups = math.prod(b_shape[:-2])
    weight_is_constant = any(param.position == 1 for param in node.params)
    dims = (
        ("N", batch_total // max(groups, 1)), ("G", groups), ("K", features),
        ("C", reduction), ("P", rows), ("Q", 1), ("R", 1), ("S", 1),
    )
    return LoopNest(
        dims=dims, einsum=MATMUL_EINSUM, weight_is_constant=weight_is_constant,
        weight_elements=b_type.elements, input_elements=a_type.elements,
        output_elements=node.outputs[0].type.elements,
    )


def _as_matrix(shape: tuple[int, ...], is_left: bool) -> tuple[int, ...]:
    """ONNX MatMul promotes 1-D operands: a vector is a row (left) or a column (right)."""
    if len(shape) == 1:
        return (1, shape[0]) if is_left else (shape[0], 1)
    return shape


def _broadcast(first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...]:
    """Numpy broadcasting of two batch shapes (the verifier has checked that they broadcast)."""
    rank = max(len(first), len(second))
    first, second = (1,) * (rank - len(first)) + first, (1,) * (rank - len(second)) + second
    return tuple(max(a, b) if min(a, b) != 0 else 0 for a, b in zip(first, second))
