"""Readable text form of a graph: one line per node (golden tests compare it)."""

from __future__ import annotations

from dataclasses import fields

from codesign.ir.attrs import Attrs
from codesign.ir.graph import Graph, Node, Value


def format_graph(graph: Graph) -> str:
    header = f"graph {graph.name}({', '.join(map(_value, graph.inputs))})"
    lines = [header, *(format_node(node) for node in graph.nodes)]
    lines.append(f"return {', '.join(value.name for value in graph.outputs)}")
    return "\n".join(lines) + "\n"


def format_node(node: Node) -> str:
    """e.g. `conv1 = Conv(input; weight 16x3x3x3:f32) {kernel=3x3 strides=2x2} -> 1x16x112x112:f32 | K16 C3 P112 Q112 R3 S3 | macs 5419008`"""
    operands = ", ".join(value.name for value in node.inputs)
    params = ", ".join(f"{param.role} {param.type}" for param in node.params)
    arguments = f"{operands}; {params}" if params else operands
    attributes = _attributes(node.attrs)
    outputs = ", ".join(map(_value, node.outputs))
    line = f"{node.name} = {node.op.value}({arguments}){attributes} -> {outputs}"
    if node.loop_nest is not None:
        line += f" | {node.loop_nest} | macs {node.macs}"
    for annotation in node.annotations:
        line += f" | {annotation}"
    return line


def _value(value: Value) -> str:
    return f"{value.name}:{value.type}"


def _attributes(attrs: Attrs) -> str:
    items = []
    for field in fields(attrs):
        value = getattr(attrs, field.name)
        if value == field.default or value is None:
            continue
        items.append(f"{field.name}={_attribute_value(value)}")
    return " {" + " ".join(items) + "}" if items else ""


def _attribute_value(value: object) -> str:
    if isinstance(value, tuple):
        return "x".join(_attribute_value(item) for item in value) if value else "()"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
