"""fuse-layers: choose an execution order and fused groups with a genetic algorithm.

The pass maps every layer (layer-by-layer, the baseline) as the compile after it will
(the pipeline's MapperSettings), builds the fused-group cost model
(codesign/fusion/groups.py), runs the search, and returns the graph reordered in the chosen
topological order with each node annotated with its `FusionGroup`. Its details carry the layer-by-layer
and greedy schedules next to the chosen one (and the Pareto front), so the improvement is
always reported against the baselines of the same run, on the same per-layer numbers.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar

from codesign.arch.schema import Architecture
from codesign.compiler import compile_layers
from codesign.errors import CodesignError
from codesign.fusion.genetic import search_fusion
from codesign.fusion.groups import GroupModel
from codesign.fusion.schedule import Schedule, greedy, layer_by_layer
from codesign.fusion.units import build_units, value_shapes
from codesign.ir import FusionGroup, Graph, Node
from codesign.mapping.search import check_objective
from codesign.passes.pipeline import PassContext, PassResult, register_pass
from codesign.target import MapperSettings, target_for
from codesign.search.ga import GaResult, GaSettings

MODES = ("ga", "greedy", "pareto")


@dataclass(frozen=True)
class FusionDetails:
    mode: str
    objective: str
    layer_by_layer: Schedule
    greedy: Schedule
    chosen: Schedule
    search: GaResult | None
    pareto: tuple[Schedule, ...]
    seconds: float
    settings: GaSettings


@register_pass
@dataclass(frozen=True)
class FuseLayers:
    name: ClassVar[str] = "fuse-layers"
    population: int = 64
    generations: int = 200
    seed: int = 0
    patience: int = 50
    mutation: float = 0.5
    objective: str = "edp"
    """What the search minimises: edp, energy or latency (also the per-layer mapping objective
    when the pass runs outside a compile; within one, layers are mapped as the compile maps them)."""
    mode: str = "ga"
    """ga (one objective), pareto (NSGA-II energy-latency front; picks the member best in
    `objective`), greedy."""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)} (got {self.mode!r})")
        if self.objective not in ("edp", "energy", "latency"):
            raise ValueError(f"objective must be edp, energy or latency (got {self.objective!r})")
        if self.population < 4 or self.generations < 0 or self.patience < 1:
            raise ValueError("population must be >= 4, generations >= 0, patience >= 1")
        check_objective(self.objective)

    def run(self, graph: Graph, arch: Architecture, progress: Callable[[str], None] | None = None,
            context: PassContext | None = None) -> PassResult:
        mapper = (context.mapper if context else None) or MapperSettings(self.objective, self.seed)
        if not target_for(arch, mapper).capabilities.fused_schedules:
            raise CodesignError(f"fuse-layers schedules targets with a staging buffer that fused groups share "
                                f"(dataflow specs ending in kind compute); '{arch.name}' ends in kind "
                                f"{arch.compute.kind!r}")
        start = time.perf_counter()
        compiled = compile_layers(graph, arch, mapper.objective, mapper.seed)
        units, platform = build_units(graph, compiled)
        model = GroupModel(units, platform, [value.name for value in graph.outputs], value_shapes(graph),
                           self.objective)
        settings = GaSettings(population=self.population, generations=self.generations, seed=self.seed,
                              patience=self.patience, mutation_probability=self.mutation)
        baseline, heuristic = layer_by_layer(model), greedy(model)
        search, pareto = None, (heuristic,)
        chosen = heuristic
        if self.mode != "greedy":
            found = search_fusion(model, settings, pareto=self.mode == "pareto", on_generation=lambda stats: (
                progress(f"generation {stats.generation}: best {stats.best[0]:.4g}") if progress else None))
            search, pareto, chosen = found.result, found.pareto, found.best
        details = FusionDetails(self.mode, self.objective, baseline, heuristic, chosen, search, pareto,
                                time.perf_counter() - start, settings)
        summary = {"mode": self.mode, "objective": self.objective, "groups": len(chosen.groups),
                   "seconds": details.seconds}
        return PassResult(annotate(graph, model, chosen), details, summary)


def annotate(graph: Graph, model: GroupModel, schedule: Schedule) -> Graph:
    """The graph in the schedule's order, each unit's nodes tagged with their group."""
    group_of, rank = {}, {}
    for index, group in enumerate(schedule.groups):
        for name in group.units:
            for node_name in model.units[name].nodes:
                group_of[node_name] = index
    for position, name in enumerate(schedule.order):
        for node_name in model.units[name].nodes:
            rank[node_name] = position
    nodes = [node.annotated(FusionGroup(group_of[node.name])) if node.name in group_of else node
             for node in graph.nodes]
    return replace(graph, nodes=_ordered(graph, nodes, rank))


def _ordered(graph: Graph, nodes: list[Node], rank: dict[str, int]) -> tuple[Node, ...]:
    """A topological order following `rank`; unranked nodes (views) go as early as they can."""
    producer = {value.name: index for index, node in enumerate(nodes) for value in node.outputs}
    waiting = [sum(1 for value in node.inputs if value.name in producer) for node in nodes]
    dependents: dict[int, list[int]] = {}
    for index, node in enumerate(nodes):
        for value in node.inputs:
            if value.name in producer:
                dependents.setdefault(producer[value.name], []).append(index)
    ready = [(rank.get(node.name, -1), index) for index, node in enumerate(nodes) if waiting[index] == 0]
    heapq.heapify(ready)
    ordered = []
    while ready:
        _, index = heapq.heappop(ready)
        ordered.append(nodes[index])
        for dependent in dependents.get(index, []):
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, (rank.get(nodes[dependent].name, -1), dependent))
    return tuple(ordered)
