"""A multiply-accumulate unit: an integer multiplier of the operands and the accumulator's adder.

Energy, 45 nm, from M. Horowitz, "Computing's energy problem (and what we can do about it)",
ISSCC 2014, paper 1.1, Fig. 1.1.9: integer add 8 bit 0.03 pJ, 32 bit 0.1 pJ; integer multiply
8 bit 0.2 pJ, 32 bit 3.1 pJ. Other widths follow the power law through each pair of points:
multiply ~ bits^1.98 (an array multiplier has bits^2 partial-product cells), add ~ bits^0.87.
The same figure gives float operations (16-bit multiply 1.1 pJ, add 0.4 pJ; 32-bit multiply
3.7 pJ, add 0.9 pJ); they are not modelled because the spec's compute unit is integer only.

Area, 40 nm, from Aladdin (Y. S. Shao et al., ISCA 2014) as tabulated in hwcomponents-library
(library/aladdin.py): 32-bit multiplier 6350 um^2, scaled with the square of the operand width;
32-bit adder 278 um^2, scaled linearly with the accumulator width.
"""

from dataclasses import dataclass
from typing import ClassVar

from codesign.arch.components.action import ActionCost
from codesign.arch.components.scaling import area_scale, energy_scale, power_law

ENERGY_REFERENCE_NODE_M = 45e-9
ADD_ENERGY_J = ((8, 0.03e-12), (32, 0.1e-12))  # (bits, joules) [Horowitz 2014]
MULTIPLY_ENERGY_J = ((8, 0.2e-12), (32, 3.1e-12))

AREA_REFERENCE_NODE_M = 40e-9
MULTIPLIER_32_BIT_AREA_M2 = 6350e-12  # [Aladdin]
ADDER_32_BIT_AREA_M2 = 278e-12


@dataclass(frozen=True)
class Mac:
    """One MAC unit: an operand_bits x operand_bits multiply added into accumulator_bits."""

    operand_bits: int
    accumulator_bits: int
    technology_node_m: float
    leakage_W: ClassVar[float] = 0.0
    """Not modelled by the built-in tables (the hwcomponents plug-ins provide it)."""

    @property
    def area_m2(self) -> float:
        multiplier = MULTIPLIER_32_BIT_AREA_M2 * (self.operand_bits / 32) ** 2
        adder = ADDER_32_BIT_AREA_M2 * self.accumulator_bits / 32
        return (multiplier + adder) * area_scale(AREA_REFERENCE_NODE_M, self.technology_node_m)

    def compute(self) -> ActionCost:
        """One multiply-accumulate."""
        energy_45nm = multiply_energy_J(self.operand_bits) + add_energy_J(self.accumulator_bits)
        return ActionCost(energy_45nm * energy_scale(ENERGY_REFERENCE_NODE_M, self.technology_node_m))


def multiply_energy_J(bits: int) -> float:
    """An integer multiply of two `bits`-wide operands at 45 nm."""
    return power_law(bits, *MULTIPLY_ENERGY_J)


def add_energy_J(bits: int) -> float:
    """An integer add of `bits`-wide operands at 45 nm."""
    return power_law(bits, *ADD_ENERGY_J)
