"""One small import function per ONNX op type: NodeProto -> IR Node.

IMPORTERS maps op types to functions; onnx.py calls them in graph order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
import onnx

from codesign.errors import ModelLoadError, UnsupportedOpError
from codesign.frontend.onnx_context import ImportContext, attribute
from codesign.frontend.onnx_names import quoted
from codesign.frontend.onnx_windows import SPATIAL_AXES, check_group, ints, kernel_of, spatial_size, window
from codesign.ir import (
    Attrs, AxisAttrs, ConvAttrs, LrnAttrs, MatMulAttrs, NoAttrs, Node, Op, OpaqueAttrs, PadAttrs,
    PoolAttrs, ResizeAttrs, ScalarAttrs, SliceAttrs, ViewAttrs,
)

Importer = Callable[[ImportContext, onnx.NodeProto], Node]
NO_ATTRS = NoAttrs()


def _node(ctx: ImportContext, onnx_node, op: Op, attrs: Attrs = NO_ATTRS, keep=None, roles=None, outputs=None) -> Node:
    inputs, params = ctx.operands(onnx_node, keep, roles)
    return Node(ctx.node_name(onnx_node), op, inputs, ctx.outputs(onnx_node, outputs), attrs, params)


def _operand_shape(ctx: ImportContext, onnx_node, index: int) -> tuple[int, ...]:
    name = onnx_node.input[index]
    return ctx.constant_shape(name) if ctx.is_constant(name) else ctx.value(name, onnx_node).type.shape


def import_conv(ctx: ImportContext, onnx_node) -> Node:
    spatial_size(ctx, onnx_node)
    input_channels = ctx.value(onnx_node.input[0], onnx_node).type.shape[1]
    weight_shape = _operand_shape(ctx, onnx_node, 1)
    kernel = kernel_of(ctx, onnx_node, weight_shape)
    strides, dilations, pads = window(ctx, onnx_node, kernel)
    group = check_group(ctx, onnx_node, input_channels, weight_shape[0])
    attrs = ConvAttrs(kernel, strides, pads, dilations, group)
    return _node(ctx, onnx_node, Op.CONV, attrs, roles={1: "weight", 2: "bias"})


def import_conv_transpose(ctx: ImportContext, onnx_node) -> Node:
    input_size = spatial_size(ctx, onnx_node)
    weight_shape = _operand_shape(ctx, onnx_node, 1)
    kernel = kernel_of(ctx, onnx_node, weight_shape)
    strides, dilations, _ = window(ctx, onnx_node, kernel, transposed=True)
    output_padding = ints(ctx, onnx_node, "output_padding", [0, 0], SPATIAL_AXES, 0)
    group = check_group(ctx, onnx_node, weight_shape[0])  # the weight is (C, K / group, R, S)
    output_size = ctx.outputs(onnx_node, 1)[0].type.shape[2:]
    # Explicit pads reproduce the inferred output size, whichever attributes set it; an
    # output_shape beyond the full result (negative padding) is extra output padding.
    totals = [strides[a] * (input_size[a] - 1) + output_padding[a] + dilations[a] * (kernel[a] - 1) + 1
              - output_size[a] for a in range(SPATIAL_AXES)]
    output_padding = tuple(output_padding[a] + max(-totals[a], 0) for a in range(SPATIAL_AXES))
    totals = [max(total, 0) for total in totals]
    pads = (totals[0] // 2, totals[1] // 2, totals[0] - totals[0] // 2, totals[1] - totals[1] // 2)
    attrs = ConvAttrs(kernel, strides, pads, dilations, group, transposed=True, output_padding=output_padding)
    return _node(ctx, onnx_node, Op.CONV_TRANSPOSE, attrs, roles={1: "weight", 2: "bias"})


def _check_ranks(ctx: ImportContext, onnx_node, only_matrices: bool) -> None:
    """The two matrix operands' ranks (non-strict shape inference lets any through)."""
    for index in (0, 1):
        rank = len(_operand_shape(ctx, onnx_node, index))
        if rank == 0 or (only_matrices and rank != 2):
            raise ModelLoadError(f"{ctx.source}: node {ctx.describe(onnx_node)}: operand {index} has rank {rank}; "
                                 f"{onnx_node.op_type} takes {'2-D' if only_matrices else '1-D or higher'} operands")


def import_gemm(ctx: ImportContext, onnx_node) -> Node:
    _check_ranks(ctx, onnx_node, only_matrices=True)
    attrs = MatMulAttrs(bool(attribute(onnx_node, "transA", 0)), bool(attribute(onnx_node, "transB", 0)),
                        attribute(onnx_node, "alpha", 1.0), attribute(onnx_node, "beta", 1.0))
    return _node(ctx, onnx_node, Op.GEMM, attrs, roles={1: "weight", 2: "bias"})


def import_matmul(ctx: ImportContext, onnx_node) -> Node:
    _check_ranks(ctx, onnx_node, only_matrices=False)
    return _node(ctx, onnx_node, Op.MATMUL, MatMulAttrs(), roles={1: "weight"})


def import_pool(ctx: ImportContext, onnx_node) -> Node:
    spatial_size(ctx, onnx_node)
    kernel = kernel_of(ctx, onnx_node, None)
    strides, dilations, pads = window(ctx, onnx_node, kernel)
    attrs = PoolAttrs(kernel, strides, pads, dilations, bool(attribute(onnx_node, "ceil_mode", 0)),
                      bool(attribute(onnx_node, "count_include_pad", 0)))
    op = Op.MAX_POOL if onnx_node.op_type == "MaxPool" else Op.AVERAGE_POOL
    return _node(ctx, onnx_node, op, attrs)


def import_global_pool(ctx: ImportContext, onnx_node) -> Node:
    attrs = PoolAttrs(kernel=spatial_size(ctx, onnx_node))
    op = Op.GLOBAL_AVERAGE_POOL if onnx_node.op_type == "GlobalAveragePool" else Op.GLOBAL_MAX_POOL
    return _node(ctx, onnx_node, op, attrs)


def _elementwise(op: Op) -> Importer:
    def import_elementwise(ctx: ImportContext, onnx_node) -> Node:
        return _node(ctx, onnx_node, op, roles={1: "weight"} if op is Op.PRELU else None)
    return import_elementwise


def import_leaky_relu(ctx: ImportContext, onnx_node) -> Node:
    return _node(ctx, onnx_node, Op.LEAKY_RELU, ScalarAttrs(alpha=attribute(onnx_node, "alpha", 0.01)))


def import_hard_sigmoid(ctx: ImportContext, onnx_node) -> Node:
    attrs = ScalarAttrs(alpha=attribute(onnx_node, "alpha", 0.2), beta=attribute(onnx_node, "beta", 0.5))
    return _node(ctx, onnx_node, Op.HARD_SIGMOID, attrs)


def import_clip(ctx: ImportContext, onnx_node) -> Node:
    bounds = [attribute(onnx_node, "min"), attribute(onnx_node, "max")]
    for index in (1, 2):  # opset 11 moved the bounds to optional inputs
        if len(onnx_node.input) > index and onnx_node.input[index] and ctx.is_constant(onnx_node.input[index]):
            bound = ctx.array(onnx_node.input[index])
            if bound.size != 1:
                raise ModelLoadError(f"{ctx.source}: node {ctx.describe(onnx_node)}: a Clip bound must be "
                                     f"one value, {quoted(onnx_node.input[index])} has {bound.size}")
            bounds[index - 1] = scalar(bound)
    return _node(ctx, onnx_node, Op.CLIP, ScalarAttrs(minimum=bounds[0], maximum=bounds[1]), keep=(0,))


def import_gelu(ctx: ImportContext, onnx_node) -> Node:
    return _node(ctx, onnx_node, Op.GELU, ScalarAttrs(approximate=attribute(onnx_node, "approximate", "none")))


def _axis_default(ctx: ImportContext, onnx_node) -> int:
    if onnx_node.op_type in ("Softmax", "LogSoftmax"):
        return -1 if ctx.opset >= 13 else 1
    return -1 if onnx_node.op_type == "LayerNormalization" else 0


def checked_axis(ctx: ImportContext, onnx_node, axis, rank: int) -> int:
    """An axis within [-rank, rank): non-strict shape inference lets any value through."""
    if not isinstance(axis, int) or not -rank <= axis < rank:
        raise ModelLoadError(f"{ctx.source}: node {ctx.describe(onnx_node)}: axis {axis!r:.40} is out of range "
                             f"for rank {rank}")
    return axis


def import_axis_op(op: Op, keep=None, roles=None) -> Importer:
    def import_op(ctx: ImportContext, onnx_node) -> Node:
        axis = attribute(onnx_node, "axis", _axis_default(ctx, onnx_node))
        checked_axis(ctx, onnx_node, axis, len(_operand_shape(ctx, onnx_node, 0)))
        attrs = AxisAttrs((axis,), epsilon=attribute(onnx_node, "epsilon"))
        return _node(ctx, onnx_node, op, attrs, keep=keep, roles=roles)
    return import_op


def import_split(ctx: ImportContext, onnx_node) -> Node:
    axis = attribute(onnx_node, "axis", 0)
    outputs = ctx.outputs(onnx_node)
    for value in outputs:
        checked_axis(ctx, onnx_node, axis, len(value.type.shape))
    sizes = tuple(value.type.shape[axis] for value in outputs)
    return _node(ctx, onnx_node, Op.SPLIT, AxisAttrs((axis,), sizes=sizes), keep=(0,))


def import_reduce(op: Op) -> Importer:
    def import_reduce_op(ctx: ImportContext, onnx_node) -> Node:
        axes = attribute(onnx_node, "axes")
        if axes is None and len(onnx_node.input) > 1 and ctx.is_constant(onnx_node.input[1]):
            axes = ctx.array(onnx_node.input[1]).reshape(-1).tolist()  # opset 18 moved axes to an input
        rank = len(_operand_shape(ctx, onnx_node, 0))
        for axis in axes or ():
            checked_axis(ctx, onnx_node, axis, rank)
        attrs = AxisAttrs(tuple(axes or ()), keepdims=bool(attribute(onnx_node, "keepdims", 1)))
        return _node(ctx, onnx_node, op, attrs, keep=(0,))
    return import_reduce_op


def _constant_ints(ctx: ImportContext, onnx_node, index: int, attribute_name: str) -> tuple[int, ...]:
    """An integer list given as an attribute (old opsets) or a constant input (new ones)."""
    if len(onnx_node.input) > index and onnx_node.input[index]:
        if not ctx.is_constant(onnx_node.input[index]):
            raise ModelLoadError(f"{ctx.source}: node {ctx.describe(onnx_node)} has a data-dependent "
                                 f"'{attribute_name}' input; only constant ones are supported")
        values = ctx.array(onnx_node.input[index])
        if values.dtype.kind not in "iu":
            raise ModelLoadError(f"{ctx.source}: node {ctx.describe(onnx_node)}: input '{attribute_name}' holds "
                                 f"{values.dtype} values, not integers")
        return tuple(int(item) for item in values.reshape(-1))
    values = attribute(onnx_node, attribute_name, ())
    if not isinstance(values, (list, tuple)) or not all(isinstance(item, int) for item in values):
        raise ModelLoadError(f"{ctx.source}: node {ctx.describe(onnx_node)}: attribute '{attribute_name}' "
                             "must be a list of integers")
    return tuple(values)


def import_slice(ctx: ImportContext, onnx_node) -> Node:
    starts = _constant_ints(ctx, onnx_node, 1, "starts")
    ends = _constant_ints(ctx, onnx_node, 2, "ends")
    axes = _constant_ints(ctx, onnx_node, 3, "axes") or tuple(range(len(starts)))
    steps = _constant_ints(ctx, onnx_node, 4, "steps") or (1,) * len(starts)
    rank = len(_operand_shape(ctx, onnx_node, 0))
    if not len(starts) == len(ends) == len(axes) == len(steps) or 0 in steps:
        raise ModelLoadError(f"{ctx.source}: node {ctx.describe(onnx_node)}: starts, ends, axes and steps must "
                             "have one entry per sliced axis, and no step may be 0")
    for axis in axes:
        checked_axis(ctx, onnx_node, axis, rank)
    return _node(ctx, onnx_node, Op.SLICE, SliceAttrs(starts, ends, axes, steps), keep=(0,))


def import_pad(ctx: ImportContext, onnx_node) -> Node:
    pads = _constant_ints(ctx, onnx_node, 1, "pads")
    return _node(ctx, onnx_node, Op.PAD, PadAttrs(pads, attribute(onnx_node, "mode", "constant")), keep=(0,))


def import_resize(ctx: ImportContext, onnx_node) -> Node:
    input_shape = ctx.value(onnx_node.input[0], onnx_node).type.shape
    output_shape = ctx.outputs(onnx_node, 1)[0].type.shape
    scales = tuple(out / max(size, 1) for out, size in zip(output_shape, input_shape))
    return _node(ctx, onnx_node, Op.RESIZE, ResizeAttrs(attribute(onnx_node, "mode", "nearest"), scales), keep=(0,))


def import_gather(ctx: ImportContext, onnx_node) -> Node:
    axis = checked_axis(ctx, onnx_node, attribute(onnx_node, "axis", 0), len(_operand_shape(ctx, onnx_node, 0)))
    attrs = AxisAttrs((axis,))
    return _node(ctx, onnx_node, Op.GATHER, attrs, roles={0: "weight"})  # a constant table: embeddings


def import_lrn(ctx: ImportContext, onnx_node) -> Node:
    size = attribute(onnx_node, "size")
    if not isinstance(size, int) or size < 1:
        raise ModelLoadError(f"{ctx.source}: node {ctx.describe(onnx_node)}: LRN size must be an integer >= 1, "
                             f"got {size!r:.40}")
    attrs = LrnAttrs(size, attribute(onnx_node, "alpha", 1e-4),
                     attribute(onnx_node, "beta", 0.75), attribute(onnx_node, "bias", 1.0))
    return _node(ctx, onnx_node, Op.LRN, attrs)


def import_view(ctx: ImportContext, onnx_node) -> Node:
    perm = attribute(onnx_node, "perm")
    attrs = ViewAttrs(onnx_node.op_type, tuple(perm) if perm is not None else None)
    return _node(ctx, onnx_node, Op.VIEW, attrs, keep=(0,), outputs=1)


def import_broadcast(op: Op) -> Importer:
    def import_op(ctx: ImportContext, onnx_node) -> Node:
        return _node(ctx, onnx_node, op, keep=(0,))
    return import_op


def import_batch_normalization(ctx: ImportContext, onnx_node) -> Node:
    """An unfolded BatchNormalization (not after a Conv): a per-channel scale and shift."""
    attrs = AxisAttrs((1,), epsilon=attribute(onnx_node, "epsilon", 1e-5))
    return _node(ctx, onnx_node, Op.BATCH_NORMALIZATION, attrs, outputs=1)


def import_opaque(ctx: ImportContext, onnx_node) -> Node:
    if not ctx.allow_unknown:
        raise UnsupportedOpError(
            f"{ctx.source}: unsupported ONNX op type {quoted(_qualified(onnx_node))} (node {quoted(onnx_node.name)}); "
            "pass --allow-unknown to import it as a zero-cost opaque node")
    ctx.warn(f"op type {quoted(_qualified(onnx_node))} (node {quoted(onnx_node.name)}) imported as a zero-cost opaque node")
    inputs = tuple(ctx.value(name, onnx_node) for name in onnx_node.input if name and not ctx.is_constant(name))
    return Node(ctx.node_name(onnx_node), Op.OPAQUE, inputs, ctx.outputs(onnx_node),
                OpaqueAttrs(onnx_node.op_type, onnx_node.domain))


def _qualified(onnx_node) -> str:
    return f"{onnx_node.domain}.{onnx_node.op_type}" if onnx_node.domain not in ("", "ai.onnx") else onnx_node.op_type


_ELEMENTWISE = {
    "Add": Op.ADD, "Sub": Op.SUB, "Mul": Op.MUL, "Div": Op.DIV, "Pow": Op.POW, "Sqrt": Op.SQRT,
    "Exp": Op.EXP, "Neg": Op.NEG, "Reciprocal": Op.RECIPROCAL, "Sum": Op.SUM, "Max": Op.MAX,
    "Min": Op.MIN, "Relu": Op.RELU, "PRelu": Op.PRELU, "Sigmoid": Op.SIGMOID, "Tanh": Op.TANH,
    "Erf": Op.ERF, "HardSwish": Op.HARD_SWISH, "Where": Op.WHERE,
}
_VIEWS = ("Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Cast", "Dropout")

IMPORTERS: dict[str, Importer] = {
    "Conv": import_conv,
    "ConvTranspose": import_conv_transpose,
    "Gemm": import_gemm,
    "MatMul": import_matmul,
    "MaxPool": import_pool,
    "AveragePool": import_pool,
    "GlobalAveragePool": import_global_pool,
    "GlobalMaxPool": import_global_pool,
    "LeakyRelu": import_leaky_relu,
    "HardSigmoid": import_hard_sigmoid,
    "Clip": import_clip,
    "Gelu": import_gelu,
    "Softmax": import_axis_op(Op.SOFTMAX),
    "LogSoftmax": import_axis_op(Op.SOFTMAX),
    "LayerNormalization": import_axis_op(Op.LAYER_NORMALIZATION, keep=(0, 1, 2), roles={1: "weight", 2: "bias"}),
    "Concat": import_axis_op(Op.CONCAT),
    "Split": import_split,
    "Slice": import_slice,
    "Pad": import_pad,
    "Resize": import_resize,
    "Upsample": import_resize,
    "Gather": import_gather,
    "ReduceMean": import_reduce(Op.REDUCE_MEAN),
    "ReduceSum": import_reduce(Op.REDUCE_SUM),
    "ReduceMax": import_reduce(Op.REDUCE_MAX),
    "LRN": import_lrn,
    "Expand": import_broadcast(Op.EXPAND),
    "Tile": import_broadcast(Op.TILE),
    "BatchNormalization": import_batch_normalization,
    **{op_type: _elementwise(op) for op_type, op in _ELEMENTWISE.items()},
    **{op_type: import_view for op_type in _VIEWS},
}


def importer_for(onnx_node: onnx.NodeProto) -> Importer:
    if onnx_node.domain not in ("", "ai.onnx"):
        return import_opaque
    return IMPORTERS.get(onnx_node.op_type, import_opaque)


def scalar(array: numpy.ndarray) -> float:
    return float(numpy.asarray(array).reshape(-1)[0])
