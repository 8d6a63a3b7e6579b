"""On-chip storage: SRAM macros and register files, energy per full-width access and area.

SRAM energy, 45 nm, from M. Horowitz, ISSCC 2014, Fig. 1.1.9: a 64-bit read costs 10 pJ from an
8 KB array, 20 pJ from 32 KB and 100 pJ from 1 MB. A CACTI-like fit: the energy per bit grows
with the rows a bit line spans (rows = capacity / width), as the power law through the 8 KB and
1 MB points (energy per bit ~ rows^0.47); it gives 19.3 pJ at 32 KB, 3.5% under the published
20 pJ. A wider port reads more bits per access on the same bit lines, so a full-width access
costs width x (energy per bit). Below 64 rows the energy per bit is held at its 64-row value:
sense amplifiers, precharge and timing circuits stay when rows are removed (our assumption).

Register file energy, 45 nm: a 32-bit register-file access costs 1 pJ [Horowitz 2014, as
tabulated by S. Han et al., "Learning both weights and connections", NeurIPS 2015, Fig. 1], taken
as 31 fJ per bit regardless of depth (register files in accelerators are a few dozen entries).
That is below the SRAM's 64-row floor (42 fJ per bit), so a register file is always cheaper
than an SRAM of the same capacity and width.

Writes are taken to cost as much as reads: the sources give reads only.

Area: SRAM bits x the 0.346 um^2 6T cell of Intel's 45 nm process (K. Mistry et al., IEDM 2007)
/ 0.7 array efficiency (our assumption for the periphery); register-file bits x 5.98 um^2, the
per-bit register of Aladdin at 40 nm (Y. S. Shao et al., ISCA 2014, via hwcomponents-library).
"""

from dataclasses import dataclass
from typing import ClassVar

from codesign.arch.components.action import ActionCost
from codesign.arch.components.scaling import area_scale, energy_scale, power_law

ENERGY_REFERENCE_NODE_M = 45e-9
# (rows, joules per bit) of the 64-bit-wide arrays: 8 KB = 1024 rows, 1 MB = 131072 rows [Horowitz].
SRAM_ENERGY_PER_BIT_J = ((1024, 10e-12 / 64), (131072, 100e-12 / 64))
SRAM_MINIMUM_ROWS = 64
REGISTER_FILE_ENERGY_PER_BIT_J = 1e-12 / 32

SRAM_CELL_AREA_M2 = 0.346e-12  # at 45 nm [Mistry et al.]
SRAM_ARRAY_EFFICIENCY = 0.7
REGISTER_BIT_AREA_M2 = 5.98e-12  # at 40 nm [Aladdin]
REGISTER_AREA_REFERENCE_NODE_M = 40e-9


@dataclass(frozen=True)
class Sram:
    """An SRAM macro of capacity_bits, accessed width_bits at a time."""

    capacity_bits: int
    width_bits: int
    technology_node_m: float
    leakage_W: ClassVar[float] = 0.0
    """Not modelled by the built-in tables (the hwcomponents plug-ins provide it)."""

    @property
    def area_m2(self) -> float:
        cells = self.capacity_bits * SRAM_CELL_AREA_M2 / SRAM_ARRAY_EFFICIENCY
        return cells * area_scale(ENERGY_REFERENCE_NODE_M, self.technology_node_m)

    def read(self) -> ActionCost:
        """One full-width read."""
        rows = max(self.capacity_bits / self.width_bits, SRAM_MINIMUM_ROWS)
        energy_45nm = self.width_bits * power_law(rows, *SRAM_ENERGY_PER_BIT_J)
        return ActionCost(energy_45nm * energy_scale(ENERGY_REFERENCE_NODE_M, self.technology_node_m))

    def write(self) -> ActionCost:
        """One full-width write."""
        return self.read()


@dataclass(frozen=True)
class RegisterFile:
    """A register file (flip-flop array) of capacity_bits, accessed width_bits at a time."""

    capacity_bits: int
    width_bits: int
    technology_node_m: float
    leakage_W: ClassVar[float] = 0.0
    """Not modelled by the built-in tables (the hwcomponents plug-ins provide it)."""

    @property
    def area_m2(self) -> float:
        return self.capacity_bits * REGISTER_BIT_AREA_M2 * area_scale(REGISTER_AREA_REFERENCE_NODE_M,
                                                                      self.technology_node_m)

    def read(self) -> ActionCost:
        """One full-width read."""
        energy_45nm = self.width_bits * REGISTER_FILE_ENERGY_PER_BIT_J
        return ActionCost(energy_45nm * energy_scale(ENERGY_REFERENCE_NODE_M, self.technology_node_m))

    def write(self) -> ActionCost:
        """One full-width write."""
        return self.read()
