"""Optional component models from hwcomponents, Accelergy's successor, when it is installed.

hwcomponents (https://github.com/Accelergy-Project/hwcomponents; Python >= 3.12) picks, among
the installed model packages (hwcomponents-cacti, -library, -neurosim, ...), the best model for a
component name and attributes: `hwcomponents.get_model(name, attributes, required_actions)`.
Its models take technology nodes in metres, their actions return (energy J, latency s), and
they expose `area` (m^2) and `leak_power` (W). This module wraps them to our contract.

Which plug-in each spec component asks for:
    dram     'DRAM'    width, type='LPDDR4'               actions read, write
    sram     'SRAM'    tech_node, width, depth            actions read, write
    compute  'IntMAC'  tech_node, multiplier_width, adder_width   action compute
Register files keep the built-in model: the standard packages have no depth-aware one.
Every function returns None when no installed model fits, and the caller uses the built-in
tables for that component.
"""

import importlib.util
from dataclasses import dataclass
from typing import Any

from codesign.arch.components.action import ActionCost
from codesign.arch.schema import ComputeUnit, MemoryLevel, MemoryTechnology


def hwcomponents_available() -> bool:
    """Whether the hwcomponents package can be imported here."""
    return importlib.util.find_spec('hwcomponents') is not None


@dataclass(frozen=True)
class PluginModel:
    """An hwcomponents model behind our contract: ActionCost actions, area_m2, leakage_W."""

    model: Any

    @property
    def area_m2(self) -> float:
        return float(self.model.area)

    @property
    def leakage_W(self) -> float:
        return float(self.model.leak_power)

    def read(self) -> ActionCost:
        return self._action('read')

    def write(self) -> ActionCost:
        return self._action('write')

    def compute(self) -> ActionCost:
        return self._action('compute')

    def _action(self, name: str) -> ActionCost:
        energy_J, latency_s = getattr(self.model, name)()
        return ActionCost(float(energy_J), float(latency_s))


def plugin_memory(level: MemoryLevel, technology_node_m: float) -> PluginModel | None:
    """The best installed model of a memory level, or None."""
    if level.technology == MemoryTechnology.DRAM:
        return _best_model('DRAM', {'width': level.width_bits, 'type': 'LPDDR4'}, ['read', 'write'])
    if level.technology == MemoryTechnology.SRAM:
        depth = level.capacity_bytes * 8 // level.width_bits
        attributes = {'tech_node': technology_node_m, 'width': level.width_bits, 'depth': depth}
        return _best_model('SRAM', attributes, ['read', 'write'])
    return None


def plugin_mac(compute: ComputeUnit, technology_node_m: float) -> PluginModel | None:
    """The best installed model of the MAC unit, or None."""
    attributes = {'tech_node': technology_node_m, 'multiplier_width': compute.operand_bits,
                  'adder_width': compute.accumulator_bits}
    return _best_model('IntMAC', attributes, ['compute'])


def _best_model(name: str, attributes: dict[str, Any], actions: list[str]) -> PluginModel | None:
    import hwcomponents  # imported only when available (it needs Python >= 3.12)

    try:
        return PluginModel(hwcomponents.get_model(name, attributes, required_actions=actions))
    except Exception:  # noqa: BLE001 -- plug-ins raise their own error types when none fits: use built-ins
        return None
