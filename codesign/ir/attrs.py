"""Typed attributes, one small frozen dataclass per op family."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NoAttrs:
    """Ops without attributes that matter for cost (Relu, Add, ...)."""


@dataclass(frozen=True)
class ConvAttrs:
    """Conv and ConvTranspose. Pads are (top, left, bottom, right)."""

    kernel: tuple[int, int]
    strides: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    dilations: tuple[int, int] = (1, 1)
    group: int = 1
    transposed: bool = False
    output_padding: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class MatMulAttrs:
    """Gemm and MatMul: Y = alpha * op(A) @ op(B) + beta * C, op = optional transpose."""

    transpose_a: bool = False
    transpose_b: bool = False
    alpha: float = 1.0
    beta: float = 1.0


@dataclass(frozen=True)
class PoolAttrs:
    """Max and average pooling, global or windowed. Pads are (top, left, bottom, right)."""

    kernel: tuple[int, int]
    strides: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    dilations: tuple[int, int] = (1, 1)
    ceil_mode: bool = False
    count_include_pad: bool = False


@dataclass(frozen=True)
class ScalarAttrs:
    """Activations with scalar parameters: LeakyRelu alpha, Clip min/max, HardSigmoid alpha/beta."""

    alpha: float | None = None
    beta: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    approximate: str | None = None  # Gelu: "none" or "tanh"


@dataclass(frozen=True)
class AxisAttrs:
    """Ops along axes: Softmax, Concat, Split, Gather, LayerNormalization, reductions."""

    axes: tuple[int, ...]
    keepdims: bool = True
    epsilon: float | None = None
    sizes: tuple[int, ...] = ()  # Split: the size of each piece along the axis


@dataclass(frozen=True)
class SliceAttrs:
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    axes: tuple[int, ...]
    steps: tuple[int, ...]


@dataclass(frozen=True)
class PadAttrs:
    """Pad amounts as ONNX orders them: all begins, then all ends."""

    pads: tuple[int, ...]
    mode: str = "constant"


@dataclass(frozen=True)
class ResizeAttrs:
    mode: str
    scales: tuple[float, ...]


@dataclass(frozen=True)
class LrnAttrs:
    size: int
    alpha: float
    beta: float
    bias: float


@dataclass(frozen=True)
class ViewAttrs:
    """A zero-cost reinterpretation; onnx_op says which (Reshape, Transpose, ...)."""

    onnx_op: str
    perm: tuple[int, ...] | None = None


@dataclass(frozen=True)
class OpaqueAttrs:
    """An op type the frontend does not know; kept so the graph stays connected."""

    onnx_op: str
    domain: str = ""


Attrs = (
    NoAttrs | ConvAttrs | MatMulAttrs | PoolAttrs | ScalarAttrs | AxisAttrs | SliceAttrs
    | PadAttrs | ResizeAttrs | LrnAttrs | ViewAttrs | OpaqueAttrs
)
