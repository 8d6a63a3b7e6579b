"""The model zoo: every model builds at its reference cost; digits_cnn is real and exports.

Builds are untrained (a trained model's architecture is its builder; training is its
trainer's, run at export): tests/unit/test_zoo_trained.py checks the trained exports."""
import numpy
import onnx
import pytest
import torch
from onnx.reference import ReferenceEvaluator
from torch.utils.flop_counter import FlopCounterMode

from codesign.errors import UnknownNameError
from models import zoo
from models.digits import digits_split, train_digits_cnn
from models.macs import count_macs


@pytest.mark.parametrize("name", zoo.names())
def test_model_builds_and_costs_its_reference_macs(name):
    entry = zoo.get(name)
    model = entry.build().eval()
    macs = count_macs(model, entry.example_input())
    assert macs == pytest.approx(entry.reference_macs, rel=0.02)
    # torch's own operator-level counter (2 FLOPs per MAC) agrees with the hooks exactly,
    # so no convolution or matmul escapes them.
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(entry.example_input())
    assert counter.get_total_flops() == 2 * macs


def test_names_are_sorted_and_complete():
    assert zoo.names() == ["alexnet", "bert_tiny", "digits_cnn", "digits_mobilenet", "digits_resnet", "digits_vgg",
                           "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "resnet18", "resnet50",
                           "seq_transformer", "vgg11"]


def test_unknown_name_lists_the_available_names():
    with pytest.raises(UnknownNameError, match="unknown zoo model 'nope'") as error:
        zoo.get("nope")
    assert all(name in str(error.value) for name in zoo.names())


def test_count_macs_of_a_grouped_convolution():
    # 4x4 output pixels x 8 output channels x (4 / 2 groups) input channels x 3x3 kernel.
    convolution = torch.nn.Conv2d(4, 8, 3, padding=1, groups=2)
    assert count_macs(convolution, torch.zeros(1, 4, 4, 4)) == 16 * 8 * 2 * 9


@pytest.fixture(scope="module")
def trained_digits_cnn():
    """(model, test accuracy), trained once for the tests below."""
    return train_digits_cnn(seed=0)


def test_trained_digits_cnn_is_accurate(trained_digits_cnn):
    _, accuracy = trained_digits_cnn
    assert accuracy >= 0.95


def test_digits_cnn_exports_its_trained_weights(trained_digits_cnn, tmp_path):
    path = zoo.export_onnx("digits_cnn", tmp_path / "digits_cnn.onnx")
    onnx.checker.check_model(str(path), full_check=True)
    exported = onnx.load(path)
    assert [graph_input.name for graph_input in exported.graph.input] == ["input"]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left beside it

    # export_onnx trains anew; training is deterministic, so it must give the same model.
    trained, _ = trained_digits_cnn
    image = digits_split()[2][:1]
    with torch.no_grad():
        expected = trained(image).numpy()
    (logits,) = ReferenceEvaluator(exported).run(None, {"input": image.numpy()})
    numpy.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-5)


def test_failed_export_keeps_the_existing_file(tmp_path, monkeypatch):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"a good model")

    def fail(*args, **kwargs):
        raise RuntimeError("exporter failed")

    monkeypatch.setattr(torch.onnx, "export", fail)
    with pytest.raises(RuntimeError, match="exporter failed"):
        zoo.export_onnx("mobilenet_v3_small", path)
    assert path.read_bytes() == b"a good model"
    assert list(tmp_path.iterdir()) == [path]


def test_failed_rename_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "model.onnx"

    def fail(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(zoo.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        zoo.write_atomically(b"bytes", path)
    assert list(tmp_path.iterdir()) == []
