"""On-chip wires: energy per bit per millimetre, and how far a word travels across a fan-out.

Energy from S. W. Keckler, W. J. Dally, B. Khailany, M. Garland, D. Glasco, "GPUs and the Future
of Parallel Computing", IEEE Micro 31(5), 2011, Table 1: moving 256 bits 10 mm costs 310 pJ at
40 nm and 0.9 V (0.121 pJ per bit per mm, random data), and a projected 200 pJ at 10 nm and
0.75 V. Wire capacitance per mm "remains approximately constant across process generations"
(ibid.), so wires do not follow the logic scaling of scaling.py: between and beyond those two
nodes the energy follows the power law through them (~ node^0.32).
The model counts the wire only: no router, FIFO or multicast logic (a lower bound for a NoC).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from math import sqrt
from typing import ClassVar

from codesign.arch.components.action import ActionCost
from codesign.arch.components.scaling import power_law

# (node in metres, joules per bit per metre) [Keckler et al. 2011, Table 1]
WIRE_ENERGY_PER_BIT_M_J = ((40e-9, 310e-12 / 256 / 10e-3), (10e-9, 200e-12 / 256 / 10e-3))


@dataclass(frozen=True)
class Wire:
    """A bundle of width_bits wires of length_m."""

    length_m: float
    width_bits: int
    technology_node_m: float
    area_m2: ClassVar[float] = 0.0
    """Wires are routed over the components they connect."""
    leakage_W: ClassVar[float] = 0.0

    def transfer(self) -> ActionCost:
        """Moving width_bits of random data the whole length."""
        energy_per_bit_m = power_law(self.technology_node_m, *WIRE_ENERGY_PER_BIT_M_J)
        return ActionCost(energy_per_bit_m * self.width_bits * self.length_m)


def fanout_distance_m(axis_sizes: Sequence[int], instance_area_m2: float) -> float:
    """Mean distance from the corner of a spatial fan-out to one of its instances.

    The instances are square tiles of instance_area_m2 on a grid with one dimension per axis;
    words enter at a corner (the level above sits at the array's edge) and travel Manhattan
    distance, on average half of each axis' span.
    """
    return sqrt(instance_area_m2) * sum(axis_sizes) / 2
