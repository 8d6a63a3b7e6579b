"""assign-precision end to end on a trained zoo model: the budget holds, the baselines of the
same run are reported, the widths reach the IR and the cost model, and the exported QDQ model
gives the same accuracy in onnxruntime."""

import json

import pytest

from codesign.accuracy.datasets import labelled_test_set
from codesign.arch import load_arch
from codesign.errors import CodesignError
from codesign.flow import compile_model
from codesign.frontend import load_model
from codesign.passes import make_pass, parse_pipeline
from codesign.passes.precision_configs import widths_in_graph
from codesign.passes.precision_order import random_ordering
from codesign.passes.precision_search import bisection
from tests.unit.test_bad_input import assert_one_line_error, run

ARCH = "simba16_bitfusion"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """One CLI run: JSON, plots and the QDQ export."""
    directory = tmp_path_factory.mktemp("assign")
    paths = {"json": directory / "report.json", "plots": directory / "plots", "onnx": directory / "q.onnx"}
    from codesign.cli import main

    code = main(["compile", "digits_cnn", "--arch", ARCH, "-p", "assign-precision{max_drop=0.01}",
                 "--json", str(paths["json"]), "--plot", str(paths["plots"]), "--export-onnx", str(paths["onnx"])])
    assert code == 0
    return json.loads(paths["json"].read_text()), paths


def test_the_budget_holds_and_the_target_gains(compiled):
    summary = compiled[0]["passes"]["assign-precision"]
    assert summary["accuracy_drop"] <= 0.01 and summary["baseline_accuracy"] > 0.95
    assert summary["latency_reduction_vs_16bit"] > 0.4 and summary["energy_reduction_vs_16bit"] > 0.4
    assert set(summary["baselines"]) == {"uniform_16", "uniform_8", "hessian_only", "random_order"}
    assert summary["baselines"]["uniform_16"]["latency_reduction_vs_16bit"] == 0
    assert set(summary["bits"]) == {layer["name"] for layer in compiled[0]["layers"] if layer["macs"]}


def test_the_widths_reach_the_cost_model(compiled):
    document = compiled[0]
    bits = document["passes"]["assign-precision"]["bits"]
    for layer in document["layers"]:
        if layer["name"] in bits:
            assert layer["bits"]["weight"] == bits[layer["name"]]
    assert document["total"]["latency_s"] == pytest.approx(document["passes"]["assign-precision"]["latency_s"])


def test_onnxruntime_reproduces_the_reported_accuracy(compiled):
    from codesign.quantize import onnxruntime_accuracy

    measured = onnxruntime_accuracy(compiled[1]["onnx"], labelled_test_set("digits_cnn"))
    assert measured == pytest.approx(compiled[0]["passes"]["assign-precision"]["accuracy"], abs=0.005)


def test_plots_are_written(compiled):
    assert {f"precision_{chart}.{suffix}" for chart in ("bits", "tradeoff") for suffix in ("png", "pdf")} <= {
        path.name for path in compiled[1]["plots"].iterdir()}


def test_bisection_finds_the_longest_admissible_prefix():
    """On a toy budget (at most two layers at 4 bits, one at 2), bisection lowers exactly those."""
    layers = ["a", "b", "c", "d"]
    allowed = lambda config: sum(bits <= 4 for bits in config.values()) <= 2 and sum(bits == 2 for bits in config.values()) <= 1  # noqa: E731
    config = bisection(layers, [2, 4, 8], lambda eligible, bits: sorted(eligible), allowed)
    assert config == {"a": 2, "b": 4, "c": 8, "d": 8}
    shuffled = bisection(layers, [2, 4, 8], random_ordering(3), allowed)
    assert sorted(shuffled.values()) == [2, 4, 8, 8]


def test_an_impossible_budget_keeps_the_widest_with_a_warning(capsys):
    code, out, err = run(capsys, "compile", "digits_cnn", "--arch", ARCH, "-p",
                         "assign-precision{max_drop=0,candidates=2,baselines=false}")
    assert code == 0 and "codesign: warning: assign-precision: no configuration meets max_drop=0" in err


def test_nsga2_keeps_the_bisection_result_or_better():
    graph = load_model("digits_cnn").graph
    options = {"max_drop": 0.01, "method": "nsga2", "population": 8, "generations": 2, "baselines": False}
    outcome = compile_model(graph, load_arch(ARCH), [make_pass("assign-precision", options)], model_name="digits_cnn")
    details = outcome.pass_results["assign-precision"].details
    assert details.front and details.chosen.accuracy >= details.baseline_accuracy - 0.01
    assert widths_in_graph(outcome.graph)


@pytest.mark.parametrize("argv, expected", [
    (["compile", "resnet18", "--arch", ARCH, "-p", "assign-precision"], "assign-precision needs a zoo model with a labelled test set"),
    (["compile", "digits_cnn", "--arch", ARCH, "-p", "assign-precision{max_drop=2}"], "max_drop must be a fraction"),
    (["compile", "digits_cnn", "--arch", ARCH, "-p", "assign-precision{candidates=4/x}"], "candidates must be widths"),
    (["compile", "digits_cnn", "--arch", ARCH, "-p", "assign-precision{objective=area}"], "objective must be one of"),
    (["compile", "digits_cnn", "--arch", "simba", "-p", "assign-precision{candidates=16}"], "no candidate width fits simba"),
    (["compile", "digits_cnn", "--arch", ARCH, "--export-onnx", "/tmp/never.onnx"], "--export-onnx needs quantized or pruned layers"),
])
def test_bad_requests(capsys, argv, expected):
    assert_one_line_error(*run(capsys, *argv)[::2], expected)


def test_a_pass_without_context_says_what_it_needs():
    with pytest.raises(CodesignError, match="assign-precision needs a zoo model with a labelled test set"):
        parse_pipeline("assign-precision")[0].run(load_model("digits_cnn").graph, load_arch(ARCH))
