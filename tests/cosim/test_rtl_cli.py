"""`codesign rtl` and `codesign calibrate mac|lif`: real syntheses and simulations, their reports
and files, and their bad input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from codesign.arch import ARCH_SPECS_DIRECTORY, load_arch
from codesign.arch.energy import energy_table
from codesign.arch.rtl_calibration import SnnCalibration
from codesign.cli import main
from codesign.report.arch import format_arch
from codesign.target import target_for
from tests.unit.test_bad_input import assert_one_line_error, run


def test_rtl_pe_array_json_reports_model_and_rtl_cycles(capsys, tmp_path):
    path = tmp_path / "pe.json"
    assert main(["rtl", "pe-array", "--operations", "256", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    assert report["rtl_cycles"] == report["model_cycles"] == 2 * 4 + 4 + 16 - 1
    assert report["operations"] == 256 and report["energy_per_operation_J"] > 0 and report["area_m2"] > 0
    assert "every result checked" in capsys.readouterr().out


def test_rtl_plot_draws_energy_per_operation_against_bits(capsys, tmp_path):
    path = tmp_path / "mac.json"
    assert main(["rtl", "mac", "--operations", "150", "--plot", str(tmp_path / "plots"), "--json", str(path)]) == 0
    sweep = json.loads(path.read_text())["sweep"]
    assert [point["bits"] for point in sweep] == [2, 4, 8, 12, 16]
    energies = [point["energy_per_operation_J"] for point in sweep]
    assert energies == sorted(energies)
    assert {file.name for file in (tmp_path / "plots").iterdir()} == {"rtl_mac_energy_per_bits.png",
                                                                      "rtl_mac_energy_per_bits.pdf"}
    assert (tmp_path / "plots" / "rtl_mac_energy_per_bits.pdf").read_bytes().startswith(b"%PDF")


def test_rtl_bad_input(capsys):
    assert_one_line_error(*run(capsys, "rtl", "mac", "--bits", "20")[::2], "supported: 2 to 16")
    assert_one_line_error(*run(capsys, "rtl", "scalable-mac", "--bits", "3")[::2], "power of two")
    assert_one_line_error(*run(capsys, "rtl", "pe-array", "--rows", "0")[::2], "supported: 1 to 16")
    assert_one_line_error(*run(capsys, "rtl", "mac", "--operations", "0")[::2], "--operations 0")
    assert_one_line_error(*run(capsys, "rtl", "mac", "--operations", "500000")[::2], "too many for a gate-level VCD")
    code, _, err = run(capsys, "rtl", "nand")
    assert code == 2 and "'nand' is not one of" in err


def test_a_missing_simulator_is_one_line_naming_the_tool_and_the_set_up():
    environment = {**os.environ, "PATH": "/nonexistent"}  # codesign adds its own venv's bin/ only
    result = subprocess.run([sys.executable, "-m", "codesign.cli", "rtl", "mac"], capture_output=True, text=True,
                            env=environment, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == ("codesign: error: Icarus Verilog (iverilog) is not installed; "
                                     "run make setup (scripts/setup.sh)")


def test_calibrate_mac_writes_a_file_a_dataflow_spec_uses(capsys, tmp_path):
    calibration = tmp_path / "mac_rtl.yaml"
    assert main(["calibrate", "mac", "--operations", "200", "-o", str(calibration)]) == 0
    document = yaml.safe_load(calibration.read_text())
    assert document["fit"]["energy_J"]["rms_relative_residual"] < 0.1
    assert all(point["rtl_energy_J"] > 0 for point in document["measurements"])
    spec = tmp_path / "systolic_calibrated.yaml"
    spec.write_text((ARCH_SPECS_DIRECTORY / "systolic_4x4.yaml").read_text().replace(
        "    accumulator_bits: 18\n", f"    accumulator_bits: 18\n    calibration: {{ref: {calibration}}}\n"))
    arch = load_arch(str(spec))
    fit = document["energy_J"]
    expected = fit["operand_product"] * 64 + fit["operand_sum"] * 16 + fit["accumulator_bit"] * 18 + fit["constant"]
    assert energy_table(arch).mac_J == expected  # measured at 45 nm, the spec's node
    assert "calibration: RTL (codesign calibrate mac" in format_arch(arch)
    code, _, err = run(capsys, "calibrate", "mac", "-o", str(calibration))
    assert_one_line_error(code, err, "already exists")


def test_calibrate_lif_feeds_the_snn_target(capsys, tmp_path):
    calibration = tmp_path / "lif_rtl.yaml"
    assert main(["calibrate", "lif", "--operations", "200", "-o", str(calibration)]) == 0
    document = yaml.safe_load(calibration.read_text())
    arch = load_arch("snn_odin")
    cores = arch.compute.model_copy(update={"calibration": SnnCalibration.model_validate(document)})
    calibrated = arch.model_copy(update={"hierarchy": (*arch.hierarchy[:-1], cores)})
    rows = {(row.component, row.action): row for row in target_for(calibrated).action_energies()}
    assert rows[("synapses", "accumulate")].source.startswith("calibration: RTL")
    assert rows[("neurons", "update")].source.startswith("calibration: RTL")
    synaptic = document["synaptic_op_J"]
    from codesign.arch.components.scaling import energy_scale

    expected = (synaptic["per_bit"] * 3 + synaptic["constant"]) * energy_scale(45e-9, 28e-9)
    assert abs(rows[("synapses", "accumulate")].energy_J - expected) < 1e-6 * expected


def test_rtl_takes_widths_and_node_from_a_dataflow_spec(capsys, tmp_path):
    path = tmp_path / "mac.json"
    assert main(["rtl", "mac", "--arch", "simba", "--operations", "100", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    assert (report["bits"], report["technology_node_m"]) == (8, 16e-9)
    at_45nm = tmp_path / "mac45.json"
    assert main(["rtl", "mac", "--operations", "100", "--json", str(at_45nm)]) == 0
    assert report["energy_J"] < json.loads(at_45nm.read_text())["energy_J"]  # the same toggles, a smaller node
    assert main(["rtl", "mac", "--arch", "eyeriss", "--operations", "20"]) == 0
    assert "16-bit accumulator is narrower than the 32-bit product" in capsys.readouterr().err
