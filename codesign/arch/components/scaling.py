"""Technology-node scaling of energy and area, and the power-law fits the component tables use.

Source: A. Stillmaker and B. Baas, "Scaling equations for the accurate prediction of CMOS device
performance from 180 nm to 7 nm", Integration, the VLSI Journal 58:74-81, 2017,
doi:10.1016/j.vlsi.2017.02.002: per node, energy fitted as a*Vdd^2 + b*Vdd + c, and area factors.
The coefficients below are those tabulated in hwcomponents/scaling/techscaling.py (Accelergy's
successor), which we follow in two choices so that built-in and plug-in numbers agree:
  - nodes are compared at one supply voltage, 0.8 V (a node's own nominal voltage would add the
    V^2 gain of older nodes running at higher voltage; published chips run at many voltages);
  - between tabulated nodes values are interpolated linearly; outside 7-130 nm energy scales with
    the square root of the node and area linearly (hwcomponents' extrapolation, from IRDS).
"""

from collections.abc import Sequence
from math import log

NODES_M = (130e-9, 90e-9, 65e-9, 45e-9, 32e-9, 20e-9, 16e-9, 14e-9, 10e-9, 7e-9)
# (a, b, c) of energy = a*V^2 + b*V + c, one row per node above.
ENERGY_POLYNOMIALS = (
    (7.171, -6.709, 2.904),
    (4.762, -4.781, 2.092),
    (3.755, -4.398, 1.975),
    (1.103, -0.362, 0.2767),
    (0.9559, -0.7823, 0.471),
    (0.373, -0.1582, 0.04104),
    (0.2958, -0.1241, 0.03024),
    (0.2363, -0.09675, 0.02239),
    (0.2068, -0.09311, 0.02375),
    (0.1776, -0.09097, 0.02447),
)
AREA_RELATIVE_TO_45NM = (6.4, 2.8, 1.5, 1.0, 0.46, 0.21, 0.19, 0.17, 0.1, 0.059)
SUPPLY_V = 0.8
ENERGY_EXTRAPOLATION_EXPONENT = 0.5
AREA_EXTRAPOLATION_EXPONENT = 1.0

_RELATIVE_ENERGY = tuple(a * SUPPLY_V**2 + b * SUPPLY_V + c for a, b, c in ENERGY_POLYNOMIALS)


def energy_scale(from_node_m: float, to_node_m: float) -> float:
    """Factor that takes a switching energy from node `from_node_m` to node `to_node_m`."""
    return _relative_energy(to_node_m) / _relative_energy(from_node_m)


def area_scale(from_node_m: float, to_node_m: float) -> float:
    """Factor that takes a layout area from node `from_node_m` to node `to_node_m`."""
    return _relative_area(to_node_m) / _relative_area(from_node_m)


def power_law(value: float, first: tuple[float, float], second: tuple[float, float]) -> float:
    """y(value) on the power law y = k * x^p through the points `first` and `second` (x, y)."""
    (x0, y0), (x1, y1) = first, second
    exponent = log(y1 / y0) / log(x1 / x0)
    return y0 * (value / x0) ** exponent


def _relative_energy(node_m: float) -> float:
    return _interpolate(node_m, _RELATIVE_ENERGY, ENERGY_EXTRAPOLATION_EXPONENT)


def _relative_area(node_m: float) -> float:
    return _interpolate(node_m, AREA_RELATIVE_TO_45NM, AREA_EXTRAPOLATION_EXPONENT)


def _interpolate(node_m: float, values: Sequence[float], extrapolation_exponent: float) -> float:
    largest, smallest = NODES_M[0], NODES_M[-1]
    if node_m >= largest:
        return values[0] * (node_m / largest) ** extrapolation_exponent
    if node_m <= smallest:
        return values[-1] * (node_m / smallest) ** extrapolation_exponent
    # The first tabulated node at or below node_m; the one before it is above.
    index = next(index for index in range(len(NODES_M) - 1) if node_m >= NODES_M[index + 1])
    larger, smaller = NODES_M[index], NODES_M[index + 1]
    fraction = (node_m - smaller) / (larger - smaller)
    return values[index + 1] + fraction * (values[index] - values[index + 1])
