"""`-p/--passes`: parsing pass names and options; bad pipelines are one-line errors."""

import json

import pytest

from codesign.cli import main
from codesign.errors import CodesignError
from codesign.passes import parse_pipeline
from codesign.passes.fuse_layers import FuseLayers
from tests.unit.test_bad_input import assert_one_line_error, run


def test_options_become_typed_fields():
    (fuse,) = parse_pipeline("fuse-layers{population=16, generations=7,seed=3,mutation=0.25,mode=pareto}")
    assert fuse == FuseLayers(population=16, generations=7, seed=3, mutation=0.25, mode="pareto")
    assert parse_pipeline("fuse-layers") == [FuseLayers()]
    assert parse_pipeline("fuse-layers{},fuse-layers{seed=1}") == [FuseLayers(), FuseLayers(seed=1)]


@pytest.mark.parametrize(("text", "message"), [
    ("fold-everything", "unknown pass 'fold-everything' (available: assign-precision, convert-snn, fuse-layers, prune, prune-crossbar, set-precision)"),
    ("fuse-layers{colour=red}", "has no option 'colour'"),
    ("fuse-layers{population=many}", "population=many is not a valid int"),
    ("fuse-layers{population=64", "unbalanced braces"),
    ("fuse-layers{population}", "is not key=value"),
    ("fuse-layers{mode=magic}", "mode must be one of ga, greedy, pareto"),
    ("fuse-layers{population=1}", "population must be >= 4"),
])
def test_bad_pipelines(text, message):
    with pytest.raises(CodesignError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_pipeline(text)


def test_bad_pipeline_through_the_cli(capsys):
    assert_one_line_error(*run(capsys, "compile", "digits_cnn", "--arch", "simba", "-p", "fuse-layers{x=1}")[::2],
                          "no option 'x'")


def test_compile_with_fusion_reports_schedule_and_baselines(capsys, tmp_path):
    path, plots = tmp_path / "fused.json", tmp_path / "plots"
    code = main(["compile", "digits_cnn", "--arch", "simba", "-p", "fuse-layers{population=8,generations=3}",
                 "--json", str(path), "--plot", str(plots)])
    assert code == 0, capsys.readouterr().err
    assert "fused schedule vs. baselines" in capsys.readouterr().out
    report = json.loads(path.read_text())
    schedule, baseline = report["schedule"], report["baseline"]
    assert sum(len(group["units"]) for group in schedule["groups"]) == len(schedule["order"])
    assert {"layer_by_layer", "greedy"} <= set(baseline)
    assert report["total"]["edp_Js"] == pytest.approx(schedule["edp_Js"])
    assert report["improvement"]["edp"] == pytest.approx(baseline["layer_by_layer"]["edp_Js"] / schedule["edp_Js"])
    assert report["improvement"]["edp"] >= 1.0
    assert report["fusion"]["history"][0]["generation"] == 0
    assert {f"fusion_{chart}.{suffix}" for chart in ("groups", "convergence") for suffix in ("png", "pdf")} <= {
        child.name for child in plots.iterdir()}
