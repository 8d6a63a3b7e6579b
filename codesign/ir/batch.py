"""Re-batch a graph imported at batch 1: every activation's leading dimension becomes `batch`.

Zoo exports fix the batch dimension to 1 (the frontend then refuses `--input-shape` with another
batch), so a batched workload is made from the imported graph instead. Only activations change;
constants (weights, biases) keep their shapes, so a compiled batch fetches its weights once.
A graph whose activations do not all lead with a batch dimension of 1 (attention reshapes,
slices along axis 0) is refused rather than guessed at; the verifier checks the result.
"""

from __future__ import annotations

from dataclasses import replace

from codesign.errors import CodesignError
from codesign.ir.graph import Graph, Node, Value
from codesign.ir.verify import verify


def with_batch(graph: Graph, batch: int) -> Graph:
    """`graph` with the leading (batch) dimension of every activation set to `batch`."""
    if batch < 1:
        raise CodesignError(f"graph '{graph.name}': batch must be at least 1 (got {batch})")
    if batch == 1:
        return graph
    nodes = tuple(_rebatched_node(graph, node, batch) for node in graph.nodes)
    inputs = tuple(_rebatched(graph, value, batch) for value in graph.inputs)
    outputs = tuple(_rebatched(graph, value, batch) for value in graph.outputs)
    return verify(Graph(f"{graph.name}[batch={batch}]", inputs, outputs, nodes))


def _rebatched_node(graph: Graph, node: Node, batch: int) -> Node:
    return replace(node, inputs=tuple(_rebatched(graph, value, batch) for value in node.inputs),
                   outputs=tuple(_rebatched(graph, value, batch) for value in node.outputs))


def _rebatched(graph: Graph, value: Value, batch: int) -> Value:
    shape = value.type.shape
    if not shape or shape[0] != 1:
        raise CodesignError(f"graph '{graph.name}': cannot re-batch value '{value.name}' of shape {shape} "
                            f"(every activation must lead with a batch dimension of 1)")
    return replace(value, type=replace(value.type, shape=(batch, *shape[1:])))
