"""What the codesign/quantize tests share: digits_cnn's labelled data, its calibrated ranges,
and uniform configurations. Test modules import the fixtures they use by name."""

import pytest

from codesign.accuracy.datasets import labelled_test_set
from codesign.ir import LayerBits
from codesign.quantize import calibrate


@pytest.fixture(scope="module")
def data():
    return labelled_test_set("digits_cnn")


@pytest.fixture(scope="module")
def ranges(graph, data):
    return calibrate(graph, data.calibration)


def uniform(graph, bits):
    return {node.name: LayerBits(bits, bits, bits) for node in graph.compute_nodes}
