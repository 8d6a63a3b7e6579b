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

Precision-scalable units (`precision_scalable: true`), after Bit Fusion (H. Sharma et al.,
"Bit Fusion: Bit-Level Dynamically Composable Architecture for Accelerating Deep Neural
Networks", ISCA 2018): the multiplier is built from 2-bit BitBricks that fuse, in powers of two,
into one full-width product or several narrower ones: an 8-bit unit does one 8x8, four 4x4
(or 8x2, 2x8) or sixteen 2x2 products per cycle, i.e. (B/w) x (B/i) for a B-bit unit. We take
the products of one cycle to be steps of one output's reduction, summed in the unit's shift-add
tree and accumulated once (a Bit Fusion unit adds its products into the partial sum that passes
through it). Energy is our assumption, not a published breakdown: a fused product costs the
B-bit multiply (Horowitz, its partial-product tree included) in proportion to the BitBricks it
uses, w x i of the B x B partial-product bits (an array multiplier's energy grows with its cells:
the fit above goes as bits^1.98); the accumulator add is paid once per cycle, at its full width.
Not modelled: the fusion logic's own overhead (shifters and wider trees, which Bit Fusion
reports in area and power); the area stays that of a fixed B-bit MAC.
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

BRICK_BITS = 2
"""The narrowest multiplier a precision-scalable unit splits into (Bit Fusion's BitBrick)."""


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

    def fused_multiply(self, weight_bits: int, input_bits: int) -> ActionCost:
        """One product of w-bit weights and i-bit inputs on a precision-scalable unit: the
        BitBricks it uses (module docstring); no accumulation."""
        used = fused_width(weight_bits, self.operand_bits) * fused_width(input_bits, self.operand_bits)
        multiply = multiply_energy_J(self.operand_bits) * (used / self.operand_bits ** 2)
        return ActionCost(multiply * energy_scale(ENERGY_REFERENCE_NODE_M, self.technology_node_m))

    def accumulate(self) -> ActionCost:
        """One add into the accumulator, at its width."""
        return ActionCost(add_energy_J(self.accumulator_bits) * energy_scale(ENERGY_REFERENCE_NODE_M,
                                                                             self.technology_node_m))

    def products_per_cycle(self, weight_bits: int, input_bits: int) -> int:
        """Products of w-bit weights and i-bit inputs a precision-scalable unit does per cycle."""
        width = self.operand_bits
        return max(1, width // fused_width(weight_bits, width)) * max(1, width // fused_width(input_bits, width))


def fused_width(bits: int, operand_bits: int) -> int:
    """The multiplier width a `bits`-wide operand occupies on a precision-scalable unit of
    `operand_bits`: the next power of two of at least BRICK_BITS, at most the unit's width."""
    width = BRICK_BITS
    while width < bits:
        width *= 2
    return min(width, operand_bits)


def fused_energy_shares(operand_bits: int, accumulator_bits: int, weight_bits: int,
                        input_bits: int) -> tuple[float, float]:
    """(one fused product's multiply, one accumulation) over a full-width MAC's energy on a
    precision-scalable unit: the built-in model's ratios, which also scale a plug-in's or a
    spec's own full-width MAC energy."""
    unit = Mac(operand_bits, accumulator_bits, ENERGY_REFERENCE_NODE_M)
    full = unit.compute().energy_J
    return unit.fused_multiply(weight_bits, input_bits).energy_J / full, unit.accumulate().energy_J / full


def multiply_energy_J(bits: int) -> float:
    """An integer multiply of two `bits`-wide operands at 45 nm."""
    return power_law(bits, *MULTIPLY_ENERGY_J)


def add_energy_J(bits: int) -> float:
    """An integer add of `bits`-wide operands at 45 nm."""
    return power_law(bits, *ADD_ENERGY_J)
