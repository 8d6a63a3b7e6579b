"""Which element-wise ops run in a compute layer's output stage (its epilogue).

An element-wise op joins the output stage of the compute layer whose result (or an earlier
epilogue's result) it reads, when its output has that operand's shape: the stage holds
that operand on chip. Chains qualify, not only single ops: GELU's
x * 0.5 * (1 + erf(x / sqrt(2))) is Div, Erf, Add, Mul, Mul on x, and the Mul reads both x
and the chain's own value, both in the stage. Constants are fine (they are read once).
An operand the stage does not hold (produced by another layer, e.g. the residual of an Add)
is streamed in from DRAM, as cost/vector.py charges.

A stage writes one value to DRAM: its last op's. So every value before it (the compute
layer's own output included) must be read only inside the stage and must not be a graph
output; otherwise the chain is cut back, from its end, until that holds. An operand's
position never matters (Add and Mul commute): the first operand the stage holds decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from codesign.ir import Graph, Node
from codesign.ir.ops import ELEMENTWISE_OPS


@dataclass(frozen=True)
class Epilogue:
    host: str
    """The compute layer whose output stage applies the op."""
    on_chip: frozenset[str]
    """The op's activation inputs the stage already holds; the others come from DRAM."""


def output_stages(graph: Graph) -> dict[str, Epilogue]:
    """Node name -> its epilogue placement, for every element-wise op that runs in an output stage."""
    stage_of: dict[str, str] = {}  # value -> the compute layer whose stage would hold it
    chains: dict[str, list[Node]] = {}
    for node in graph.nodes:
        if node.op.is_compute and len(node.outputs) == 1:
            stage_of[node.outputs[0].name] = node.name
            chains[node.name] = []
        elif _may_join(node):
            host = next((stage_of[value.name] for value in node.inputs if value.name in stage_of
                         and value.type.shape == node.outputs[0].type.shape), None)
            if host is not None:
                chains[host].append(node)
                stage_of[node.outputs[0].name] = host
    nodes = {node.name: node for node in graph.nodes}
    placements = {}
    for host, chain in chains.items():
        chain = _writes_one_value(graph, nodes[host], chain)
        held = {nodes[host].outputs[0].name} | {node.outputs[0].name for node in chain}
        for node in chain:
            placements[node.name] = Epilogue(host, frozenset(v.name for v in node.inputs if v.name in held))
    return placements


def _may_join(node: Node) -> bool:
    return node.op in ELEMENTWISE_OPS and bool(node.inputs) and len(node.outputs) == 1


def _writes_one_value(graph: Graph, host: Node, chain: list[Node]) -> list[Node]:
    """The longest prefix of `chain` whose values, but the last, never leave the stage."""
    chain = list(chain)
    outputs = {value.name for value in graph.outputs}
    while chain:
        members = {node.name for node in chain}
        kept = [host.outputs[0], *(node.outputs[0] for node in chain[:-1])]
        if all(value.name not in outputs and {reader.name for reader in graph.consumers.get(value.name, ())} <= members
               for value in kept):
            break
        chain.pop()
    return chain
