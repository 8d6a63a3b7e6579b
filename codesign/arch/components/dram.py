"""Off-chip DRAM: energy per bit moved, by DRAM kind; no on-chip area.

The table is that of the DRAM model of hwcomponents-cacti (Accelergy's successor; what Timeloop
and Accelergy users compare against), in joules per bit for a read or a write, I/O included:
LPDDR4 8 pJ (its source: "public data"), HBM2 3.9 pJ and GDDR5 14 pJ (as in M. O'Connor et al.,
"Fine-Grained DRAM", MICRO 2017), DDR3 70 pJ (its source: Chatterjee et al., MICRO 2017).
Cross-checks: Horowitz (ISSCC 2014) gives 1.3-2.6 nJ per 64-bit access (20-41 pJ/bit) for a
DDR3-era interface; H. Ha's thesis (Stanford 2018) simulates 13-14 pJ/bit for LPDDR4 packages.
Specs with technology 'dram' use LPDDR4, the mobile DRAM of the shipped specs.
DRAM energy does not scale with the accelerator's technology node: it is another chip.
"""

from dataclasses import dataclass
from typing import ClassVar

from codesign.arch.components.action import ActionCost

DRAM_ENERGY_PER_BIT_J = {
    'LPDDR4': 8e-12,
    'HBM2': 3.9e-12,
    'GDDR5': 14e-12,
    'DDR3': 70e-12,
}
DEFAULT_KIND = 'LPDDR4'


@dataclass(frozen=True)
class Dram:
    """A DRAM interface moving width_bits per access."""

    width_bits: int
    kind: str = DEFAULT_KIND
    area_m2: ClassVar[float] = 0.0
    """Off-chip: no area on the accelerator die."""
    leakage_W: ClassVar[float] = 0.0
    """Background and refresh power are not modelled."""

    def __post_init__(self) -> None:
        if self.kind not in DRAM_ENERGY_PER_BIT_J:
            raise ValueError(f'unknown DRAM kind {self.kind!r}; known: {", ".join(DRAM_ENERGY_PER_BIT_J)}')

    def read(self) -> ActionCost:
        """One full-width read."""
        return ActionCost(self.width_bits * DRAM_ENERGY_PER_BIT_J[self.kind])

    def write(self) -> ActionCost:
        """One full-width write."""
        return self.read()
