"""ONNX frontend: read, check, bind input shapes, fold constants, import op by op.

    graph = load_onnx("model.onnx", input_shapes={"input": (1, 3, 224, 224)})
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy
import onnx

from codesign.errors import DynamicShapeError, ModelLoadError
from codesign.frontend.onnx_context import ImportContext
from codesign.frontend.onnx_fold import Constants, first_line, fold_constants, opset_version, skeleton
from codesign.frontend.onnx_ops import importer_for
from codesign.ir import ConvAttrs, Graph, Node, Op, Param, VerificationError, verify


@dataclass(frozen=True)
class ImportResult:
    graph: Graph
    warnings: tuple[str, ...]


def load_onnx(path: str | Path, input_shapes: dict[str, tuple[int, ...]] | None = None,
              allow_unknown: bool = False) -> ImportResult:
    source = str(path)
    model = read_model(Path(path))
    model = bind_input_shapes(model, input_shapes or {}, source)
    model, infos = fold_constants(model, source)
    context = ImportContext(
        source=source, opset=opset_version(model), infos=infos,
        constants=Constants(model.graph.initializer, source),
        consumer_counts=Counter(name for node in model.graph.node for name in node.input),
        allow_unknown=allow_unknown,
    )
    for onnx_node in model.graph.node:
        node = importer_for(onnx_node)(context, onnx_node)
        if node.op is Op.BATCH_NORMALIZATION and _fold_batch_norm(context, node):
            continue
        context.nodes.append(node)
    constant_names = {tensor.name for tensor in model.graph.initializer}
    graph = Graph(
        name=model.graph.name or Path(path).stem,
        inputs=tuple(context.value(info.name) for info in model.graph.input if info.name not in constant_names),
        outputs=tuple(context.value(info.name) for info in model.graph.output),
        nodes=tuple(context.nodes),
    )
    try:
        verify(graph)
    except VerificationError as error:  # e.g. declared output shapes that contradict the inputs
        raise ModelLoadError(f"{source}: the imported graph is inconsistent: {error}") from None
    return ImportResult(graph, tuple(context.warnings))


def read_model(path: Path) -> onnx.ModelProto:
    if not path.exists():
        raise ModelLoadError(f"{path}: no such file")
    if path.is_dir():
        raise ModelLoadError(f"{path}: is a directory, not an ONNX file")
    try:
        model = onnx.load(str(path), load_external_data=True)
    except Exception as error:  # protobuf's DecodeError, OSError for external data, ...
        raise ModelLoadError(f"{path}: not a readable ONNX file ({first_line(error)})") from None
    if not model.graph.node:
        raise ModelLoadError(f"{path}: not an ONNX model (no graph nodes found)")
    if not all(isinstance(name, str) for name in _names(model.graph)):
        raise ModelLoadError(f"{path}: not a valid ONNX model (a name is not UTF-8 text)")
    try:
        onnx.checker.check_model(skeleton(model))  # the weights' bytes need no checking
    except Exception as error:
        raise ModelLoadError(f"{path}: the ONNX checker rejects the model: {first_line(error)}") from None
    return model


def _names(graph: onnx.GraphProto):
    """Every name in the graph; protobuf hands back bytes for strings that are not UTF-8."""
    for node in graph.node:
        yield node.name
        yield node.op_type
        yield from node.input
        yield from node.output
    for info in [*graph.input, *graph.output, *graph.initializer]:
        yield info.name


def bind_input_shapes(model: onnx.ModelProto, bindings: dict[str, tuple[int, ...]], source: str) -> onnx.ModelProto:
    """Fix every dynamic dimension of the graph inputs, from `bindings` or not at all."""
    constant_names = {tensor.name for tensor in model.graph.initializer}
    inputs = [info for info in model.graph.input if info.name not in constant_names]
    unknown = sorted(set(bindings) - {info.name for info in inputs})
    if unknown:
        names = ", ".join(info.name for info in inputs)
        raise DynamicShapeError(f"{source}: --input-shape names '{unknown[0]}', which is not a graph input (inputs: {names})")
    model = onnx.ModelProto.FromString(model.SerializeToString()) if bindings else model
    for info in model.graph.input:
        if info.name in constant_names:
            continue
        dims = info.type.tensor_type.shape.dim
        if info.name in bindings:
            _bind(info, bindings[info.name], source)
        elif any(not dim.HasField("dim_value") or dim.dim_value <= 0 for dim in dims) or not info.type.tensor_type.HasField("shape"):
            shown = ", ".join(dim.dim_param or (str(dim.dim_value) if dim.HasField("dim_value") else "?") for dim in dims)
            raise DynamicShapeError(
                f"{source}: input '{info.name}' has a dynamic shape [{shown or '?'}]; "
                f"bind it with --input-shape {info.name}=1x3x224x224 (your sizes)")
    return model


def _bind(info: onnx.ValueInfoProto, shape: tuple[int, ...], source: str) -> None:
    dims = info.type.tensor_type.shape.dim
    if info.type.tensor_type.HasField("shape") and len(dims) != len(shape):
        raise DynamicShapeError(
            f"{source}: --input-shape {info.name} has {len(shape)} dimensions, the input has {len(dims)}")
    for index, size in enumerate(shape):
        dims_present = index < len(dims)
        if dims_present and dims[index].HasField("dim_value") and dims[index].dim_value not in (0, size):
            raise DynamicShapeError(
                f"{source}: --input-shape {info.name}: dimension {index} is fixed to {dims[index].dim_value}, not {size}")
    info.type.tensor_type.ClearField("shape")
    for size in shape:
        info.type.tensor_type.shape.dim.add().dim_value = size


def _fold_batch_norm(context: ImportContext, batch_norm: Node) -> bool:
    """Fold an inference-mode BatchNormalization into the Conv that alone feeds it."""
    if not batch_norm.inputs or len(batch_norm.params) != 4:
        return False
    source = batch_norm.inputs[0].name
    index = next((i for i, node in enumerate(context.nodes) if any(v.name == source for v in node.outputs)), None)
    if index is None:
        return False
    conv = context.nodes[index]
    if conv.op is not Op.CONV or context.consumer_counts[source] != 1:
        return False
    if conv.weight is None or conv.weight.data is None:
        return False
    assert isinstance(conv.attrs, ConvAttrs)
    context.nodes[index] = replace(conv, outputs=batch_norm.outputs[:1],
                                   params=_folded_params(conv, batch_norm))
    return True


def _folded_params(conv: Node, batch_norm: Node) -> tuple[Param, ...]:
    """W' = W * gamma / sqrt(var + eps);  b' = (b - mean) * gamma / sqrt(var + eps) + beta."""
    gamma, beta, mean, variance = (param.data for param in sorted(batch_norm.params, key=lambda p: p.position))
    epsilon = batch_norm.attrs.epsilon
    scale = gamma / numpy.sqrt(variance + epsilon)
    weight = conv.weight
    bias = next((param for param in conv.params if param.role == "bias"), None)
    folded_weight = replace(weight, data=(weight.data * scale.reshape(-1, 1, 1, 1)).astype(weight.data.dtype))
    old_bias = bias.data if bias is not None else numpy.zeros_like(mean)
    bias_data = ((old_bias - mean) * scale + beta).astype(mean.dtype)
    position = bias.position if bias is not None else len(conv.inputs) + len(conv.params)
    folded_bias = Param(f"{conv.name}.folded_bias", batch_norm.params[1].type, "bias", position, bias_data)
    kept = tuple(param for param in conv.params if param.role != "bias" and param is not weight)
    return (*kept, folded_weight, folded_bias)
