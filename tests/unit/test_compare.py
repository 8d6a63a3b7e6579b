"""`codesign compare`: one model on several architectures, side by side."""

import json

import pytest

from codesign.arch import load_arch
from codesign.compiler import compile_graph
from codesign.frontend import load_model
from codesign.report.compile import compile_json
from codesign.report.names import display_names
from tests.unit.test_bad_input import assert_one_line_error, run

ARCHS = ("eyeriss", "simba", "crossbar")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """The command's stdout, JSON document and plot directory for digits_cnn on ARCHS."""
    from codesign.cli import main

    directory = tmp_path_factory.mktemp("compare")
    json_path, plots = directory / "compare.json", directory / "plots"
    arguments = ["compare", "digits_cnn", *(part for arch in ARCHS for part in ("--arch", arch)), "--layers",
                 "--json", str(json_path), "--plot", str(plots), "--jobs", "1"]
    import contextlib
    import io

    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(arguments)
    assert code == 0, stdout.getvalue()
    return stdout.getvalue(), json.loads(json_path.read_text()), plots


def test_json_totals_equal_separate_compiles(compared):
    _, document, _ = compared
    graph = load_model("digits_cnn").graph
    assert document["model"] == "digits_cnn"
    assert [entry["arch"] for entry in document["archs"]] == list(ARCHS)
    for entry, arch in zip(document["archs"], ARCHS):
        report = compile_graph(graph, load_arch(arch), "edp", seed=0, model_name="digits_cnn")
        total = compile_json(report)["total"]
        for key, value in total.items():
            assert entry[key] == value, (arch, key)
        assert entry["area_m2"] > 0
        assert sum(entry["area_by_component_m2"].values()) == pytest.approx(entry["area_m2"], rel=1e-12)


def test_ratios_of_the_first_arch_are_one(compared):
    stdout, document, _ = compared
    first, *others = document["archs"]
    assert set(first["ratio_to_first"].values()) == {1.0}
    for entry in others:
        for key, value in entry["ratio_to_first"].items():
            assert value == pytest.approx(entry[key] / first[key], rel=1e-12)
    row = next(line for line in stdout.splitlines() if line.lstrip("│ ").startswith("eyeriss"))
    assert row.count("(1.00×)") == 5
    for arch in ARCHS:
        assert arch in stdout
    assert "mm²" in stdout


def test_layers_lists_every_compute_layer(compared):
    stdout, document, _ = compared
    graph = load_model("digits_cnn").graph
    costed = [node for node in graph.nodes if not node.op.is_zero_cost]
    shown = display_names([node.name for node in costed], [node.op.value for node in costed])
    compute = [name for name, node in zip(shown, costed) if node.op.is_compute]
    assert len(compute) == 4
    lines = stdout.splitlines()
    for name in compute:
        assert any(line.lstrip("│ ").startswith(name + " ") for line in lines), name
    layers = {layer["name"]: layer for layer in document["layers"]}
    for node in graph.compute_nodes:
        assert set(layers[node.name]["energy_J"]) == set(ARCHS)


def test_plot_files_exist(compared):
    _, _, plots = compared
    png, pdf = plots / "compare.png", plots / "compare.pdf"
    assert png.read_bytes().startswith(PNG_SIGNATURE) and png.stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1_000


def test_a_single_arch_is_a_one_line_error(capsys):
    assert_one_line_error(*run(capsys, "compare", "digits_cnn", "--arch", "eyeriss")[::2], "at least two --arch")


def test_an_unknown_arch_is_a_one_line_error(capsys):
    assert_one_line_error(*run(capsys, "compare", "digits_cnn", "--arch", "eyeriss", "--arch", "nope")[::2],
                          "nope")


def test_an_arch_that_cannot_run_the_model_is_named(capsys):
    assert_one_line_error(*run(capsys, "compare", "digits_cnn", "--arch", "eyeriss", "--arch", "snn")[::2],
                          "snn cannot run digits_cnn")


def test_compile_reports_area_by_component():
    report = compile_graph(load_model("digits_cnn").graph, load_arch("simba"), "edp", seed=0)
    total = compile_json(report)["total"]
    assert set(total["area_by_component_m2"]) and sum(total["area_by_component_m2"].values()) == total["area_m2"]
