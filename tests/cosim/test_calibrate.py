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


def test_fefet_calibration_brings_energy_within_ten_percent(capsys, tmp_path):
    path = tmp_path / "fefet.yaml"
    assert main(["calibrate", "fefet", "-o", str(path)]) == 0
    document = yaml.safe_load(path.read_text())
    assert all(abs(point["error_after"]) < 0.10 for point in document["measurements"])
    assert set(document["energy_scale"]) == {"cell_charge", "drivers"}
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


def test_crossbar_calibration_fits_the_flash_converter_per_bit(capsys, tmp_path):
    path = tmp_path / "crossbar.yaml"
    assert main(["calibrate", "crossbar", "-o", str(path)]) == 0
    document = yaml.safe_load(path.read_text())
    assert [point["bits"] for point in document["measurements"]] == [5, 6, 7]
    assert all(abs(point["error_after"]) < 0.10 for point in document["measurements"])
    assert document["per_bit"]["adc"] > 1.5  # a flash converter roughly doubles per bit
