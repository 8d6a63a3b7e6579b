"""`codesign calibrate fefet|crossbar`: fit the analytical model's energy terms to SPICE.

Each fit is a least-squares scale factor s minimising sum((s m_i - x_i)^2) over the SPICE
measurements x_i and the model's values m_i of the same terms (s = sum(m x) / sum(m^2)),
for several array sizes. The factors go to a calibration file that a spec references
(`calibration: {ref: calibration/NAME.yaml}` in its macro); compile then scales those terms.

  fefet     cell_charge and drivers, against the column's measured charge drawn from the
            read rail (cell capacitors and input lines), for N = 8, 16, 32, 64 cells
  crossbar  adc, against the flash front end's comparators and ladder, for N = 8, 16, 32 rows
            (5, 6 and 7 converter bits): a scale and a factor per bit, fitted in log space,
            since a flash converter's energy doubles per bit and the survey fit's does not
"""

from __future__ import annotations

from pathlib import Path

import numpy
import yaml

from codesign.arch.schema import Architecture
from codesign.cosim.reports import crossbar_report, fefet_column_report
from codesign.errors import CodesignError
from codesign.report.output import write_text

FEFET_ROWS = (8, 16, 32, 64)
CROSSBAR_ROWS = (8, 16, 32)


def least_squares_scale(model: list[float], measured: list[float]) -> float:
    return sum(m * x for m, x in zip(model, measured, strict=True)) / sum(m * m for m in model)


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
    scale = least_squares_scale([p["model_J"] for p in points], [p["spice_J"] for p in points])
    return _document(kind, arch, circuit, points, {term: scale for term in terms}, {}, lambda point: scale)


def _crossbar(arch: Architecture) -> dict:
    points = []
    for rows in CROSSBAR_ROWS:
        report = crossbar_report(arch, rows)
        points.append({"rows": rows, "bits": report["adc_bits"], "spice_J": report["adc_energy_J"]["spice"],
                       "model_J": report["adc_energy_J"]["model"]})
    # log(spice / model) = log(scale) + bits * log(per_bit), least squares over the points
    bits = numpy.array([p["bits"] for p in points], dtype=float)
    ratios = numpy.log([p["spice_J"] / p["model_J"] for p in points])
    slope, intercept = numpy.polyfit(bits, ratios, 1)
    scale, per_bit = float(numpy.exp(intercept)), float(numpy.exp(slope))
    return _document("crossbar", arch, "crossbar column flash ADC (comparators and ladder)", points,
                     {"adc": scale}, {"adc": per_bit}, lambda point: scale * per_bit ** point["bits"])


def _uncalibrated(arch: Architecture) -> Architecture:
    macro = arch.compute.model_copy(update={"calibration": None})
    return arch.model_copy(update={"hierarchy": (*arch.hierarchy[:-1], macro)})


def _document(kind, arch, circuit, points, energy_scale, per_bit, factor) -> dict:
    for point in points:
        point["calibrated_J"] = point["model_J"] * factor(point)
        point["error_before"] = (point["model_J"] - point["spice_J"]) / point["spice_J"]
        point["error_after"] = (point["calibrated_J"] - point["spice_J"]) / point["spice_J"]
    document = {"energy_scale": energy_scale,
                "source": f"codesign calibrate {kind} --arch {arch.name}: {circuit}, "
                          f"N = {', '.join(str(p['rows']) for p in points)}",
                "measurements": points}
    return {**document, "per_bit": per_bit} if per_bit else document


def write_calibration(document: dict, path: Path, force: bool) -> Path:
    if path.exists() and not force:
        raise CodesignError(f"{path}: already exists (pass --force to overwrite it)")
    header = "# Written by `codesign calibrate`; reference it from a spec (the macro, compute unit or SNN cores) as\n" \
             "#   calibration: {ref: <path to this file>}\n"
    return write_text(path, header + yaml.safe_dump(document, sort_keys=False))
