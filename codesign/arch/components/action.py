"""What one action of a component costs, following the hwcomponents (Accelergy successor) contract.

A component model takes its parameters at construction and then exposes `area_m2` and
`leakage_W`; each action (`read()`, `write()`, `compute()`, `transfer()`) returns an ActionCost.
SI units throughout: joules, seconds, square metres, watts.
"""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ActionCost:
    """Energy and latency of one action."""

    energy_J: float
    latency_s: float = 0.0
    """0 in the built-in tables: cost models time accesses from the clock and the spec's bandwidths."""


class MemoryModel(Protocol):
    """A storage component: one full-width access per read or write."""

    @property
    def area_m2(self) -> float: ...

    @property
    def leakage_W(self) -> float: ...

    def read(self) -> ActionCost: ...

    def write(self) -> ActionCost: ...


class ComputeModel(Protocol):
    """An arithmetic unit: one operation per compute()."""

    @property
    def area_m2(self) -> float: ...

    @property
    def leakage_W(self) -> float: ...

    def compute(self) -> ActionCost: ...
