"""Optional component models from hwcomponents, Accelergy's successor, when it is installed.

hwcomponents (https://github.com/Accelergy-Project/hwcomponents; Python >= 3.12) picks, among
the installed model packages, the best model for a component name and attributes:
`hwcomponents.get_model(name, attributes, required_actions=[...])` returns an initialised
`ComponentModel`. Its attributes take technology nodes in metres and widths/sizes in bits; each
action returns an `hwcomponents.ActionCost` object (`.energy` J, `.latency` s, `.throughput`
actions/s), not a tuple; `area` (m^2) and `leak_power` (W) are properties.
Checked against hwcomponents 1.0.114, hwcomponents-cacti 1.0.40, hwcomponents-library 1.0.58,
hwcomponents-neurosim 1.0.43 (Python 3.12.1).

Which plug-in each spec component asks for (model and package that answered in that check):
    dram     'LPDDR4'  width                              read, write  LPDDR4, -cacti (8 pJ/bit)
    sram     'SRAM'    tech_node, width, size (bits)      read, write  SRAM, -cacti (runs CACTI)
    compute  'IntMAC'  tech_node, multiplier_width, adder_width   compute  AladdinIntMAC, -library
There is no 'DRAM' component with a `type` attribute: each DRAM kind is its own component name,
and LPDDR4 accepts widths up to 64 bits. The SRAM gets `size`, not `depth`: -cacti 1.0.40
raises TypeError when given width and depth without size.
Register files keep the built-in model: the standard packages have no depth-aware one.

Every function returns None when no installed model fits or a model fails, and the caller then
uses the built-in tables for that component. Known failures that land there, not in a crash:
- hwcomponents-library imports hwcomponents-neurosim; without it, every query fails (all built-in).
- the CACTI binary shipped in hwcomponents-cacti needs glibc >= 2.38; where it cannot run, the
  SRAM queries fail (built-in SRAM) until CACTI is rebuilt from the sources in the package.
"""

import importlib.util
import logging
from dataclasses import dataclass
from typing import Any

from codesign.arch.components.action import ActionCost
from codesign.arch.schema import ComputeUnit, MemoryLevel, MemoryTechnology

_log = logging.getLogger(__name__)

DRAM_COMPONENT = 'LPDDR4'
"""The plug-in component for technology 'dram': the DRAM kind the built-in table uses."""


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
        cost = getattr(self.model, name)()  # an hwcomponents.ActionCost
        return ActionCost(float(cost.energy), float(cost.latency))


def plugin_memory(level: MemoryLevel, technology_node_m: float) -> PluginModel | None:
    """The best installed model of a memory level, or None."""
    if level.technology == MemoryTechnology.DRAM:
        return _best_model(DRAM_COMPONENT, {'width': level.width_bits}, ['read', 'write'])
    if level.technology == MemoryTechnology.SRAM:
        attributes = {'tech_node': technology_node_m, 'width': level.width_bits,
                      'size': level.capacity_bytes * 8}
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
        model = PluginModel(hwcomponents.get_model(name, attributes, required_actions=actions))
        for action in actions:  # a model that fails on use (e.g. CACTI not runnable) fails here
            getattr(model, action)()
        return model
    except Exception as error:  # noqa: BLE001 -- hwcomponents and its models raise many types: use built-ins
        _log.info('hwcomponents has no working %s model for %s (%s: %s); using the built-in table',
                  name, attributes, type(error).__name__, str(error).splitlines()[0] if str(error) else '')
        return None
