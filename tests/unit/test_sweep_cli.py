"""`codesign sweep`: a small real sweep end to end, resuming, re-rendering, bad input."""

import csv

from codesign.cli import main
from tests.unit.test_bad_input import assert_one_line_error, run

TINY = """name: tiny
description: digits_cnn on simba, PE array width x global buffer
base: simba
parameters:
  - path: [hierarchy, pe_array, axes, x, size]
    values: [2, 4]
  - path: [hierarchy, global_buffer, capacity_bytes]
    values: [16384, 65536]
workloads: [digits_cnn]
objectives: [energy, latency]
strategy: {kind: grid}
"""


def test_sweep_runs_resumes_and_reports(capsys, tmp_path):
    space, output = tmp_path / "tiny.yaml", tmp_path / "out"
    space.write_text(TINY)
    assert main(["sweep", str(space), "-o", str(output), "--workers", "2"]) == 0
    assert "4 points evaluated" in capsys.readouterr().out
    with open(output / "points.csv") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 4 and all(row["status"] == "ok" and float(row["energy_J"]) > 0 for row in rows)
    assert (output / "pareto_digits_cnn.png").exists() and (output / "sensitivity_digits_cnn.png").exists()
    assert main(["sweep", str(space), "-o", str(output)]) == 0
    assert "0 points evaluated (0 infeasible), 4 already done" in capsys.readouterr().out
    (output / "points.csv").unlink()
    assert main(["sweep", "report", str(output)]) == 0
    assert (output / "points.csv").exists()


def test_sweep_bad_input(capsys, tmp_path):
    space, output = tmp_path / "tiny.yaml", tmp_path / "out"
    space.write_text(TINY)
    assert main(["sweep", str(space), "-o", str(output), "--workers", "1"]) == 0
    other = tmp_path / "other.yaml"
    other.write_text(TINY + "constraints: {energy_budget_J: 1.0e-6}\n")  # changes what points evaluate to
    assert_one_line_error(*run(capsys, "sweep", str(other), "-o", str(output))[::2], "holds a different sweep")
    assert_one_line_error(*run(capsys, "sweep", str(tmp_path / "gone.yaml"), "-o", str(output))[::2],
                          "no such space file")
    assert_one_line_error(*run(capsys, "sweep", "report", str(tmp_path))[::2], "not a sweep directory")
    assert_one_line_error(*run(capsys, "sweep", str(space))[::2], "usage: codesign sweep SPACE.yaml -o DIR")


def test_another_strategy_or_more_values_reuse_the_store(capsys, tmp_path):
    space, output = tmp_path / "tiny.yaml", tmp_path / "out"
    space.write_text(TINY)
    assert main(["sweep", str(space), "-o", str(output), "--workers", "2"]) == 0
    sampled = tmp_path / "sampled.yaml"
    sampled.write_text(TINY.replace("values: [2, 4]", "values: [2, 4, 8]").replace(
        "strategy: {kind: grid}", "strategy: {kind: random, samples: 6}\nobjectives: [energy, latency, area]"
    ).replace("objectives: [energy, latency]\n", ""))
    capsys.readouterr()
    assert main(["sweep", str(sampled), "-o", str(output), "--workers", "2"]) == 0
    assert "2 points evaluated (0 infeasible), 4 already done" in capsys.readouterr().out
    with open(output / "points.csv") as stream:
        assert sum(1 for _ in csv.DictReader(stream)) == 6


def test_sweep_on_a_local_ray_instance(capsys, tmp_path):
    space, output = tmp_path / "tiny.yaml", tmp_path / "ray"
    space.write_text(TINY)
    assert main(["sweep", str(space), "-o", str(output), "--backend", "ray", "--workers", "2"]) == 0
    assert "4 points evaluated" in capsys.readouterr().out
    with open(output / "points.csv") as stream:
        assert sum(1 for _ in csv.DictReader(stream)) == 4


def test_an_onnx_workload_gets_file_names_from_its_stem(capsys, tmp_path):
    from tests.onnx_builders import conv_bn_relu, save

    model = save(conv_bn_relu(), tmp_path, "my layer.onnx")
    space, output = tmp_path / "tiny.yaml", tmp_path / "out"
    space.write_text(TINY.replace("workloads: [digits_cnn]", f"workloads: ['{model}']"))
    assert main(["sweep", str(space), "-o", str(output), "--workers", "2"]) == 0
    assert (output / "pareto_my_layer.png").exists()


def test_an_nsga2_sweep_through_the_cli_on_ray(capsys, tmp_path):
    from tests.unit.test_dse_evolve import EVOLVING_SPACE, one_layer_model

    one_layer_model(tmp_path / "layer.onnx")
    space = tmp_path / "evolving.yaml"
    space.write_text(EVOLVING_SPACE.replace("population: 8, generations: 3", "population: 4, generations: 2"))
    assert main(["sweep", str(space), "-o", str(tmp_path / "out"), "--backend", "ray", "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert "NSGA-II: 2 generations" in printed and "0 already done" in printed


ONE_POINT = TINY.replace("values: [2, 4]", "values: [4]").replace("values: [16384, 65536]", "values: [64]")


def test_a_directory_of_other_files_is_refused_without_force(capsys, tmp_path):
    space, output = tmp_path / "one.yaml", tmp_path / "mine"
    space.write_text(ONE_POINT)
    output.mkdir()
    (output / "points.csv").write_text("my own data\n")
    assert_one_line_error(*run(capsys, "sweep", str(space), "-o", str(output))[::2],
                          "mine: holds files but no sweep (no sweep.json)", "--force")
    assert (output / "points.csv").read_text() == "my own data\n" and len(list(output.iterdir())) == 1
    code, _, err = run(capsys, "sweep", str(space), "-o", str(output), "--force", "--workers", "1")
    assert code == 0, err
    assert "hierarchy.global_buffer.capacity_bytes" in (output / "points.csv").read_text()
    # The 64-byte global buffer is legal but implausible: one warning, printed once.
    assert err.count("\n") == 1 and err.startswith("codesign: warning: ") and "parameters[1] = 64" in err


def test_report_on_a_directory_without_a_sweep(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "sweep", "report", str(tmp_path / "absent"))[::2], "not a sweep directory")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert_one_line_error(*run(capsys, "sweep", "report", str(a_file))[::2], "file: not a sweep directory")
    (tmp_path / "sweep.json").write_text("[]")
    assert_one_line_error(*run(capsys, "sweep", "report", str(tmp_path))[::2], "sweep.json: not a sweep manifest")
    space = tmp_path / "tiny.yaml"
    space.write_text(TINY)
    (tmp_path / "sweep.json").write_text(f'{{"space_file": "{space}", "identity": "0"}}')
    assert_one_line_error(*run(capsys, "sweep", "report", str(tmp_path))[::2], "no store.sqlite")
    assert not (tmp_path / "store.sqlite").exists()  # report never creates a store


def test_a_duplicate_workload_is_bad_input_not_an_internal_error(capsys, tmp_path):
    space = tmp_path / "twice.yaml"
    space.write_text(TINY.replace("workloads: [digits_cnn]", "workloads: [digits_cnn, digits_cnn]"))
    assert_one_line_error(*run(capsys, "sweep", str(space), "-o", str(tmp_path / "out"))[::2],
                          "twice.yaml: workloads[1]: duplicate of workloads[0] ('digits_cnn')")
