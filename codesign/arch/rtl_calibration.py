"""Calibrations measured on RTL (`codesign calibrate mac|lif`): energy and area of the digital
units as fitted functions of their widths, from gate-level toggle counts of the Verilog in rtl/
(codesign/cosim/rtl). A spec references the file from its compute unit or SNN cores:

    calibration: {ref: calibration/mac_rtl.yaml}

Fitted at the calibration's technology node and scaled to the spec's like every built-in table
(codesign/arch/components/scaling.py). The fitted form is the model's: a MAC's energy and area
grow with the product of the operand widths (the multiplier's partial products), with their sum
(operand registers, the multiplier's edges) and with the accumulator's width (its adder and
register); a synaptic accumulate and a membrane update grow linearly with their widths.
"""

from codesign.arch.schema_base import PositiveQuantity, Quantity, SpecModel


class MacFit(SpecModel):
    """a * bw * ba + b * (bw + ba) + d * accumulator_bits + c, for bw-bit weights, ba-bit inputs."""

    operand_product: Quantity
    """a: per product of the operand widths (bit^2)."""
    operand_sum: Quantity
    """b: per bit of either operand."""
    accumulator_bit: Quantity
    """d: per accumulator bit."""
    constant: Quantity
    """c: independent of the widths."""

    def at(self, weight_bits: int, input_bits: int, accumulator_bits: int) -> float:
        """The fit at these widths, never below zero (a fitted constant may be negative: widths
        far below the measured ones extrapolate)."""
        return max(0.0, self.operand_product * weight_bits * input_bits + self.operand_sum * (weight_bits + input_bits)
                   + self.accumulator_bit * accumulator_bits + self.constant)


class LinearFit(SpecModel):
    """per_bit * bits + constant."""

    per_bit: Quantity
    constant: Quantity

    def at(self, bits: int) -> float:
        """The fit at `bits`, never below zero."""
        return max(0.0, self.per_bit * bits + self.constant)


class MacCalibration(SpecModel):
    """One MAC unit's energy and area fitted to RTL measurements (`codesign calibrate mac`)."""

    technology_node_m: PositiveQuantity
    """The node the measurements are at (the gate library's)."""
    energy_J: MacFit
    """Energy of one multiply-accumulate, joules."""
    area_m2: MacFit
    """Area of one MAC unit, square metres."""
    source: str
    """How the fit was obtained: the command, the designs, the gate library."""
    fit: dict[str, dict[str, Quantity]] = {}
    """Uncertainty (one standard error) of each coefficient and the fit's RMS residual, for the record."""
    measurements: tuple[dict[str, Quantity | str], ...] = ()
    """The measured and built-in-model values the fit was made to, for the record."""


class SnnCalibration(SpecModel):
    """An SNN core's synaptic accumulate and membrane update fitted to RTL (`codesign calibrate lif`)."""

    technology_node_m: PositiveQuantity
    """The node the measurements are at (the gate library's)."""
    synaptic_op_J: LinearFit
    """One synaptic event (the accumulate-only synapse unit adding one weight) against weight bits."""
    neuron_update_J: LinearFit
    """One membrane update of a leaky-integrate-and-fire neuron against its input current bits."""
    source: str
    """How the fit was obtained."""
    fit: dict[str, dict[str, Quantity]] = {}
    """Uncertainties and residuals, for the record."""
    measurements: tuple[dict[str, Quantity | str], ...] = ()
    """The measured values, for the record."""
