"""`codesign compile`: every layer of a graph mapped onto one architecture.

    report = compile_graph(graph, load_arch("simba"), objective="edp")

Compute layers (Conv, Gemm, MatMul) get the best mapping the mapper finds; layers with
the same loop bounds are mapped once. Other ops get the simple model of cost/vector.py,
chains of element-wise ops after a compute layer as its epilogue (cost/epilogues.py);
zero-cost views are left out. Layers run one after another (layer-by-layer execution).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codesign.arch.schema import Architecture
from codesign.cost.epilogues import output_stages
from codesign.cost.hardware import Hardware
from codesign.cost.result import CompileReport, LayerCost, MapperStats, with_leakage
from codesign.ir import Graph, Node
from codesign.target import MapperSettings, Target, target_for


@dataclass(frozen=True, eq=False)
class CompiledLayer:
    node: Node
    cost: LayerCost
    mapping: Any
    """The best mapping of a compute layer on a target that searches mappings; None otherwise."""
    epilogue_of: str | None
    """The compute layer whose output stage applies this element-wise op, if any."""
    on_chip: frozenset[str] = frozenset()
    """An epilogue's inputs its output stage holds (the others come from DRAM)."""


@dataclass(frozen=True, eq=False)
class LayerByLayer:
    """Everything a layer-by-layer compile produced, for passes that build on it (fusion)."""

    report: CompileReport
    layers: tuple[CompiledLayer, ...]
    target: Target

    @property
    def hardware(self) -> Hardware:
        return self.target.hardware


def compile_graph(graph: Graph, arch: Architecture, objective: str = "edp", seed: int = 0,
                  model_name: str | None = None, on_layer: Callable[[Node], None] | None = None,
                  workers: int | None = None,
                  on_mapped: Callable[[int, int], None] | None = None) -> CompileReport:
    return compile_layers(graph, arch, objective, seed, model_name, on_layer, workers, on_mapped).report


def compile_layers(graph: Graph, arch: Architecture, objective: str = "edp", seed: int = 0,
                   model_name: str | None = None, on_layer: Callable[[Node], None] | None = None,
                   workers: int | None = None,
                   on_mapped: Callable[[int, int], None] | None = None) -> LayerByLayer:
    """`workers`: processes mapping distinct layer shapes at once (None: one per core); any
    count gives the same report. `on_layer(node)` follows the layers costed, `on_mapped(done,
    distinct shapes)` the searches a target runs ahead of them."""
    target = target_for(arch, MapperSettings(objective, seed, workers))
    leakage_W = target.leakage_W()
    layers, start = [], time.perf_counter()
    epilogues = output_stages(graph)
    target.prepare([node for node in graph.nodes if node.op.is_compute], on_mapped)
    for node in graph.nodes:
        if node.op.is_zero_cost:
            continue
        if node.op.is_compute:
            mapped = target.map_layer(node)
            layers.append(CompiledLayer(node, with_leakage(mapped.cost, leakage_W), mapped.mapping, None))
        elif node.name in epilogues:
            epilogue = epilogues[node.name]
            cost = with_leakage(target.cost_op(node, epilogue), leakage_W)
            layers.append(CompiledLayer(node, cost, None, epilogue.host, epilogue.on_chip))
        else:
            layers.append(CompiledLayer(node, with_leakage(target.cost_op(node), leakage_W), None, None))
        if on_layer is not None:
            on_layer(node)
    area = dict(target.area_m2())
    stats = MapperStats(target.mappings_evaluated, time.perf_counter() - start, target.capabilities.placement)
    report = CompileReport(model_name or graph.name, arch.name, objective, arch.clock_frequency_Hz,
                           tuple(layer.cost for layer in layers), stats, sum(area.values()), leakage_W, area)
    return LayerByLayer(report, tuple(layers), target)
