"""`codesign compile` end to end on small models, and its failures."""

import json

import pytest
import yaml

from codesign.arch import load_arch
from codesign.cli import main
from codesign.compiler import compile_graph
from codesign.frontend import load_model
from tests.onnx_builders import conv_bn_relu, save
from tests.unit.test_bad_input import assert_one_line_error, run

LAYER_KEYS = {"name", "op", "macs", "energy_J", "latency_s", "cycles", "utilization", "dram_bytes",
              "energy_breakdown_J", "mapping"}
TOTAL_KEYS = {"energy_J", "latency_s", "cycles", "edp_Js", "macs", "dram_bytes"}


@pytest.fixture(scope="module")
def digits_graph():
    return load_model("digits_cnn").graph


@pytest.mark.parametrize("arch_name", ["eyeriss", "simba"])
def test_every_layer_is_costed_and_totals_add_up(digits_graph, arch_name):
    report = compile_graph(digits_graph, load_arch(arch_name))
    assert [layer.name for layer in report.layers] == [node.name for node in digits_graph.nodes
                                                         if not node.op.is_zero_cost]
    assert report.macs == digits_graph.macs
    for layer in report.layers:
        assert layer.energy_J == pytest.approx(sum(layer.energy_breakdown_J.values()))
        assert layer.energy_J == pytest.approx(sum(layer.energy_by_tensor_J.values()))
        assert 0 <= layer.utilization <= 1
        assert layer.latency_s == pytest.approx(layer.cycles / report.clock_frequency_Hz)
    assert report.edp_Js == pytest.approx(report.energy_J * report.latency_s)


def test_relu_after_a_convolution_is_its_epilogue(digits_graph):
    report = compile_graph(digits_graph, load_arch("eyeriss"))
    relu = next(layer for layer in report.layers if layer.op == "Relu")
    assert relu.mapping == {"epilogue_of": "/0/Conv"}
    assert relu.dram_bytes == 0


def test_compile_command_writes_the_documented_json_and_plots(capsys, tmp_path):
    report_path, plots = tmp_path / "report.json", tmp_path / "plots"
    code = main(["compile", "digits_cnn", "--arch", "simba", "--json", str(report_path), "--plot", str(plots)])
    assert code == 0, capsys.readouterr().err
    assert "digits_cnn on simba" in capsys.readouterr().out
    report = json.loads(report_path.read_text())
    assert {"model", "arch", "layers", "total"} <= set(report)
    assert (report["model"], report["arch"]) == ("digits_cnn", "simba")
    assert all(LAYER_KEYS <= set(layer) for layer in report["layers"])
    assert TOTAL_KEYS <= set(report["total"])
    convolution = report["layers"][0]
    assert convolution["op"] == "Conv" and set(convolution["mapping"]) == {"temporal", "spatial"}
    assert sorted(path.name for path in plots.iterdir()) == [
        f"{chart}.{suffix}" for chart in ("energy_by_level", "energy_by_tensor", "latency") for suffix in ("pdf", "png")]


def test_same_seed_same_numbers(capsys, tmp_path):
    outputs = []
    for name in ("first.json", "second.json"):
        assert main(["compile", "digits_cnn", "--arch", "eyeriss", "--seed", "5", "--json", str(tmp_path / name)]) == 0
        report = json.loads((tmp_path / name).read_text())
        report.pop("mapper")
        outputs.append(report)
    assert outputs[0] == outputs[1]


def test_unknown_arch_and_objective(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "compile", "digits_cnn", "--arch", "tpu9")[::2], "tpu9", "eyeriss")
    assert_one_line_error(*run(capsys, "compile", "digits_cnn", "--arch", "simba", "--objective", "speed")[::2],
                          "speed")


def test_unmappable_layer_names_the_layer_and_the_level(capsys, tmp_path):
    spec = yaml.safe_load(load_arch("eyeriss").model_dump_json())
    for component in spec["hierarchy"]:
        if component["name"] == "psum_spad":
            component["capacity_bytes"] = 1  # not even one 16-bit partial sum
    spec_path = tmp_path / "tiny_psum.yaml"
    spec_path.write_text(yaml.safe_dump(spec))
    model = str(save(conv_bn_relu(), tmp_path))
    assert_one_line_error(*run(capsys, "compile", model, "--arch", str(spec_path))[::2],
                          "layer 'conv'", "level 'psum_spad'")
