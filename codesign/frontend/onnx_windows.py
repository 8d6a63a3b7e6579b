"""Window attributes of Conv, ConvTranspose and the pools: read, checked, auto_pad resolved.

ONNX's checker does not look at attribute values, and shape inference (non-strict) skips a
node it cannot infer, so a file reaches here with any lengths and values: an empty
`strides`, a zero dilation, a negative pad, a group that does not divide the channels.
Each is a one-line error naming the node, before anything indexes or divides by them.
"""

from __future__ import annotations

from codesign.errors import ModelLoadError, UnsupportedOpError
from codesign.frontend.onnx_context import ImportContext, attribute

SPATIAL_AXES = 2  # only 2-D (N, C, H, W) windows are modelled
_AUTO_PADS = ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")


def spatial_size(ctx: ImportContext, onnx_node) -> tuple[int, int]:
    """The input's spatial size (H, W), after checking that input and output are (N, C, H, W)."""
    shape = ctx.value(onnx_node.input[0], onnx_node).type.shape
    if len(shape) != 2 + SPATIAL_AXES:
        raise UnsupportedOpError(
            f"{ctx.source}: node {ctx.describe(onnx_node)} has a rank-{len(shape)} input; "
            "only 2-D (N, C, H, W) windows are supported")
    check_output_rank(ctx, onnx_node)
    return shape[2], shape[3]


def check_output_rank(ctx: ImportContext, onnx_node) -> None:
    """The first output is (N, C, H, W) too (a file can declare any shape)."""
    rank = len(ctx.outputs(onnx_node, 1)[0].type.shape)
    if rank != 2 + SPATIAL_AXES:
        raise ModelLoadError(f"{ctx.source}: node {ctx.describe(onnx_node)} has a rank-{rank} output "
                             "for a rank-4 input")


def ints(ctx: ImportContext, onnx_node, name: str, default, count: int, minimum: int) -> tuple[int, ...]:
    """An integer-list attribute of `count` entries, each at least `minimum`."""
    value = attribute(onnx_node, name, default)
    if not isinstance(value, (list, tuple)) or len(value) != count or \
            not all(isinstance(item, int) and item >= minimum for item in value):
        raise ModelLoadError(
            f"{ctx.source}: node {ctx.describe(onnx_node)}: attribute '{name}' must be {count} integers "
            f">= {minimum}, got {_shown(value)}")
    return tuple(value)


def kernel_of(ctx: ImportContext, onnx_node, weight_shape: tuple[int, ...] | None) -> tuple[int, int]:
    """kernel_shape, or the weight's spatial dimensions when the attribute is left out."""
    if weight_shape is not None and len(weight_shape) != 2 + SPATIAL_AXES:
        raise UnsupportedOpError(f"{ctx.source}: node {ctx.describe(onnx_node)} has a rank-{len(weight_shape)} "
                                 "weight; only 2-D (N, C, H, W) windows are supported")
    default = list(weight_shape[2:]) if weight_shape is not None else None
    return ints(ctx, onnx_node, "kernel_shape", default, SPATIAL_AXES, 1)


def window(ctx: ImportContext, onnx_node, kernel: tuple[int, int], transposed: bool = False):
    """Strides, dilations and explicit (top, left, bottom, right) pads, resolving auto_pad."""
    strides = ints(ctx, onnx_node, "strides", [1, 1], SPATIAL_AXES, 1)
    dilations = ints(ctx, onnx_node, "dilations", [1, 1], SPATIAL_AXES, 1)
    pads = ints(ctx, onnx_node, "pads", [0, 0, 0, 0], 2 * SPATIAL_AXES, 0)
    auto_pad = attribute(onnx_node, "auto_pad", "NOTSET")
    if auto_pad not in _AUTO_PADS:
        raise ModelLoadError(f"{ctx.source}: node {ctx.describe(onnx_node)}: auto_pad must be one of "
                             f"{', '.join(_AUTO_PADS)}, got {_shown(auto_pad)}")
    if auto_pad in ("SAME_UPPER", "SAME_LOWER") and not transposed:
        pads = _same_pads(ctx, onnx_node, kernel, strides, dilations, upper=auto_pad == "SAME_UPPER")
    elif auto_pad == "VALID":
        pads = (0, 0, 0, 0)
    return strides, dilations, pads


def _same_pads(ctx, onnx_node, kernel, strides, dilations, upper: bool) -> tuple[int, int, int, int]:
    input_size = spatial_size(ctx, onnx_node)
    output_size = ctx.outputs(onnx_node, 1)[0].type.shape[2:]
    begin, end = [], []
    for axis in range(SPATIAL_AXES):
        extent = dilations[axis] * (kernel[axis] - 1) + 1
        total = max((output_size[axis] - 1) * strides[axis] + extent - input_size[axis], 0)
        small, large = total // 2, total - total // 2
        begin.append(small if upper else large)
        end.append(large if upper else small)
    return (*begin, *end)


def check_group(ctx: ImportContext, onnx_node, input_channels: int, output_channels: int | None = None) -> int:
    """The group attribute: at least 1 and dividing the channel counts (the loop nest splits them)."""
    group = attribute(onnx_node, "group", 1)
    counts = [count for count in (input_channels, output_channels) if count is not None]
    if not isinstance(group, int) or group < 1 or any(count % group for count in counts):
        raise ModelLoadError(
            f"{ctx.source}: node {ctx.describe(onnx_node)}: group {_shown(group)} must be >= 1 and divide "
            f"the channel counts ({' and '.join(str(count) for count in counts)})")
    return group


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
