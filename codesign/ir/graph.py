"""The IR: an immutable, topologically ordered graph of nodes.

Passes never mutate a Graph; they return a new one (dataclasses.replace), and the
verifier (verify.py) checks that the result is still valid.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Literal, TypeVar

import numpy

from codesign.ir.annotations import Annotation
from codesign.ir.attrs import Attrs, NoAttrs
from codesign.ir.loopnest import LoopNest, loop_nest_of
from codesign.ir.ops import Op
from codesign.ir.ops_model import vector_ops_of
from codesign.ir.tensor import TensorType

if TYPE_CHECKING:
    import networkx

ParamRole = Literal["weight", "bias", "operand"]
AnnotationType = TypeVar("AnnotationType", bound=Annotation)


@dataclass(frozen=True)
class Value:
    """A named activation tensor flowing between nodes."""

    name: str
    type: TensorType


@dataclass(frozen=True)
class Param:
    """A constant operand of a node (weights, bias, scalars), with its data when known.

    `position` is the operand's index among the ONNX node's inputs, so the original
    operand order (e.g. which side of a MatMul is constant) is never lost.
    """

    name: str
    type: TensorType
    role: ParamRole
    position: int
    data: numpy.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Node:
    name: str
    op: Op
    inputs: tuple[Value, ...]
    outputs: tuple[Value, ...]
    attrs: Attrs = NoAttrs()
    params: tuple[Param, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    """What passes decided about this node (annotations.py): at most one of each type."""

    def annotation(self, kind: type[AnnotationType]) -> AnnotationType | None:
        """This node's annotation of type `kind`, or None."""
        return next((item for item in self.annotations if type(item) is kind), None)

    def annotated(self, *annotations: Annotation) -> Node:
        """A copy with `annotations` added, each replacing any of its own type."""
        kinds = {type(item) for item in annotations}
        kept = tuple(item for item in self.annotations if type(item) not in kinds)
        return replace(self, annotations=kept + annotations)

    @cached_property
    def loop_nest(self) -> LoopNest | None:
        """Named loop dimensions and sizes of a compute op; None for other ops."""
        return loop_nest_of(self) if self.op.is_compute else None

    @property
    def macs(self) -> int:
        nest = self.loop_nest
        return nest.macs if nest else 0

    @property
    def weight(self) -> Param | None:
        return next((param for param in self.params if param.role == "weight"), None)

    @property
    def param_count(self) -> int:
        return sum(param.type.elements for param in self.params)

    @property
    def param_bytes(self) -> float:
        return sum(param.type.bytes for param in self.params)

    @property
    def input_bytes(self) -> float:
        return sum(value.type.bytes for value in self.inputs)

    @property
    def output_bytes(self) -> float:
        return sum(value.type.bytes for value in self.outputs)

    @property
    def vector_ops(self) -> int:
        """Arithmetic operations that are not MACs (see ops_model.py for the counts)."""
        return vector_ops_of(self)


@dataclass(frozen=True)
class Graph:
    name: str
    inputs: tuple[Value, ...]
    outputs: tuple[Value, ...]
    nodes: tuple[Node, ...]

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    @cached_property
    def producers(self) -> dict[str, Node]:
        """Value name -> the node that produces it (graph inputs have none)."""
        return {value.name: node for node in self.nodes for value in node.outputs}

    @cached_property
    def consumers(self) -> dict[str, tuple[Node, ...]]:
        """Value name -> the nodes that read it, in graph order."""
        readers: dict[str, list[Node]] = {}
        for node in self.nodes:
            for value in node.inputs:
                readers.setdefault(value.name, []).append(node)
        return {name: tuple(nodes) for name, nodes in readers.items()}

    def node(self, name: str) -> Node:
        for candidate in self.nodes:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def compute_nodes(self) -> tuple[Node, ...]:
        return tuple(node for node in self.nodes if node.op.is_compute)

    @property
    def macs(self) -> int:
        return sum(node.macs for node in self.nodes)

    @property
    def param_count(self) -> int:
        return sum(node.param_count for node in self.nodes)

    def to_networkx(self) -> networkx.DiGraph:
        """A node-level view for graph algorithms; edges carry the value name and bytes."""
        import networkx  # a tenth of a second of imports, for this view alone

        view = networkx.DiGraph()
        for node in self.nodes:
            view.add_node(node.name, op=node.op)
        for node in self.nodes:
            for value in node.inputs:
                producer = self.producers.get(value.name)
                if producer is not None:
                    view.add_edge(producer.name, node.name, value=value.name,
                                  bytes=value.type.bytes)
        return view


def broadcast_shape(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """Numpy broadcasting of shapes; raises ValueError when they are incompatible."""
    rank = max((len(shape) for shape in shapes), default=0)
    result = []
    for axis in range(rank):
        sizes = {shape[axis - rank + len(shape)] for shape in shapes if axis - rank + len(shape) >= 0}
        sizes.discard(1)
        if len(sizes) > 1:
            raise ValueError(f"shapes {shapes} do not broadcast")
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def elements(shape: tuple[int, ...]) -> int:
    return math.prod(shape)
