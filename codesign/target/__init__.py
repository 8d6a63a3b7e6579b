"""Targets: one module per target family, each implementing the contract in contract.py.

    target = target_for(load_arch("simba"))
    target.map_layer(node).cost, target.area_m2(), target.capabilities.fused_schedules
"""

from codesign.target.contract import ActionEnergy, Capabilities, MappedLayer, MapperSettings, Target
from codesign.target.registry import register, require_kind, target_for

__all__ = ["ActionEnergy", "Capabilities", "MappedLayer", "MapperSettings", "Target", "register", "require_kind", "target_for"]
