"""The analog arrays of the compute-in-memory macros: where the multiplies happen.

Their energies are the spec's (a crossbar's cell read energy, derived in isaac_like() and
neurosim_like() from the papers' array power and wire capacitance) or circuit physics (a FeFET
cell's capacitor charged to V_read: C V^2), so each model takes them at construction.
Area: cells x the spec's cell_area_m2 (the sources are in the specs and their presets).
Leakage: the cells are non-volatile and hold their weights unpowered; what read paths leak
is not modelled (no source for these macros): 0.
"""

from dataclasses import dataclass
from typing import ClassVar

from codesign.arch.components.action import ActionCost


@dataclass(frozen=True)
class CrossbarArray:
    """One crossbar of rows x columns resistive cells."""

    rows: int
    columns: int
    cell_area_m2: float
    cell_read_energy_J: float
    leakage_W: ClassVar[float] = 0.0
    """Not modelled (module docstring)."""

    @property
    def area_m2(self) -> float:
        return self.rows * self.columns * self.cell_area_m2

    def read_cell(self) -> ActionCost:
        """One cell on a driven row, read once (its current onto the bit line)."""
        return ActionCost(self.cell_read_energy_J)


@dataclass(frozen=True)
class FefetArray:
    """One array of rows x columns 1FeFET-1C cells and the sense node of each column."""

    rows: int
    columns: int
    cell_area_m2: float
    capacitor_F: float
    sense_capacitance_F: float
    read_V: float
    leakage_W: ClassVar[float] = 0.0
    """Not modelled (module docstring)."""

    @property
    def area_m2(self) -> float:
        return self.rows * self.columns * self.cell_area_m2

    def charge_cell(self) -> ActionCost:
        """A conducting cell's capacitor charged from 0 to V_read: C V^2 drawn from the read rail
        (a cell at level l of L charges to l/(L-1) of it and draws that fraction)."""
        return ActionCost(self.capacitor_F * self.read_V**2)

    def precharge_column(self) -> ActionCost:
        """A column's sense node brought back to its reference: C_sense V_read^2 (a bound)."""
        return ActionCost(self.sense_capacitance_F * self.read_V**2)
