"""The digital shift-and-add after a compute-in-memory ADC: it weights each converted partial sum
by its bit slice's place and adds it into an accumulator register.

Energy, 45 nm: one integer add of the accumulator's width (M. Horowitz, ISSCC 2014, as
mac.add_energy_J), scaled to the node (scaling.energy_scale); the shift is wiring.
Area, 40 nm: the Aladdin adder (278 um^2 at 32 bits, linear in width) plus the accumulator
register (5.98 um^2 per bit), both from Aladdin (Y. S. Shao et al., ISCA 2014, via
hwcomponents-library), scaled to the node. For comparison, ISAAC's 16-bit shift-and-add takes
60 um^2 at 32 nm (Shafiee et al., ISCA 2016; four per IMA).
Leakage: not modelled by these tables; 0.
"""

from dataclasses import dataclass
from typing import ClassVar

from codesign.arch.components.action import ActionCost
from codesign.arch.components.mac import ADDER_32_BIT_AREA_M2, AREA_REFERENCE_NODE_M, ENERGY_REFERENCE_NODE_M, add_energy_J
from codesign.arch.components.scaling import area_scale, energy_scale
from codesign.arch.components.sram import REGISTER_AREA_REFERENCE_NODE_M, REGISTER_BIT_AREA_M2


@dataclass(frozen=True)
class ShiftAdd:
    """A shift-and-add unit with a `bits`-wide adder and accumulator."""

    bits: int
    technology_node_m: float
    leakage_W: ClassVar[float] = 0.0
    """Not modelled by the built-in tables."""

    @property
    def area_m2(self) -> float:
        adder = ADDER_32_BIT_AREA_M2 * self.bits / 32 * area_scale(AREA_REFERENCE_NODE_M, self.technology_node_m)
        register = REGISTER_BIT_AREA_M2 * self.bits * area_scale(REGISTER_AREA_REFERENCE_NODE_M,
                                                                 self.technology_node_m)
        return adder + register

    def add(self) -> ActionCost:
        """Adding one converted partial sum into the accumulator."""
        return ActionCost(add_energy_J(self.bits) * energy_scale(ENERGY_REFERENCE_NODE_M, self.technology_node_m))
