"""A MAC unit whose energy and area come from an RTL calibration (codesign/arch/rtl_calibration.py),
scaled from the calibration's node to the spec's."""

from dataclasses import dataclass

from codesign.arch.components.action import ActionCost
from codesign.arch.components.scaling import area_scale, energy_scale
from codesign.arch.rtl_calibration import MacCalibration


@dataclass(frozen=True)
class CalibratedMac:
    calibration: MacCalibration
    operand_bits: int
    accumulator_bits: int
    technology_node_m: float
    leakage_W: float = 0.0
    """Not measured: the gate-level simulation counts dynamic energy only."""

    @property
    def area_m2(self) -> float:
        area = self.calibration.area_m2.at(self.operand_bits, self.operand_bits, self.accumulator_bits)
        return area * area_scale(self.calibration.technology_node_m, self.technology_node_m)

    def compute(self) -> ActionCost:
        """One multiply-accumulate at the unit's native widths."""
        energy = self.calibration.energy_J.at(self.operand_bits, self.operand_bits, self.accumulator_bits)
        return ActionCost(energy * energy_scale(self.calibration.technology_node_m, self.technology_node_m))


def calibrated_source(calibration) -> str:
    """'calibration: RTL (<the command that fitted it>)', for `arch show`."""
    return f"calibration: RTL ({calibration.source.split(':')[0]})"
