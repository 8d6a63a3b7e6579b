"""Every layer's numbers add up on every shipped spec: energy by tensor sums to the energy,
cycles are whole clock cycles, and the energy of an op is labelled by the unit that spends it."""

import pytest
from rich.console import Console

from codesign.arch import list_arch, load_arch
from codesign.compiler import compile_graph, compile_layers
from codesign.cost.result import whole_cycles
from codesign.frontend import load_model, load_onnx
from codesign.report.compile import compile_json, compile_table, human_time, top_consumer
from tests.onnx_builders import attention_block, save

# The SNN specs cost converted graphs only (their accounting: tests/unit/test_snn_target.py).
SPECS = [info.name for info in list_arch() if load_arch(info.name).compute.kind != "snn_cores"]
IN_MEMORY = {name for name in SPECS if load_arch(name).compute.kind != "compute"}
TENSORS = {"weight", "input", "output", "compute"}


@pytest.fixture(scope="module")
def digits_graph():
    return load_model("digits_cnn").graph


def test_the_specs_cover_both_kinds_of_target():
    assert {"crossbar", "crossbar_neurosim", "fefet_1f1c"} <= IN_MEMORY and {"eyeriss", "simba"} <= set(SPECS)


@pytest.mark.parametrize("spec", SPECS)
def test_energy_by_tensor_adds_up_to_the_energy(digits_graph, spec):
    report = compile_graph(digits_graph, load_arch(spec))
    for layer in report.layers:
        assert set(layer.energy_by_tensor_J) <= TENSORS, layer.name
        assert sum(layer.energy_by_tensor_J.values()) == pytest.approx(layer.energy_J, rel=1e-9), layer.name
        if layer.macs:  # a compute layer moves all three tensors and computes
            assert all(layer.energy_by_tensor_J.get(tensor, 0) > 0 for tensor in TENSORS), (spec, layer.name)


@pytest.mark.parametrize("spec", SPECS)
def test_cycles_are_whole_and_latency_follows_from_them(digits_graph, spec):
    compiled = compile_layers(digits_graph, load_arch(spec))
    clock = compiled.report.clock_frequency_Hz
    for layer in compiled.layers:
        cycles = layer.cost.cycles
        assert cycles == int(cycles) and cycles >= (0 if layer.epilogue_of else 1), layer.node.name
        assert layer.cost.latency_s == cycles / clock


@pytest.mark.parametrize("spec", SPECS)
def test_vector_and_epilogue_energy_is_not_called_mac(digits_graph, spec):
    compiled = compile_layers(digits_graph, load_arch(spec))
    for layer in compiled.layers:
        breakdown = layer.cost.energy_breakdown_J
        if layer.epilogue_of:  # ReLU after a convolution
            assert top_consumer(breakdown) == "output_stage 100%"
        elif not layer.node.op.is_compute:  # max pooling
            assert "vector" in breakdown and "mac" not in breakdown
        elif spec in IN_MEMORY:
            assert "mac" not in breakdown  # the macro's own parts: array, ADC, ...


def test_attention_scale_takes_a_whole_cycle(tmp_path):
    """The scores' Div by sqrt(d) reads one constant word: 0.078 cycles before, one clock now."""
    graph = load_onnx(save(attention_block(), tmp_path)).graph
    report = compile_graph(graph, load_arch("simba"))
    scale = next(layer for layer in report.layers if layer.name == "scale")
    assert scale.mapping == {"epilogue_of": "scores"} and scale.cycles == 1
    document = compile_json(report)
    assert all(entry["cycles"] == int(entry["cycles"]) for entry in document["layers"])
    assert document["total"]["latency_s"] == pytest.approx(document["total"]["cycles"] / report.clock_frequency_Hz)
    console = Console(record=True, width=200)
    console.print(compile_table(report, all_ops=True))  # the epilogue on its own row
    one_clock = human_time(1 / report.clock_frequency_Hz)  # simba's 2 GHz: 500 ps
    rows = [line.split("│") for line in console.export_text().splitlines() if "│" in line]
    assert any(row[2].strip() == "scale" and one_clock in "│".join(row) for row in rows)


def test_whole_cycles():
    assert whole_cycles(0.078) == 1 and whole_cycles(40118.125) == 40119
    assert whole_cycles(903168.0000000001) == 903168  # float error of latency x clock is not a cycle
    assert whole_cycles(0.0) == 1 and whole_cycles(0.0, least=0) == 0 and whole_cycles(2.0) == 2
