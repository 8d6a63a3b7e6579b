"""Hutchinson Hessian traces and the torch executor they run on (codesign/quantize)."""

from dataclasses import replace

import numpy
import pytest
import torch
from onnx import helper
from torch.nn import functional

from codesign.accuracy import LabelledData, labelled_test_set, run_graph
from codesign.accuracy.execute import _OPS
from codesign.errors import CodesignError
from codesign.frontend import load_model, load_onnx
from codesign.ir import Op
from codesign.quantize import hessian_traces
from codesign.quantize.torch_executor import _OPERATIONS, TorchExecutor
from models import zoo
from tests.onnx_builders import attention_block, constant, model, save

NEW_ZOO_MODELS = ("digits_resnet", "digits_mobilenet", "digits_vgg", "seq_transformer")


@pytest.fixture(autouse=True, scope="module")
def single_threaded():
    """Torch's thread pool on small tensors is slow, and many times slower on shared cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def data():
    return labelled_test_set("digits_cnn")


@pytest.fixture(scope="module")
def graph():
    return load_model("digits_cnn").graph


def tiny_model(directory):
    """conv 1->2 (3x3, pad 1) -> ReLU -> max pool 2 -> flatten -> FC 32->10: 18 + 320 weights, so
    that torch can form its whole Hessian."""
    generator = numpy.random.default_rng(0)
    conv = (generator.standard_normal((2, 1, 3, 3)) * 0.5).astype(numpy.float32)
    fc = (generator.standard_normal((10, 32)) * 0.3).astype(numpy.float32)
    nodes = [helper.make_node("Conv", ["x", "conv_w", "conv_b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["y"], name="fc", transB=1)]
    initializers = [constant("conv_w", conv), constant("conv_b", numpy.full(2, 0.1, numpy.float32)),
                    constant("fc_w", fc), constant("fc_b", numpy.zeros(10, numpy.float32))]
    path = save(model(nodes, [("x", [1, 1, 8, 8])], [("y", [1, 10])], initializers), directory)
    return load_onnx(path).graph, conv, fc


def exact_hessian(images: numpy.ndarray, conv: numpy.ndarray, fc: numpy.ndarray) -> numpy.ndarray:
    """The whole Hessian of the tiny model's loss w.r.t. (conv weights, FC weights), float64,
    labels = its own predictions (as hessian_traces takes them)."""
    inputs = torch.from_numpy(images).double()

    def logits(flat):
        weight, matrix = flat[:conv.size].reshape(conv.shape), flat[conv.size:].reshape(fc.shape)
        hidden = functional.max_pool2d(functional.relu(functional.conv2d(inputs, weight, torch.full((2,), 0.1).double(),
                                                                         padding=1)), 2)
        return hidden.flatten(1) @ matrix.T

    flat = torch.from_numpy(numpy.concatenate([conv.ravel(), fc.ravel()])).double()
    labels = logits(flat).argmax(dim=1)
    return torch.autograd.functional.hessian(lambda weights: functional.cross_entropy(logits(weights), labels),
                                             flat).numpy()


def test_traces_agree_with_the_exact_hessian_within_the_hutchinson_error(tmp_path, data):
    graph, conv, fc = tiny_model(tmp_path)
    images = data.calibration[:64]
    samples = 64
    estimates = hessian_traces(graph, replace(data, calibration=images), batches=1, batch_size=64, samples=samples)
    hessian = exact_hessian(images, conv, fc)
    for name, block in (("conv", slice(0, conv.size)), ("fc", slice(conv.size, None))):
        part = hessian[block, block]
        count = part.shape[0]
        off_diagonal = part - numpy.diag(numpy.diag(part))
        # Rademacher vectors: Var(v^T A v) = 2 * sum of the squared off-diagonal entries.
        error = numpy.sqrt(2 * numpy.sum(off_diagonal**2) / samples) / count
        exact = numpy.trace(part) / count
        assert 4 * error < 0.5 * abs(exact)  # the comparison below can tell a wrong estimate
        assert estimates[name] == pytest.approx(exact, abs=4 * error)


def test_traces_are_positive_and_the_same_for_a_seed(graph, data):
    first = hessian_traces(graph, data, batches=2, samples=8, seed=3)
    assert list(first) == [node.name for node in graph.compute_nodes]
    assert all(trace > 0 for trace in first.values())  # a trained network sits near a minimum
    assert hessian_traces(graph, data, batches=2, samples=8, seed=3) == first
    assert hessian_traces(graph, data, batches=2, samples=8, seed=4) != first


def test_products_of_activations_have_no_trace(tmp_path):
    """Attention's QK^T and AV have no weights: only the four projections get a trace."""
    graph = load_onnx(save(attention_block(), tmp_path)).graph
    inputs = numpy.random.default_rng(0).standard_normal((16, 16, 32)).astype(numpy.float32)
    data = LabelledData(inputs, numpy.zeros(16, numpy.int64), inputs, False)
    traces = hessian_traces(graph, data, batches=1, batch_size=16, samples=2)
    assert sorted(traces) == ["k_proj", "out_proj", "q_proj", "v_proj"]


@pytest.mark.parametrize("option", ["batches", "batch_size", "samples"])
def test_counts_must_be_positive(graph, data, option):
    with pytest.raises(CodesignError, match=f"{option} must be a positive whole number"):
        hessian_traces(graph, data, **{option: 0})


def test_the_torch_executor_runs_every_op_the_numpy_one_does():
    assert set(_OPS) <= set(_OPERATIONS), sorted(op.value for op in set(_OPS) - set(_OPERATIONS))


def test_the_torch_executor_matches_numpy_on_digits_cnn(graph, data):
    executor = TorchExecutor(graph)
    assert set(executor.weights) == {node.name for node in graph.compute_nodes}
    assert all(weight.requires_grad and weight.is_leaf for weight in executor.weights.values())
    with torch.no_grad():
        logits = executor(torch.from_numpy(data.images)).numpy()
    numpy.testing.assert_allclose(logits, run_graph(graph, data.images), atol=1e-4)


def random_inputs(graph, count: int) -> numpy.ndarray:
    """Pixels in 0..1, or token ids below the embedding table's size."""
    shape = (count, *graph.inputs[0].type.shape[1:])
    generator = numpy.random.default_rng(0)
    if graph.inputs[0].type.numeric != "int":
        return generator.random(shape, dtype=numpy.float32)
    table = next(node for node in graph if node.op is Op.GATHER).params[0]
    return generator.integers(0, table.type.shape[0], shape)


@pytest.mark.slow
@pytest.mark.parametrize("name", NEW_ZOO_MODELS)
def test_the_torch_executor_matches_numpy_on_the_trained_zoo(name):
    if name not in zoo.names():
        pytest.skip(f"{name} is not in the zoo yet")
    graph = load_model(name).graph
    inputs = random_inputs(graph, 32)
    with torch.no_grad():
        logits = TorchExecutor(graph)(torch.from_numpy(inputs)).numpy()
    expected = run_graph(graph, inputs)
    numpy.testing.assert_allclose(logits, expected, atol=1e-4 * max(1.0, float(numpy.abs(expected).max())))
