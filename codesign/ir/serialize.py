"""A graph as a JSON-able document plus its constant arrays, and back, exactly.

    document, arrays = graph_to_document(graph)      # UnserializableError: not representable
    graph = graph_from_document(document, arrays)    # ValueError: not a graph this module wrote

The document holds only JSON types; the arrays are plain numpy arrays (numbers or booleans,
never objects), so both can be stored without pickle (`numpy.savez`, loaded with
`allow_pickle=False`). The round trip is exact: equal graph, and every Param's data of the
same dtype, shape, values and writeability. What cannot round-trip exactly (a numpy scalar
in an attribute, an annotation type defined elsewhere, an array of an extension dtype such
as ml_dtypes' bfloat16) raises UnserializableError instead of being approximated.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy

from codesign.ir import annotations as _annotations
from codesign.ir import attrs as _attrs
from codesign.ir.graph import Graph, Node, Param, Value
from codesign.ir.ops import Op
from codesign.ir.tensor import TensorType

FORMAT = 1
"""Bump when the document's layout changes: documents of another format are refused."""

_SCALARS = (bool, int, float, str, type(None))
_NUMERICS = ("float", "int", "bool")
_ROLES = ("weight", "bias", "operand")
_ARRAY_KINDS = "biufc"
"""Booleans, integers, floats, complex numbers: what numpy stores without pickle."""


class UnserializableError(ValueError):
    """The graph holds something the document cannot represent exactly."""


def _classes(module) -> dict[str, type]:
    return {name: value for name, value in vars(module).items()
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__}


_ATTRS = _classes(_attrs)
_ANNOTATIONS = {name: cls for name, cls in _classes(_annotations).items() if issubclass(cls, _annotations.Annotation)}


def graph_to_document(graph: Graph) -> tuple[dict[str, Any], list[numpy.ndarray]]:
    """`graph` as a JSON-able dict, and the arrays its Params' data refer to by index."""
    writer = _Writer()
    nodes = [writer.node(node) for node in graph.nodes]
    document = {
        "format": FORMAT, "name": _string(graph.name),
        "inputs": [writer.value(value) for value in graph.inputs],
        "outputs": [writer.value(value) for value in graph.outputs],
        "nodes": nodes, "values": writer.values,
        "arrays": [_array_info(array) for array in writer.arrays],
    }
    return document, writer.arrays


def graph_from_document(document: dict[str, Any], arrays: list[numpy.ndarray]) -> Graph:
    """The graph `graph_to_document` described; ValueError when the document is not one."""
    try:
        return _Reader(document, arrays).graph()
    except (KeyError, TypeError, AttributeError, IndexError) as error:
        raise ValueError(f"not a serialized graph: {type(error).__name__}: {error}") from None


class _Writer:
    def __init__(self) -> None:
        self.values: list[list] = []
        self.arrays: list[numpy.ndarray] = []
        self._value_index: dict[Value, int] = {}
        self._array_index: dict[int, int] = {}

    def value(self, value: Value) -> int:
        if type(value) is not Value or type(value.type) is not TensorType:
            raise UnserializableError(f"not an IR value: {type(value).__name__}")
        index = self._value_index.get(value)
        if index is None:
            index = self._value_index[value] = len(self.values)
            self.values.append([_string(value.name), *_tensor_type(value.type)])
        return index

    def node(self, node: Node) -> dict[str, Any]:
        if type(node) is not Node or type(node.op) is not Op:
            raise UnserializableError(f"not an IR node: {type(node).__name__}")
        return {
            "name": _string(node.name), "op": node.op.value,
            "inputs": [self.value(value) for value in node.inputs],
            "outputs": [self.value(value) for value in node.outputs],
            "attrs": _dataclass(node.attrs, _ATTRS),
            "params": [self.param(param) for param in node.params],
            "annotations": [_dataclass(annotation, _ANNOTATIONS) for annotation in node.annotations],
        }

    def param(self, param: Param) -> list:
        if type(param) is not Param or type(param.type) is not TensorType:
            raise UnserializableError(f"not an IR param: {type(param).__name__}")
        return [_string(param.name), _tensor_type(param.type), _string(param.role), _integer(param.position),
                None if param.data is None else self.array(param.data)]

    def array(self, array: numpy.ndarray) -> int:
        """The index of `array` (arrays shared between params are stored once)."""
        if type(array) is not numpy.ndarray or array.dtype.kind not in _ARRAY_KINDS or array.dtype.fields is not None \
                or array.dtype.subdtype is not None:
            raise UnserializableError(f"param data of type {type(array).__name__} "
                                      f"{getattr(array, 'dtype', '')} cannot be stored exactly")
        index = self._array_index.get(id(array))
        if index is None:
            index = self._array_index[id(array)] = len(self.arrays)
            self.arrays.append(array)
        return index


def _array_info(array: numpy.ndarray) -> dict[str, Any]:
    """What the stored array must be on reading, beyond its values."""
    return {"dtype": array.dtype.str, "shape": list(array.shape), "writeable": bool(array.flags.writeable)}


def _tensor_type(tensor_type: TensorType) -> list:
    return [[_integer(dim) for dim in tensor_type.shape], _integer(tensor_type.bits), _string(tensor_type.numeric)]


def _dataclass(item: object, classes: dict[str, type]) -> dict[str, Any]:
    kind = type(item).__name__
    if classes.get(kind) is not type(item):
        raise UnserializableError(f"{kind} is not one of the IR's attribute or annotation types")
    return {"kind": kind, "fields": {field.name: _field(getattr(item, field.name))
                                     for field in dataclasses.fields(item)}}


def _field(value: object) -> object:
    """A field's value: a JSON scalar, or a tuple of them (written as a list)."""
    if type(value) in _SCALARS:
        return value
    if type(value) is tuple:
        return [_field(item) for item in value]
    raise UnserializableError(f"an attribute value of type {type(value).__name__} cannot be stored exactly")


def _exactly(kind: type, error: type[Exception]):
    """A check that a value is of `kind` exactly (no subclass: bool is not an int here)."""
    def check(value: object):
        if type(value) is not kind:
            raise error(f"expected {kind.__name__}, got {type(value).__name__}")
        return value
    return check


_string, _integer = _exactly(str, UnserializableError), _exactly(int, UnserializableError)


class _Reader:
    def __init__(self, document: dict[str, Any], arrays: list[numpy.ndarray]) -> None:
        if type(document) is not dict or document.get("format") != FORMAT:
            raise ValueError("not a serialized graph of this format")
        infos = document["arrays"]
        if type(infos) is not list or len(infos) != len(arrays):
            raise ValueError("the document and its arrays disagree in number")
        self.arrays = [_checked_array(array, info) for array, info in zip(arrays, infos)]
        self.values = [self._value(entry) for entry in _list(document["values"])]
        self.document = document

    def graph(self) -> Graph:
        document = self.document
        return Graph(name=_text(document["name"]),
                     inputs=tuple(self._value_at(index) for index in _list(document["inputs"])),
                     outputs=tuple(self._value_at(index) for index in _list(document["outputs"])),
                     nodes=tuple(self._node(entry) for entry in _list(document["nodes"])))

    def _value(self, entry: list) -> Value:
        name, shape, bits, numeric = _list(entry)
        return Value(_text(name), _read_tensor_type([shape, bits, numeric]))

    def _value_at(self, index: object) -> Value:
        return self.values[_index(index, len(self.values))]

    def _node(self, entry: dict[str, Any]) -> Node:
        if type(entry) is not dict:
            raise ValueError("a node is not an object")
        return Node(name=_text(entry["name"]), op=Op(entry["op"]),
                    inputs=tuple(self._value_at(index) for index in _list(entry["inputs"])),
                    outputs=tuple(self._value_at(index) for index in _list(entry["outputs"])),
                    attrs=_read_dataclass(entry["attrs"], _ATTRS),
                    params=tuple(self._param(param) for param in _list(entry["params"])),
                    annotations=tuple(_read_dataclass(item, _ANNOTATIONS) for item in _list(entry["annotations"])))

    def _param(self, entry: list) -> Param:
        name, tensor_type, role, position, data = _list(entry)
        if role not in _ROLES:
            raise ValueError(f"unknown param role {role!r}")
        array = None if data is None else self.arrays[_index(data, len(self.arrays))]
        return Param(_text(name), _read_tensor_type(tensor_type), role, _int(position), array)


def _checked_array(array: object, info: dict[str, Any]) -> numpy.ndarray:
    if type(array) is not numpy.ndarray or type(info) is not dict or array.dtype.str != info["dtype"] \
            or list(array.shape) != info["shape"] or array.dtype.kind not in _ARRAY_KINDS:
        raise ValueError("an array differs from its description")
    if not info["writeable"]:
        array.flags.writeable = False
    return array


def _read_tensor_type(entry: list) -> TensorType:
    shape, bits, numeric = _list(entry)
    if numeric not in _NUMERICS:
        raise ValueError(f"unknown numeric kind {numeric!r}")
    return TensorType(tuple(_int(dim) for dim in _list(shape)), _int(bits), numeric)


def _read_dataclass(entry: dict[str, Any], classes: dict[str, type]) -> object:
    if type(entry) is not dict or type(entry["fields"]) is not dict:
        raise ValueError("an attribute or annotation is not an object")
    cls = classes.get(entry["kind"])
    if cls is None:
        raise ValueError(f"unknown attribute or annotation type {entry['kind']!r}")
    names = {field.name for field in dataclasses.fields(cls)}
    if set(entry["fields"]) != names:
        raise ValueError(f"{entry['kind']} fields differ: {sorted(entry['fields'])}")
    return cls(**{name: _read_field(value) for name, value in entry["fields"].items()})


def _read_field(value: object) -> object:
    if type(value) is list:
        return tuple(_read_field(item) for item in value)
    if type(value) not in _SCALARS:
        raise ValueError(f"an attribute value of type {type(value).__name__}")
    return value


_list, _text, _int = _exactly(list, ValueError), _exactly(str, ValueError), _exactly(int, ValueError)


def _index(value: object, size: int) -> int:
    index = _int(value)
    if not 0 <= index < size:
        raise ValueError(f"index {index} out of range")
    return index
