"""`codesign compile` on the compute-in-memory targets and the associative-search workload."""

import json

import pytest

from codesign.arch import load_arch
from codesign.cli import main
from codesign.compiler import compile_graph
from codesign.cost.crossbar import BREAKDOWN_KEYS as CROSSBAR_KEYS
from codesign.cost.fefet import BREAKDOWN_KEYS as FEFET_KEYS
from codesign.frontend import load_model
from tests.unit.test_bad_input import assert_one_line_error, run


@pytest.fixture(scope="module")
def digits_graph():
    return load_model("digits_cnn").graph


@pytest.mark.parametrize(("arch_name", "keys"), [("crossbar", CROSSBAR_KEYS), ("crossbar_neurosim", CROSSBAR_KEYS),
                                                 ("fefet_1f1c", FEFET_KEYS)])
def test_compute_layers_get_the_macro_breakdown(digits_graph, arch_name, keys):
    report = compile_graph(digits_graph, load_arch(arch_name))
    compute = [layer for layer in report.layers if layer.macs]
    assert len(compute) == len(digits_graph.compute_nodes)
    for layer in report.layers:
        assert layer.energy_J > 0 or layer.op == "Relu"
        assert layer.energy_J == pytest.approx(sum(layer.energy_breakdown_J.values()))
        assert layer.latency_s == pytest.approx(layer.cycles / report.clock_frequency_Hz)
    assert all(set(layer.energy_breakdown_J) == set(keys) for layer in compute)
    assert report.mapper.method == "im2col onto the compute-in-memory macro"


def test_more_adc_bits_cost_more_on_a_whole_network(digits_graph):
    arch = load_arch("crossbar")
    spec = arch.model_dump()
    spec["hierarchy"][-1]["adc_bits"] = 6
    narrow = compile_graph(digits_graph, type(arch).model_validate(spec))
    assert narrow.energy_J < compile_graph(digits_graph, arch).energy_J


def test_search_workload_against_the_gpu(capsys, tmp_path):
    path = tmp_path / "search.json"
    code = main(["compile", "--arch", "fefet_1f1c", "--workload", "search:N=256,D=128,Q=100", "--json", str(path)])
    assert code == 0, capsys.readouterr().err
    report = json.loads(path.read_text())
    assert report["layers"][0]["op"] == "AssociativeSearch"
    assert report["gpu_reference"]["name"].startswith("NVIDIA A100")
    ratios = report["vs_gpu"]
    assert ratios["energy_ratio"] == pytest.approx(report["gpu_reference"]["energy_J"] / report["total"]["energy_J"])
    assert ratios["energy_ratio"] > 1


@pytest.mark.parametrize(("argv", "fragment"), [
    (["compile", "--arch", "simba", "--workload", "search:N=4,D=8,Q=2"], "kind 'compute'"),
    (["compile", "--arch", "fefet_1f1c", "--workload", "search:N=4,D=8"], "expected search:N="),
    (["compile", "--arch", "fefet_1f1c"], "either MODEL or --workload"),
    (["compile", "digits_cnn", "--arch", "crossbar", "-p", "fuse-layers"], "fuse-layers schedules targets with a staging buffer"),
])
def test_bad_requests(capsys, argv, fragment):
    assert_one_line_error(*run(capsys, *argv)[::2], fragment)


def test_sparse_weights_need_fewer_adc_bits(tmp_path):
    """A 1x1 convolution over 128 channels: dense, every column sums 128 rows (9 bits, clipped
    to the ADC's 8); with only 16 non-zero weights per column, 6 bits suffice when zero weights
    are zero cells (differential encoding). ISAAC's offset encoding stores a zero weight as the
    offset, a non-zero cell: the sparse layer needs all 8 bits there."""
    import numpy
    from onnx import helper

    from codesign.frontend import load_onnx
    from tests.onnx_builders import constant, model, save

    def layer(weights):
        nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="pointwise")]
        return load_onnx(save(model(nodes, [("x", [1, 128, 4, 4])], [("y", [1, 8, 4, 4])],
                                    [constant("w", weights)]), tmp_path, "sparse.onnx")).graph

    dense = numpy.ones((8, 128, 1, 1), numpy.float32)
    sparse = numpy.zeros_like(dense)
    sparse[:, :16] = 1.0
    def adc_bits(arch_name):
        arch = load_arch(arch_name)
        return [compile_graph(layer(weights), arch).layers[0].mapping["adc_bits"] for weights in (dense, sparse)]
    assert adc_bits("crossbar_differential") == [8, 6]
    assert adc_bits("crossbar") == [8, 8]
