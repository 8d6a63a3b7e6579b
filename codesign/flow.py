"""The compile flow as one call: passes, then map + cost every layer, then the fused schedule.

    outcome = compile_model(graph, load_arch("simba"), [FuseLayers(generations=20)])
    outcome.energy_J, outcome.latency_s    # of the fused schedule when fuse-layers ran

`codesign compile` and the design-space sweeps both go through here, so a sweep point
with passes costs exactly what `codesign compile -p ...` reports for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from codesign.arch.schema import Architecture
from codesign.compiler import LayerByLayer, compile_layers
from codesign.fusion.summary import FusionSummary, summarize_fusion
from codesign.ir import Graph, Node
from codesign.passes.fuse_layers import FuseLayers
from codesign.passes.pipeline import Pass, PassContext, PassResult, run_pipeline
from codesign.target import MapperSettings


@dataclass(frozen=True, eq=False)
class PassedGraph:
    """A graph after its passes, with each pass' result by pass name."""

    graph: Graph
    results: Mapping[str, PassResult]


@dataclass(frozen=True, eq=False)
class CompileOutcome:
    graph: Graph
    """The graph after the passes (reordered and annotated)."""
    compiled: LayerByLayer
    """Every layer with its best mapping: the layer-by-layer execution."""
    pass_results: Mapping[str, PassResult]
    """By pass name."""
    fusion: FusionSummary | None
    """The fused schedule and its baselines; None when no pass fused layers."""

    @property
    def energy_J(self) -> float:
        return self.fusion.chosen.energy_J if self.fusion else self.compiled.report.energy_J

    @property
    def latency_s(self) -> float:
        if self.fusion:
            return self.fusion.chosen.cycles / self.fusion.clock_Hz
        return self.compiled.report.latency_s

    @property
    def edp_Js(self) -> float:
        return self.energy_J * self.latency_s


def compile_model(graph: Graph, arch: Architecture, passes: list[Pass] | tuple[Pass, ...] = (),
                  objective: str = "edp", seed: int = 0, model_name: str | None = None,
                  on_pass: Callable[..., None] | None = None,
                  on_layer: Callable[[Node], None] | None = None,
                  data_file: Path | None = None,
                  on_mapped: Callable[[int, int], None] | None = None) -> CompileOutcome:
    """Run `passes` in order (the IR verified after each), then compile every layer; passes
    that cost layers map them as this compile does (`objective`, `seed`); passes that measure
    accuracy use `model_name`'s labelled data (a zoo model's) or `data_file`'s."""
    passed = apply_passes(graph, arch, passes, objective, seed, on_pass, model_name, data_file)
    return compile_passed(passed, arch, objective, seed, model_name, on_layer, on_mapped)


def apply_passes(graph: Graph, arch: Architecture, passes: list[Pass] | tuple[Pass, ...] = (),
                 objective: str = "edp", seed: int = 0,
                 on_pass: Callable[..., None] | None = None, workload: str | None = None,
                 data_file: Path | None = None) -> PassedGraph:
    """The first half of compile_model: what a sweep measures accuracy on before it maps."""
    context = PassContext(MapperSettings(objective, seed), workload, data_file)
    graph, results = run_pipeline(graph, arch, list(passes), progress=on_pass, context=context)
    return PassedGraph(graph, results)


def compile_passed(passed: PassedGraph, arch: Architecture, objective: str = "edp", seed: int = 0,
                   model_name: str | None = None,
                   on_layer: Callable[[Node], None] | None = None,
                   on_mapped: Callable[[int, int], None] | None = None) -> CompileOutcome:
    """The second half of compile_model: map and cost every layer, then the fused schedule."""
    compiled = compile_layers(passed.graph, arch, objective, seed, model_name=model_name, on_layer=on_layer,
                              on_mapped=on_mapped)
    fusion = passed.results.get(FuseLayers.name)
    summary = summarize_fusion(passed.graph, compiled, objective, fusion.details) if fusion else None
    return CompileOutcome(passed.graph, compiled, passed.results, summary)
