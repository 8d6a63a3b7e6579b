"""Precision from the IR on the compute-in-memory targets: a layer's weight, input and output
bits (integer TensorTypes, as set-precision writes them) set what it costs and how the
accuracy emulator computes it; nothing is fixed at 8 bits."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesign.accuracy import accuracy_at, labelled_test_set
from codesign.arch import load_arch
from codesign.errors import CodesignError
from codesign.frontend import load_model
from codesign.ir import ConvAttrs, Node, Op, Param, TensorType, Value
from codesign.passes import make_pass
from codesign.target import target_for
from tests.unit.test_bad_input import assert_one_line_error, run

SPECS = ("crossbar", "crossbar_neurosim", "fefet_1f1c")
TARGETS = {name: target_for(load_arch(name)) for name in SPECS}
ROLES = ("weight", "input", "output")


def integer(shape: tuple[int, ...], bits: int) -> TensorType:
    return TensorType(shape, bits, "int")


def conv_layer(channels: int, features: int, size: int, kernel: int, stride: int, groups: int,
               bits: dict[str, int]) -> Node:
    """A convolution whose weight, input and output are integers of `bits` (padded 'same')."""
    out_size = -(-size // stride)
    attrs = ConvAttrs(kernel=(kernel, kernel), strides=(stride, stride), pads=(kernel // 2,) * 4, group=groups)
    weight = Param("w", integer((features * groups, channels, kernel, kernel), bits["weight"]), "weight", 1)
    source = Value("x", integer((1, channels * groups, size, size), bits["input"]))
    target = Value("y", integer((1, features * groups, out_size, out_size), bits["output"]))
    return Node("conv", Op.CONV, (source,), (target,), attrs, (weight,))


@st.composite
def layers_and_bits(draw):
    """A spec, a layer shape, the layer's bits (at most the spec's native ones) and one tensor to narrow."""
    spec = draw(st.sampled_from(SPECS))
    native = TARGETS[spec].capabilities.native_bits
    shape = {"channels": draw(st.integers(1, 300)), "features": draw(st.integers(1, 200)),
             "size": draw(st.integers(1, 20)), "kernel": draw(st.sampled_from([1, 3, 5])),
             "stride": draw(st.sampled_from([1, 2])), "groups": draw(st.sampled_from([1, 1, 2]))}
    bits = {role: draw(st.integers(2, getattr(native, role))) for role in ROLES}
    role = draw(st.sampled_from(ROLES))
    fewer = draw(st.integers(1, bits[role] - 1))
    return spec, shape, bits, {**bits, role: fewer}


@settings(max_examples=150, deadline=None)
@given(case=layers_and_bits())
def test_fewer_bits_on_any_tensor_never_cost_more(case):
    spec, shape, bits, narrower = case
    target = TARGETS[spec]
    wide = target.map_layer(conv_layer(**shape, bits=bits)).cost
    narrow = target.map_layer(conv_layer(**shape, bits=narrower)).cost
    assert narrow.bits == narrower and wide.bits == bits
    assert narrow.energy_J <= wide.energy_J * (1 + 1e-12)
    assert narrow.cycles <= wide.cycles
    assert narrow.dram_bytes <= wide.dram_bytes


@pytest.mark.parametrize("spec", SPECS)
def test_halving_every_width_cuts_dram_bytes_in_half_and_saves_energy_and_time(spec):
    """DRAM moves each tensor once at its width; the arrays need half the slices and input cycles."""
    native = TARGETS[spec].capabilities.native_bits
    full = {role: getattr(native, role) for role in ROLES}
    half = {role: width // 2 for role, width in full.items()}
    shape = {"channels": 64, "features": 64, "size": 14, "kernel": 3, "stride": 1, "groups": 1}
    wide, narrow = (TARGETS[spec].map_layer(conv_layer(**shape, bits=widths)).cost for widths in (full, half))
    assert narrow.dram_bytes == pytest.approx(wide.dram_bytes / 2)
    assert narrow.energy_J < wide.energy_J and narrow.cycles < wide.cycles
    slices = "weight_slices"
    assert narrow.mapping[slices] == -(-half["weight"] // load_arch(spec).compute.cell_bits)


def test_the_crossbar_shift_and_add_and_adc_follow_the_layer_bits():
    """ISAAC-like, 16-bit native: a 1-bit weight on a 2-bit cell uses one level of it, so a full
    128-row read needs 8 bits (128 + 1 values), not 9; the shift-and-add is as wide as 4 x 4-bit
    products summed over 128 rows (4 + 4 + 7 = 15 bits), not 39."""
    target = TARGETS["crossbar"]
    shape = {"channels": 128, "features": 16, "size": 4, "kernel": 1, "stride": 1, "groups": 1}
    one_bit = target.map_layer(conv_layer(**shape, bits={"weight": 1, "input": 4, "output": 4})).cost
    assert one_bit.mapping["adc_bits"] == 8 and one_bit.mapping["weight_slices"] == 1
    four_bit = target.layer_config(target.bits(conv_layer(**shape, bits={"weight": 4, "input": 4, "output": 4})))
    assert target.energies_at(four_bit).shift_add_J < target.energies.shift_add_J


@pytest.mark.parametrize(("spec", "role", "message"), [
    ("crossbar", "weight", "weight bits 17 exceed what crossbar supports (at most 16-bit weights)"),
    ("crossbar_neurosim", "input", "input bits 9 exceed what crossbar_neurosim supports (at most 8-bit inputs)"),
    ("fefet_1f1c", "output", "output bits 9 exceed what fefet_1f1c supports (at most 8-bit outputs)"),
])
def test_bits_above_the_native_width_are_a_one_line_error(spec, role, message):
    native = TARGETS[spec].capabilities.native_bits
    bits = {name: getattr(native, name) for name in ROLES}
    node = conv_layer(8, 8, 4, 3, 1, 1, {**bits, role: bits[role] + 1})
    with pytest.raises(CodesignError) as caught:
        TARGETS[spec].map_layer(node)
    assert f"layer 'conv': {message}" == str(caught.value)


def test_set_precision_above_the_fefet_width_is_refused_on_the_command_line(capsys):
    assert_one_line_error(*run(capsys, "compile", "digits_cnn", "--arch", "fefet_1f1c", "-p",
                               "set-precision{weights=9}")[::2], "weight bits 9 exceed what fefet_1f1c supports")


def test_the_accuracy_emulator_runs_each_layer_at_its_bits():
    """digits_cnn on the ISAAC-like crossbars: 4-bit weights and activations keep the float32
    accuracy (within a point); 2-bit ones lose most of it."""
    graph, arch = load_model("digits_cnn").graph, load_arch("crossbar")
    data = labelled_test_set("digits_cnn")
    reference = accuracy_at(graph, None, data)

    def at(bits):
        quantized = make_pass("set-precision", {"weights": bits, "activations": bits}).run(graph, arch).graph
        target = target_for(arch)
        assert target.dot_product(quantized.compute_nodes[0]).weight_bits == bits
        return accuracy_at(quantized, target.dot_product, data)

    assert at(4) >= reference - 0.01
    assert at(2) < 0.5


def test_compile_with_accuracy_at_four_bits(capsys, tmp_path):
    path = tmp_path / "report.json"
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", "crossbar", "--accuracy", "-p",
                       "set-precision{weights=4,activations=4}", "--json", str(path))
    assert code == 0, err
    import json

    report = json.loads(path.read_text())
    assert all(layer["bits"] == {"weight": 4, "input": 4, "output": 4} for layer in report["layers"] if layer["macs"])
    assert report["accuracy"]["at_arch_precision"] >= report["accuracy"]["float32"] - 0.01


def test_a_narrower_graph_costs_less_on_a_whole_network():
    """ResNet-18 at 8 and at 4 bits on both macro families: energy and latency both fall."""
    graph = load_model("resnet18").graph
    for spec in ("crossbar", "fefet_1f1c"):
        arch = load_arch(spec)
        costs = []
        for bits in (8, 4):
            quantized = make_pass("set-precision", {"weights": bits, "activations": bits}).run(graph, arch).graph
            compute = [TARGETS[spec].map_layer(node).cost for node in quantized.compute_nodes]
            costs.append((sum(cost.energy_J for cost in compute), sum(cost.latency_s for cost in compute)))
        (energy_8, latency_8), (energy_4, latency_4) = costs
        assert energy_4 < energy_8 and latency_4 < latency_8, spec


def test_layer_bits_reach_the_report():
    node = conv_layer(8, 8, 4, 3, 1, 1, {"weight": 3, "input": 5, "output": 6})
    assert TARGETS["fefet_1f1c"].map_layer(node).cost.bits == {"weight": 3, "input": 5, "output": 6}
    float_node = replace(node, params=(replace(node.params[0], type=TensorType(node.params[0].type.shape)),))
    assert TARGETS["fefet_1f1c"].map_layer(float_node).cost.bits["weight"] == 8  # native: the spec's weight_bits
