"""Static linearity of a measured transfer curve (output voltage vs an integer input code).

Endpoint definitions (IEEE Std 1241-2010, the terminal-based line), in LSBs of the measured
step LSB_m = (V(k_last) - V(k_first)) / (k_last - k_first):
  INL(k)  = (V(k) - V(k_first) - (k - k_first) LSB_m) / LSB_m, its largest magnitude reported;
  DNL     = the step between adjacent measured codes over its ideal size, minus one:
            (V(k_j+1) - V(k_j)) / ((k_j+1 - k_j) LSB_m) - 1; when codes are skipped (large
            columns sample a subset) that is the mean DNL over the codes the step spans;
  offset  = (V(k_first) - V_ideal(k_first)) / LSB_ideal;
  gain    = LSB_m / LSB_ideal - 1 (relative), and over the whole range in ideal LSBs.
The endpoint line puts the offset and gain error outside INL and DNL, which then measure only
the curve's bending and its uneven steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy

from codesign.errors import CodesignError


@dataclass(frozen=True)
class Linearity:
    inl_lsb: float
    dnl_lsb: float
    offset_error_lsb: float
    gain_error: float  # relative: measured step / ideal step - 1
    gain_error_lsb: float  # full-range span error in ideal LSBs
    measured_lsb_V: float

    def as_dict(self) -> dict[str, float | str]:
        return {"inl_lsb": self.inl_lsb, "dnl_lsb": self.dnl_lsb, "offset_error_lsb": self.offset_error_lsb,
                "gain_error": self.gain_error, "gain_error_lsb": self.gain_error_lsb,
                "measured_lsb_V": self.measured_lsb_V, "linearity_line": "endpoint"}


def linearity(codes: Sequence[int], voltages: Sequence[float], ideal_lsb_V: float,
              ideal_first_V: float = 0.0) -> Linearity:
    """INL, DNL, offset and gain error of V(code) (module docstring); codes ascending."""
    code, voltage = numpy.asarray(codes, dtype=float), numpy.asarray(voltages, dtype=float)
    if len(code) < 2 or numpy.any(numpy.diff(code) <= 0) or ideal_lsb_V <= 0:
        raise CodesignError(f"linearity needs 2 or more ascending codes and a positive LSB (got {list(codes)})")
    span = code[-1] - code[0]
    measured_lsb = (voltage[-1] - voltage[0]) / span
    if measured_lsb <= 0:
        raise CodesignError(f"linearity: the transfer curve does not rise ({voltage[0]:.4g} V to {voltage[-1]:.4g} V)")
    inl = (voltage - voltage[0] - (code - code[0]) * measured_lsb) / measured_lsb
    dnl = numpy.diff(voltage) / (numpy.diff(code) * measured_lsb) - 1
    return Linearity(inl_lsb=float(numpy.max(numpy.abs(inl))), dnl_lsb=float(numpy.max(numpy.abs(dnl))),
                     offset_error_lsb=float((voltage[0] - ideal_first_V) / ideal_lsb_V),
                     gain_error=float(measured_lsb / ideal_lsb_V - 1),
                     gain_error_lsb=float((voltage[-1] - voltage[0]) / ideal_lsb_V - span),
                     measured_lsb_V=float(measured_lsb))
