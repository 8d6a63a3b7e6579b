"""QDQ export (codesign/quantize/export.py) checked by onnxruntime against quantized_predict."""

from collections import Counter

import numpy
import onnx
import pytest

from codesign.accuracy import LabelledData, labelled_test_set, run_graph
from codesign.errors import CodesignError
from codesign.frontend import load_model, load_onnx, resolve_model_path
from codesign.ir import LayerBits
from codesign.quantize import (
    calibrate, export_qdq, onnxruntime_accuracy, onnxruntime_predict, quantized_accuracy, quantized_predict,
)
from models import zoo
from tests.onnx_builders import attention_block, conv_bn_relu, save
from tests.unit.quantize_fixtures import data, ranges, uniform  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def source():
    return resolve_model_path("digits_cnn")


@pytest.fixture(scope="module")
def graph(source):
    return load_onnx(source).graph


def mixed(graph):
    """Every width class: int8 carriers at 2..8 bits, int16 at 12 and 16 (opset 21)."""
    first, second, third, last = (node.name for node in graph.compute_nodes)
    return {first: LayerBits(8, 6, 8), second: LayerBits(3, 4, 4), third: LayerBits(12, 16, 16), last: LayerBits(5, 2, 2)}


def assert_logits_agree(expected: numpy.ndarray, actual: numpy.ndarray) -> None:
    """Float sums in another order can move a value across a rounding boundary of the next
    layer's grid (one level, on 0-2% of the images of the zoo's trained models); every other
    image's logits agree to float precision, and the top class practically always."""
    scale = float(numpy.abs(expected).max())
    rows = numpy.abs(expected - actual).reshape(len(expected), -1).max(axis=1)
    assert numpy.quantile(rows, 0.95) <= 1e-5 * scale
    assert numpy.mean(expected.reshape(len(rows), -1).argmax(axis=1) != actual.reshape(len(rows), -1).argmax(axis=1)) <= 0.01


def operators(path) -> Counter:
    return Counter(node.op_type for node in onnx.load(str(path)).graph.node)


def test_onnxruntime_runs_the_source_as_the_float_executor_does(source, graph, data):
    numpy.testing.assert_allclose(onnxruntime_predict(source, data.images), run_graph(graph, data.images), atol=1e-4)


@pytest.mark.parametrize("name", ["uniform 8", "uniform 4", "mixed"])
def test_onnxruntime_reproduces_quantized_predict(source, graph, data, ranges, tmp_path, name):
    config = mixed(graph) if name == "mixed" else uniform(graph, int(name.split()[1]))
    path = export_qdq(graph, source, config, ranges, tmp_path / "q.onnx")
    onnx.checker.check_model(str(path), full_check=True)
    assert onnxruntime_accuracy(path, data) == pytest.approx(quantized_accuracy(graph, config, ranges, data), abs=0.005)
    assert_logits_agree(quantized_predict(graph, config, ranges, data.images), onnxruntime_predict(path, data.images))
    opset = next(entry.version for entry in onnx.load(str(path)).opset_import if entry.domain in ("", "ai.onnx"))
    assert opset == (21 if name == "mixed" else 17)  # 16-bit integer types need opset 21


def test_only_configured_layers_are_quantized(source, graph, ranges, tmp_path):
    first = graph.compute_nodes[0].name
    path = export_qdq(graph, source, {first: LayerBits(4, 4, 4)}, ranges, tmp_path / "q.onnx")
    counts, original = operators(path), operators(source)
    assert (counts["QuantizeLinear"], counts["DequantizeLinear"], counts["Clip"]) == (2, 2, 1)  # weight; input
    assert counts - Counter({"QuantizeLinear": 2, "DequantizeLinear": 2, "Clip": 1}) == original


def test_folded_batch_norm_is_quantized_as_the_ir_folds_it(tmp_path):
    source = save(conv_bn_relu(channels_in=3, channels_out=8, size=8), tmp_path, "conv_bn.onnx")
    graph = load_onnx(source).graph
    images = numpy.random.default_rng(0).standard_normal((32, 3, 8, 8)).astype(numpy.float32)
    ranges = calibrate(graph, images[:16])
    for config in ({}, {"conv": LayerBits(4, 5, 8)}):
        path = export_qdq(graph, source, config, ranges, tmp_path / "q.onnx")
        exported = onnx.load(str(path))
        assert "BatchNormalization" not in operators(path)
        assert next(node for node in exported.graph.node if node.op_type == "Conv").output[0] == "b"  # the BN's output
        assert_logits_agree(quantized_predict(graph, config, ranges, images), onnxruntime_predict(path, images))
        assert not {"gamma", "beta", "mean", "var"} & {tensor.name for tensor in exported.graph.initializer}


def test_attention_products_are_quantized_on_both_operands(tmp_path):
    source = save(attention_block(), tmp_path, "attention.onnx")
    graph = load_onnx(source).graph
    inputs = numpy.random.default_rng(0).standard_normal((24, 16, 32)).astype(numpy.float32)
    ranges = calibrate(graph, inputs[:12])
    assert [len(ranges.of(name)) for name in ("q_proj", "scores", "context")] == [1, 2, 2]
    config = {node.name: LayerBits(6, 6, 6) for node in graph.compute_nodes}
    path = export_qdq(graph, source, config, ranges, tmp_path / "q.onnx")
    exported = onnx.load(str(path)).graph
    producers = {output: node.op_type for node in exported.node for output in node.output}
    scores = next(node for node in exported.node if node.name == "scores")
    assert [producers[name] for name in scores.input] == ["DequantizeLinear", "DequantizeLinear"]
    quantized = quantized_predict(graph, config, ranges, inputs)
    assert numpy.abs(quantized - run_graph(graph, inputs)).max() > 1e-3  # the products did change
    assert_logits_agree(quantized, onnxruntime_predict(path, inputs))


def test_a_source_the_graph_was_not_imported_from_is_refused(graph, ranges, tmp_path):
    other = save(conv_bn_relu(), tmp_path, "other.onnx")
    with pytest.raises(CodesignError, match="is the graph imported from this file"):
        export_qdq(graph, other, uniform(graph, 8), ranges, tmp_path / "q.onnx")
    with pytest.raises(CodesignError, match="cannot read"):
        export_qdq(graph, tmp_path / "missing.onnx", {}, ranges, tmp_path / "q.onnx")


def test_onnxruntime_refuses_inputs_of_the_wrong_shape(source, data):
    with pytest.raises(CodesignError, match="takes 1x1x8x8"):
        onnxruntime_predict(source, data.images[:, :, :4])
    with pytest.raises(CodesignError, match="onnxruntime cannot load"):
        onnxruntime_predict(source.parent / "no_such_model.onnx", data.images)


def zoo_data(name: str, graph) -> LabelledData:
    """The model's labelled data where the zoo has some, else random inputs (logits only)."""
    data = labelled_test_set(name)
    if data is not None:
        return data
    generator = numpy.random.default_rng(0)
    shape = (64, *graph.inputs[0].type.shape[1:])
    if graph.inputs[0].type.numeric == "int":
        table = next(node for node in graph if node.op.value == "Gather").params[0]
        inputs = generator.integers(0, table.type.shape[0], shape)
    else:
        inputs = generator.random(shape, dtype=numpy.float32)
    return LabelledData(inputs, numpy.zeros(len(inputs), numpy.int64), inputs, False)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["digits_resnet", "seq_transformer"])
def test_onnxruntime_reproduces_the_trained_zoo(name, tmp_path):
    """Batch norms folded into convolutions; attention products with both operands quantized."""
    if name not in zoo.names():
        pytest.skip(f"{name} is not in the zoo yet")
    graph, source = load_model(name).graph, resolve_model_path(name)
    data = zoo_data(name, graph)
    ranges = calibrate(graph, data.calibration)
    config = {node.name: LayerBits(6, 6, 6) for node in graph.compute_nodes}
    path = export_qdq(graph, source, config, ranges, tmp_path / "q.onnx")
    assert "BatchNormalization" not in operators(path)
    assert_logits_agree(quantized_predict(graph, config, ranges, data.images), onnxruntime_predict(path, data.images))
