"""Constant folding on the ONNX model, before import.

Shape arithmetic (Shape -> Gather -> Concat -> Reshape), Constant and ConstantOfShape
nodes, and any node whose inputs are all constants (e.g. a Transpose of a weight) are
evaluated once with ONNX's reference implementation and replaced by initializers, so
every weight shape and every Reshape target is known. Shape inference and folding
alternate until nothing changes.
"""

from __future__ import annotations

import numpy
import onnx
from onnx import numpy_helper
from onnx.reference import ReferenceEvaluator

from codesign.errors import ModelLoadError

# Folding these is pointless or would evaluate something large for no benefit.
_NEVER_FOLD = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial"}
_MAX_FOLDED_ELEMENTS = 1 << 26
_MAX_ROUNDS = 8


_SMALL_CONSTANT_ELEMENTS = 4096


def infer_types(model: onnx.ModelProto, source: str) -> dict[str, onnx.ValueInfoProto]:
    """Value name -> inferred ValueInfo for every value of the graph.

    Inference runs on a skeleton whose large initializers are typed graph inputs
    without data: shape inference serialises the model, and weights would dominate.
    """
    try:
        inferred = onnx.shape_inference.infer_shapes(
            skeleton(model), check_type=False, strict_mode=False, data_prop=True)
    except Exception as error:  # onnx raises several unrelated types here
        raise ModelLoadError(f"{source}: ONNX shape inference failed: {first_line(error)}") from None
    graph = inferred.graph
    infos = {info.name: info for info in [*graph.input, *graph.value_info, *graph.output]}
    for tensor in model.graph.initializer:
        infos[tensor.name] = onnx.helper.make_tensor_value_info(tensor.name, tensor.data_type, tensor.dims)
    return infos


def skeleton(model: onnx.ModelProto) -> onnx.ModelProto:
    graph = model.graph
    small = [tensor for tensor in graph.initializer if _elements(tensor) <= _SMALL_CONSTANT_ELEMENTS]
    large = [tensor for tensor in graph.initializer if _elements(tensor) > _SMALL_CONSTANT_ELEMENTS]
    initializer_names = {tensor.name for tensor in graph.initializer}
    inputs = [info for info in graph.input if info.name not in initializer_names]
    inputs += [onnx.helper.make_tensor_value_info(t.name, t.data_type, t.dims) for t in large]
    skeleton_graph = onnx.helper.make_graph(
        list(graph.node), graph.name, inputs, list(graph.output), initializer=small,
        value_info=list(graph.value_info))
    return onnx.helper.make_model(skeleton_graph, opset_imports=list(model.opset_import),
                                  ir_version=max(model.ir_version, 4))


def _elements(tensor: onnx.TensorProto) -> int:
    return int(numpy.prod(tensor.dims)) if tensor.dims else 1


def fold_constants(model: onnx.ModelProto, source: str) -> tuple[onnx.ModelProto, dict[str, onnx.ValueInfoProto]]:
    """Fold every constant subgraph; return the folded model and its inferred value types."""
    opset = opset_version(model)
    for _ in range(_MAX_ROUNDS):
        infos = infer_types(model, source)
        shapes = {name: shape for name, info in infos.items() if (shape := shape_of(info)) is not None}
        constants = Constants(model.graph.initializer, source)
        kept, folded = [], False
        for node in model.graph.node:
            values = _try_fold(node, constants, shapes, opset)
            if values is None:
                kept.append(node)
                continue
            constants.add(zip(node.output, values))
            folded = True
        if not folded:
            return model, infos
        model = _rebuild(model, kept, constants)
    return model, infer_types(model, source)


def opset_version(model: onnx.ModelProto) -> int:
    return next((entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx")), 1)


def shape_of(info: onnx.ValueInfoProto) -> tuple[int, ...] | None:
    tensor_type = info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    dims = tuple(dim.dim_value if dim.HasField("dim_value") else -1 for dim in tensor_type.shape.dim)
    return None if any(dim < 0 for dim in dims) else dims


def _try_fold(node, constants, shapes, opset) -> list[numpy.ndarray] | None:
    if node.domain not in ("", "ai.onnx") or node.op_type in _NEVER_FOLD:
        return None
    inputs = [name for name in node.input if name]
    if node.op_type in ("Shape", "Size"):
        return _fold_shape(node, shapes)
    if node.op_type != "Constant" and not (inputs and all(name in constants for name in inputs)):
        return None
    feeds = {name: constants.array(name) for name in inputs}
    try:
        values = ReferenceEvaluator(node, opsets={"": opset}).run(None, feeds)
    except Exception:  # leave anything the reference cannot evaluate to the importer
        return None
    if sum(numpy.size(value) for value in values) > _MAX_FOLDED_ELEMENTS:
        return None
    return [numpy.asarray(value) for value in values]


def _fold_shape(node, shapes) -> list[numpy.ndarray] | None:
    shape = shapes.get(node.input[0])
    if shape is None:
        return None
    if node.op_type == "Size":
        return [numpy.array(numpy.prod(shape), dtype=numpy.int64)]
    start, end = 0, len(shape)
    for attribute in node.attribute:  # opset 15 added start/end
        if attribute.name == "start":
            start = attribute.i
        elif attribute.name == "end":
            end = attribute.i
    return [numpy.array(shape[slice(start, end)], dtype=numpy.int64)]


class Constants:
    """Initializers and folded values by name; initializers become arrays only when read."""

    def __init__(self, initializers, source: str) -> None:
        self._source = source
        self._protos = {tensor.name: tensor for tensor in initializers}
        self._arrays: dict[str, numpy.ndarray] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._protos or name in self._arrays

    def add(self, items) -> None:
        self._arrays.update(items)

    def array(self, name: str) -> numpy.ndarray:
        if name not in self._arrays:
            try:
                self._arrays[name] = numpy_helper.to_array(self._protos[name])
            except Exception as error:  # data that does not match its dims or type
                raise ModelLoadError(f"{self._source}: initializer '{name}' is malformed: {first_line(error)}") from None
        return self._arrays[name]

    def folded_names(self) -> list[str]:
        """Values computed by folding (not initializers of the original model)."""
        return [name for name in self._arrays if name not in self._protos]


def _rebuild(model: onnx.ModelProto, nodes, constants: Constants) -> onnx.ModelProto:
    """Keep `nodes`, and as initializers only the constants they still read.

    Edits the model in place (it is the frontend's own copy): copying a model copies
    every weight, which would dominate the import time of large models.
    """
    graph = model.graph
    kept = [_copy_node(node) for node in nodes]
    used = {name for node in kept for name in node.input if name}
    used.update(output.name for output in graph.output)
    original = {tensor.name for tensor in graph.initializer}
    folded = [numpy_helper.from_array(constants.array(name), name)
              for name in constants.folded_names() if name in used]
    for index in reversed(range(len(graph.initializer))):
        if graph.initializer[index].name not in used:
            del graph.initializer[index]
    graph.initializer.extend(folded)
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


def first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
