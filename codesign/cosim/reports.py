"""`codesign spice`: SPICE measurements next to the analytical model's prediction."""

from __future__ import annotations

from dataclasses import asdict

from codesign.arch.schema import Architecture
from codesign.cosim.crossbar_column import ColumnRead, compare_with_analytical, simulate_column_reads
from codesign.cost.crossbar import crossbar_energies
from codesign.errors import CodesignError


def crossbar_report(arch: Architecture, rows: int) -> dict:
    """A sweep of reads with 0..rows driven rows on one column of the spec's crossbar."""
    config = arch.compute
    if getattr(config, "kind", None) != "crossbar":
        raise CodesignError(f"spice crossbar needs a crossbar spec; '{arch.name}' ends in kind {config.kind!r}")
    if not 1 <= rows <= config.crossbar_rows:
        raise CodesignError(f"--rows must be between 1 and crossbar_rows={config.crossbar_rows} (got {rows})")
    levels = tuple((3, 1, 2, 0)[row % 4] % (2**config.cell_bits) for row in range(rows))
    reads = [ColumnRead(levels, tuple(int(row < active) for row in range(rows))) for active in range(rows + 1)]
    measured = simulate_column_reads(config, reads)
    analytical = crossbar_energies(config)
    sweep = [{"active_rows": sum(read.inputs), "current_A": m.column_current_A, "ideal_current_A": m.ideal_current_A,
              "code": m.code, "ideal_code": m.ideal_code, "energies_J": m.energies_J, "settling_s": m.settling_s}
             for read, m in zip(reads, measured)]
    full = measured[-1]
    model_adc = analytical.adc_conversion_J[full.adc_bits]
    spice_adc = full.energies_J["comparators"] + full.energies_J["ladder"]
    return {
        "circuit": "crossbar column", "arch": arch.name, "rows": rows, "adc_bits": full.adc_bits,
        "sweep": sweep,
        "max_current_error": max(abs(s["current_A"] / s["ideal_current_A"] - 1) for s in sweep if s["ideal_current_A"]),
        "max_code_error_lsb": max(abs(s["code"] - s["ideal_code"]) for s in sweep),
        "energy_ratios_spice_over_model": compare_with_analytical(config, reads[-1], full),
        "adc_energy_J": {"spice": spice_adc, "model": model_adc},
        "energy_rel_error": (model_adc - spice_adc) / spice_adc,
        "analytical_energies_J": {key: value for key, value in asdict(analytical).items()
                                  if key != "adc_conversion_J"},
    }
