"""The generic magnitude `prune` pass on the trained digits_cnn."""

import numpy
import pytest

from codesign.arch import load_arch
from codesign.compiler import compile_graph
from codesign.flow import apply_passes
from codesign.frontend import load_model
from codesign.ir import Pruned
from codesign.passes import make_pass
from tests.unit.test_bad_input import assert_one_line_error, run


def pruned(options, arch="crossbar_differential"):
    graph = load_model("digits_cnn").graph
    passed = apply_passes(graph, load_arch(arch), [make_pass("prune", options)], workload="digits_cnn")
    return graph, passed.graph, passed.results["prune"].summary


@pytest.mark.parametrize("sparsity", [0.0, 0.5, 0.9])
def test_each_layer_loses_its_smallest_weights(sparsity):
    original, graph, summary = pruned({"sparsity": sparsity})
    for before, after in zip(original.compute_nodes, graph.compute_nodes):
        kept = after.weight.data != 0
        assert kept.mean() == pytest.approx(1 - sparsity, abs=1 / kept.size + 1e-9)
        if 0 < sparsity:
            assert numpy.abs(before.weight.data[kept]).min() >= numpy.abs(before.weight.data[~kept]).max()
        numpy.testing.assert_array_equal(after.weight.data[kept], before.weight.data[kept])
        assert after.annotation(Pruned).sparsity == pytest.approx(1 - kept.mean())
    assert summary["sparsity"] == pytest.approx(sparsity, abs=1e-3)


def test_global_scope_ranks_all_layers_together():
    original, graph, summary = pruned({"sparsity": 0.8, "scope": "global"})
    threshold = max(numpy.abs(node.weight.data[node.weight.data == 0]).max(initial=0) for node in graph.compute_nodes)
    assert summary["sparsity"] == pytest.approx(0.8, abs=1e-4)
    assert len({round(value, 2) for value in summary["layers"].values()}) > 1  # layers differ
    for before, after in zip(original.compute_nodes, graph.compute_nodes):
        assert (numpy.abs(before.weight.data[after.weight.data != 0]) >= threshold).all()


def test_channel_structure_zeroes_whole_output_channels_but_the_classifiers():
    _, graph, summary = pruned({"sparsity": 0.5, "structure": "channel"})
    convolution, *_, classifier = graph.compute_nodes
    channels = convolution.weight.data.reshape(convolution.weight.data.shape[0], -1)
    dead = (channels == 0).all(axis=1)
    assert dead.sum() == len(dead) // 2 and (channels[~dead] != 0).any(axis=1).all()
    assert summary["layers"][classifier.name] == 0.0


def test_fine_tuning_keeps_the_zeros_and_recovers_accuracy():
    # 80% of every layer, the 144-weight first convolution too: 29% before, 97% after 3 epochs
    _, graph, summary = pruned({"sparsity": 0.8, "epochs": 3})
    accuracy = summary["float_accuracy"]
    assert accuracy["pruned"] < 0.5 and accuracy["fine_tuned"] >= accuracy["dense"] - 0.03
    assert summary["sparsity"] == pytest.approx(0.8, abs=1e-3)


def test_pruning_never_adds_adc_energy_on_a_differential_crossbar():
    arch = load_arch("crossbar_differential")
    energies = [sum(layer.energy_breakdown_J.get("adc", 0.0) for layer in compile_graph(graph, arch).layers)
                for graph in (pruned({"sparsity": 0.0})[1], pruned({"sparsity": 0.5})[1], pruned({"sparsity": 0.9})[1])]
    assert energies[0] > energies[1] > energies[2]


@pytest.mark.parametrize("options, fragment", [
    ("sparsity=1", "sparsity must be a fraction from 0 to below 1"),
    ("structure=rows", "structure must be one of unstructured, channel"),
    ("structure=channel,scope=global", "scope must be layer"),
    ("epochs=-1", "epochs must be from 0 to 100"),
])
def test_bad_options_are_one_line_errors(capsys, options, fragment):
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", "simba", "-p", f"prune{{{options}}}")
    assert_one_line_error(code, err, fragment)


def test_fine_tuning_needs_labelled_data(capsys):
    code, _, err = run(capsys, "compile", "resnet18", "--arch", "simba", "-p", "prune{epochs=1}")
    assert_one_line_error(code, err, "prune with epochs > 0 needs")
