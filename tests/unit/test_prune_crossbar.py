"""prune-crossbar: D.U.B. pruning against a crossbar's ADC model, on the trained digits_cnn."""

import json

import numpy
import pytest

from codesign.accuracy.datasets import labelled_test_set
from codesign.accuracy.execute import run_graph
from codesign.arch import load_arch
from codesign.errors import CodesignError
from codesign.flow import apply_passes
from codesign.frontend import load_model, load_onnx
from codesign.ir import Pruned
from codesign.passes import make_pass
from codesign.passes.prune_layout import layer_crossbars
from codesign.passes.prune_search import Move, _pooled, longest_prefix
from codesign.quantize.runtime import onnxruntime_predict
from codesign.target import target_for
from tests.unit.test_bad_input import assert_one_line_error, run

ARCH = "crossbar_differential"


@pytest.fixture(scope="module")
def pruned():
    graph = load_model("digits_cnn").graph
    passed = apply_passes(graph, load_arch(ARCH), [make_pass("prune-crossbar", {"max_drop": 0.01})],
                          workload="digits_cnn")
    return graph, passed.graph, passed.results["prune-crossbar"]


def test_the_budget_holds_and_the_adc_energy_falls(pruned):
    _, graph, result = pruned
    summary = result.summary
    assert summary["accuracy_drop"] <= 0.01 and not result.warnings
    assert summary["sparsity"] > 0 and summary["adc_energy_improvement"] > 1.05
    assert summary["energy_improvement"] > 1.0
    assert summary["adc_energy_improvement_exponential_model"] >= summary["adc_energy_improvement"]
    assert json.loads(json.dumps(summary)) == summary  # the JSON of passes.prune_crossbar


def test_baselines_run_at_the_same_sparsity_and_lose_on_adc_energy(pruned):
    summary = pruned[2].summary
    assert set(summary["baselines"]) == {"global_magnitude", "l1_unstructured"}
    for figures in summary["baselines"].values():
        assert figures["sparsity"] == pytest.approx(summary["sparsity"], abs=1e-3)
        assert figures["adc_energy_improvement"] < summary["adc_energy_improvement"]


def test_every_column_keeps_at_most_its_levels_share_of_each_read(pruned):
    """D: levels are the allowed powers of two; U: any weights of a column may stay; the cap holds."""
    original, graph, _ = pruned
    target = target_for(load_arch(ARCH))
    for node in graph.compute_nodes:
        annotation = node.annotation(Pruned)
        assert annotation is not None and set(annotation.levels) <= {1, 2, 4, 8, 16}
        layer = layer_crossbars(node, target.layer_config(target.bits(node)))
        levels = numpy.array(annotation.levels).reshape(layer.groups, layer.row_tiles, layer.column_tiles)
        nonzero = layer.matrices(node.weight.data) != 0
        caps = layer.caps(levels)
        for index, (start, stop) in enumerate(layer.reads):
            assert (nonzero[:, start:stop].sum(axis=1) <= caps[:, index]).all()
        assert annotation.sparsity == pytest.approx(float(numpy.mean(node.weight.data == 0)))


def test_the_compile_costs_the_pruned_weights_through_the_usual_path(pruned):
    original, graph, result = pruned
    from codesign.compiler import compile_graph

    arch = load_arch(ARCH)
    adc = [sum(layer.energy_breakdown_J.get("adc", 0.0) for layer in compile_graph(g, arch).layers)
           for g in (original, graph)]
    assert adc[0] / adc[1] == pytest.approx(result.summary["adc_energy_improvement"])


def test_the_exported_onnx_runs_the_pruned_weights_in_onnxruntime(capsys, tmp_path):
    path = tmp_path / "pruned.onnx"
    code, out, err = run(capsys, "compile", "digits_cnn", "--arch", ARCH, "-p", "prune-crossbar{baselines=false}",
                         "--export-onnx", str(path), "--json", str(tmp_path / "r.json"), "--plot", str(tmp_path))
    assert code == 0, err
    assert "prune-crossbar" in out and (tmp_path / "pruning_nonzero_rows.png").stat().st_size > 10_000
    assert all((tmp_path / f"pruning_{chart}.pdf").read_bytes().startswith(b"%PDF")
               for chart in ("nonzero_rows", "tradeoff")) and (tmp_path / "pruning_tradeoff.png").exists()
    summary = json.loads((tmp_path / "r.json").read_text())["passes"]["prune-crossbar"]
    exported = load_onnx(path).graph
    assert numpy.mean([numpy.mean(node.weight.data == 0) for node in exported.compute_nodes]) > 0
    images = labelled_test_set("digits_cnn").images
    numpy.testing.assert_allclose(onnxruntime_predict(path, images), run_graph(exported, images), atol=1e-4)
    assert summary["baselines"] == {}


def test_layout_matrices_round_trip_and_masks_keep_the_largest():
    graph = load_model("digits_cnn").graph
    target = target_for(load_arch(ARCH))
    for node in graph.compute_nodes:
        layer = layer_crossbars(node, target.layer_config(target.bits(node)))
        numpy.testing.assert_array_equal(layer.weights(layer.matrices(node.weight.data)), node.weight.data)
        levels = numpy.full((layer.groups, layer.row_tiles, layer.column_tiles), 4)
        mask = layer.mask(node.weight.data, levels)
        kept, dropped = numpy.abs(node.weight.data[mask]), numpy.abs(node.weight.data[~mask])
        kept_per_column = sum(-(-(stop - start) // 4) for start, stop in layer.reads)  # ceil(rows of a read / 4)
        assert mask.mean() == pytest.approx(kept_per_column / layer.rows) and kept.mean() > dropped.mean()


def test_a_crossbars_moves_are_pooled_until_their_worth_never_rises():
    # 128 -> 64 rows saves nothing (the ADC already clips), 64 -> 32 saves a lot: one move
    moves = _pooled(0, (0, 0, 0), numpy.array([0.0, 8.0, 1.0]), numpy.array([1.0, 1.0, 4.0]))
    assert [(move.to_step, move.saving_J, move.damage) for move in moves] == [(2, 8.0, 2.0), (3, 1.0, 4.0)]
    assert all(first.worth >= second.worth for first, second in zip(moves, moves[1:]))
    assert Move(0, (0, 0, 0), 1, 1.0, 0.0).worth == numpy.inf and Move(0, (0, 0, 0), 1, 0.0, 0.0).worth == 0.0


@pytest.mark.parametrize("threshold, expected", [(0, (0, True)), (7, (7, True)), (10, (10, True)), (-1, (0, False))])
def test_longest_prefix(threshold, expected):
    calls = []

    def meets(count):
        calls.append(count)
        return count <= threshold
    assert longest_prefix(10, meets) == expected and len(calls) <= 6


def test_a_budget_nothing_meets_keeps_the_best_trial_and_says_so():
    graph = load_model("digits_cnn").graph
    # a learning rate ten times the default: fine-tuning alone costs points, before any pruning
    prune = make_pass("prune-crossbar", {"max_drop": 0.0, "learning_rate": 0.1, "baselines": False,
                                         "regularize_epochs": 1, "epochs": 1})
    result = apply_passes(graph, load_arch(ARCH), [prune], workload="digits_cnn").results["prune-crossbar"]
    assert len(result.warnings) == 1 and "no sparsity meets max_drop=0" in result.warnings[0]
    assert result.summary["accuracy"] == max(trial["accuracy"] for trial in result.summary["trials"])


@pytest.mark.parametrize("argv, fragments", [
    (["--arch", "simba", "-p", "prune-crossbar"], ["prune-crossbar", "needs a crossbar spec", "'compute'"]),
    (["--arch", "crossbar", "-p", "prune-crossbar"], ["offset", "weight_encoding: differential"]),
    (["--arch", ARCH, "-p", "prune-crossbar{levels=1/3/4}"], ["levels must be powers of two", "1/3/4"]),
    (["--arch", ARCH, "-p", "prune-crossbar{levels=2/x}"], ["levels must be powers of two"]),
    (["--arch", ARCH, "-p", "prune-crossbar{max_drop=2}"], ["max_drop must be a fraction"]),
])
def test_bad_requests_are_one_line_errors(capsys, argv, fragments):
    code, _, err = run(capsys, "compile", "digits_cnn", *argv)
    assert_one_line_error(code, err, *fragments)


def test_a_model_without_weights_is_refused(capsys, tmp_path):
    from tests.unit.test_onnx_real_inputs import _without_weights, conv_bn_relu

    path = str(_without_weights(conv_bn_relu(), tmp_path))
    code, _, err = run(capsys, "compile", path, "--arch", ARCH, "-p", "prune-crossbar")
    assert code == 2 and "imported without them" in err.splitlines()[-1] and "Traceback" not in err


def test_data_without_a_training_split_is_refused(capsys, tmp_path):
    data = labelled_test_set("digits_cnn")
    path = tmp_path / "test_only.npz"
    numpy.savez(path, inputs=data.images, labels=data.labels)
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", ARCH, "-p", "prune-crossbar", "--data", str(path))
    assert_one_line_error(code, err, "training split", "train_inputs")
    numpy.savez(path, inputs=data.images, labels=data.labels, train_inputs=data.images)
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", ARCH, "-p", "prune-crossbar", "--data", str(path))
    assert_one_line_error(code, err, "'train_inputs' without its pair")


def test_fine_tuning_that_diverges_is_a_one_line_error(capsys):
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", ARCH, "-p",
                       "prune-crossbar{learning_rate=1,baselines=false,epochs=1,regularize_epochs=1}")
    assert_one_line_error(code, err, "fine-tuning diverged", "lower learning_rate")


def test_non_crossbar_error_names_the_kind():
    with pytest.raises(CodesignError, match="needs a crossbar spec; 'fefet_1f1c' ends in kind 'fefet_array'"):
        apply_passes(load_model("digits_cnn").graph, load_arch("fefet_1f1c"), [make_pass("prune-crossbar", {})],
                     workload="digits_cnn")
