"""The CLI's successful paths: inspect, models, arch; and the test runner's exit codes."""

import json
import subprocess
from pathlib import Path

import onnx

from codesign.cli import main
from tests.onnx_builders import attention_block, conv_bn_relu, save

ROOT = Path(__file__).resolve().parents[2]


def test_inspect_json_report(capsys, tmp_path):
    path = save(conv_bn_relu(), tmp_path)
    report_path = tmp_path / "report.json"
    assert main(["inspect", str(path), "--json", str(report_path)]) == 0
    out = capsys.readouterr().out
    assert "conv" in out and "total" in out
    report = json.loads(report_path.read_text())
    assert report["model"] == str(path)
    assert [layer["op"] for layer in report["layers"]] == ["Conv", "Relu"]
    conv = report["layers"][0]
    assert conv["macs"] == 16 * 3 * 16 * 16 * 9 and conv["output_shape"] == [1, 16, 16, 16]
    assert conv["params"] == 16 * 3 * 9 + 16 and conv["weight_bytes"] == conv["params"] * 4
    assert conv["loop_nest"] == {"N": 1, "G": 1, "K": 16, "C": 3, "P": 16, "Q": 16, "R": 3, "S": 3}
    assert report["total"]["macs"] == conv["macs"] and report["total"]["compute_layers"] == 1
    assert report["total"]["activation_bytes"] == 2 * 16 * 16 * 16 * 4


def test_inspect_ir_and_views(capsys, tmp_path):
    path = str(save(attention_block(), tmp_path))
    assert main(["inspect", path, "--ir"]) == 0
    ir_text = capsys.readouterr().out
    assert ir_text.startswith("graph test(x:1x16x32:f32)") and "scores = MatMul(q_t, k_t)" in ir_text
    assert main(["inspect", path]) == 0
    assert "q_reshape" not in capsys.readouterr().out
    assert main(["inspect", path, "--views"]) == 0
    assert "q_reshape" in capsys.readouterr().out


def test_models_list_and_export(capsys, tmp_path):
    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    for name in ("mobilenet_v3_large", "resnet50", "bert_tiny", "digits_cnn"):
        assert name in listing
    target = tmp_path / "digits.onnx"
    assert main(["models", "export", "digits_cnn", "-o", str(target)]) == 0
    onnx.checker.check_model(onnx.load(str(target)))
    assert main(["inspect", str(target)]) == 0
    assert "/0/Conv" in capsys.readouterr().out


def test_arch_list_and_show(capsys):
    assert main(["arch", "list"]) == 0
    listing = capsys.readouterr().out
    assert "eyeriss" in listing and "simba" in listing
    assert main(["arch", "show", "eyeriss"]) == 0
    shown = capsys.readouterr().out
    assert "x168" in shown and "global_buffer" in shown


def test_help_and_version(capsys):
    assert main([]) == 0
    assert "inspect" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert "codesign" in capsys.readouterr().out


def _run_tests_on(directory: Path) -> subprocess.CompletedProcess:
    """scripts/run_tests.sh against a scratch test directory."""
    return subprocess.run(["bash", str(ROOT / "scripts" / "run_tests.sh"), str(directory), "-p", "no:cacheprovider",
                           "--rootdir", str(directory)], capture_output=True, text=True, cwd=ROOT)


def test_runner_fails_on_a_failing_test_and_tolerates_no_tests(tmp_path):
    failing = tmp_path / "failing"
    failing.mkdir()
    (failing / "test_failure.py").write_text("def test_fails():\n    assert 'apples' == 'oranges'\n")
    result = _run_tests_on(failing)
    assert result.returncode == 1, result.stdout + result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run_tests_on(empty)
    assert result.returncode == 0 and "collected no tests" in result.stderr


def test_compile_measures_accuracy_at_the_arch_precision(capsys, tmp_path):
    report = tmp_path / "report.json"
    assert main(["compile", "digits_cnn", "--arch", "simba", "--accuracy", "--json", str(report)]) == 0
    assert "top-1 accuracy on 450 test images: 98.89% on simba" in capsys.readouterr().out
    accuracy = json.loads(report.read_text())["accuracy"]
    assert accuracy["float32"] == accuracy["at_arch_precision"] > 0.98 and accuracy["test_images"] == 450
    assert "adc_by_layer" not in accuracy  # digital: no ADC table
    assert main(["compile", "resnet18", "--arch", "simba", "--accuracy"]) == 2
    assert "needs a zoo model with a labelled test set" in capsys.readouterr().err


def test_compile_accuracy_on_compute_in_memory_shows_what_the_adcs_clip(capsys, tmp_path):
    report = tmp_path / "report.json"
    assert main(["compile", "digits_cnn", "--arch", "crossbar_neurosim", "--accuracy", "--json", str(report)]) == 0
    out = capsys.readouterr().out
    layers = json.loads(report.read_text())["accuracy"]["adc_by_layer"]
    assert [layer["display_name"] for layer in layers] == ["0.Conv", "2.Conv", "6.Gemm", "8.Gemm"]
    worst = max(layers, key=lambda layer: layer["output_relative_error"])
    assert worst["adc_bits"] == 5 and worst["adc_range"] == "clip" and worst["clipped_fraction"] > 0.1
    row = next(line for line in out.splitlines() if f" {worst['display_name']} " in line and "5 b" in line)
    assert f"{worst['clipped_fraction']:.2%}" in row
    assert f"largest ADC error: {worst['display_name']}, whose 5-bit ADC clips" in out
