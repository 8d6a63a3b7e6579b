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


def test_spice_column_transfer_energy_and_monte_carlo(capsys, tmp_path):
    path = tmp_path / "column.json"
    assert main(["spice", "column", "--rows", "8", "--mc", "4", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    voltages = [point["spice_V"] for point in report["transfer"]]
    assert voltages == sorted(voltages) and report["inl_lsb"] < 0.5
    assert abs(report["energy_rel_error"]) < 0.5
    assert report["monte_carlo"]["runs"] == 4 and len(report["monte_carlo"]["errors"]) == 4


def test_spice_cell_writes_distinct_states(capsys, tmp_path):
    path = tmp_path / "cell.json"
    assert main(["spice", "cell", "--json", str(path)]) == 0
    thresholds = [state["vth_first_read_V"] for state in json.loads(path.read_text())["states"]]
    assert len(set(round(vth, 2) for vth in thresholds)) == 4


def test_spice_column_bad_input(capsys):
    assert_one_line_error(*run(capsys, "spice", "column", "--rows", "1")[::2], "--rows must be between 2 and 256")
    assert_one_line_error(*run(capsys, "spice", "column", "--arch", "crossbar")[::2], "needs a fefet_array spec")


def test_spice_search_sweep(capsys, tmp_path):
    path = tmp_path / "search.json"
    assert main(["spice", "search", "--bits", "8", "--mc", "2", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    voltages = [point["spice_V"] for point in report["sweep"]]
    assert voltages == sorted(voltages) and report["max_error_lsb"] < 0.1
    assert 0 <= report["monte_carlo"]["error_rate"] <= 1


def test_spice_plots(capsys, tmp_path):
    assert main(["spice", "column", "--rows", "8", "--plot", str(tmp_path)]) == 0
    assert main(["spice", "cell", "--plot", str(tmp_path)]) == 0
    written = sorted(path.name for path in tmp_path.iterdir())
    charts = ("fefet_column_transfer", "fefet_id_vg", "fefet_pv_loop")
    assert written == [f"{chart}.{suffix}" for chart in charts for suffix in ("pdf", "png")]
    assert all((tmp_path / f"{chart}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for chart in charts)
    assert all((tmp_path / f"{chart}.pdf").read_bytes()[:4] == b"%PDF" for chart in charts)
