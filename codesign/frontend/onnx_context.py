"""State shared by the per-op import functions while one ONNX graph is imported."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy
import onnx

from codesign.errors import ModelLoadError
from codesign.frontend.onnx_constants import Constants
from codesign.frontend.onnx_fold import shape_of
from codesign.frontend.onnx_limits import check_shape
from codesign.frontend.onnx_names import printable, quoted
from codesign.ir import Node, Param, TensorType, Value
from codesign.ir.graph import ParamRole

_ELEMENT_BITS = {
    onnx.TensorProto.FLOAT: (32, "float"), onnx.TensorProto.DOUBLE: (64, "float"),
    onnx.TensorProto.FLOAT16: (16, "float"), onnx.TensorProto.BFLOAT16: (16, "float"),
    onnx.TensorProto.INT8: (8, "int"), onnx.TensorProto.UINT8: (8, "int"),
    onnx.TensorProto.INT16: (16, "int"), onnx.TensorProto.UINT16: (16, "int"),
    onnx.TensorProto.INT32: (32, "int"), onnx.TensorProto.UINT32: (32, "int"),
    onnx.TensorProto.INT64: (64, "int"), onnx.TensorProto.UINT64: (64, "int"),
    onnx.TensorProto.BOOL: (8, "bool"),
}


def tensor_type(element_type: int, shape: tuple[int, ...]) -> TensorType:
    bits, numeric = _ELEMENT_BITS.get(element_type, (32, "float"))
    return TensorType(tuple(int(dim) for dim in shape), bits, numeric)


@dataclass
class ImportContext:
    source: str
    opset: int
    infos: dict[str, onnx.ValueInfoProto]
    constants: Constants
    consumer_counts: Counter
    allow_unknown: bool = False
    warnings: list[str] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    _node_names: set[str] = field(default_factory=set)

    def node_name(self, onnx_node: onnx.NodeProto) -> str:
        """The ONNX node name (unprintable characters escaped: it is shown in tables and
        messages), or op type + index when it is empty or already taken."""
        name = printable(onnx_node.name or f"{onnx_node.op_type}_{len(self.nodes)}")
        base, suffix = name, 1
        while name in self._node_names:
            name, suffix = f"{base}_{suffix}", suffix + 1
        self._node_names.add(name)
        return name

    def value(self, name: str, onnx_node: onnx.NodeProto | None = None) -> Value:
        info = self.infos.get(name)
        shape = shape_of(info) if info is not None else None
        where = f" (node {self.describe(onnx_node)})" if onnx_node else ""
        if shape is None:
            raise ModelLoadError(f"{self.source}: cannot determine a static shape for {quoted(name)}{where}"
                                 f"{self._why_unknown(info, onnx_node)}")
        check_shape(shape, f"tensor {quoted(name)}{where}", self.source)
        return Value(name, tensor_type(info.type.tensor_type.elem_type, shape))

    def _why_unknown(self, info: onnx.ValueInfoProto | None, onnx_node: onnx.NodeProto | None) -> str:
        """A hint for the two causes a user can act on."""
        dims = info.type.tensor_type.shape.dim if info is not None else ()
        if any(dim.HasField("dim_value") and dim.dim_value < 0 for dim in dims):
            return "; the file declares it with a negative dimension"
        absent = [name for name in (onnx_node.input if onnx_node else ()) if name in self.constants
                  and self.constants.is_absent(name)]
        return f"; it depends on {quoted(absent[0])}, whose values are absent" if absent else ""

    def describe(self, onnx_node: onnx.NodeProto) -> str:
        """How messages name a node: its quoted name (or op type) and its op type."""
        return f"{quoted(onnx_node.name or onnx_node.op_type)}, op {quoted(onnx_node.op_type)}"

    def is_constant(self, name: str) -> bool:
        return name in self.constants

    def array(self, name: str) -> numpy.ndarray:
        """A constant's values (an error when they are absent)."""
        return self.constants.array(name)

    def constant_shape(self, name: str) -> tuple[int, ...]:
        return self.constants.shape(name)

    def outputs(self, onnx_node: onnx.NodeProto, count: int | None = None) -> tuple[Value, ...]:
        names = [name for name in onnx_node.output if name][:count]
        return tuple(self.value(name, onnx_node) for name in names)

    def operands(
        self, onnx_node: onnx.NodeProto, keep: tuple[int, ...] | None = None,
        roles: dict[int, ParamRole] | None = None,
    ) -> tuple[tuple[Value, ...], tuple[Param, ...]]:
        """Split the kept ONNX inputs into activations and constant params.

        `keep` lists ONNX input indices that matter for cost (default: all); constant
        inputs become Params with the role given in `roles` (default "operand").
        """
        indices = range(len(onnx_node.input)) if keep is None else keep
        inputs, params = [], []
        for position, index in enumerate(i for i in indices if i < len(onnx_node.input) and onnx_node.input[i]):
            name = onnx_node.input[index]
            if self.is_constant(name):
                role = (roles or {}).get(index, "operand")
                params.append(Param(name, self._constant_type(name), role, position, self.constants.data(name)))
            else:
                inputs.append(self.value(name, onnx_node))
        return tuple(inputs), tuple(params)

    def _constant_type(self, name: str) -> TensorType:
        shape = self.constant_shape(name)
        check_shape(shape, f"constant {quoted(name)}", self.source)
        return tensor_type(self.constants.element_type(name), shape)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def attribute(onnx_node: onnx.NodeProto, name: str, default: Any = None) -> Any:
    for attr in onnx_node.attribute:
        if attr.name == name:
            value = onnx.helper.get_attribute_value(attr)
            return value.decode() if isinstance(value, bytes) else value
    return default
