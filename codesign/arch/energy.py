"""Per-action energies of an architecture's components, as the cost models consume them.

`energy_table(arch)` turns a spec into one frozen EnergyTable: joules per word read or
written at each memory level, per MAC, and per word sent across each spatial fan-out.
The numbers come from the component models in codesign/arch/components/: the hwcomponents
plug-ins when that package is installed and has a model that fits, otherwise the built-in
tables (cited in each component module) scaled to the spec's technology node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from codesign.arch.components import (
    BUILT_IN_REFERENCE_NODE_M,
    MemoryModel,
    Wire,
    fanout_distance_m,
    mac_model,
    memory_model,
)
from codesign.arch.components.calibrated import CalibratedMac, calibrated_source
from codesign.arch.components.specified import SpecifiedCompute, SpecifiedMemory, specified_source
from codesign.arch.components.plugins import (
    hwcomponents_available,
    plugin_mac,
    plugin_memory,
)
from codesign.arch.schema import Architecture, MemoryLevel, MemoryTechnology, SpatialFanout

BUILT_IN_SOURCE = (f'built-in tables scaled from {BUILT_IN_REFERENCE_NODE_M * 1e9:g} nm: '
                   'Horowitz 2014, Stillmaker & Baas 2017')
PLUGIN_SOURCE = 'hwcomponents plug-ins, built-in tables where none fits'
PLUGIN = 'plug-in: hwcomponents'
BUILT_IN_MAC = 'built-in: Horowitz 2014 multiply + add'
BUILT_IN_MEMORY = {
    MemoryTechnology.DRAM: 'built-in: LPDDR4 8 pJ/bit (hwcomponents-cacti table)',
    MemoryTechnology.SRAM: 'built-in: SRAM fit through Horowitz 2014',
    MemoryTechnology.REGFILE: 'built-in: register file, Horowitz 2014 via Han 2015',
}


@dataclass(frozen=True)
class LevelEnergy:
    """One memory level (one instance of it)."""

    read_J_per_word: float
    write_J_per_word: float
    area_m2: float
    leakage_W: float
    source: str
    """Where these numbers come from (built-in model, plug-in, the spec), for `arch show`."""


@dataclass(frozen=True)
class EnergyTable:
    levels: Mapping[str, LevelEnergy]
    """By memory level name."""
    mac_J: float
    """One multiply-accumulate at the compute unit's operand and accumulator widths."""
    mac_area_m2: float
    mac_leakage_W: float
    mac_source: str
    noc_J_per_word: Mapping[str, float]
    """By spatial fan-out name: moving one word from the level above to one instance below."""
    source: str
    """Where the numbers come from (table name and technology scaling), for reports."""


def energy_table(arch: Architecture) -> EnergyTable:
    """The per-action energies and areas of `arch` at its technology node."""
    use_plugins = hwcomponents_available()
    node = arch.technology_node_m
    memories = {level.name: memory_level_model(level, node, use_plugins) for level in arch.memory_levels}
    plugin = use_plugins and plugin_mac(arch.compute, node)
    mac, mac_source = (plugin, PLUGIN) if plugin else (mac_model(arch.compute, node), BUILT_IN_MAC)
    if arch.compute.calibration is not None:
        calibration = arch.compute.calibration
        mac = CalibratedMac(calibration, arch.compute.operand_bits, arch.compute.accumulator_bits, node)
        mac_source = calibrated_source(calibration)
    if arch.compute.energy is not None:
        mac, mac_source = SpecifiedCompute(mac, arch.compute.energy), specified_source(arch.compute.energy, mac_source)
    areas = {name: model.area_m2 for name, (model, _) in memories.items()} | {arch.compute.name: mac.area_m2}
    return EnergyTable(
        levels={level.name: _level_energy(level, *memories[level.name]) for level in arch.memory_levels},
        mac_J=mac.compute().energy_J,
        mac_area_m2=mac.area_m2,
        mac_leakage_W=mac.leakage_W,
        mac_source=mac_source,
        noc_J_per_word={fanout.name: _noc_J_per_word(arch, fanout, areas) for fanout in arch.spatial_fanouts},
        source=PLUGIN_SOURCE if use_plugins else BUILT_IN_SOURCE,
    )


def memory_level_model(level: MemoryLevel, node_m: float, use_plugins: bool | None = None) -> tuple[MemoryModel, str]:
    """The model of a memory level (a plug-in's, else the built-in one, under the spec's own
    `energy:` numbers) and where its numbers come from."""
    if use_plugins is None:
        use_plugins = hwcomponents_available()
    plugin = use_plugins and plugin_memory(level, node_m)
    model, source = (plugin, PLUGIN) if plugin else (memory_model(level, node_m), BUILT_IN_MEMORY[level.technology])
    if level.energy is None:
        return model, source
    return SpecifiedMemory(model, level.energy), specified_source(level.energy, source)


def _level_energy(level: MemoryLevel, model: MemoryModel, source: str) -> LevelEnergy:
    # A full-width access carries width_bits / word_bits words; each word pays its share.
    words_per_access = level.width_bits / level.word_bits
    return LevelEnergy(
        read_J_per_word=model.read().energy_J / words_per_access,
        write_J_per_word=model.write().energy_J / words_per_access,
        area_m2=model.area_m2,
        leakage_W=model.leakage_W,
        source=source,
    )


def _noc_J_per_word(arch: Architecture, fanout: SpatialFanout, areas: Mapping[str, float]) -> float:
    """A word's trip on wires from the fan-out's corner to the average instance below it."""
    index = next(index for index, item in enumerate(arch.hierarchy) if item.name == fanout.name)
    distance_m = fanout_distance_m([axis.size for axis in fanout.axes], _instance_area_m2(arch, index, areas))
    return Wire(distance_m, _feeding_word_bits(arch, index), arch.technology_node_m).transfer().energy_J


def _instance_area_m2(arch: Architecture, index: int, areas: Mapping[str, float]) -> float:
    """Area of one copy of everything below hierarchy[index], nested fan-outs included."""
    fanout = arch.hierarchy[index]
    copies = arch.instances(fanout.name) * fanout.fanout
    return sum(areas.get(item.name, 0.0) * arch.instances(item.name) / copies for item in arch.hierarchy[index + 1:])


def _feeding_word_bits(arch: Architecture, index: int) -> int:
    """Widest word among the levels that feed hierarchy[index]: those since the previous fan-out.

    The widest (e.g. partial sums) so that the estimate errs high rather than low.
    """
    word_bits: list[int] = []
    for item in reversed(arch.hierarchy[:index]):
        if isinstance(item, SpatialFanout) and word_bits:
            break
        if isinstance(item, MemoryLevel):
            word_bits.append(item.word_bits)
    return max(word_bits)
