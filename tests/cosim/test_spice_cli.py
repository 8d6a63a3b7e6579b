"""`codesign spice`: a real simulation reported next to the model, and its bad input."""

import json

from codesign.cli import main
from tests.unit.test_bad_input import assert_one_line_error, run


def test_spice_crossbar_json(capsys, tmp_path):
    path = tmp_path / "column.json"
    assert main(["spice", "crossbar", "--rows", "8", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    assert report["rows"] == 8 and len(report["sweep"]) == 9
    # IR drop along the word and bit lines: 1-10% below V*sum(G*x); the converter follows the current
    assert 0.01 < report["max_current_error"] < 0.10 and report["max_quantizer_error_lsb"] <= 1
    spice, model = report["adc_energy_J"]["spice"], report["adc_energy_J"]["model"]
    assert report["energy_rel_error"] == (model - spice) / spice


def test_spice_crossbar_bad_input(capsys):
    assert_one_line_error(*run(capsys, "spice", "crossbar", "--rows", "0")[::2], "--rows must be between 1 and")
    assert_one_line_error(*run(capsys, "spice", "crossbar", "--arch", "simba")[::2], "needs a crossbar spec")


def test_spice_column_transfer_energy_and_monte_carlo(capsys, tmp_path):
    path = tmp_path / "column.json"
    assert main(["spice", "column", "--rows", "8", "--mc", "4", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    voltages = [point["spice_V"] for point in report["transfer"]]
    assert voltages == sorted(voltages) and report["inl_lsb"] < 0.5
    assert abs(report["energy_rel_error"]) < 0.5
    carlo = report["monte_carlo"]
    assert carlo["runs"] == 4 and len(carlo["outputs_V"]) == 4 and carlo["method"] == "direct"
    # 4 runs cannot see the model's predicted rate: said so, in the JSON and on the console
    assert carlo["errors"] == 0 and not carlo["resolvable"] and carlo["confidence_interval_95"][1] > 0.5
    assert "0 errors in 4 runs" in carlo["verdict"] and "not resolvable with 4 runs" in carlo["verdict"]
    assert carlo["verdict"] in capsys.readouterr().out.replace("\n", " ")


def test_spice_column_bad_input(capsys):
    assert_one_line_error(*run(capsys, "spice", "column", "--rows", "1")[::2], "--rows must be between 2 and 256")
    assert_one_line_error(*run(capsys, "spice", "column", "--arch", "crossbar")[::2], "needs a fefet_array spec")


def test_spice_search_sweep(capsys, tmp_path):
    path = tmp_path / "search.json"
    assert main(["spice", "search", "--bits", "8", "--mc", "2", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    voltages = [point["spice_V"] for point in report["sweep"]]
    assert voltages == sorted(voltages) and report["max_error_lsb"] < 1 and 0 < report["inl_lsb"] < 1
    assert 0 <= report["monte_carlo"]["error_rate"] <= 1


def test_spice_plots(capsys, tmp_path):
    assert main(["spice", "column", "--rows", "8", "--plot", str(tmp_path)]) == 0
    written = sorted(path.name for path in tmp_path.iterdir())
    charts = ("fefet_column_transfer",)  # the cell's plots: tests/cosim/test_fefet_device.py
    assert written == [f"{chart}.{suffix}" for chart in charts for suffix in ("pdf", "png")]
    assert all((tmp_path / f"{chart}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for chart in charts)
    assert all((tmp_path / f"{chart}.pdf").read_bytes()[:4] == b"%PDF" for chart in charts)
