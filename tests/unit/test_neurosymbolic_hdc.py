"""Hyperdimensional classification of the digits CNN's features (codesign/neurosymbolic)."""

import numpy
import pytest

from codesign.accuracy import labelled_test_set
from codesign.arch import load_arch
from codesign.cost.fefet import mac_error_rate
from codesign.errors import CodesignError
from codesign.neurosymbolic import digits_hdc, search_error_model
from codesign.neurosymbolic import hdc
from codesign.accuracy import predict
from codesign.neurosymbolic.accuracy import accuracy_of, hdc_accuracy, hypervectors
from codesign.neurosymbolic.encoder import ENCODER_NAME
from codesign.neurosymbolic.search_errors import read_distances, uniform_search_errors


@pytest.fixture(scope="module")
def digits():
    return labelled_test_set("digits_cnn")


@pytest.fixture(scope="module")
def float_features(digits):
    """(train features, test features) of the front end in float32: computed once for the module."""
    front_end = digits_hdc().front_end
    return _features(front_end, digits, digits.train_images), _features(front_end, digits, digits.images)


def _features(front_end, digits, images):
    from dataclasses import replace

    return predict(front_end, None, replace(digits, images=images)).reshape(len(images), -1)


def encode(workload, features):
    """The workload's hypervectors of float features, by hdc.encode (what the encoder layer computes)."""
    return hdc.encode(features, hdc.projection_matrix(features.shape[1], workload.dimensions, workload.seed))


def test_projection_is_seeded_and_bipolar():
    first, again, other = (hdc.projection_matrix(64, 256, seed) for seed in (0, 0, 1))
    assert first.shape == (256, 64) and set(numpy.unique(first)) == {-1.0, 1.0}
    assert abs(first.mean()) < 0.02  # +1 and -1 alike
    assert numpy.array_equal(first, again) and not numpy.array_equal(first, other)
    vectors = hdc.encode(numpy.random.default_rng(5).random((20, 64)), first)
    assert set(numpy.unique(vectors)) <= {-1, 1}
    assert (hdc.encode(numpy.zeros((1, 64)), first) == 1).all()  # sign(0) -> +1


def test_prototypes_are_the_majority_with_ties_to_plus_one():
    vectors = numpy.array([[1, 1, -1], [1, -1, -1], [-1, -1, -1],  # class 0: majority +1, -1, -1
                           [1, -1, 1], [-1, 1, 1]], dtype=numpy.int8)  # class 1: ties, ties, +1
    prototypes = hdc.class_prototypes(vectors, numpy.array([0, 0, 0, 1, 1]), 2)
    assert prototypes.tolist() == [[1, -1, -1], [1, 1, 1]]


def test_winner_take_all_picks_the_nearest_and_the_lowest_index_on_ties():
    prototypes = numpy.array([[1, 1, 1, 1], [-1, -1, -1, -1], [1, 1, -1, -1]], dtype=numpy.int8)
    queries = numpy.array([[1, 1, -1, -1], [-1, -1, -1, 1], [1, 1, -1, 1]], dtype=numpy.int8)
    assert hdc.hamming_distances(queries, prototypes).tolist() == [[2, 2, 0], [3, 1, 3], [1, 3, 1]]
    assert hdc.classify(queries, prototypes).tolist() == [2, 1, 0]  # the last: a tie of 0 and 2


def test_combined_accuracy_is_the_neural_accuracy_composed_with_the_search_errors():
    # Three 8-bit prototypes: P1 is P0 with bit 0 flipped, P2 is P0 with bits 0..5 flipped.
    # Right (3 in 4 queries): label 1, query = P1; exact distances d0 = 1, d1 = 0, d2 = 5.
    # Wrong (the front end erred): label 2, query = P0; d0 = 0, d1 = 1, d2 = 6: class 2 never wins.
    # Each distance is off by +1 or -1 with probability p/2 each, clipped at 0; class 2 is always
    # far, so a right query stays right iff d1' < d0' (a tie goes to class 0). By hand:
    #   d1' = 0 w.p. 1 - p/2, 1 w.p. p/2; d0' = 1 w.p. 1 - p, 0 or 2 w.p. p/2 each;
    #   P(d1' < d0') = (1 - p/2)(1 - p/2) + (p/2)(p/2) = 1 - p + p^2/2.
    # So accuracy = neural accuracy (3/4) x (1 - p + p^2/2).
    p0 = numpy.ones(8, dtype=numpy.int8)
    p1, p2 = p0.copy(), p0.copy()
    p1[0], p2[:6] = -1, -1
    prototypes = numpy.stack([p0, p1, p2])
    right, wrong = 30_000, 10_000
    queries = numpy.concatenate([numpy.tile(p1, (right, 1)), numpy.tile(p0, (wrong, 1))])
    labels = numpy.array([1] * right + [2] * wrong)
    neural = accuracy_of(queries, prototypes, labels)
    assert neural == 0.75
    for probability in (0.0, 0.2, 0.5, 1.0):
        measured = accuracy_of(queries, prototypes, labels, uniform_search_errors(8, probability), seed=3)
        expected = neural * (1 - probability + probability**2 / 2)
        spread = numpy.sqrt(expected * (1 - expected) / len(labels))
        assert abs(measured - expected) <= 4 * spread + 1e-12, (probability, measured, expected)


def test_tiles_add_their_errors_and_p_zero_reads_exact_distances():
    rng = numpy.random.default_rng(0)
    queries, patterns = rng.integers(0, 2, (50, 200)), rng.integers(0, 2, (7, 200))
    exact = (queries[:, None, :] != patterns[None, :, :]).sum(axis=2)
    generator = numpy.random.default_rng(1)
    assert numpy.array_equal(read_distances(queries, patterns, uniform_search_errors(200, 0.0, 64), generator), exact)
    noisy = read_distances(queries, patterns, uniform_search_errors(200, 1.0, 64), generator)
    assert (numpy.abs(noisy - exact) <= 4).all() and ((noisy - exact) % 2 == 0).all()  # 4 tiles, each +-1


def test_the_fefet_search_error_model_is_mac_error_rate_per_tile():
    arch = load_arch("fefet_1f1c")
    model = search_error_model(arch, 520)
    assert model.tile_bits == (64,) * 8 + (8,)  # 128-row arrays hold 64 pattern bits
    assert model.error_probabilities[0] == mac_error_rate(arch.compute, 128)[1]
    assert model.error_probabilities[-1] == mac_error_rate(arch.compute, 16)[1]


def test_bad_input_is_one_line_errors():
    with pytest.raises(CodesignError, match="at least 1"):
        digits_hdc(dimensions=0)
    with pytest.raises(CodesignError, match="at least 1"):
        search_error_model(load_arch("fefet_1f1c"), 0)
    with pytest.raises(CodesignError, match="fefet_1f1c") as raised:
        search_error_model(load_arch("eyeriss"), 512)
    assert "\n" not in str(raised.value)


def test_the_front_end_is_cut_before_the_classifier():
    workload = digits_hdc()
    assert workload.feature_value == "/7/Relu_output_0" and workload.classes == 10
    front = workload.front_end
    assert [value.name for value in front.outputs] == ["/7/Relu_output_0"]
    assert [node.name for node in front] == [node.name for node in workload.graph][:-1]


def test_the_encoder_layer_computes_the_projection(digits, float_features):
    workload = digits_hdc(512)
    graph = workload.mac_graph
    encoder = graph.compute_nodes[-1]
    assert encoder.name == ENCODER_NAME and encoder.macs == 64 * 512 and encoder.weight.type.bits == 2
    assert [node.name for node in graph][:-1] == [node.name for node in workload.front_end]
    assert numpy.array_equal(hypervectors(workload, digits.images, digits, None), encode(workload, float_features[1]))


def test_digits_hdc_accuracy_in_float32_at_512_dimensions(digits, float_features):
    # Measured 96.9% (seed 0); the CNN's own classifier reaches 98.9%.
    train, test = float_features
    workload = digits_hdc(512)
    prototypes = hdc.class_prototypes(encode(workload, train), digits.train_labels, 10)
    assert accuracy_of(encode(workload, test), prototypes, digits.labels) > 0.90


def test_more_dimensions_widen_the_mean_margin(digits, float_features):
    train, test = float_features
    mean_margins = []
    for dimensions in (128, 256, 512, 1024):
        workload = digits_hdc(dimensions)
        prototypes = hdc.class_prototypes(encode(workload, train), digits.train_labels, 10)
        distances = hdc.hamming_distances(encode(workload, test), prototypes)
        mean_margins.append(hdc.margins(distances, digits.labels).mean())
    assert all(wider > narrower for narrower, wider in zip(mean_margins, mean_margins[1:])), mean_margins


def test_hdc_accuracy_runs_the_front_end_on_the_data(digits):
    assert hdc_accuracy(digits_hdc(256), digits) > 0.90


def test_compile_hdc_workload_reports_both_halves_and_its_accuracy(capsys, tmp_path):
    import json

    from codesign.cli import main

    path = tmp_path / "hdc.json"
    assert main(["compile", "--workload", "hdc:D=256", "--arch", "fefet_1f1c", "--accuracy", "--json", str(path)]) == 0
    document = json.loads(path.read_text())
    ops = [layer["op"] for layer in document["layers"]]
    assert ops[-1] == "AssociativeSearch" and "Conv" in ops and "Gemm" in ops  # front end, then the search
    assert ops.count("Gemm") == 1  # the CNN's classifier (fc2) is replaced by the search
    search = document["layers"][-1]
    assert search["energy_J"] > 0 and search["latency_s"] > 0
    assert document["total"]["energy_J"] == pytest.approx(sum(layer["energy_J"] for layer in document["layers"]))
    accuracy = document["accuracy"]
    assert accuracy["float32"] > 0.9 and accuracy["test_images"] == 450
    assert 0 <= accuracy["with_search_errors"] <= 1 and accuracy["search_error_probabilities"]
    assert "with the search's read-back errors" in capsys.readouterr().out


@pytest.mark.parametrize("argv, fragment", [
    (["--workload", "hdc:D=256", "--arch", "simba"], "fefet_1f1c, fefet_1f1c_calibrated"),
    (["--workload", "hdc:D=0", "--arch", "fefet_1f1c"], "D must be between 1 and"),
    (["--workload", "hdc:seed=1", "--arch", "fefet_1f1c"], "expected hdc:D=<dimensions>"),
])
def test_compile_hdc_bad_input(capsys, argv, fragment):
    from tests.unit.test_bad_input import assert_one_line_error, run

    assert_one_line_error(*run(capsys, "compile", *argv)[::2], fragment)
