"""Cut a graph at a value: the part of it that computes that value, as a graph of its own.

The IR had no helper for this (passes rewrite whole graphs). A cut keeps the graph's inputs and
only the nodes the value depends on, in their original (topological) order; its one output is
the value. Used to run a network's front end alone (codesign/neurosymbolic: the digits CNN's
features, before its classifier).
"""

from __future__ import annotations

from codesign.errors import CodesignError
from codesign.ir.graph import Graph, Value


def cut_at(graph: Graph, value_name: str) -> Graph:
    """A new Graph whose one output is `value_name`, holding only the nodes it needs."""
    target = _value_named(graph, value_name)
    needed: set[str] = set()
    pending = [value_name]
    while pending:  # walk producers backwards from the value
        producer = graph.producers.get(pending.pop())
        if producer is None or producer.name in needed:
            continue  # a graph input, or a node already kept
        needed.add(producer.name)
        pending.extend(value.name for value in producer.inputs)
    nodes = tuple(node for node in graph if node.name in needed)
    return Graph(f"{graph.name}[:{value_name}]", graph.inputs, (target,), nodes)


def _value_named(graph: Graph, value_name: str) -> Value:
    for node in graph:
        for value in node.outputs:
            if value.name == value_name:
                return value
    raise CodesignError(f"graph '{graph.name}' has no value '{value_name}' produced by a node to cut at")
