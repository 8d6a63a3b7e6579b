"""Weights in external-data files, which may be absent.

Sharing an architecture without its weights is common: the .onnx file keeps every tensor's
type and shape, and the data file next to it is left out. The cost models need only the
shapes, so a missing data file is not an error: those tensors stay "absent" (no values) and
a warning says what needs the values (accuracy, the crossbar's sparsity-aware ADC bits).
A data file that is present is loaded; one that is present but broken is an error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import onnx
from onnx import external_data_helper

from codesign.errors import ModelLoadError
from codesign.frontend.onnx_names import first_line, printable, quoted


def load_external_data(model: onnx.ModelProto, path: Path) -> list[str]:
    """Load every external tensor whose data file exists; return the missing files' names."""
    missing: list[str] = []
    for tensor in list(external_tensors(model)):
        location = _location(tensor)
        if os.path.isabs(location) or os.path.normpath(location).split(os.sep)[0] == "..":
            raise ModelLoadError(f"{printable(path)}: the external data of tensor {quoted(tensor.name)} "
                                 f"points outside the model's directory ({quoted(location)})")
        if not (path.parent / location).is_file():
            if location not in missing:
                missing.append(location)
            continue
        try:
            external_data_helper.load_external_data_for_tensor(tensor, str(path.parent))
        except Exception as error:  # a location outside the model's directory, a short file, ...
            raise ModelLoadError(f"{printable(path)}: cannot read the external data of tensor "
                                 f"{quoted(tensor.name)} ({first_line(error)})") from None
    return missing


def absent_constants_as_initializers(model: onnx.ModelProto) -> None:
    """A Constant node whose value is absent becomes an initializer of that name: the
    checker insists on the data file of a node's tensor, not of an initializer's, and
    absent initializers are handled everywhere (typed inputs for shape inference)."""
    graph = model.graph
    for index in reversed(range(len(graph.node))):
        node = graph.node[index]
        value = next((attribute.t for attribute in node.attribute if attribute.name == "value"), None)
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx") and value is not None \
                and is_absent(value) and len(node.output) == 1:
            tensor = graph.initializer.add()
            tensor.CopyFrom(value)
            tensor.name = node.output[0]
            del graph.node[index]


def absent_weights_warning(missing: list[str]) -> str:
    files = ", ".join(quoted(location) for location in missing[:3]) + (", ..." if len(missing) > 3 else "")
    return (f"weights absent: external data file(s) {files} not found; imported shapes only "
            "(accuracy needs weight values; crossbar ADC bits assume dense weights)")


def is_absent(tensor: onnx.TensorProto) -> bool:
    """Data kept in an external file that was not loaded (the file is missing)."""
    return tensor.data_location == onnx.TensorProto.EXTERNAL


def external_tensors(model: onnx.ModelProto) -> Iterator[onnx.TensorProto]:
    """Every tensor of the model, subgraphs included, whose data lives in another file."""
    return (tensor for tensor in _tensors(model.graph) if is_absent(tensor))


def _tensors(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
    yield from graph.initializer
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("t"):
                yield attribute.t
            yield from attribute.tensors
            if attribute.HasField("sparse_tensor"):
                yield attribute.sparse_tensor.values
            if attribute.HasField("g"):
                yield from _tensors(attribute.g)
            for subgraph in attribute.graphs:
                yield from _tensors(subgraph)


def _location(tensor: onnx.TensorProto) -> str:
    return next((entry.value for entry in tensor.external_data if entry.key == "location"), "")
