"""`codesign spice`: a real simulation reported next to the model, and its bad input."""

import json

from codesign.cli import main
from tests.unit.test_bad_input import assert_one_line_error, run


def test_spice_crossbar_json(capsys, tmp_path):
    path = tmp_path / "column.json"
    assert main(["spice", "crossbar", "--rows", "8", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    assert report["rows"] == 8 and len(report["sweep"]) == 9
    assert report["max_current_error"] < 0.01 and report["max_code_error_lsb"] <= 1
    spice, model = report["adc_energy_J"]["spice"], report["adc_energy_J"]["model"]
    assert report["energy_rel_error"] == (model - spice) / spice


def test_spice_crossbar_bad_input(capsys):
    assert_one_line_error(*run(capsys, "spice", "crossbar", "--rows", "0")[::2], "--rows must be between 1 and")
    assert_one_line_error(*run(capsys, "spice", "crossbar", "--arch", "simba")[::2], "needs a crossbar spec")
