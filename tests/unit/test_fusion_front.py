"""fuse-layers{mode=pareto}: the baselines seed the search as themselves, no front member is
dominated by them, the report's numbers are the search's, and the front is printed, written
and drawn."""

import json

import pytest
from onnx import helper

from codesign.arch import load_arch
from codesign.cli import main
from codesign.compiler import compile_layers
from codesign.flow import compile_model
from codesign.frontend import load_model, load_onnx
from codesign.fusion.groups import GroupModel
from codesign.fusion.schedule import decode, dependencies, graph_order, greedy, keys_for, layer_by_layer
from codesign.fusion.units import build_units, value_shapes
from codesign.passes.fuse_layers import FuseLayers
from tests.onnx_builders import model, random_constant, save

CHANNELS, SIZE = 8, 16


def downsampling_block():
    """ResNet's downsampling block as torch exports it: the shortcut convolution comes after
    the branch's second one, whose residual Add (its epilogue) reads the shortcut."""
    def conv(name, source, weight, stride=1, kernel=3):
        return helper.make_node("Conv", [source, weight], [name], name=name, strides=[stride, stride],
                                pads=[kernel // 2] * 4)
    nodes = [
        conv("stem", "x", "w_stem"), helper.make_node("Relu", ["stem"], ["r"], name="stem_relu"),
        conv("branch1", "r", "w_branch1", stride=2), helper.make_node("Relu", ["branch1"], ["b"], name="branch_relu"),
        conv("branch2", "b", "w_branch2"), conv("shortcut", "r", "w_shortcut", stride=2, kernel=1),
        helper.make_node("Add", ["branch2", "shortcut"], ["sum"], name="add"),
        helper.make_node("Relu", ["sum"], ["s"], name="block_relu"), conv("head", "s", "w_head"),
    ]
    shapes = {"w_stem": (CHANNELS, 3, 3, 3), "w_branch1": (2 * CHANNELS, CHANNELS, 3, 3),
              "w_branch2": (2 * CHANNELS, 2 * CHANNELS, 3, 3), "w_shortcut": (2 * CHANNELS, CHANNELS, 1, 1),
              "w_head": (2 * CHANNELS, 2 * CHANNELS, 3, 3)}
    weights = [random_constant(name, shape, seed) for seed, (name, shape) in enumerate(shapes.items())]
    half = SIZE // 2
    return model(nodes, [("x", [1, 3, SIZE, SIZE])], [("head", [1, 2 * CHANNELS, half, half])], weights)


@pytest.fixture(scope="module")
def block_path(tmp_path_factory):
    return save(downsampling_block(), tmp_path_factory.mktemp("block"))


def dominated(schedule, by) -> bool:
    return (by.energy_J <= schedule.energy_J and by.cycles <= schedule.cycles
            and (by.energy_J < schedule.energy_J or by.cycles < schedule.cycles))


def test_the_baselines_seed_the_search_as_themselves(block_path):
    graph = load_onnx(block_path).graph
    compiled = compile_layers(graph, load_arch("simba"))
    units, platform = build_units(graph, compiled)
    group_model = GroupModel(units, platform, [value.name for value in graph.outputs], value_shapes(graph))
    assert list(group_model.units).index("branch2") < list(group_model.units).index("shortcut")  # graph order
    order = graph_order(group_model)
    sources = dependencies(group_model)
    assert all(order.index(source) < order.index(name) for name in order for source in sources[name])
    for schedule in (layer_by_layer(group_model), greedy(group_model)):
        assert decode(group_model, keys_for(group_model, order), schedule.cuts()) == schedule


def test_no_front_member_is_dominated_by_a_baseline():
    """ResNet-18 on simba, a small search whose pass seed and objective differ from the compile's."""
    graph = load_model("resnet18").graph
    search = FuseLayers(population=8, generations=2, seed=1, mode="pareto", objective="energy")
    outcome = compile_model(graph, load_arch("simba"), [search], objective="edp", seed=0)
    details = outcome.fusion.details
    assert details.pareto
    for member in details.pareto:
        assert not dominated(member, details.greedy) and not dominated(member, details.layer_by_layer)
    # the report costs the chosen schedule and the baselines as the search did
    chosen, summary = details.chosen, outcome.fusion
    assert (summary.chosen.energy_J, summary.chosen.cycles) == pytest.approx((chosen.energy_J, chosen.cycles))
    assert summary.baseline.energy_J == pytest.approx(details.layer_by_layer.energy_J)
    assert summary.baseline.energy_J == pytest.approx(outcome.compiled.report.energy_J)


def test_the_front_is_printed_written_and_drawn(block_path, tmp_path, capsys):
    report_path, plots = tmp_path / "report.json", tmp_path / "plots"
    search = "fuse-layers{mode=pareto,population=8,generations=3}"
    code = main(["compile", str(block_path), "--arch", "simba", "-p", search, "--json", str(report_path),
                 "--plot", str(plots)])
    output = capsys.readouterr()
    assert code == 0, output.err
    assert "energy-latency front" in output.out
    document = json.loads(report_path.read_text())
    front = document["fusion"]["pareto"]
    chosen = [member for member in front if member["chosen"]]
    assert len(chosen) == 1
    assert chosen[0]["energy_J"] == pytest.approx(document["schedule"]["energy_J"])
    assert {"energy_J", "latency_s", "edp_Js", "group_count"} <= set(chosen[0])
    volumes = [entry["hypervolume"] for entry in document["fusion"]["history"]]
    assert len(volumes) == document["fusion"]["generations_run"] + 1
    assert all(0 <= first <= second <= 1 for first, second in zip(volumes, volumes[1:]))
    assert (plots / "fusion_convergence.png").stat().st_size > 0 and (plots / "fusion_convergence.pdf").exists()
