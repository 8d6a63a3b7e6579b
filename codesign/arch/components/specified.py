"""Component models whose numbers a spec supplies (`energy:` of a memory level or compute
unit, codesign/arch/user_energy.py), over a built-in or plug-in model for what it leaves out.
Same contract as the other models: area and leakage, one method per action."""

from __future__ import annotations

from dataclasses import dataclass

from codesign.arch.components.action import ActionCost, ComputeModel, MemoryModel
from codesign.arch.user_energy import ComputeEnergy, MemoryEnergy


def given_or(value: float | None, fallback: float) -> float:
    return fallback if value is None else value


@dataclass(frozen=True)
class _Specified:
    """Area and leakage: the spec's where given, else the base model's."""

    base: MemoryModel | ComputeModel
    given: MemoryEnergy | ComputeEnergy

    @property
    def area_m2(self) -> float:
        return given_or(self.given.area_m2, self.base.area_m2)

    @property
    def leakage_W(self) -> float:
        return given_or(self.given.leakage_W, self.base.leakage_W)


@dataclass(frozen=True)
class SpecifiedMemory(_Specified):
    def read(self) -> ActionCost:
        return ActionCost(self.given.read_J) if self.given.read_J is not None else self.base.read()

    def write(self) -> ActionCost:
        return ActionCost(self.given.write_J) if self.given.write_J is not None else self.base.write()


@dataclass(frozen=True)
class SpecifiedCompute(_Specified):
    def compute(self) -> ActionCost:
        return ActionCost(self.given.mac_J) if self.given.mac_J is not None else self.base.compute()


def specified_source(given: MemoryEnergy | ComputeEnergy, base_source: str) -> str:
    """The source `arch show` prints: the spec's, and the base model's for what it left out."""
    fields = [name for name in type(given).model_fields if name != 'source']
    if all(getattr(given, name) is not None for name in fields):
        return given.source
    return f'{given.source}; the rest {base_source}'
