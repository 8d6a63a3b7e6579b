"""`codesign spice`: SPICE measurements next to the analytical model's prediction."""

from __future__ import annotations

from dataclasses import asdict

import numpy

from codesign.arch.cim import calibration_factor
from codesign.arch.schema import Architecture
from codesign.cosim.crossbar_column import ColumnDevices, ColumnRead, simulate_column_reads
from codesign.cosim.crossbar_energy import column_levels, energy_by_component
from codesign.cost.crossbar import crossbar_energies
from codesign.cost.in_memory import cim_chip
from codesign.errors import CodesignError
from codesign.target import require_kind


def crossbar_report(arch: Architecture, rows: int) -> dict:
    """Reads with 0..rows driven rows (at most 17 of them) on one column of the spec's crossbar: current
    against V*sum(G*x) (IR drop), codes, and the all-rows read's energy by component against the model."""
    config = require_kind(arch, "crossbar", "spice crossbar")
    if not 1 <= rows <= config.rows:
        raise CodesignError(f"--rows must be between 1 and the crossbar's rows={config.rows} (got {rows})")
    levels, devices = column_levels(rows, config.cell_bits), ColumnDevices()
    actives = sorted({round(step * rows / min(rows, 16)) for step in range(min(rows, 16) + 1)})
    reads = [ColumnRead(levels, tuple(int(row < active) for row in range(rows))) for active in actives]
    measured = simulate_column_reads(config, reads, devices)
    lsb_A = devices.read_V * (1 / devices.on_ohm - 1 / devices.off_ohm) / (2**config.cell_bits - 1)
    sweep = [{"active_rows": sum(read.inputs), "current_A": m.column_current_A, "ideal_current_A": m.ideal_current_A,
              "ir_drop_lsb": (m.ideal_current_A - m.column_current_A) / lsb_A,
              "code": m.code, "ideal_code": m.ideal_code,
              "code_of_current": min(2**m.adc_bits - 1, round(m.column_current_A / lsb_A)),
              "energies_J": m.energies_J, "settling_s": m.settling_s}
             for read, m in zip(reads, measured)]
    energy = energy_by_component(arch, reads[-1], measured[-1])
    spice_adc, model_adc = energy["adc"]["spice"], energy["adc"]["model"]
    return {
        "circuit": "crossbar column", "arch": arch.name, "rows": rows,
        "converter": f"{config.adc_bits}-bit SAR", "spec_adc_bits": config.adc_bits, "adc_bits": measured[-1].adc_bits,
        "calibrated": config.calibration is not None,
        "wires": {"ohm_per_cell": devices.wire_ohm_per_cell, "F_per_cell": devices.wire_F_per_cell,
                  "driver_ohm": devices.driver_ohm, "word_line_sections": devices.word_line_sections},
        "sweep": sweep,
        "max_current_error": max(abs(s["current_A"] / s["ideal_current_A"] - 1) for s in sweep if s["ideal_current_A"]),
        "max_code_error_lsb": max(abs(s["code"] - s["ideal_code"]) for s in sweep),
        "max_quantizer_error_lsb": max(abs(s["code"] - s["code_of_current"]) for s in sweep),
        "ir_drop_beyond_one_lsb": [s["active_rows"] for s in sweep if abs(s["code"] - s["ideal_code"]) > 1],
        "energy_J": energy,
        "adc_energy_J": {"spice": spice_adc, "model": model_adc},
        "energy_rel_error": (model_adc - spice_adc) / spice_adc,
        "total_rel_error": (energy["total"]["model"] - energy["total"]["spice"]) / energy["total"]["spice"],
        "analytical_energies_J": {key: value for key, value in asdict(crossbar_energies(config, cim_chip(arch))).items()
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
    """The FeFET device measured in ngspice: P-V loop, Vth states (each read twice), SS, window, ON/OFF."""
    from codesign.arch import load_arch
    from codesign.cosim.fefet_characterize import SEPARATION_SIGMAS, characterize
    from codesign.cosim.fefet_device import ERASE_V, PARAMETER_SOURCES, PROGRAM_AMPLITUDES_V

    spec = load_arch("fefet_1f1c").compute
    cell = characterize(spec.vth_sigma_V)
    params, loop = cell.params, cell.loop
    swings = [value * 1e3 for value in cell.swings_V_per_decade.values()]
    states = [{"program_V": amplitude, "pulses_V": list(result.pulses_V),
               "vth_first_read_V": result.thresholds_V[0], "vth_second_read_V": result.thresholds_V[1],
               "subthreshold_swing_mV_per_decade": cell.swings_V_per_decade[amplitude] * 1e3,
               "polarization_C_per_m2": result.polarization_C_per_m2,
               "id_vg": {"gate_V": result.gate_V.tolist(), "drain_A": result.drain_A.tolist()}}
              for amplitude, result in zip(PROGRAM_AMPLITUDES_V, cell.cell_states, strict=True)]
    return {
        "circuit": "fefet cell",
        "subthreshold_swing_mV_per_decade": float(numpy.median(swings)),
        "remanent_polarization_C_per_m2": loop.remanent_polarization_C_per_m2,
        "remanent_polarization_uC_per_cm2": loop.remanent_polarization_C_per_m2 * 100,
        "coercive_field_V_per_m": loop.coercive_field_V_per_m,
        "coercive_voltage_V": loop.coercive_voltage_V,
        "memory_window_V": cell.memory_window_V,
        "on_off_ratio": cell.on_off_ratio, "on_off_read_V": cell.read_V,
        "write_voltage_V": PROGRAM_AMPLITUDES_V[0], "erase_voltage_V": ERASE_V, "write_pulse_s": params.pulse_s,
        "distinguishable_states": cell.distinguishable_states,
        "distinguishable_criterion": f"Vth at least {SEPARATION_SIGMAS:g} sigma apart, sigma = spec vth_sigma_V "
                                     f"{spec.vth_sigma_V:g} V",
        "vth_criterion_A": params.read_current_A, "read_drain_V": params.read_drain_V,
        "states": states,
        "program_sweep": [{"program_V": amplitude, "vth_V": result.thresholds_V[0]}
                          for amplitude, result in cell.sweep.items()],
        "spec_vth_states_V": list(spec.vth_states_V),
        "pv_loop": {"film_V": loop.voltage_V.tolist(), "polarization_C_per_m2": loop.polarization_C_per_m2.tolist(),
                    "thickness_m": params.film.thickness_m},
        "device": {"parameters": asdict(params), "sources": PARAMETER_SOURCES},
    }


MODEL_LEAVES_OUT = (
    "reset, share and word-line clock drivers: the switch and FeFET gate charge (spice_*_not_in_model)",
    "the cell node's junction capacitance, charged to the cell voltage with C_cell",
    "OFF cells' subthreshold charging (weight 0, input 1) and the ON cells' incomplete charge "
    "(body effect), which the model takes as 0 and V_read",
)
"""What the column circuit has and codesign/cost/fefet.py's energy and V_out do not (reported as such)."""


def fefet_column_report(arch: Architecture, rows: int, runs: int, seed: int, method: str = "auto",
                        progress=None) -> dict:
    """A charge-domain MAC column: transfer curve (INL/DNL), energy per MAC, Monte Carlo."""
    from codesign.cosim.column_parasitics import ColumnNonIdealities, draw_column
    from codesign.cosim.fefet_column import (
        analytical_sense_V,
        drawn_case,
        monte_carlo,
        simulate_columns,
        transfer_cases,
        transfer_sums,
    )
    from codesign.cosim.linearity import linearity
    from codesign.cost.fefet import fefet_parts, mac_column_energy, mac_error_rate

    config = fefet_config(arch, rows)
    nonideal = ColumnNonIdealities.from_config(config, seed=seed)
    draw = draw_column(nonideal, config, rows)
    sums = transfer_sums(rows)
    cases = [([1] * total + [0] * (rows - total), [1] * rows) for total in sums]
    alternate = drawn_case(config, draw, [int(row % 4 == 0) for row in range(rows)],
                           [int(row % 2 == 0) for row in range(rows)])
    results = simulate_columns(config, [*transfer_cases(config, draw, sums), alternate], f"fefet column N={rows}",
                               nonideal=nonideal)
    lsb = analytical_sense_V(config, 1)
    transfer = [{"sum": total, "spice_V": result.sense_V, "model_V": analytical_sense_V(config, total)}
                for total, result in zip(sums, results)]
    model_terms = mac_column_energy(fefet_parts(config, cim_chip(arch)), rows)  # density 0.5, as the alternating case
    model_J = model_terms["cell_charge"] * _scale(config, "cell_charge") + model_terms["drivers"] * _scale(config, "drivers")
    spice_J = results[-1].energy_J
    report = {
        "circuit": "fefet column", "arch": arch.name, "rows": rows, "seed": seed, "lsb_V": lsb, "transfer": transfer,
        **linearity(sums, [point["spice_V"] for point in transfer], lsb).as_dict(),
        "max_model_error_lsb": max(abs(point["spice_V"] - point["model_V"]) / lsb for point in transfer),
        "non_idealities": asdict(nonideal),
        "calibrated": config.calibration is not None,
        "energy_per_cycle_J": {"spice_charge_and_lines": spice_J, "model_cell_charge_and_drivers": model_J,
                               "model_sense_precharge_not_simulated": model_terms["sense_precharge"],
                               "model_adc_not_simulated": model_terms["adc"],
                               **{f"spice_{name}_not_in_model": energy
                                  for name, energy in results[-1].clock_energy_J.items()}},
        "energy_rel_error": (model_J - spice_J) / spice_J,
        "model_leaves_out": MODEL_LEAVES_OUT,
        "latency_s": {"charge_settle": results[-1].charge_settle_s, "share_settle": results[-1].share_settle_s},
    }
    if runs:
        weights, inputs = cases[len(cases) // 2]
        carlo = monte_carlo(config, weights, inputs, runs, mac_error_rate(config, rows)[1], seed, method=method,
                            progress=progress)
        report["monte_carlo"] = _monte_carlo_section(carlo, seed, config.vth_sigma_V)
    return report


def _monte_carlo_section(carlo, seed: int, sigma_V: float) -> dict:
    """The JSON of a Monte Carlo: the estimate (montecarlo.RateEstimate), its inputs, its samples."""
    return {**carlo.estimate.as_dict(), "seed": seed, "sigma_V": sigma_V,
            "predicted_by": "codesign.cost.fefet.mac_error_rate: the column output off by a level or more",
            "nominal_levels_V": carlo.levels_V.tolist(), "outputs_V": carlo.outputs_V.tolist()}


def fefet_search_report(arch: Architecture, bits: int, runs: int, seed: int, method: str = "auto",
                        progress=None) -> dict:
    """Associative search on one column: match-line voltage vs Hamming distance, Monte Carlo."""
    from codesign.cosim.fefet_column import transfer_sums
    from codesign.cosim.fefet_search import analytical_match_V, search_monte_carlo, search_sweep
    from codesign.cosim.linearity import linearity

    config = fefet_config(arch, 2 * bits)
    distances = transfer_sums(bits)
    sweep = [{"distance": distance, "spice_V": voltage, "model_V": analytical_match_V(config, bits, distance)}
             for distance, voltage in search_sweep(config, bits, distances, seed)]
    step = analytical_match_V(config, bits, 1)
    report = {"circuit": "fefet search", "arch": arch.name, "bits": bits, "seed": seed, "lsb_V": step, "sweep": sweep,
              **linearity(distances, [point["spice_V"] for point in sweep], step).as_dict(),
              "max_error_lsb": max(abs(point["spice_V"] - point["model_V"]) / step for point in sweep)}
    if runs:
        from codesign.cost.fefet import mac_error_rate

        predicted = mac_error_rate(config, 2 * bits)[1]  # the match line is a column of 2D rows
        carlo = search_monte_carlo(config, bits, runs, predicted, seed=seed, method=method, progress=progress)
        report["monte_carlo"] = _monte_carlo_section(carlo, seed, config.vth_sigma_V)
    return report
