"""`--data FILE.npz`: any ONNX model with its own labelled data; every bad file is one line."""

import json
import pickle
import zipfile

import numpy
import pytest

from codesign.accuracy import labelled_test_set
from codesign.accuracy.datasets import CALIBRATION_IMAGES, load_labelled_npz
from codesign.cli import main
from codesign.errors import CodesignError
from tests.unit.test_bad_input import assert_one_line_error, run


@pytest.fixture(scope="module")
def digits_onnx(tmp_path_factory):
    """digits_cnn as a plain ONNX file: a path says nothing about its data."""
    path = tmp_path_factory.mktemp("model") / "digits.onnx"
    assert main(["models", "export", "digits_cnn", "-o", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def digits():
    return labelled_test_set("digits_cnn")


def save_npz(path, **arrays):
    numpy.savez(path, **arrays)
    return path


def accuracy_report(capsys, tmp_path, *argv):
    report = tmp_path / "report.json"
    assert main(["compile", *argv, "--arch", "simba", "--accuracy", "--json", str(report)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return json.loads(report.read_text())["accuracy"]


def test_npz_gives_the_same_accuracy_as_the_zoo_name(capsys, tmp_path, digits_onnx, digits):
    data = save_npz(tmp_path / "digits.npz", inputs=digits.images, labels=digits.labels,
                    calibration=digits.calibration)
    by_file = accuracy_report(capsys, tmp_path, str(digits_onnx), "--data", str(data))
    assert by_file == accuracy_report(capsys, tmp_path, "digits_cnn")
    assert by_file["test_images"] == 450 and by_file["float32"] > 0.98


def test_npz_without_calibration_calibrates_on_its_first_inputs(tmp_path, digits):
    path = save_npz(tmp_path / "digits.npz", inputs=(digits.images * 16).astype(numpy.uint8),
                    labels=digits.labels.astype(numpy.int32))
    data = load_labelled_npz(path, input_shape=(1, 1, 8, 8), integer_inputs=False)
    assert data.images.dtype == numpy.float32 and data.labels.dtype == numpy.int64 and data.non_negative_inputs
    numpy.testing.assert_array_equal(data.calibration, data.images[:CALIBRATION_IMAGES])
    signed = load_labelled_npz(save_npz(tmp_path / "signed.npz", inputs=digits.images - 0.5, labels=digits.labels))
    assert not signed.non_negative_inputs


def test_integer_ids_stay_integers(tmp_path):
    tokens = numpy.arange(64, dtype=numpy.int32).reshape(2, 32) % 32
    data = load_labelled_npz(save_npz(tmp_path / "ids.npz", inputs=tokens, labels=numpy.array([0, 3])),
                             input_shape=(1, 32), integer_inputs=True)
    assert data.images.dtype == numpy.int64
    assert load_labelled_npz(tmp_path / "ids.npz").images.dtype == numpy.int64  # unknown model: kept as they are
    with pytest.raises(CodesignError, match="floating-point values, but the model takes integer ids"):
        load_labelled_npz(save_npz(tmp_path / "floats.npz", inputs=tokens * 1.0, labels=numpy.array([0, 3])),
                          integer_inputs=True)


def bad_npz_cases(tmp_path, digits):
    images, labels = digits.images[:20], digits.labels[:20]
    (tmp_path / "text.npz").write_text("inputs,labels\n1,2\n")
    (tmp_path / "empty_file.npz").write_bytes(b"")
    (tmp_path / "pickled.npz").write_bytes(pickle.dumps({"inputs": images, "labels": labels}))
    (tmp_path / "folder.npz").mkdir()
    numpy.save(tmp_path / "single.npy", images)
    with zipfile.ZipFile(tmp_path / "corrupt.npz", "w") as archive:
        archive.writestr("inputs.npy", b"\x93NUMPY not really")
        archive.writestr("labels.npy", b"")
    return {
        "absent.npz": ("no such file",),
        "text.npz": ("not an .npz archive",),
        "empty_file.npz": ("not an .npz archive",),
        "pickled.npz": ("not an .npz archive",),
        "folder.npz": ("a directory",),
        "single.npy": ("not an .npz archive",),
        "corrupt.npz": ("array 'inputs' cannot be read",),
        "unlabelled.npz": ({"inputs": images}, "no array 'labels'", "it has 'inputs'"),
        "float_labels.npz": ({"inputs": images, "labels": labels * 1.0}, "1-D array of integer classes", "float64"),
        "table_labels.npz": ({"inputs": images, "labels": labels.reshape(4, 5)}, "1-D array", "shape 4x5"),
        "negative_labels.npz": ({"inputs": images, "labels": labels - 20}, "classes are indices from 0"),
        "short_labels.npz": ({"inputs": images, "labels": labels[:19]}, "19 labels for 20 inputs"),
        "wrong_shape.npz": ({"inputs": images.reshape(20, 1, 4, 16), "labels": labels},
                            "'inputs' has shape 20x1x4x16", "Nx1x8x8"),
        "flat.npz": ({"inputs": images.reshape(20, 64), "labels": labels}, "shape 20x64"),
        "bad_calibration.npz": ({"inputs": images, "labels": labels, "calibration": images[:, :, :4]},
                                "'calibration' has shape 20x1x4x8"),
        "empty.npz": ({"inputs": images[:0], "labels": labels[:0]}, "'inputs' holds no samples"),
        "strings.npz": ({"inputs": numpy.array(["a", "b"]), "labels": labels[:2]}, "holds <U1 values"),
        "objects.npz": ({"inputs": numpy.array([{}, {}], dtype=object), "labels": labels[:2]},
                        "array 'inputs' cannot be read"),
        "nan.npz": ({"inputs": numpy.where(images > 0.5, numpy.nan, images), "labels": labels}, "NaN or infinite"),
    }


def test_every_bad_npz_is_a_one_line_error(capsys, tmp_path, digits_onnx, digits):
    for name, case in bad_npz_cases(tmp_path, digits).items():
        if isinstance(case[0], dict):
            numpy.savez(tmp_path / name, **case[0])
            case = case[1:]
        code, _, err = run(capsys, "compile", str(digits_onnx), "--arch", "simba", "--accuracy",
                           "--data", str(tmp_path / name))
        assert_one_line_error(code, err, name, *case)


def test_npz_beyond_the_size_limit_is_refused(tmp_path, monkeypatch, digits):
    from codesign.accuracy import datasets

    monkeypatch.setattr(datasets, "MAX_NPZ_BYTES", 1000)
    path = save_npz(tmp_path / "large.npz", inputs=digits.images, labels=digits.labels)
    with pytest.raises(CodesignError, match="uncompressed; at most"):
        load_labelled_npz(path)


def test_model_without_data_mentions_data_option(capsys):
    assert_one_line_error(*run(capsys, "compile", "resnet18", "--arch", "simba", "--accuracy")[::2],
                          "needs a zoo model with a labelled test set", "--data FILE.npz")
