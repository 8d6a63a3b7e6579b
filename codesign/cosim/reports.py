"""`codesign spice`: SPICE measurements next to the analytical model's prediction."""

from __future__ import annotations

from dataclasses import asdict

from codesign.arch.cim import calibration_factor
from codesign.arch.schema import Architecture
from codesign.cosim.crossbar_column import ColumnRead, compare_with_analytical, simulate_column_reads
from codesign.cost.crossbar import crossbar_energies
from codesign.cost.in_memory import cim_chip
from codesign.errors import CodesignError
from codesign.target import require_kind


def crossbar_report(arch: Architecture, rows: int) -> dict:
    """A sweep of reads with 0..rows driven rows on one column of the spec's crossbar."""
    config = require_kind(arch, "crossbar", "spice crossbar")
    if not 1 <= rows <= config.rows:
        raise CodesignError(f"--rows must be between 1 and the crossbar's rows={config.rows} (got {rows})")
    levels = tuple((3, 1, 2, 0)[row % 4] % (2**config.cell_bits) for row in range(rows))
    reads = [ColumnRead(levels, tuple(int(row < active) for row in range(rows))) for active in range(rows + 1)]
    measured = simulate_column_reads(config, reads)
    analytical = crossbar_energies(config, cim_chip(arch))
    sweep = [{"active_rows": sum(read.inputs), "current_A": m.column_current_A, "ideal_current_A": m.ideal_current_A,
              "code": m.code, "ideal_code": m.ideal_code, "energies_J": m.energies_J, "settling_s": m.settling_s}
             for read, m in zip(reads, measured)]
    full = measured[-1]
    model_adc = analytical.adc_conversion_J[full.adc_bits] * _scale(config, "adc", full.adc_bits)
    spice_adc = full.energies_J["comparators"] + full.energies_J["ladder"]
    return {
        "circuit": "crossbar column", "arch": arch.name, "rows": rows, "adc_bits": full.adc_bits,
        "calibrated": config.calibration is not None,
        "sweep": sweep,
        "max_current_error": max(abs(s["current_A"] / s["ideal_current_A"] - 1) for s in sweep if s["ideal_current_A"]),
        "max_code_error_lsb": max(abs(s["code"] - s["ideal_code"]) for s in sweep),
        "energy_ratios_spice_over_model": compare_with_analytical(analytical, reads[-1], full),
        "adc_energy_J": {"spice": spice_adc, "model": model_adc},
        "energy_rel_error": (model_adc - spice_adc) / spice_adc,
        "analytical_energies_J": {key: value for key, value in asdict(analytical).items()
                                  if key != "adc_conversion_J"},
    }


def _scale(config, term: str, bits: int | None = None) -> float:
    """The spec's SPICE calibration factor for an energy term (1 when uncalibrated)."""
    return calibration_factor(config.calibration, term, bits)


def fefet_config(arch: Architecture, rows: int):
    config = require_kind(arch, "fefet_array", "this simulation")
    if not 2 <= rows <= 256:
        raise CodesignError(f"--rows must be between 2 and 256 (got {rows})")
    return config.model_copy(update={"rows": rows})


def fefet_cell_report() -> dict:
    """The FeFET device: the Vth each program scheme writes, read twice (non-destructive read)."""
    from codesign.cosim.fefet_device import PROGRAM_PULSES_V, FefetParams, written_states

    params = FefetParams()
    states = written_states(params, read_sweeps=2)
    return {"circuit": "fefet cell", "device": asdict(params),
            "states": [{"pulses_V": list(pulses), "vth_first_read_V": reads[0], "vth_second_read_V": reads[1]}
                       for pulses, reads in zip(PROGRAM_PULSES_V, states, strict=True)]}


def fefet_column_report(arch: Architecture, rows: int, runs: int, seed: int) -> dict:
    """A charge-domain MAC column: transfer curve (INL/DNL), energy per MAC, Monte Carlo."""
    from codesign.cosim.fefet_column import analytical_sense_V, monte_carlo, simulate_columns
    from codesign.cost.fefet import fefet_parts, mac_column_energy, mac_error_rate

    config = fefet_config(arch, rows)
    sums = sorted({round(step * rows / 8) for step in range(9)})
    cases = [([1] * total + [0] * (rows - total), [1] * rows) for total in sums]
    alternate = ([row % 4 == 0 for row in range(rows)], [row % 2 == 0 for row in range(rows)])
    results = simulate_columns(config, [*cases, tuple([int(b) for b in part] for part in alternate)],
                               f"fefet column N={rows}")
    lsb = analytical_sense_V(config, 1)
    transfer = [{"sum": total, "spice_V": result.sense_V, "model_V": analytical_sense_V(config, total)}
                for total, result in zip(sums, results)]
    errors = [(point["spice_V"] - point["model_V"]) / lsb for point in transfer]
    model_terms = mac_column_energy(fefet_parts(config, cim_chip(arch)), rows)  # density 0.5, as the alternating case
    model_J = model_terms["cell_charge"] * _scale(config, "cell_charge") + model_terms["drivers"] * _scale(config, "drivers")
    spice_J = results[-1].energy_J
    report = {
        "circuit": "fefet column", "arch": arch.name, "rows": rows, "lsb_V": lsb, "transfer": transfer,
        "inl_lsb": max(abs(error) for error in errors),
        "dnl_lsb": max(abs(b - a) for a, b in zip(errors, errors[1:])) if len(errors) > 1 else 0.0,
        "calibrated": config.calibration is not None,
        "energy_per_cycle_J": {"spice_charge_and_lines": spice_J, "model_cell_charge_and_drivers": model_J,
                               "model_sense_precharge_not_simulated": model_terms["sense_precharge"],
                               "model_adc_not_simulated": model_terms["adc"]},
        "energy_rel_error": (model_J - spice_J) / spice_J,
        "latency_s": {"charge_settle": results[-1].charge_settle_s, "share_settle": results[-1].share_settle_s},
    }
    if runs:
        weights, inputs = cases[len(cases) // 2]
        _, readback = monte_carlo(config, weights, inputs, runs, seed)
        true_sum = sum(weights)
        report["monte_carlo"] = {"runs": runs, "seed": seed, "sigma_V": config.vth_sigma_V,
                                 "error_rate": float((readback != true_sum).mean()),
                                 "errors": [int(value - true_sum) for value in readback],
                                 "model_output_error": mac_error_rate(config, rows)[1]}
    return report


def fefet_search_report(arch: Architecture, bits: int, runs: int, seed: int) -> dict:
    """Associative search on one column: match-line voltage vs Hamming distance, Monte Carlo."""
    from codesign.cosim.fefet_search import analytical_match_V, search_monte_carlo, search_sweep

    config = fefet_config(arch, 2 * bits)
    distances = sorted({round(step * bits / 8) for step in range(9)})
    sweep = [{"distance": distance, "spice_V": voltage, "model_V": analytical_match_V(config, bits, distance)}
             for distance, voltage in search_sweep(config, bits, distances, seed)]
    step = analytical_match_V(config, bits, 1)
    report = {"circuit": "fefet search", "arch": arch.name, "bits": bits, "sweep": sweep,
              "max_error_lsb": max(abs(point["spice_V"] - point["model_V"]) / step for point in sweep)}
    if runs:
        report["monte_carlo"] = {"runs": runs, "seed": seed, "sigma_V": config.vth_sigma_V,
                                 "error_rate": search_monte_carlo(config, bits, runs, seed=seed)}
    return report
