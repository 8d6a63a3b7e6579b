"""`codesign calibrate fefet|crossbar`: fit the analytical model's energy terms to SPICE.

Scale factors s minimise the relative residuals sum(((s m_i - x_i) / x_i)^2) over the SPICE
measurements x_i and the model's values m_i of the same terms, for several array sizes; energy
the model has no term for is fitted as an added linear term. The factors go to a calibration
file that a spec references (`calibration: {ref: calibration/NAME.yaml}` in its macro); compile
then applies them. The file records each factor's standard error (from the fit's covariance:
residual variance over the degrees of freedom), the residuals (RMS and worst point), and under
`form_changes` what changes the model's functional form rather than its scale.

  fefet     cell_charge and drivers, against the column's measured charge drawn from the
            read rail (cell capacitors and input lines), for N = 8, 16, 32, 64 cells
  crossbar  per conversion: cells ('array') and word lines ('dac') scaled; the SAR converter
            and the sense amplifier (no model term) replaced by fixed + per bit + per row
            (CROSSBAR_POINTS: 8-128 rows at the model's bits, and 5-8 bits at 32 rows)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy
import yaml

from codesign.arch.schema import Architecture
from codesign.cosim.crossbar_energy import full_read_point
from codesign.cosim.reports import fefet_column_report
from codesign.errors import CodesignError
from codesign.report.output import write_text

FEFET_ROWS = (8, 16, 32, 64)
# (rows, ADC bits): the model's bits per read (None: required_adc_bits capped at the spec's) for
# several array sizes, and the spec's converter at other resolutions for one size
CROSSBAR_POINTS = ((8, None), (16, None), (32, None), (64, None), (128, None), (32, 5), (32, 6), (32, 8))


def least_squares_scale(model: list[float], measured: list[float]) -> float:
    """The factor s minimising the relative residuals sum(((s m - x) / x)^2)."""
    return _fit_scale(model, measured)[0]


def _fit_scale(model: Sequence[float], measured: Sequence[float]) -> tuple[float, float]:
    """(s, its standard error): least squares of s * (m / x) against 1, i.e. relative residuals,
    so small and large arrays count alike; the error from the residual variance (n - 1 dof)."""
    ratios = numpy.asarray(model, dtype=float) / numpy.asarray(measured, dtype=float)
    scale = float(ratios.sum() / (ratios @ ratios))
    residuals = 1 - scale * ratios
    freedom = len(ratios) - 1
    variance = residuals @ residuals / freedom if freedom else 0.0
    return scale, float(numpy.sqrt(variance / (ratios @ ratios)))


def calibrate(kind: str, arch: Architecture) -> dict:
    """The calibration document (as written to YAML) for the spec's macro."""
    arch = _uncalibrated(arch)  # fit the model as it stands, not an earlier calibration of it
    if kind == "fefet":
        points = []
        for rows in FEFET_ROWS:
            energy = fefet_column_report(arch, rows, 0, 0)["energy_per_cycle_J"]
            points.append({"rows": rows, "spice_J": energy["spice_charge_and_lines"],
                           "model_J": energy["model_cell_charge_and_drivers"]})
        terms, circuit = ("cell_charge", "drivers"), "1FeFET-1C column, charge from the read rail"
    elif kind == "crossbar":
        return _crossbar(arch)
    else:
        raise CodesignError(f"calibrate knows fefet and crossbar (got {kind!r})")
    scale, error = _fit_scale([p["model_J"] for p in points], [p["spice_J"] for p in points])
    return _document(kind, arch, circuit, points, {"energy_scale": {term: scale for term in terms}},
                     lambda point: scale * point["model_J"], {f"energy_scale.{term}": error for term in terms},
                     len(points) - 1)


def _crossbar(arch: Architecture) -> dict:
    points = []
    for rows, bits in CROSSBAR_POINTS:
        point = full_read_point(arch, rows, bits)
        energy = point["energy_J"]
        points.append({"rows": rows, "bits": point["bits"], "spice_J": energy["total"]["spice"],
                       "model_J": energy["total"]["model"], "energy_J": energy})
    return _fit_crossbar(arch, points)


def _fit_crossbar(arch: Architecture, points: list[dict]) -> dict:
    """Per conversion, term by term: the cells ('array') and word lines ('dac') are scaled; the
    converter and the sense amplifier, which the model has no term for, are fitted as energy
    added per conversion, fixed + per bit + per row read (a SAR converter spends per bit cycle,
    the amplifier sinks the column current), and the model's own ADC term is set to 0."""
    def component(name: str, side: str) -> list[float]:
        return [point["energy_J"][name][side] for point in points]

    array, array_error = _fit_scale(component("cells", "model"), component("cells", "spice"))
    dac, dac_error = _fit_scale(component("word_lines", "model"), component("word_lines", "spice"))
    added, added_errors = _fit_linear([(point["bits"], point["rows"]) for point in points],
                                      [point["energy_J"]["adc"]["spice"] + point["energy_J"]["sense_amplifier"]["spice"]
                                       for point in points])
    factors = {"energy_scale": {"array": array, "dac": dac, "adc": 0.0},
               "added": {"adc": dict(zip(("fixed_J", "per_bit_J", "per_row_J"), added))}}

    def calibrated(point: dict) -> float:
        energy = point["energy_J"]
        return (array * energy["cells"]["model"] + dac * energy["word_lines"]["model"]
                + added[0] + added[1] * point["bits"] + added[2] * point["rows"])
    errors = {"energy_scale.array": array_error, "energy_scale.dac": dac_error,
              **{f"added.adc.{name}": error for name, error in zip(("fixed_J", "per_bit_J", "per_row_J"), added_errors)}}
    form = {"added.adc": "the model's ADC term (its survey fit, scaled by 0) is replaced by what SPICE measures "
                         "per conversion, converter and sense amplifier together: fixed + per bit x bits + per row "
                         "x rows per read; the model itself has no sense-amplifier term (sample-and-hold is not "
                         "modelled), so this adds one, fitted over "
                         f"{min(p['rows'] for p in points)}-{max(p['rows'] for p in points)} rows and "
                         f"{min(p['bits'] for p in points)}-{max(p['bits'] for p in points)} bits and unchecked "
                         "outside them"}
    return _document("crossbar", arch, "crossbar column per conversion (cells, word lines, sense amplifier, SAR ADC)",
                     points, factors, calibrated, errors, len(points) - 5, form)


def _fit_linear(bits_and_rows: list[tuple[int, int]], measured: list[float]) -> tuple[list[float], list[float]]:
    """(fixed, per bit, per row) of measured ~ fixed + per_bit bits + per_row rows, least squares of
    the relative residuals, with the coefficients' standard errors from the fit's covariance."""
    values = numpy.asarray(measured, dtype=float)
    design = numpy.column_stack([numpy.ones(len(values)), *numpy.asarray(bits_and_rows, dtype=float).T])
    weighted = design / values[:, None]
    coefficients, *_ = numpy.linalg.lstsq(weighted, numpy.ones(len(values)), rcond=None)
    residuals = 1 - weighted @ coefficients
    freedom = len(values) - design.shape[1]
    covariance = (residuals @ residuals / freedom if freedom > 0 else 0.0) * numpy.linalg.pinv(weighted.T @ weighted)
    return [float(value) for value in coefficients], [float(value) for value in numpy.sqrt(numpy.diag(covariance))]


def _uncalibrated(arch: Architecture) -> Architecture:
    macro = arch.compute.model_copy(update={"calibration": None})
    return arch.model_copy(update={"hierarchy": (*arch.hierarchy[:-1], macro)})


def _document(kind, arch, circuit, points, factors, calibrated, standard_errors, freedom,
              form_changes=None) -> dict:
    """The calibration file's content: the factors (`energy_scale`, any `added`), the fit's
    uncertainty and residuals, the form changes, the points with their errors before and after."""
    for point in points:
        point["calibrated_J"] = calibrated(point)
        point["error_before"] = (point["model_J"] - point["spice_J"]) / point["spice_J"]
        point["error_after"] = (point["calibrated_J"] - point["spice_J"]) / point["spice_J"]
    worst = max(points, key=lambda point: abs(point["error_after"]))
    fit = {"standard_errors": standard_errors,
           "rms_relative_residual": float(numpy.sqrt(numpy.mean([p["error_after"] ** 2 for p in points]))),
           "worst_relative_residual": worst["error_after"],
           "worst_point": {key: worst[key] for key in ("rows", "bits") if key in worst},
           "degrees_of_freedom": max(0, freedom)}
    return {**factors, "fit": fit, **({"form_changes": form_changes} if form_changes else {}),
            "source": f"codesign calibrate {kind} --arch {arch.name}: {circuit}, "
                      f"N = {', '.join(str(p['rows']) for p in points)}",
            "measurements": points}


def write_calibration(document: dict, path: Path, force: bool) -> Path:
    if path.exists() and not force:
        raise CodesignError(f"{path}: already exists (pass --force to overwrite it)")
    header = "# Written by `codesign calibrate`; reference it from a spec (the macro, compute unit or SNN cores) as\n" \
             "#   calibration: {ref: <path to this file>}\n"
    return write_text(path, header + yaml.safe_dump(document, sort_keys=False))
