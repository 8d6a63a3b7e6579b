"""Folding one ONNX node whose inputs are constants: what is evaluated, and what is not.

Evaluation must stay cheap and bounded whatever the file says: a value is evaluated only
when its size is known and moderate (or its operands are small and cannot broadcast to a
large result), never inside a subgraph (a Loop's trip count could be anything), and with
ONNX's reference implementation only for ops that take linear time. Constant takes its
value from the file, ConstantOfShape is a view of one value, and views of a large weight
(a stored weight transposed) are numpy views: none of them costs memory for its size.
"""

from __future__ import annotations

import math

import numpy
from onnx import numpy_helper
from onnx.reference import ReferenceEvaluator

from codesign.errors import ModelLoadError
from codesign.frontend.onnx_constants import Absent, Constants
from codesign.frontend.onnx_external import is_absent
from codesign.frontend.onnx_limits import MAX_ELEMENTS, element_count
from codesign.frontend.onnx_names import quoted
from codesign.frontend.onnx_uniform import fold_uniform

# Folding these is pointless or would evaluate something large for no benefit.
_NEVER_FOLD = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial"}
# Evaluated values stay below this (256 MiB at 32 bits): larger ones are left to the importer,
# except Constant (already in the file), ConstantOfShape and what is computed from it (views of
# one value, no memory), and views (_VIEW_OPS) of a large weight.
_MAX_FOLDED_ELEMENTS = 1 << 26
# Ops that take time in proportion to their operands' size; any other op (a MatMul or Conv,
# whose reference implementation is slow) is evaluated only on small operands.
_LINEAR_TIME_OPS = {
    "Abs", "Add", "And", "Cast", "CastLike", "Ceil", "Clip", "Concat", "DequantizeLinear", "Div",
    "Equal", "Expand", "Flatten", "Floor", "Gather", "Greater", "GreaterOrEqual", "Identity", "Less",
    "LessOrEqual", "Max", "Min", "Mod", "Mul", "Neg", "Not", "Or", "Pow", "QuantizeLinear", "Range",
    "Reciprocal", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSum", "Reshape", "Round", "Sign",
    "Slice", "Split", "Sqrt", "Squeeze", "Sub", "Tile", "Transpose", "Unsqueeze", "Where", "Xor",
}
_MAX_OTHER_EVALUATED_ELEMENTS = 1 << 16
# Linear-time ops whose output size is set by their operands' values, not their sizes.
_VALUE_SIZED_OPS = {"Expand", "Tile", "Range"}
# Ops whose result is a numpy view of their operand, or a copy at worst: any size.
_VIEW_OPS = {"Flatten", "Identity", "Reshape", "Squeeze", "Transpose", "Unsqueeze"}
_BROADCASTING_OPS = {"Add", "And", "Clip", "DequantizeLinear", "Div", "Equal", "Greater", "GreaterOrEqual", "Less",
                     "LessOrEqual", "Max", "Min", "Mod", "Mul", "Or", "Pow", "QuantizeLinear", "Sub", "Where", "Xor"}
_SMALL_OPERAND_ELEMENTS = 4096


def fold_node(node, constants: Constants, shapes, opset: int, source: str) -> list | None:
    """The values of the node's outputs (arrays, or Absent ones), or None to leave it to the importer."""
    if node.domain not in ("", "ai.onnx") or node.op_type in _NEVER_FOLD or _has_subgraph(node):
        return None  # a Loop's trip count, say, could be anything
    if node.op_type in ("Shape", "Size"):
        return _fold_shape(node, shapes)
    if node.op_type == "Constant":
        return _fold_constant(node, opset)
    inputs = [name for name in node.input if name]
    if not inputs or not all(name in constants for name in inputs):
        return None
    if node.op_type == "ConstantOfShape":
        return _fold_constant_of_shape(node, constants, source)
    output_shapes = [shapes.get(name) for name in node.output if name]
    if not output_shapes or any(shape is None for shape in output_shapes):
        return _fold_unknown_size(node, constants, inputs, opset)
    if any(constants.is_absent(name) for name in inputs):  # a Transpose of an absent weight: shape only
        return [Absent(shape, 0) for shape in output_shapes]
    output_elements = sum(math.prod(shape) for shape in output_shapes)
    if output_elements > _MAX_FOLDED_ELEMENTS:
        uniform = fold_uniform(node, {name: constants.array(name) for name in inputs}, output_shapes, opset)
        if uniform is not None or node.op_type not in _VIEW_OPS:
            return uniform
    if node.op_type not in _LINEAR_TIME_OPS and \
            output_elements + sum(constants.elements(name) for name in inputs) > _MAX_OTHER_EVALUATED_ELEMENTS:
        return None
    return _evaluate(node, {name: constants.array(name) for name in inputs}, opset)


def _fold_unknown_size(node, constants: Constants, inputs: list[str], opset: int) -> list | None:
    """Shape arithmetic downstream of a fold is inferred only a round later; evaluating it now
    saves a round per step of the chain. Only when the output cannot be much larger than the
    small inputs: an Expand or a Range of small inputs could be of any size."""
    if node.op_type not in _LINEAR_TIME_OPS or node.op_type in _VALUE_SIZED_OPS or \
            any(constants.is_absent(name) for name in inputs) or \
            sum(constants.elements(name) for name in inputs) > _SMALL_OPERAND_ELEMENTS:
        return None
    if node.op_type in _BROADCASTING_OPS:  # small operands on different axes broadcast to a large result
        try:
            size = math.prod(numpy.broadcast_shapes(*(constants.shape(name) for name in inputs)))
        except ValueError:  # incompatible shapes, or more axes than numpy has
            return None
        if size > _MAX_FOLDED_ELEMENTS:
            return None
    return _evaluate(node, {name: constants.array(name) for name in inputs}, opset)


def _has_subgraph(node) -> bool:
    return any(attribute.HasField("g") or attribute.graphs for attribute in node.attribute)


def _evaluate(node, feeds, opset: int) -> list[numpy.ndarray] | None:
    try:
        values = ReferenceEvaluator(node, opsets={"": opset}).run(None, feeds)
    except Exception:  # leave anything the reference cannot evaluate to the importer
        return None
    return [numpy.asarray(value) for value in values]


def _fold_constant(node, opset: int) -> list | None:
    """A Constant's value is already in the file: taken as it is, whatever its size."""
    attribute = next(iter(node.attribute), None)
    if attribute is None:
        return None
    if attribute.name == "value":
        tensor = attribute.t
        if is_absent(tensor):
            return [Absent(tuple(tensor.dims), tensor.data_type)]
        try:
            return [numpy_helper.to_array(tensor)]
        except Exception:  # malformed data: the importer reports the node
            return None
    if attribute.name == "sparse_value" and element_count(attribute.sparse_tensor.dims) > _MAX_FOLDED_ELEMENTS:
        return None  # a dense copy of it would be huge
    return _evaluate(node, {}, opset)


def _fold_constant_of_shape(node, constants: Constants, source: str) -> list | None:
    """numpy.broadcast_to of the fill value: a read-only view that takes no memory."""
    if constants.is_absent(node.input[0]):
        return None
    dims = [int(dim) for dim in numpy.asarray(constants.array(node.input[0])).reshape(-1)]
    if any(dim < 0 for dim in dims) or element_count(dims) > MAX_ELEMENTS:
        raise ModelLoadError(f"{source}: ConstantOfShape node {quoted(node.name)} asks for a tensor of shape "
                             f"{_shown(dims)}; dimensions must be >= 0 and the size at most 2^40 elements")
    value = next((attribute.t for attribute in node.attribute if attribute.name == "value"), None)
    try:
        fill = numpy_helper.to_array(value).reshape(-1)[:1] if value is not None else numpy.zeros(1, numpy.float32)
    except Exception:
        return None
    if fill.size != 1:
        return None
    return [numpy.broadcast_to(fill.reshape(()), tuple(dims))]


def _shown(dims: list[int]) -> str:
    text = "x".join(str(dim) for dim in dims[:8])
    return text + ("x..." if len(dims) > 8 else "") if dims else "scalar"


def _fold_shape(node, shapes) -> list[numpy.ndarray] | None:
    shape = shapes.get(node.input[0]) if node.input else None
    if shape is None:
        return None
    if node.op_type == "Size":
        return [numpy.array(math.prod(shape), dtype=numpy.int64)]
    start, end = 0, len(shape)
    for attribute in node.attribute:  # opset 15 added start/end
        if attribute.name == "start":
            start = attribute.i
        elif attribute.name == "end":
            end = attribute.i
    return [numpy.array(shape[slice(start, end)], dtype=numpy.int64)]
