"""Folding large tensors that hold one value everywhere.

Files published without weights often make each weight with ConstantOfShape (one value
repeated), sometimes followed by a Cast or a scale. Such a tensor is folded as a
read-only numpy view of that one value (numpy.broadcast_to), and element-wise ops and views
of it are folded on the one value, so a weight of any size costs no memory.
"""

from __future__ import annotations

import numpy
from onnx.reference import ReferenceEvaluator

# Ops whose output holds one value everywhere when every data operand does.
_ELEMENTWISE = {"Abs", "Add", "Cast", "CastLike", "Clip", "Div", "Max", "Min", "Mul", "Neg", "Pow",
                "Reciprocal", "Relu", "Sign", "Sqrt", "Sub"}
_VIEWS = {"Expand", "Flatten", "Identity", "Reshape", "Squeeze", "Transpose", "Unsqueeze", "Tile"}


def is_uniform(array: numpy.ndarray) -> bool:
    """One value repeated: a single element, or a view whose every stride is zero."""
    return array.size <= 1 or all(stride == 0 for stride in array.strides)


def fold_uniform(node, feeds: dict[str, numpy.ndarray], output_shapes, opset: int) -> list[numpy.ndarray] | None:
    """The node's single output as a view of one value, or None when it is not one value."""
    first = feeds.get(node.input[0]) if node.input else None
    if len(output_shapes) != 1 or first is None or first.size == 0 or not is_uniform(first):
        return None
    (shape,) = output_shapes
    if node.op_type in _VIEWS:  # the shape operands only say where the one value goes
        return [numpy.broadcast_to(_one_value(first), shape)]
    if node.op_type not in _ELEMENTWISE or not all(array.size > 0 and is_uniform(array) for array in feeds.values()):
        return None
    scalars = {name: _one_value(array) for name, array in feeds.items()}
    try:
        (value,) = ReferenceEvaluator(node, opsets={"": opset}).run(None, scalars)
    except Exception:  # leave anything the reference cannot evaluate to the importer
        return None
    return [numpy.broadcast_to(numpy.asarray(value).reshape(()), shape)]


def _one_value(array: numpy.ndarray) -> numpy.ndarray:
    """The first element as a 0-d array; indexing, because reshaping a broadcast view copies it."""
    return numpy.asarray(array[(0,) * array.ndim])
