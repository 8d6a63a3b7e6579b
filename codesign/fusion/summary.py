"""The fused schedule of an annotated graph, next to its baselines, for reports."""

from __future__ import annotations

from dataclasses import dataclass

from codesign.compiler import LayerByLayer
from codesign.fusion.groups import GroupModel
from codesign.fusion.schedule import Schedule, from_cuts, graph_order, layer_by_layer
from codesign.fusion.units import build_units, value_shapes
from codesign.ir import FusionGroup, Graph, Node


@dataclass(frozen=True)
class FusionSummary:
    chosen: Schedule
    baseline: Schedule
    """Layer-by-layer, every layer with its best mapping."""
    clock_Hz: float
    dram_word_bytes: float
    details: object | None = None
    """The fuse-layers pass' FusionDetails (greedy schedule, search history), when it ran."""
    note: str | None = None

    def totals(self, schedule: Schedule) -> dict:
        """A schedule's totals as the reports show them (latency from whole cycles)."""
        latency = schedule.cycles / self.clock_Hz
        return {"energy_J": schedule.energy_J, "latency_s": latency, "cycles": schedule.cycles,
                "edp_Js": schedule.energy_J * latency, "dram_bytes": schedule.dram_words * self.dram_word_bytes,
                "group_count": len(schedule.groups)}

    def ratios(self) -> dict[str, float]:
        """Improvement over layer-by-layer (>1 is better)."""
        base, chosen = self.baseline, self.chosen
        return {"energy": base.energy_J / chosen.energy_J, "latency": base.cycles / chosen.cycles,
                "edp": (base.energy_J * base.cycles) / (chosen.energy_J * chosen.cycles)}


def summarize_fusion(graph: Graph, compiled: LayerByLayer, objective: str, details=None) -> FusionSummary | None:
    """None when no node carries a fusion group (the fuse-layers pass did not run).

    The groups are costed with the pass' search objective (it picks each group's tiling), so
    the chosen schedule costs here what it cost in the search, next to the same baselines."""
    if all(node.annotation(FusionGroup) is None for node in graph.nodes):
        return None
    units, platform = build_units(graph, compiled)
    if details is not None:
        objective = details.objective
    model = GroupModel(units, platform, [value.name for value in graph.outputs], value_shapes(graph),
                       objective if objective in ("energy", "latency") else "edp")
    group_of = {node.name: _group(node) for node in graph.nodes}
    order = graph_order(model)
    cuts = [group_of[order[index]] != group_of[order[index + 1]] for index in range(len(order) - 1)]
    chosen = from_cuts(model, order, cuts)
    baseline = layer_by_layer(model)
    note = None
    if len(chosen.groups) == len(chosen.order):
        note = "no fusion pays off (or fits) on this architecture: the schedule is layer-by-layer"
    return FusionSummary(chosen, baseline, compiled.hardware.clock_Hz, compiled.hardware.levels[0].word_bytes,
                         details, note)


def _group(node: Node) -> int | None:
    group = node.annotation(FusionGroup)
    return group.index if group is not None else None
