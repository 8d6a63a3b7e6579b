"""Every zoo model, exported and imported through the ONNX frontend, against references."""

import json

import pytest

from codesign.frontend import load_model
from codesign.ir import format_graph
from models import zoo
from tests.golden.conftest import DATA, REGENERATE


@pytest.fixture(scope="module")
def imported():
    cache = {}

    def load(name):
        if name not in cache:
            cache[name] = load_model(name).graph
        return cache[name]
    return load


def test_mobilenet_v3_small_ir_text(golden, imported):
    golden.check_text("mobilenet_v3_small.ir.txt", format_graph(imported("mobilenet_v3_small")))


@pytest.mark.parametrize("name", zoo.names())
def test_zoo_macs_match_published_within_two_percent(name, imported):
    graph = imported(name)
    reference = zoo.get(name).reference_macs
    assert abs(graph.macs / reference - 1) <= 0.02, (graph.macs, reference, zoo.get(name).reference_source)


def test_zoo_macs_golden(imported):
    """Exact per-model MAC and parameter counts, so any change in the frontend shows up."""
    actual = {name: {"macs": imported(name).macs, "params": imported(name).param_count,
                     "compute_layers": len(imported(name).compute_nodes)} for name in zoo.names()}
    path = DATA / "zoo_counts.json"
    if REGENERATE:
        path.write_text(json.dumps(actual, indent=2) + "\n")
    assert actual == json.loads(path.read_text())
