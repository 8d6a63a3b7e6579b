"""Constant folding on the ONNX model, before import.

Shape arithmetic (Shape -> Gather -> Concat -> Reshape), Constant and ConstantOfShape
nodes, and any node whose inputs are all constants (e.g. a Transpose of a weight) are
evaluated once and become constants, so every weight shape and every Reshape target is
known. Shape inference and folding alternate until nothing changes.

Folded values live in a Constants table, not in the model: the model is re-inferred each
round from a skeleton that carries only small constants as data (shape inference needs the
values of shape tensors) and everything else as typed inputs.
"""

from __future__ import annotations

import numpy
import onnx
from onnx import numpy_helper

from codesign.errors import ModelLoadError
from codesign.frontend.onnx_constants import Absent, Constants, element_type_of
from codesign.frontend.onnx_external import is_absent
from codesign.frontend.onnx_fold_node import fold_node
from codesign.frontend.onnx_limits import check_before_inference, check_stored_tensors, element_count
from codesign.frontend.onnx_names import first_line

_MAX_ROUNDS = 8
_SMALL_CONSTANT_ELEMENTS = 4096  # shape tensors and scalars: carried as data for shape inference


def fold_constants(model: onnx.ModelProto, source: str) -> tuple[onnx.ModelProto, dict, Constants]:
    """Fold every constant subgraph; return the folded model, its inferred value types and its constants."""
    opset = opset_version(model)
    check_stored_tensors(model, source)
    constants = Constants(model.graph.initializer, source)
    # Before the first inference: a ConstantOfShape's output may be a shape operand whose
    # length inference would otherwise materialize (see onnx_limits.py).
    model = _fold_round(model, constants, {}, opset, source) or model
    for _ in range(_MAX_ROUNDS):
        infos = infer_types(model, constants, source)
        shapes = {name: shape for name, info in infos.items() if (shape := shape_of(info)) is not None}
        folded = _fold_round(model, constants, shapes, opset, source, infos)
        if folded is None:
            return model, infos, constants
        model = folded
    return model, infer_types(model, constants, source), constants


def _fold_round(model, constants: Constants, shapes, opset: int, source: str, infos=None) -> onnx.ModelProto | None:
    """Fold what can be folded now; the rebuilt model, or None when nothing was."""
    kept, folded = [], False
    for node in model.graph.node:
        values = fold_node(node, constants, shapes, opset, source)
        if values is None:
            kept.append(node)
            continue
        for name, value in zip(node.output, values):
            if name:
                info = (infos or {}).get(name)
                known_type = info.type.tensor_type.elem_type if info is not None else 0
                constants.add(name, value, known_type or _element_type(value))
        folded = True
    return _rebuild(model, kept, constants) if folded else None


def _element_type(value) -> int:
    return value.element_type if isinstance(value, Absent) else element_type_of(value)


def infer_types(model: onnx.ModelProto, constants: Constants, source: str) -> dict[str, onnx.ValueInfoProto]:
    """Value name -> inferred ValueInfo for every value of the graph, constants included."""
    inference_input = skeleton(model, constants)
    check_before_inference(inference_input, source)
    try:
        inferred = onnx.shape_inference.infer_shapes(
            inference_input, check_type=False, strict_mode=False, data_prop=True)
    except Exception as error:  # onnx raises several unrelated types here
        raise ModelLoadError(f"{source}: ONNX shape inference failed: {first_line(error)}") from None
    graph = inferred.graph
    infos = {info.name: info for info in [*graph.input, *graph.value_info, *graph.output]}
    names = {tensor.name for tensor in model.graph.initializer} | set(constants.folded_names())
    for name in names:
        infos[name] = onnx.helper.make_tensor_value_info(name, constants.element_type(name), constants.shape(name))
    return infos


def skeleton(model: onnx.ModelProto, constants: Constants | None = None) -> onnx.ModelProto:
    """The model with only small constants as data; large and absent ones become typed inputs.

    Shape inference and the checker serialise the model, and weights would dominate.
    """
    graph = model.graph
    small = [tensor for tensor in graph.initializer if _is_small(tensor)]
    typed = [onnx.helper.make_tensor_value_info(tensor.name, tensor.data_type, tensor.dims)
             for tensor in graph.initializer if not _is_small(tensor)]
    for name in constants.folded_names() if constants is not None else ():
        if not constants.is_absent(name) and constants.elements(name) <= _SMALL_CONSTANT_ELEMENTS:
            small.append(numpy_helper.from_array(numpy.asarray(constants.array(name)), name))
        else:
            typed.append(onnx.helper.make_tensor_value_info(name, constants.element_type(name), constants.shape(name)))
    initializer_names = {tensor.name for tensor in graph.initializer}
    inputs = [info for info in graph.input if info.name not in initializer_names] + typed
    skeleton_graph = onnx.helper.make_graph(
        list(graph.node), graph.name, inputs, list(graph.output), initializer=small,
        value_info=list(graph.value_info))
    return onnx.helper.make_model(skeleton_graph, opset_imports=list(model.opset_import),
                                  ir_version=max(model.ir_version, 4))


def _is_small(tensor: onnx.TensorProto) -> bool:
    return not is_absent(tensor) and element_count(tensor.dims) <= _SMALL_CONSTANT_ELEMENTS


def opset_version(model: onnx.ModelProto) -> int:
    return next((entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx")), 1)


def shape_of(info: onnx.ValueInfoProto) -> tuple[int, ...] | None:
    tensor_type = info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    dims = tuple(dim.dim_value if dim.HasField("dim_value") else -1 for dim in tensor_type.shape.dim)
    return None if any(dim < 0 for dim in dims) else dims


def _rebuild(model: onnx.ModelProto, nodes, constants: Constants) -> onnx.ModelProto:
    """Keep `nodes`, and only the constants they (or the graph outputs) still read.

    Edits the model in place (it is the frontend's own copy): copying a model copies
    every weight, which would dominate the import time of large models.
    """
    graph = model.graph
    kept = [_copy_node(node) for node in nodes]
    used = {name for node in kept for name in node.input if name}
    used.update(output.name for output in graph.output)
    constants.retain(used)
    original = {tensor.name for tensor in graph.initializer}
    for index in reversed(range(len(graph.initializer))):
        if graph.initializer[index].name not in used:
            del graph.initializer[index]
    remaining = {tensor.name for tensor in graph.initializer}
    for index in reversed(range(len(graph.input))):  # IR v3 lists initializers as inputs
        if graph.input[index].name in original - remaining:
            del graph.input[index]
    del graph.node[:]
    graph.node.extend(kept)
    del graph.value_info[:]  # re-inferred from scratch next round
    model.ir_version = max(model.ir_version, 4)
    return model


def _copy_node(node: onnx.NodeProto) -> onnx.NodeProto:
    copy = onnx.NodeProto()
    copy.CopyFrom(node)
    return copy
