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

from codesign.arch.energy import energy_table
from codesign.arch.cim import CrossbarConfig, FefetArrayConfig
from codesign.arch.schema import Architecture
from codesign.cost.epilogues import output_stages
from codesign.cost.in_memory import in_memory_target
from codesign.cost.result import CompileReport, LayerCost, MapperStats, whole_cycles
from codesign.cost.vector import vector_cost
from codesign.errors import CodesignError
from codesign.ir import Graph, Node
from codesign.mapping.hardware import Hardware, hardware_of
from codesign.mapping.problem import TENSORS, problem_of
from codesign.mapping.search import BestMapping, check_objective, search


@dataclass(frozen=True, eq=False)
class CompiledLayer:
    node: Node
    cost: LayerCost
    mapping: BestMapping | None
    """The best mapping of a compute layer; None for other ops."""
    epilogue_of: str | None
    """The compute layer whose output stage applies this element-wise op, if any."""
    on_chip: frozenset[str] = frozenset()
    """An epilogue's inputs its output stage holds (the others come from DRAM)."""


@dataclass(frozen=True, eq=False)
class LayerByLayer:
    """Everything a layer-by-layer compile produced, for passes that build on it (fusion)."""

    report: CompileReport
    layers: tuple[CompiledLayer, ...]
    hardware: Hardware


def compile_graph(graph: Graph, arch: Architecture, objective: str = "edp", seed: int = 0,
                  model_name: str | None = None,
                  on_layer: Callable[[Node], None] | None = None) -> CompileReport:
    return compile_layers(graph, arch, objective, seed, model_name, on_layer).report


@dataclass(eq=False)
class DataflowTarget:
    """Eyeriss/Simba-like targets: the mapper finds each distinct layer shape's best mapping."""

    hardware: Hardware
    arch_key: str
    objective: str
    seed: int
    evaluated: int = 0

    def map(self, node: Node) -> tuple[LayerCost, BestMapping]:
        problem = problem_of(node)
        fresh = (self.arch_key, self.objective, self.seed, problem.key) not in _MAPPINGS
        best = _search(node, self.hardware, self.arch_key, self.objective, self.seed)
        self.evaluated += best.evaluated if fresh else 0
        return layer_cost(node, best), best


def compile_layers(graph: Graph, arch: Architecture, objective: str = "edp", seed: int = 0,
                   model_name: str | None = None,
                   on_layer: Callable[[Node], None] | None = None) -> LayerByLayer:
    check_objective(objective)
    in_memory = isinstance(arch.compute, (CrossbarConfig, FefetArrayConfig))
    if in_memory:
        target = in_memory_target(arch)
    else:
        target = DataflowTarget(hardware_of(arch, energy_table(arch)), arch.model_dump_json(), objective, seed)
    hardware = target.hardware
    layers, start = [], time.perf_counter()
    epilogues = output_stages(graph)
    for node in graph.nodes:
        if node.op.is_zero_cost:
            continue
        if node.op.is_compute:
            cost, best = (target.map(node), None) if in_memory else target.map(node)
            layers.append(CompiledLayer(node, cost, best, None))
        elif node.name in epilogues:
            host, on_chip = epilogues[node.name].host, epilogues[node.name].on_chip
            layers.append(CompiledLayer(node, vector_cost(node, hardware, host, on_chip), None, host, on_chip))
        else:
            layers.append(CompiledLayer(node, vector_cost(node, hardware), None, None))
        if on_layer is not None:
            on_layer(node)
    seconds = time.perf_counter() - start
    stats = MapperStats(0, seconds, "im2col onto the compute-in-memory macro") if in_memory \
        else MapperStats(target.evaluated, seconds)
    report = CompileReport(model_name or graph.name, arch.name, objective, arch.clock_frequency_Hz,
                           tuple(layer.cost for layer in layers), stats)
    return LayerByLayer(report, tuple(layers), hardware)


_MAPPINGS: dict[tuple, BestMapping] = {}
_MAPPINGS_KEPT = 4096


def forget_mappings() -> None:
    """Drop the remembered mappings (benchmarks time cold compiles with it)."""
    _MAPPINGS.clear()


def _search(node: Node, hardware: Hardware, arch_key: str, objective: str, seed: int) -> BestMapping:
    """The best mapping, remembered: a pass that compiles first (fusion) and the compile
    after it ask for the same layers on the same hardware."""
    problem = problem_of(node)
    key = (arch_key, objective, seed, problem.key)
    if key not in _MAPPINGS:
        try:
            found = search(problem, hardware, objective, seed)
        except CodesignError as error:  # name the layer as the user knows it
            raise CodesignError(str(error).replace(f"layer '{problem.name}'", f"layer '{node.name}'")) from None
        if len(_MAPPINGS) >= _MAPPINGS_KEPT:
            _MAPPINGS.clear()
        _MAPPINGS[key] = found
    return _MAPPINGS[key]


def layer_cost(node: Node, best: BestMapping) -> LayerCost:
    hardware, evaluation = best.hardware, best.evaluation
    breakdown = {level.name: float(evaluation.level_energy_J[0, index]) for index, level in enumerate(hardware.levels)}
    breakdown["mac"] = float(evaluation.mac_J[0])
    for index, fanout in enumerate(hardware.noc_J_per_word):
        breakdown[fanout] = float(evaluation.noc_J[0, index])
    read_J = [level.read_J for level in hardware.levels]
    write_J = [level.write_J for level in hardware.levels]
    by_tensor = {
        tensor: float(sum(evaluation.reads[0, level, index] * read_J[level]
                          + evaluation.writes[0, level, index] * write_J[level]
                          for level in range(len(hardware.levels))) + evaluation.noc_by_tensor_J[0, index])
        for index, tensor in enumerate(TENSORS)
    }
    by_tensor["compute"] = float(evaluation.mac_J[0])
    cycles = whole_cycles(float(evaluation.cycles[0]))  # the model's bandwidth-bound cycles can be fractional
    return LayerCost(
        name=node.name, op=node.op.value, macs=node.macs, energy_J=float(evaluation.energy_J[0]),
        latency_s=cycles / hardware.clock_Hz, cycles=cycles,
        utilization=node.macs / (cycles * hardware.mac_count), dram_bytes=float(evaluation.dram_bytes[0]),
        energy_breakdown_J=breakdown, energy_by_tensor_J=by_tensor, mapping=best.describe(),
    )
