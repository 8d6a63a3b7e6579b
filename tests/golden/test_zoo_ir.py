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


@pytest.mark.parametrize(("name", "opset"), [("mobilenet_v2", 7), ("mobilenet_v3_small", 9), ("bert_tiny", 13)])
def test_old_opsets_import_to_the_same_work(name, opset, imported, tmp_path):
    """Opset 7-8 exports list weights among the graph inputs (IR version 3); opset 9 has
    no HardSwish (it becomes HardSigmoid and Mul); all must give the same MACs."""
    import onnx

    from codesign.frontend import load_onnx

    path = zoo.export_onnx(name, tmp_path / f"{name}-{opset}.onnx", opset=opset)
    if opset < 9:
        assert onnx.load(str(path), load_external_data=False).ir_version == 3
    graph = load_onnx(path).graph
    assert graph.macs == imported(name).macs
    assert len(graph.compute_nodes) == len(imported(name).compute_nodes)
