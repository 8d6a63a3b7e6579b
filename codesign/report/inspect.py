"""`codesign inspect`: per-layer shapes, MACs, parameters and bytes of a model."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rich.table import Table

from codesign.ir import Graph, Node


@dataclass(frozen=True)
class LayerSummary:
    name: str
    op: str
    output_shape: list[int]
    macs: int
    vector_ops: int
    params: int
    weight_bytes: float
    activation_bytes: float
    loop_nest: dict[str, int] | None


def summarize_layer(node: Node) -> LayerSummary:
    nest = node.loop_nest
    return LayerSummary(
        name=node.name, op=node.op.value,
        output_shape=list(node.outputs[0].type.shape) if node.outputs else [],
        macs=node.macs, vector_ops=node.vector_ops, params=node.param_count,
        weight_bytes=node.param_bytes, activation_bytes=node.output_bytes,
        loop_nest=nest.sizes if nest else None,
    )


def inspect_report(model: str, graph: Graph, warnings: tuple[str, ...] = ()) -> dict:
    """The JSON document of `codesign inspect --json`."""
    layers = [summarize_layer(node) for node in graph.nodes]
    return {
        "model": model,
        "graph": graph.name,
        "inputs": {value.name: list(value.type.shape) for value in graph.inputs},
        "layers": [asdict(layer) for layer in layers],
        "total": {
            "layers": len(layers),
            "compute_layers": len(graph.compute_nodes),
            "macs": sum(layer.macs for layer in layers),
            "vector_ops": sum(layer.vector_ops for layer in layers),
            "params": sum(layer.params for layer in layers),
            "weight_bytes": sum(layer.weight_bytes for layer in layers),
            "activation_bytes": sum(layer.activation_bytes for layer in layers),
        },
        "warnings": list(warnings),
    }


def inspect_table(report: dict, include_views: bool = False) -> Table:
    table = Table(title=f"{report['model']}: {report['total']['layers']} layers", title_justify="left")
    for column in ("layer", "op", "output", "MACs", "params", "weights", "activations"):
        table.add_column(column, justify="left" if column in ("layer", "op", "output") else "right")
    for layer in report["layers"]:
        if layer["op"] == "View" and not include_views:
            continue
        table.add_row(
            layer["name"], layer["op"], "x".join(map(str, layer["output_shape"])),
            human(layer["macs"]), human(layer["params"]),
            human_bytes(layer["weight_bytes"]), human_bytes(layer["activation_bytes"]),
        )
    total = report["total"]
    table.add_section()
    table.add_row("total", f"{total['compute_layers']} compute", "", human(total["macs"]),
                  human(total["params"]), human_bytes(total["weight_bytes"]),
                  human_bytes(total["activation_bytes"]), style="bold")
    return table


def human(count: float) -> str:
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(count) >= limit:
            return f"{count / limit:.2f}{suffix}"
    return f"{count:g}" if count else "-"


def human_bytes(count: float) -> str:
    for limit, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if count >= limit:
            return f"{count / limit:.1f} {suffix}"
    return f"{count:g} B" if count else "-"
