"""Scheduling units: a compute layer with its epilogues, or a standalone op.

Each unit carries its layer-by-layer cost split the way fusion needs it: DRAM words per
activation value it reads or writes (and for its weights), and the cycles its compute,
its staging buffer and its other levels need. Fusion only changes where activations
live, so everything else carries over from the best per-layer mapping. Words are counted at
the values' IR bits (cost/precision.py), as the per-layer costs count them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy

from codesign.compiler import CompiledLayer, LayerByLayer
from codesign.cost.dataflow import capacity_use, inner_products
from codesign.cost.precision import value_share
from codesign.cost.result import LEAKAGE
from codesign.cost.vector import constant_words_read, value_words
from codesign.ir import ConvAttrs, Graph, Node
from codesign.cost.hardware import Hardware, Level
from codesign.cost.problem import TENSORS

WEIGHTS = "<weights>"


@dataclass(frozen=True)
class Traffic:
    """DRAM words of one value in layer-by-layer execution."""

    reads: float = 0.0
    writes: float = 0.0


@dataclass(frozen=True, eq=False)
class Unit:
    name: str
    nodes: tuple[str, ...]
    inputs: tuple[str, ...]
    """Activation values the unit reads (produced by other units or graph inputs)."""
    output: str
    output_shape: tuple[int, ...]
    energy_J: float
    cycles: float
    dram: Mapping[str, Traffic]
    """By value name, and WEIGHTS for constant weights."""
    weight_words: float
    compute_cycles: float
    staging_cycles: float
    other_cycles: float
    staging_use_words: float
    """Words of the staging buffer its own mapping occupies."""
    window_rows: int
    """Input rows beyond its output band it needs ((R - 1) x dilation): the line buffer."""
    row_tileable: bool
    """Can run on row bands of its output (4-D activations in and out)."""
    word_shares: Mapping[str, float]
    """Words per element of each activation value it reads or writes, at its bits."""


@dataclass(frozen=True, eq=False)
class Platform:
    """What fusion needs to know about the hardware."""

    dram: Level
    staging: Level
    staging_index: int
    weight_capacity_words: float
    """Weights that can stay on chip across tiles: the outermost on-chip weight level, all copies."""
    clock_Hz: float
    leakage_W: float = 0.0
    """The chip's static power: a group pays it over its own cycles (units carry dynamic energy only)."""


def platform_of(hardware: Hardware) -> Platform:
    staging_index = next(index for index, level in enumerate(hardware.levels) if index and "input" in level.holds)
    weight_level = next((level for level in hardware.levels[1:] if "weight" in level.holds), None)
    copies = 1
    if weight_level is not None:
        copies = int(numpy.prod([axis.size for axis in hardware.axes if axis.slot < weight_level.slot]))
    capacity = weight_level.capacity_words * copies if weight_level is not None else 0.0
    return Platform(hardware.levels[0], hardware.levels[staging_index], staging_index, capacity, hardware.clock_Hz)


def build_units(graph: Graph, compiled: LayerByLayer) -> tuple[tuple[Unit, ...], Platform]:
    platform = replace(platform_of(compiled.hardware), leakage_W=compiled.target.leakage_W())
    epilogues: dict[str, list[CompiledLayer]] = {}
    for layer in compiled.layers:
        if layer.epilogue_of is not None:
            epilogues.setdefault(layer.epilogue_of, []).append(layer)
    units = [_unit(layer, epilogues.get(layer.node.name, []), compiled.hardware, platform)
             for layer in compiled.layers if layer.epilogue_of is None]
    aliases = view_sources(graph)
    return tuple(_resolve(unit, aliases) for unit in units), platform


def value_shapes(graph: Graph) -> dict[str, tuple[int, ...]]:
    """Every activation value's shape, by name."""
    return {value.name: value.type.shape for node in graph.nodes for value in (*node.inputs, *node.outputs)}


def view_sources(graph: Graph) -> dict[str, str]:
    """Value -> the value it is a zero-cost view of (Reshape, Flatten, ... chains followed)."""
    sources: dict[str, str] = {}
    for node in graph.nodes:
        if node.op.is_zero_cost and node.inputs:
            source = node.inputs[0].name
            for value in node.outputs:
                sources[value.name] = sources.get(source, source)
    return sources


def _resolve(unit: Unit, aliases: dict[str, str]) -> Unit:
    """Name the values a unit reads by the tensor they view, so producers are found."""
    dram: dict[str, Traffic] = {}
    for name, traffic in unit.dram.items():
        key = aliases.get(name, name)
        previous = dram.get(key, Traffic())
        dram[key] = Traffic(previous.reads + traffic.reads, previous.writes + traffic.writes)
    inputs = tuple(dict.fromkeys(aliases.get(name, name) for name in unit.inputs))
    shares: dict[str, float] = {}
    for name, share in unit.word_shares.items():  # a view and its source may differ: the wider counts
        key = aliases.get(name, name)
        shares[key] = max(share, shares.get(key, 0.0))
    return replace(unit, dram=dram, inputs=inputs, word_shares=shares)


def _unit(layer: CompiledLayer, epilogues: list[CompiledLayer], hardware: Hardware, platform: Platform) -> Unit:
    dram: dict[str, Traffic] = {}
    own_values = {layer.node.outputs[0].name} | {epilogue.node.outputs[0].name for epilogue in epilogues}
    if layer.mapping is not None:
        _add_mapped_traffic(dram, layer)
    else:
        _add_streamed_traffic(dram, layer, hardware.operand_bits)
    for epilogue in epilogues:
        _add_streamed_traffic(dram, epilogue, hardware.operand_bits)
    output = (epilogues[-1] if epilogues else layer).node.outputs[0]
    if output.name != layer.node.outputs[0].name:  # the host writes the epilogue's result in its place
        dram[output.name] = dram.pop(layer.node.outputs[0].name, Traffic())
    inputs = tuple(dict.fromkeys(name for name in dram if name != WEIGHTS and name not in own_values))
    cycles = _cycles(layer, hardware, platform)
    operand_bits = hardware.operand_bits
    shares = {value.name: value_share(value.type, operand_bits)
              for member in (layer, *epilogues) for value in (*member.node.inputs, *member.node.outputs)}
    return Unit(
        name=layer.node.name, nodes=(layer.node.name, *(e.node.name for e in epilogues)), inputs=inputs,
        output=output.name, output_shape=output.type.shape,
        energy_J=sum(_dynamic_J(member.cost) for member in (layer, *epilogues)),
        cycles=layer.cost.cycles + sum(e.cost.cycles for e in epilogues), dram=dram,
        weight_words=constant_words_read(layer.node, operand_bits), compute_cycles=cycles[0],
        staging_cycles=cycles[1], other_cycles=cycles[2], staging_use_words=_staging_use(layer, platform),
        window_rows=_window_rows(layer.node), row_tileable=_row_tileable(layer.node), word_shares=shares,
    )


def _add_mapped_traffic(dram: dict[str, Traffic], layer: CompiledLayer) -> None:
    evaluation, node = layer.mapping.evaluation, layer.node
    operands = _operand_values(node)
    for index, tensor in enumerate(TENSORS):
        value = node.outputs[0].name if tensor == "output" else operands[tensor]
        previous = dram.get(value, Traffic())
        dram[value] = Traffic(previous.reads + float(evaluation.reads[0, 0, index]),
                              previous.writes + float(evaluation.writes[0, 0, index]))


def _operand_values(node: Node) -> dict[str, str]:
    """Which value plays the mapper's 'input' and 'weight' roles (constants: WEIGHTS)."""
    names, activations = [], iter(node.inputs)
    constants = {param.position for param in node.params}
    for position in range(len(node.inputs) + len(node.params)):
        names.append(WEIGHTS if position in constants else next(activations).name)
    return {"input": names[0], "weight": names[1]}


def _add_streamed_traffic(dram: dict[str, Traffic], layer: CompiledLayer, operand_bits: int | None) -> None:
    """The DRAM words cost/vector.py charges: inputs read once (an epilogue's only those its
    output stage does not hold), output written once (an epilogue's by its host)."""
    node, fused = layer.node, layer.epilogue_of is not None
    for value in node.inputs:
        if value.name in layer.on_chip:
            continue
        previous = dram.get(value.name, Traffic())
        dram[value.name] = Traffic(previous.reads + value_words([value], operand_bits), previous.writes)
    if node.param_count:
        dram[WEIGHTS] = Traffic(dram.get(WEIGHTS, Traffic()).reads + constant_words_read(node, operand_bits))
    if not fused:
        dram[node.outputs[0].name] = Traffic(0.0, value_words(node.outputs[:1], operand_bits))


def _cycles(layer: CompiledLayer, hardware: Hardware, platform: Platform) -> tuple[float, float, float]:
    """(compute, staging-buffer, other-level) cycles of the layer-by-layer execution."""
    if layer.mapping is None:
        words = value_words((*layer.node.inputs, layer.node.outputs[0]), hardware.operand_bits)
        arithmetic = 0.0 if layer.epilogue_of else layer.node.vector_ops / hardware.mac_count
        return arithmetic, words / platform.staging.words_per_cycle, 0.0
    evaluation = layer.mapping.evaluation
    level_cycles = evaluation.level_cycles[0]
    others = [cycles for index, cycles in enumerate(level_cycles) if index not in (0, platform.staging_index)]
    return float(evaluation.compute_cycles[0]), float(level_cycles[platform.staging_index]), max(others, default=0.0)


def _staging_use(layer: CompiledLayer, platform: Platform) -> float:
    if layer.mapping is None:
        return 0.0
    best = layer.mapping
    use = capacity_use(best.problem, best.hardware, inner_products(best.candidate.factors))
    return float(use[0, platform.staging_index])


def _window_rows(node: Node) -> int:
    attrs = node.attrs
    kernel = getattr(attrs, "kernel", None)
    if kernel is None or isinstance(attrs, ConvAttrs) and attrs.transposed:
        return 0
    dilation = getattr(attrs, "dilations", (1, 1))[0]
    return (kernel[0] - 1) * dilation


def _row_tileable(node: Node) -> bool:
    values = [*node.inputs, *node.outputs]
    return bool(values) and all(len(value.type.shape) == 4 for value in values) and \
        not node.op.value.startswith("Global")


def _dynamic_J(cost) -> float:
    """A layer's energy without its static share: fusion changes how long a layer runs."""
    return cost.energy_J - cost.energy_breakdown_J.get(LEAKAGE, 0.0)
