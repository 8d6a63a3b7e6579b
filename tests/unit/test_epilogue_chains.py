"""Chains of element-wise ops run in a compute layer's output stage (cost/epilogues.py), in the
layer-by-layer compile and in the fusion units alike."""

import math

import numpy
import pytest
from onnx import helper

from codesign.arch import load_arch
from codesign.compiler import compile_layers
from codesign.cost.epilogues import output_stages
from codesign.frontend import load_onnx
from codesign.fusion.units import build_units
from tests.onnx_builders import constant, model, random_constant, save

TOKENS, HIDDEN, WIDE = 16, 32, 64
GELU = ["scale", "erf", "shift", "gate", "half"]


def gelu_block(side_reader: str | None = None, output_inside: bool = False):
    """MatMul up -> GELU as torch exports it -> MatMul down.

    `side_reader`: a value of the chain that another MatMul also reads; `output_inside`: the
    Erf's result is also a graph output.
    """
    nodes = [
        helper.make_node("MatMul", ["x", "w_up"], ["up"], name="up"),
        helper.make_node("Div", ["up", "root2"], ["scaled"], name="scale"),
        helper.make_node("Erf", ["scaled"], ["erf_out"], name="erf"),
        helper.make_node("Add", ["erf_out", "one"], ["shifted"], name="shift"),
        helper.make_node("Mul", ["up", "shifted"], ["gated"], name="gate"),
        helper.make_node("Mul", ["gated", "half_constant"], ["gelu"], name="half"),
        helper.make_node("MatMul", ["gelu", "w_down"], ["y"], name="down"),
    ]
    outputs = [("y", [1, TOKENS, HIDDEN])]
    if side_reader is not None:
        nodes.append(helper.make_node("MatMul", [side_reader, "w_side"], ["side"], name="side"))
        outputs.append(("side", [1, TOKENS, HIDDEN]))
    if output_inside:
        outputs.append(("erf_out", [1, TOKENS, WIDE]))
    initializers = [random_constant("w_up", (HIDDEN, WIDE), 1), random_constant("w_down", (WIDE, HIDDEN), 2),
                    random_constant("w_side", (WIDE, HIDDEN), 3), constant("root2", numpy.float32(math.sqrt(2))),
                    constant("one", numpy.float32(1.0)), constant("half_constant", numpy.float32(0.5))]
    return model(nodes, [("x", [1, TOKENS, HIDDEN])], outputs, initializers)


def residual_block():
    """MatMul -> Add(residual input, MatMul's result): the operand order ONNX wrote puts the residual first."""
    nodes = [helper.make_node("MatMul", ["x", "w"], ["projected"], name="projection"),
             helper.make_node("Add", ["x", "projected"], ["y"], name="residual")]
    return model(nodes, [("x", [1, TOKENS, HIDDEN])], [("y", [1, TOKENS, HIDDEN])],
                 [random_constant("w", (HIDDEN, HIDDEN), 4)])


def load(tmp_path, proto):
    return load_onnx(save(proto, tmp_path)).graph


def test_gelu_runs_whole_in_the_output_stage(tmp_path):
    graph = load(tmp_path, gelu_block())
    stages = output_stages(graph)
    assert [name for name in GELU if stages.get(name) and stages[name].host == "up"] == GELU
    assert stages["gate"].on_chip == {"up", "shifted"}  # the layer's result and the chain's own value
    compiled = compile_layers(graph, load_arch("simba"))
    layers = {layer.node.name: layer for layer in compiled.layers}
    for name in GELU:
        cost = layers[name].cost
        assert layers[name].epilogue_of == "up"
        # only its scalar constant, if any, comes from DRAM: nothing of the chain leaves the chip
        assert cost.dram_bytes == compiled.hardware.levels[0].word_bytes * layers[name].node.param_count
        assert cost.cycles == (1 if layers[name].node.param_count else 0)  # that one word takes a cycle
        assert "output_stage" in cost.energy_breakdown_J and "mac" not in cost.energy_breakdown_J


def test_the_fusion_unit_holds_the_whole_chain(tmp_path):
    graph = load(tmp_path, gelu_block())
    units, _ = build_units(graph, compile_layers(graph, load_arch("simba")))
    up = next(unit for unit in units if unit.name == "up")
    assert up.nodes == ("up", *GELU) and up.output == "gelu" and up.inputs == ("x",)
    assert set(up.dram) == {"x", "<weights>", "gelu"}  # no chain value is read or written
    down = next(unit for unit in units if unit.name == "down")
    assert down.inputs == ("gelu",)


def test_a_chain_value_read_elsewhere_cuts_the_chain_before_it(tmp_path):
    graph = load(tmp_path, gelu_block(side_reader="shifted"))
    stages = output_stages(graph)
    # 'shifted' must reach DRAM for the side MatMul, so the stage could end at 'shift'; but then
    # 'gate' (outside) reads 'up', which would have to reach DRAM too: no epilogue at all
    assert not stages
    graph = load(tmp_path, gelu_block(side_reader="gelu"))
    assert [name for name in GELU if name in output_stages(graph)] == GELU  # the last value may leave


def test_a_graph_output_inside_the_chain_cuts_it(tmp_path):
    stages = output_stages(load(tmp_path, gelu_block(output_inside=True)))
    assert not stages  # erf_out must be written, and 'up' is read after it by 'gate'


def test_an_operand_from_another_layer_is_streamed_whatever_its_position(tmp_path):
    graph = load(tmp_path, residual_block())
    stages = output_stages(graph)
    assert stages["residual"].host == "projection" and stages["residual"].on_chip == {"projected"}
    compiled = compile_layers(graph, load_arch("simba"))
    layer = next(layer for layer in compiled.layers if layer.node.name == "residual")
    word_bytes = compiled.hardware.levels[0].word_bytes
    assert layer.cost.dram_bytes == TOKENS * HIDDEN * word_bytes  # the residual read, no write
