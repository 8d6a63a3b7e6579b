"""`codesign calibrate`: fitted factors bring the model onto SPICE, and compile uses them."""

import pytest
import yaml

from codesign.arch import load_arch
from codesign.cli import main
from codesign.compiler import compile_graph
from codesign.cosim.calibrate import least_squares_scale
from codesign.cosim.reports import fefet_column_report
from codesign.frontend import load_model
from tests.unit.test_bad_input import assert_one_line_error, run


def test_least_squares_scale():
    assert least_squares_scale([1.0, 2.0], [0.5, 1.0]) == pytest.approx(0.5)
    # relative residuals: a 10x larger point does not outweigh a small one
    ratios = (1 / 1.1, 10 / 9)  # model / SPICE
    assert least_squares_scale([1.0, 10.0], [1.1, 9.0]) == pytest.approx(sum(ratios) / sum(r * r for r in ratios))


def test_the_crossbar_fit_recovers_its_terms_with_standard_errors_and_says_it_changes_the_form():
    from codesign.arch.cim import Calibration
    from codesign.cosim.calibrate import _fit_crossbar

    # SPICE = 10 x the model's cells, 0.3 x its word lines, and per conversion (converter and sense
    # amplifier) 9 pJ + 5 fJ per bit + 0.1 pJ per row, with +-1% scatter: the fit recovers them
    scatter = (1.01, 0.99, 1.0, 1.005, 0.995, 1.0, 0.99, 1.01)
    sizes = ((8, 5), (16, 6), (32, 7), (64, 8), (128, 8), (32, 5), (32, 6), (32, 8))
    points = []
    for (rows, bits), noise in zip(sizes, scatter):
        cells, lines, conversion = 1e-15 * rows, 2e-15 * rows, (9e-12 + 5e-15 * bits + 1e-13 * rows) * noise
        energy = {"cells": {"spice": 10 * cells, "model": cells}, "word_lines": {"spice": 0.3 * lines, "model": lines},
                  "sense_amplifier": {"spice": 0.9 * conversion, "model": 0.0},
                  "adc": {"spice": 0.1 * conversion, "model": 1e-12}}
        points.append({"rows": rows, "bits": bits, "spice_J": 10 * cells + 0.3 * lines + conversion,
                       "model_J": cells + lines + 1e-12, "energy_J": energy})
    document = _fit_crossbar(load_arch("crossbar"), points)
    fit, added = document["fit"], document["added"]["adc"]
    assert fit["degrees_of_freedom"] == 3 and fit["rms_relative_residual"] < 0.01
    assert document["energy_scale"] == {"array": pytest.approx(10), "dac": pytest.approx(0.3), "adc": 0.0}
    assert added["per_row_J"] == pytest.approx(1e-13, abs=3 * fit["standard_errors"]["added.adc.per_row_J"])
    assert added["fixed_J"] == pytest.approx(9e-12, abs=3 * fit["standard_errors"]["added.adc.fixed_J"])
    assert "added.adc" in document["form_changes"] and "sense-amplifier" in document["form_changes"]["added.adc"]
    Calibration(**document)  # what the file holds loads as a spec's calibration


def test_fefet_calibration_brings_energy_within_ten_percent(capsys, tmp_path):
    path = tmp_path / "fefet.yaml"
    assert main(["calibrate", "fefet", "-o", str(path)]) == 0
    document = yaml.safe_load(path.read_text())
    assert all(abs(point["error_after"]) < 0.10 for point in document["measurements"])
    assert set(document["energy_scale"]) == {"cell_charge", "drivers"}
    fit = document["fit"]
    assert fit["degrees_of_freedom"] == len(document["measurements"]) - 1
    assert set(fit["standard_errors"]) == {"energy_scale.cell_charge", "energy_scale.drivers"}
    assert fit["rms_relative_residual"] == pytest.approx(
        (sum(point["error_after"] ** 2 for point in document["measurements"]) / len(document["measurements"])) ** 0.5)
    out = capsys.readouterr().out
    assert "energy_scale.cell_charge" in out and "+-" in out and "residual RMS" in out
    assert_one_line_error(*run(capsys, "calibrate", "fefet", "-o", str(path))[::2], "already exists")


def test_the_shipped_calibrated_spec_is_used_by_compile_and_spice():
    plain, calibrated = load_arch("fefet_1f1c"), load_arch("fefet_1f1c_calibrated")
    scale = calibrated.compute.calibration.energy_scale["cell_charge"]
    graph = load_model("digits_cnn").graph
    before, after = compile_graph(graph, plain).layers[0], compile_graph(graph, calibrated).layers[0]
    assert after.energy_breakdown_J["cell_charge"] == pytest.approx(before.energy_breakdown_J["cell_charge"] * scale)
    assert after.energy_breakdown_J["adc"] == pytest.approx(before.energy_breakdown_J["adc"])
    report = fefet_column_report(calibrated, 16, 0, 0)
    assert report["calibrated"] and abs(report["energy_rel_error"]) < 0.10


def test_calibration_terms_are_checked(tmp_path):
    from codesign.errors import ArchSpecError

    spec = yaml.safe_load(load_arch("fefet_1f1c").model_dump_json())
    spec["hierarchy"][-1]["calibration"] = {"energy_scale": {"array": 0.5}, "source": "test"}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(ArchSpecError, match="calibration.energy_scale.array: is not an energy term"):
        load_arch(path)


def test_crossbar_calibration_brings_every_size_and_resolution_within_ten_percent(capsys, tmp_path):
    path = tmp_path / "crossbar.yaml"
    assert main(["calibrate", "crossbar", "-o", str(path)]) == 0
    document = yaml.safe_load(path.read_text())
    measured = document["measurements"]
    assert [(point["rows"], point["bits"]) for point in measured] == \
        [(8, 5), (16, 6), (32, 7), (64, 8), (128, 8), (32, 5), (32, 6), (32, 8)]
    assert all(abs(point["error_before"]) > 0.5 for point in measured)  # the model has no sense amplifier
    assert all(abs(point["error_after"]) < 0.10 for point in measured)
    assert document["fit"]["standard_errors"]["added.adc.per_row_J"] > 0 and "added.adc" in document["form_changes"]
    assert "added.adc changes the model's form" in capsys.readouterr().out


def test_arch_show_lists_calibration_factors_and_form_changes(capsys):
    assert main(["arch", "show", "crossbar_calibrated"]) == 0
    out = capsys.readouterr().out
    assert "SPICE calibration factors: energy_scale.array" in out and "added.adc.per_row_J" in out
    assert "added.adc changes the model's form" in out


def test_the_shipped_crossbar_calibration_adds_the_sense_amplifier_per_conversion():
    plain, calibrated = load_arch("crossbar"), load_arch("crossbar_calibrated")
    graph = load_model("digits_cnn").graph
    before, after = compile_graph(graph, plain).layers[0], compile_graph(graph, calibrated).layers[0]
    added = calibrated.compute.calibration.added["adc"]
    assert after.energy_breakdown_J["adc"] > before.energy_breakdown_J["adc"]
    assert added.fixed_J > 1e-12  # the column's amplifier: picojoules per conversion
