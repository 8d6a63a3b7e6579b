"""A crossbar column's energy per conversion, SPICE vs the spec's analytical model, by component.

The model is codesign.cost.crossbar.crossbar_energies of the spec, with the spec's calibration when
it has one (calibrated_energies: the model's own rule for applying it); the components and what
each side counts are in crossbar_column.compare_with_analytical.
"""

from __future__ import annotations

from codesign.arch.schema import Architecture
from codesign.cosim.crossbar_column import ColumnMeasurement, ColumnRead, compare_with_analytical, simulate_column_reads
from codesign.cost.crossbar import calibrated_energies, crossbar_energies
from codesign.cost.in_memory import cim_chip
from codesign.target import require_kind


def column_levels(rows: int, cell_bits: int) -> tuple[int, ...]:
    """The stored levels every crossbar run uses: 3, 1, 2, 0, ... (all levels, mean 1.5 on 2-bit cells)."""
    return tuple((3, 1, 2, 0)[row % 4] % (2**cell_bits) for row in range(rows))


def energy_by_component(arch: Architecture, read: ColumnRead,
                        measured: ColumnMeasurement) -> dict[str, dict[str, float]]:
    config = require_kind(arch, "crossbar", "spice crossbar")
    # a calibration may add the sense amplifier's energy to each conversion (the model has no term
    # for it): then its 'adc' holds both, and the totals are what compare
    model = calibrated_energies(crossbar_energies(config, cim_chip(arch)), config.calibration, len(read.levels))
    return compare_with_analytical(model, read, measured, config.columns)


def full_read_point(arch: Architecture, rows: int, adc_bits: int | None = None) -> dict:
    """One read with every row driven, converting adc_bits (default: the model's rule): the measurement
    point calibration fits."""
    config = require_kind(arch, "crossbar", "calibrate crossbar")
    read = ColumnRead(column_levels(rows, config.cell_bits), (1,) * rows)
    measured = simulate_column_reads(config, [read], adc_bits=adc_bits)[0]
    return {"rows": rows, "bits": measured.adc_bits, "energy_J": energy_by_component(arch, read, measured),
            "current_error": measured.column_current_A / measured.ideal_current_A - 1}
