"""ONNX frontend: read, check, bind input shapes, fold constants, import op by op.

    graph = load_onnx("model.onnx", input_shapes={"input": (1, 3, 224, 224)})
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy
import onnx

from codesign.errors import DynamicShapeError, ModelLoadError
from codesign.frontend.onnx_context import ImportContext
from codesign.frontend.onnx_external import (
    absent_constants_as_initializers, absent_weights_warning, external_tensors, load_external_data,
)
from codesign.frontend.onnx_fold import fold_constants, opset_version, skeleton
from codesign.frontend.onnx_limits import MAX_MACS
from codesign.frontend.onnx_names import first_line, printable, quoted
from codesign.frontend.onnx_ops import importer_for
from codesign.frontend.result import ImportResult
from codesign.ir import ConvAttrs, Graph, Node, Op, Param, VerificationError, verify


def load_onnx(path: str | Path, input_shapes: dict[str, tuple[int, ...]] | None = None,
              allow_unknown: bool = False) -> ImportResult:
    return import_onnx(path, input_shapes, allow_unknown)[0]


def import_onnx(path: str | Path, input_shapes: dict[str, tuple[int, ...]] | None = None,
                allow_unknown: bool = False) -> tuple[ImportResult, bool]:
    """The import, and whether it depends on the file at `path` alone: False when the model
    refers to external data files (which may change, or appear, independently of it)."""
    source = printable(path)
    model, missing_files, self_contained = read_model(Path(path))
    model = bind_input_shapes(model, input_shapes or {}, source)
    model, infos, constants = fold_constants(model, source)
    context = ImportContext(
        source=source, opset=opset_version(model), infos=infos, constants=constants,
        consumer_counts=Counter(name for node in model.graph.node for name in node.input),
        allow_unknown=allow_unknown,
    )
    if missing_files:
        context.warn(absent_weights_warning(missing_files))
    for onnx_node in model.graph.node:
        node = importer_for(onnx_node)(context, onnx_node)
        _check_work(node, source)
        if node.op is Op.BATCH_NORMALIZATION and _fold_batch_norm(context, node):
            continue
        context.nodes.append(node)
    graph = Graph(
        name=printable(model.graph.name or Path(path).stem),
        inputs=tuple(context.value(info.name) for info in model.graph.input if info.name not in constants),
        outputs=tuple(context.value(info.name) for info in model.graph.output),
        nodes=tuple(context.nodes),
    )
    try:
        verify(graph)
    except VerificationError as error:  # e.g. declared output shapes that contradict the inputs
        raise ModelLoadError(f"{source}: the imported graph is inconsistent: {first_line(error)}") from None
    return ImportResult(graph, tuple(context.warnings)), self_contained


def _check_work(node: Node, source: str) -> None:
    """A compute layer must do some work, and not an absurd amount: the cost models divide by
    its MACs, and their integer loop bounds must not overflow."""
    if not node.op.is_compute:
        return
    if node.macs == 0:
        raise ModelLoadError(f"{source}: node {quoted(node.name)} ({node.op.value}) has an operand with a "
                             "dimension of size 0; empty tensors are not supported")
    if node.macs > MAX_MACS:
        raise ModelLoadError(f"{source}: node {quoted(node.name)} ({node.op.value}) would take {node.macs:.3g} "
                             "multiply-accumulates, over 2^50; such a size is not supported")


def read_model(path: Path) -> tuple[onnx.ModelProto, list[str], bool]:
    """The model, with the external data that is there; the data files that are not; and
    whether the model refers to no external data at all."""
    source = printable(path)
    if not path.exists():
        raise ModelLoadError(f"{source}: no such file")
    if path.is_dir():
        raise ModelLoadError(f"{source}: is a directory, not an ONNX file")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as error:  # protobuf's DecodeError, ...
        raise ModelLoadError(f"{source}: not a readable ONNX file ({first_line(error)})") from None
    if not model.graph.node:
        raise ModelLoadError(f"{source}: not an ONNX model (no graph nodes found)")
    if not all(isinstance(name, str) for name in _names(model.graph)):
        raise ModelLoadError(f"{source}: not a valid ONNX model (a name is not UTF-8 text)")
    self_contained = next(external_tensors(model), None) is None
    missing_files = load_external_data(model, path)
    absent_constants_as_initializers(model)
    try:
        onnx.checker.check_model(skeleton(model))  # the weights' bytes need no checking
    except Exception as error:
        raise ModelLoadError(f"{source}: the ONNX checker rejects the model: {first_line(error)}") from None
    return model, missing_files, self_contained


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
        names = ", ".join(quoted(info.name) for info in inputs[:10]) + (", ..." if len(inputs) > 10 else "")
        raise DynamicShapeError(f"{source}: --input-shape names {quoted(unknown[0])}, which is not a graph input "
                                f"(inputs: {names})")
    for info in model.graph.input:  # edited in place: the model is the frontend's own copy
        if info.name in constant_names:
            continue
        dims = info.type.tensor_type.shape.dim
        if info.name in bindings:
            _bind(info, bindings[info.name], source)
        elif any(dim.HasField("dim_value") and dim.dim_value == 0 for dim in dims):
            raise DynamicShapeError(f"{source}: input {quoted(info.name)} has a dimension of size 0 "
                                    f"{_shown(dims)}; empty tensors are not supported")
        elif any(not dim.HasField("dim_value") or dim.dim_value <= 0 for dim in dims) or not info.type.tensor_type.HasField("shape"):
            raise DynamicShapeError(
                f"{source}: input {quoted(info.name)} has a dynamic shape {_shown(dims)}; "
                f"bind it with --input-shape {printable(info.name)[:80]}=1x3x224x224 (your sizes)")
    return model


def _shown(dims) -> str:
    """[N, 3, 224, 224]: symbolic names as they are, '?' for a dimension without a name or size."""
    shown = ", ".join(printable(dim.dim_param)[:20] or (str(dim.dim_value) if dim.HasField("dim_value") else "?")
                      for dim in dims[:8])
    return f"[{shown or '?'}{', ...' if len(dims) > 8 else ''}]"


def _bind(info: onnx.ValueInfoProto, shape: tuple[int, ...], source: str) -> None:
    dims = info.type.tensor_type.shape.dim
    if info.type.tensor_type.HasField("shape") and len(dims) != len(shape):
        raise DynamicShapeError(
            f"{source}: --input-shape {printable(info.name)} has {len(shape)} dimensions, the input has {len(dims)}")
    for index, size in enumerate(shape):
        dims_present = index < len(dims)
        if dims_present and dims[index].HasField("dim_value") and dims[index].dim_value not in (0, size):
            raise DynamicShapeError(
                f"{source}: --input-shape {printable(info.name)}: dimension {index} is fixed to "
                f"{dims[index].dim_value}, not {size}")
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
    if conv.op is not Op.CONV or context.consumer_counts[source] != 1 or conv.weight is None:
        return False
    channels = conv.weight.type.shape[:1]
    bias = _bias(conv)
    if any(param.type.shape != channels for param in (*batch_norm.params, *([bias] if bias else []))) or \
            any(param.data is not None and param.data.dtype.kind not in "fV" for param in (*conv.params, *batch_norm.params)):
        return False  # malformed, or not floating point (V: ml_dtypes bfloat16): left as a separate node
    assert isinstance(conv.attrs, ConvAttrs)
    context.nodes[index] = replace(conv, outputs=batch_norm.outputs[:1],
                                   params=_folded_params(conv, batch_norm))
    return True


def _bias(conv: Node) -> Param | None:
    return next((param for param in conv.params if param.role == "bias"), None)


def _folded_params(conv: Node, batch_norm: Node) -> tuple[Param, ...]:
    """W' = W * gamma / sqrt(var + eps);  b' = (b - mean) * gamma / sqrt(var + eps) + beta.

    Absent weights (no external data) fold too, into absent ones: the layer is the same."""
    weight, bias = conv.weight, _bias(conv)
    position = bias.position if bias is not None else len(conv.inputs) + len(conv.params)
    arrays = [param.data for param in sorted(batch_norm.params, key=lambda p: p.position)]
    if weight.data is None or any(array is None for array in arrays) or (bias is not None and bias.data is None):
        folded_weight, bias_data = replace(weight, data=None), None
    else:
        folded_weight, bias_data = _folded_values(weight, bias, batch_norm.attrs.epsilon, *arrays)
    folded_bias = Param(f"{conv.name}.folded_bias", batch_norm.params[1].type, "bias", position, bias_data)
    kept = tuple(param for param in conv.params if param.role != "bias" and param is not weight)
    return (*kept, folded_weight, folded_bias)


def _folded_values(weight: Param, bias: Param | None, epsilon: float, gamma, beta, mean, variance):
    """The folded weight Param and bias values; a negative variance gives NaN, as the file asks."""
    with numpy.errstate(all="ignore"):
        scale = gamma / numpy.sqrt(variance + epsilon)
        folded_weight = replace(weight, data=(weight.data * scale.reshape(-1, 1, 1, 1)).astype(weight.data.dtype))
        old_bias = bias.data if bias is not None else numpy.zeros_like(mean)
        return folded_weight, ((old_bias - mean) * scale + beta).astype(mean.dtype)
