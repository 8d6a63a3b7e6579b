"""Per-layer energy, cycles and DRAM traffic of compiled networks, against stored numbers.

Any change to the cost model, the mapper or the energy tables shows up here; regenerate
after an intended change (CODESIGN_REGENERATE_GOLDEN=1) and explain the diff in the commit.
"""

import json

import pytest

from codesign.arch import load_arch
from codesign.compiler import compile_graph
from codesign.frontend import load_model
from tests.golden.conftest import DATA, REGENERATE

CASES = [("resnet18", "eyeriss"), ("resnet18", "simba"), ("digits_cnn", "eyeriss"),
         ("resnet18", "crossbar"), ("resnet18", "crossbar_neurosim"), ("resnet18", "fefet_1f1c")]


def layer_numbers(model: str, arch: str) -> list[dict]:
    report = compile_graph(load_model(model).graph, load_arch(arch), "edp", seed=0)
    return [{"name": layer.name, "energy_J": layer.energy_J, "cycles": layer.cycles, "dram_bytes": layer.dram_bytes}
            for layer in report.layers]


@pytest.mark.parametrize(("model", "arch"), CASES, ids=[f"{m}-{a}" for m, a in CASES])
def test_compiled_layers_match_the_stored_numbers(model, arch):
    actual = layer_numbers(model, arch)
    path = DATA / f"compile_{model}_{arch}.json"
    if REGENERATE:
        path.write_text(json.dumps(actual, indent=1) + "\n")
    expected = json.loads(path.read_text())
    assert [layer["name"] for layer in actual] == [layer["name"] for layer in expected]
    for got, stored in zip(actual, expected):
        for key in ("energy_J", "cycles", "dram_bytes"):
            assert got[key] == pytest.approx(stored[key], rel=1e-9), (got["name"], key)
