"""Sizes beyond which a model is broken or hostile, refused before anything tries to handle them.

ONNX shape inference before onnx 1.23 builds one dimension object per entry of a shape
operand (Reshape's or Expand's shape, ConstantOfShape's input) whose length it knows but
whose values it does not: a shape operand declared with 2^31 entries makes it allocate
for minutes and then run out of memory (onnx 1.23 still does for Slice's inputs). So
declared shapes are checked first, on what inference will be given, and a stored tensor
may not claim more elements than its data holds. Tensors beyond 2^40 elements (4 TiB at 32 bits) and layers beyond
2^50 MACs are beyond any accelerator study, and would overflow the mapper's int64 loop bounds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import onnx

from codesign.errors import ModelLoadError
from codesign.frontend.onnx_names import quoted

MAX_RANK = 32  # numpy 1.x's limit; real models stay under 8
MAX_ELEMENTS = 1 << 40
MAX_MACS = 1 << 50  # one layer; a whole GPT-3 forward pass over 2048 tokens is about 2^48

# Input positions whose values are a shape, or one entry per axis (or two: pads, roi); shape
# inference loops over their length. onnx 1.23 caps some of these loops at 1024 entries.
_SHAPE_OPERANDS = {
    "Reshape": (1,), "Expand": (1,), "ConstantOfShape": (0,), "Tile": (1,), "Resize": (1, 2, 3), "Upsample": (1,),
    "Slice": (1, 2, 3, 4), "Pad": (1, 3), "Squeeze": (1,), "Unsqueeze": (1,), "Split": (1,), "TopK": (1,),
    "CenterCropPad": (1, 2), "Col2Im": (1, 2), "AffineGrid": (1,),
    **{f"Reduce{kind}": (1,) for kind in ("Mean", "Sum", "Max", "Min", "Prod", "L1", "L2", "LogSum",
                                          "LogSumExp", "SumSquare")},
}
_MAX_SHAPE_OPERAND_ENTRIES = 1024


def element_count(dims: Iterable[int]) -> int:
    """Elements of a shape, in Python integers (numpy.prod of int64 dims wraps around)."""
    return math.prod(int(dim) for dim in dims)


def check_before_inference(model: onnx.ModelProto, source: str) -> None:
    """Refuse declared shapes that are absurd or that shape inference cannot be trusted with."""
    graph = model.graph
    declared: dict[str, tuple[int | None, ...]] = {}
    for info in [*graph.input, *graph.value_info, *graph.output]:
        if info.type.HasField("tensor_type") and info.type.tensor_type.HasField("shape"):
            # Some exporters write -1 for a dynamic dimension: unknown, like a symbolic one.
            dims = tuple(dim.dim_value if dim.HasField("dim_value") and dim.dim_value >= 0 else None
                         for dim in info.type.tensor_type.shape.dim)
            check_shape(dims, f"tensor {quoted(info.name)}", source)
            declared[info.name] = dims
    for tensor in graph.initializer:
        check_shape(tuple(tensor.dims), f"initializer {quoted(tensor.name)}", source)
        declared[tensor.name] = tuple(tensor.dims)
    for node in graph.node:
        _check_shape_operand(node, declared, source)


def check_shape(dims: tuple[int | None, ...], what: str, source: str) -> None:
    """Rank, each dimension and the element count within bounds (None: an unknown dimension)."""
    known = [dim for dim in dims if dim is not None]
    if len(dims) > MAX_RANK:
        raise ModelLoadError(f"{source}: {what} has rank {len(dims)}; at most {MAX_RANK} is supported")
    if any(dim < 0 for dim in known):
        raise ModelLoadError(f"{source}: {what} has a negative dimension {_shown(dims)}")
    if element_count(known) > MAX_ELEMENTS:
        raise ModelLoadError(f"{source}: {what} has shape {_shown(dims)}, over 2^40 elements; "
                             "such a size is not supported")


def check_stored_tensors(model: onnx.ModelProto, source: str) -> None:
    """Every initializer and Constant value of the model (see check_tensor)."""
    for tensor in model.graph.initializer:
        check_tensor(tensor, f"initializer {quoted(tensor.name)}", source)
    for node in model.graph.node:
        for attribute in node.attribute:
            if node.op_type == "Constant" and attribute.HasField("t"):
                check_tensor(attribute.t, f"the value of Constant node {quoted(node.name)}", source)


def check_tensor(tensor: onnx.TensorProto, what: str, source: str) -> None:
    """A stored tensor's dims within bounds and not claiming more elements than it holds:
    shape inference believes the dims, so [2^31] over one stored value would mislead it."""
    check_shape(tuple(tensor.dims), what, source)
    if tensor.data_location == onnx.TensorProto.EXTERNAL:
        return  # its data file is checked when read
    elements = element_count(tensor.dims)
    if elements > _most_elements_held(tensor):
        raise ModelLoadError(f"{source}: {what} is malformed: its shape {_shown(tuple(tensor.dims))} has "
                             f"{elements} elements, more than its data holds")


def _most_elements_held(tensor: onnx.TensorProto) -> int:
    """An upper bound on the elements a tensor's data can hold, whatever its type: four per
    raw byte (2-bit types), eight per typed 32- or 64-bit entry (packed 4-bit types)."""
    typed = (len(tensor.float_data) + len(tensor.int32_data) + len(tensor.int64_data) + len(tensor.double_data)
             + len(tensor.uint64_data))
    return 4 * len(tensor.raw_data) + 8 * typed + len(tensor.string_data)


def _check_shape_operand(node: onnx.NodeProto, declared, source: str) -> None:
    if node.domain not in ("", "ai.onnx"):
        return
    for index in _SHAPE_OPERANDS.get(node.op_type, ()):
        dims = declared.get(node.input[index]) if index < len(node.input) else None
        if dims is not None and len(dims) == 1 and dims[0] is not None and dims[0] > _MAX_SHAPE_OPERAND_ENTRIES:
            raise ModelLoadError(
                f"{source}: {node.op_type} node {quoted(node.name)} takes {dims[0]} entries in input "
                f"{quoted(node.input[index])}, one per axis; at most {_MAX_SHAPE_OPERAND_ENTRIES} are supported")


def _shown(dims: tuple[int | None, ...]) -> str:
    text = "x".join("?" if dim is None else str(dim) for dim in dims[:8])
    return (text + ("x..." if len(dims) > 8 else "")) if dims else "scalar"
