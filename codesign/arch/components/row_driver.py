"""Row drivers of a compute-in-memory array: one DAC (or 1-bit word-line driver) per row.

Energy: what one drive costs is the spec's (a crossbar's row_drive_energy_J; a FeFET macro's
line capacitance per cell x supply^2), so the model takes it at construction.

Area, 32 nm: ISAAC's 1-bit DACs take 170 um^2 per IMA of 8 x 128 of them, 0.166 um^2 each
(A. Shafiee et al., ISCA 2016, table of component power and area; as tabulated by
hwcomponents-library, library/isaac.py, IsaacDAC). A b-bit DAC takes 2^(b-1) times that
(binary-weighted: hwcomponents-library scales the resolution the same way); other nodes by
scaling.area_scale.
Leakage: no source gives it; 0.
"""

from dataclasses import dataclass
from typing import ClassVar

from codesign.arch.components.action import ActionCost
from codesign.arch.components.scaling import area_scale

ONE_BIT_DAC_AREA_M2 = 170e-12 / (8 * 128)  # [ISAAC], at 32 nm
DAC_AREA_REFERENCE_NODE_M = 32e-9


@dataclass(frozen=True)
class RowDriver:
    """One row's driver: a `bits`-bit DAC whose every drive costs `drive_energy_J`."""

    bits: int
    technology_node_m: float
    drive_energy_J: float
    leakage_W: ClassVar[float] = 0.0
    """No source gives it."""

    @property
    def area_m2(self) -> float:
        return ONE_BIT_DAC_AREA_M2 * 2 ** (self.bits - 1) * area_scale(DAC_AREA_REFERENCE_NODE_M,
                                                                          self.technology_node_m)

    def drive(self) -> ActionCost:
        """Driving the row once (one read of its array)."""
        return ActionCost(self.drive_energy_J)
