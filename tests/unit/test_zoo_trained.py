"""The zoo's trained models: real exports at their analytic cost, with their labelled data and
the test accuracy their training measured.

Each is trained once per zoo cache (20-30 s each on one core, at first use): these tests use
the cached exports, as `codesign compile NAME` does; training determinism is digits_cnn's
test in test_zoo.py (the same `fit` trains them all).
"""

import numpy
import onnx
import pytest
from onnx.reference import ReferenceEvaluator

from codesign.accuracy import accuracy_at, labelled_test_set, run_graph
from codesign.accuracy.datasets import CALIBRATION_IMAGES, LABELLED_WORKLOADS
from codesign.arch import load_arch
from codesign.cli import main
from codesign.errors import CodesignError
from codesign.frontend import load_model, resolve_model_path
from codesign.target import target_for
from models import zoo
from models.sequences import marker_order_task, sequence_split

TRAINED = [name for name in zoo.names() if zoo.get(name).trainer is not None]
TEST_SIZES = {"digits_cnn": 450, "digits_mobilenet": 450, "digits_resnet": 450, "digits_vgg": 450,
              "seq_transformer": 1024}


def test_every_trained_model_has_labelled_data():
    assert sorted(LABELLED_WORKLOADS) == sorted(TRAINED) == sorted(TEST_SIZES)


@pytest.mark.slow
@pytest.mark.parametrize("name", TRAINED)
def test_trained_export_costs_its_analytic_macs(name):
    graph = load_model(name).graph
    assert graph.macs == zoo.get(name).reference_macs  # exactly models/counts.py's sum
    assert graph.inputs[0].type.shape == zoo.get(name).input_shape


@pytest.mark.parametrize("name", TRAINED)
def test_labelled_set_fits_the_model_input(name):
    entry, data = zoo.get(name), labelled_test_set(name)
    dtype = numpy.int64 if entry.input_dtype == "int64" else numpy.float32
    assert data.images.shape == (TEST_SIZES[name], *entry.input_shape[1:]) and data.images.dtype == dtype
    assert data.calibration.shape == (CALIBRATION_IMAGES, *entry.input_shape[1:]) and data.calibration.dtype == dtype
    assert data.labels.shape == (TEST_SIZES[name],) and data.labels.dtype == numpy.int64
    assert data.non_negative_inputs and data.images.min() >= 0


def test_sequence_calibration_comes_from_the_training_split():
    train_tokens, _, test_tokens, _ = sequence_split()
    data = labelled_test_set("seq_transformer")
    numpy.testing.assert_array_equal(data.calibration, train_tokens[:CALIBRATION_IMAGES])
    numpy.testing.assert_array_equal(data.images, test_tokens)
    training = {row.tobytes() for row in train_tokens}
    assert not any(row.tobytes() in training for row in test_tokens)


def test_marker_order_task_is_seeded_balanced_and_follows_its_rule():
    tokens, labels = marker_order_task(2000, seed=7)
    again, same_labels = marker_order_task(2000, seed=7)
    numpy.testing.assert_array_equal(tokens, again)
    numpy.testing.assert_array_equal(labels, same_labels)
    assert all(sorted(row[row <= 4].tolist()) == [1, 2, 3, 4] for row in tokens)  # each marker once
    first = [{marker: row.tolist().index(marker) for marker in (1, 2, 3, 4)} for row in tokens]
    expected = [2 * (where[1] < where[2]) + (where[3] < where[4]) for where in first]
    assert labels.tolist() == expected
    assert numpy.bincount(labels).min() > 400  # four balanced classes


@pytest.mark.slow
@pytest.mark.parametrize("name", TRAINED)
def test_cached_accuracy_is_high_and_is_what_the_executor_measures(name):
    """The accuracy stored at training equals the float executor's on the labelled set: the
    labelled set is the split the model was trained and tested on, at the same scaling."""
    stored = zoo.stored_accuracy(resolve_model_path(name))
    assert stored >= 0.95
    assert accuracy_at(load_model(name).graph, None, labelled_test_set(name)) == pytest.approx(stored, abs=1e-6)


@pytest.mark.slow
def test_models_list_shows_the_cached_accuracies(capsys):
    for name in TRAINED:
        resolve_model_path(name)
    assert main(["models", "list"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    for name in TRAINED:
        assert f"{zoo.stored_accuracy(resolve_model_path(name)):.2%} top-1" in lines[name]
    assert "random weights" in lines["resnet18"]


@pytest.mark.slow
def test_transformer_runs_in_the_executor_as_in_onnx():
    """Gather, LayerNormalization, attention's activation MatMuls, Softmax, Erf and ReduceMean."""
    tokens = labelled_test_set("seq_transformer").images[:16]
    path = resolve_model_path("seq_transformer")
    (expected,) = ReferenceEvaluator(onnx.load(str(path))).run(None, {"input_ids": tokens})
    numpy.testing.assert_allclose(run_graph(load_model(str(path)).graph, tokens), expected, atol=1e-4)


@pytest.mark.slow
def test_token_ids_beyond_the_vocabulary_are_a_codesign_error():
    tokens = labelled_test_set("seq_transformer").images[:2].copy()
    tokens[1, 5] = 40
    with pytest.raises(CodesignError, match="reads index 40 of a table of 32 entries"):
        run_graph(load_model("seq_transformer").graph, tokens)


@pytest.mark.slow
def test_transformer_accuracy_at_arch_precision():
    """Attention's activation products are quantized like weights, scaled on the calibration batch."""
    graph, data = load_model("seq_transformer").graph, labelled_test_set("seq_transformer")
    simba = load_arch("simba")
    assert accuracy_at(graph, target_for(simba).dot_product, data) >= accuracy_at(graph, None, data) - 0.01
    two_bits = simba.compute.model_copy(update={"operand_bits": 2})
    narrow = simba.model_copy(update={"hierarchy": (*simba.hierarchy[:-1], two_bits)})
    assert accuracy_at(graph, target_for(narrow).dot_product, data) < 0.6
