"""set-precision: quantized widths written into the IR, read by every target and the accuracy
emulator, and every bad request a one-line error that names the file and field."""

import json

import pytest
from onnx import helper

from codesign.arch import load_arch
from codesign.errors import CodesignError
from codesign.frontend import load_model, load_onnx
from codesign.ir import AccumulatorBits, LayerBits, layer_bits, verify
from codesign.passes import make_pass, parse_pipeline
from codesign.passes.set_precision import SetPrecision
from tests.onnx_builders import attention_block, conv_chain, model, random_constant, save
from tests.unit.test_bad_input import assert_one_line_error, run

NATIVE = LayerBits(8, 8, 8, 24)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return load_onnx(save(conv_chain(), tmp_path_factory.mktemp("chain"))).graph


def test_uniform_widths_reach_every_compute_layer(chain):
    graph = SetPrecision(weights=4, activations=6, accumulator=16).run(chain, load_arch("simba")).graph
    verify(graph)
    for node in graph.compute_nodes:
        assert layer_bits(node, NATIVE) == LayerBits(4, 6, 6, 16)
        assert node.annotation(AccumulatorBits) == AccumulatorBits(16)
    assert all(node.weight.type.numeric == "int" for node in graph.compute_nodes)


def test_a_float_graph_is_costed_at_the_native_widths(chain):
    assert all(layer_bits(node, NATIVE) == NATIVE for node in chain.compute_nodes)


def test_attention_products_take_both_activation_widths(tmp_path):
    graph = load_onnx(save(attention_block(), tmp_path)).graph
    quantized = SetPrecision(weights=4, activations=4).run(graph, load_arch("simba")).graph
    assert {layer_bits(node, NATIVE).as_dict()["weight"] for node in quantized.compute_nodes} == {4}


def test_a_per_layer_file_over_the_uniform_options(chain, tmp_path):
    first, second = (node.name for node in chain.compute_nodes[:2])
    bits = tmp_path / "bits.yaml"
    bits.write_text(f"{first}: {{weight: 2}}\n{second}: 5\n")
    graph = SetPrecision(weights=4, activations=5, file=str(bits)).run(chain, load_arch("simba")).graph
    assert layer_bits(graph.node(first), NATIVE) == LayerBits(2, 5, 5, 24)
    assert layer_bits(graph.node(second), NATIVE) == LayerBits(5, 5, 5, 24)


@pytest.mark.parametrize("content, expected", [
    ("nope: 4\n", "bits.yaml: 'nope': not a compute layer"),
    ("{first}: 0\n", "bits.yaml: {first}: bits must be a whole number from 1 to 64 (got 0)"),
    ("{first}: -3\n", "(got -3)"),
    ("{first}: 4.5\n", "(got 4.5)"),
    ("{first}: {{wieght: 4}}\n", "{first}.wieght: unknown field (fields: weight, input, output, accumulator)"),
    ("{first}: {{weight: 99}}\n", "{first}.weight: bits must be a whole number from 1 to 64 (got 99)"),
    ("[1, 2]\n", "expected a mapping of compute-layer names to bits"),
])
def test_bad_per_layer_files(chain, tmp_path, content, expected):
    first, second = (node.name for node in chain.compute_nodes[:2])
    bits = tmp_path / "bits.yaml"
    bits.write_text(content.format(first=first, second=second))
    with pytest.raises(CodesignError, match=None) as raised:
        SetPrecision(file=str(bits)).run(chain, load_arch("simba"))
    assert expected.format(first=first) in str(raised.value) and "\n" not in str(raised.value)


def test_one_value_asked_for_at_two_widths_names_both_layers(tmp_path):
    """Two convolutions reading the same input, at 4 and at 6 bits: the value has one width."""
    nodes = [helper.make_node("Conv", ["x", "w1"], ["a"], name="left"),
             helper.make_node("Conv", ["x", "w2"], ["b"], name="right")]
    weights = [random_constant("w1", (4, 3, 1, 1)), random_constant("w2", (4, 3, 1, 1), seed=1)]
    graph = load_onnx(save(model(nodes, [("x", [1, 3, 8, 8])], [("a", [1, 4, 8, 8]), ("b", [1, 4, 8, 8])], weights), tmp_path)).graph
    bits = tmp_path / "bits.yaml"
    bits.write_text("left: {input: 4}\nright: {input: 6}\n")
    with pytest.raises(CodesignError, match="value 'x' is asked for at 4 bits by 'left' and at 6 bits by 'right'"):
        SetPrecision(file=str(bits)).run(graph, load_arch("simba"))


def test_widths_the_target_cannot_run_are_refused_naming_the_layer(chain):
    with pytest.raises(CodesignError, match=r"weight bits 16 exceed what simba supports \(at most 8-bit weights\)"):
        SetPrecision(weights=16).run(chain, load_arch("simba"))
    with pytest.raises(CodesignError, match=r"input bits 32 exceed what crossbar_neurosim supports"):
        SetPrecision(activations=32).run(chain, load_arch("crossbar_neurosim"))


@pytest.mark.parametrize("options, expected", [
    ("set-precision", "give weights=, activations=, accumulator= or file="),
    ("set-precision{weights=0}", "give weights="),
    ("set-precision{weights=-2}", "weights must be between 1 and 64 bits"),
    ("set-precision{weights=four}", "option weights=four is not a valid int"),
    ("set-precision{bits=4}", "has no option 'bits'"),
])
def test_bad_options(options, expected):
    with pytest.raises(CodesignError, match=expected):
        parse_pipeline(options)


def test_a_missing_file_is_one_line(capsys, tmp_path):
    assert_one_line_error(*run(capsys, "compile", "digits_cnn", "--arch", "simba", "-p",
                               f"set-precision{{file={tmp_path / 'none.yaml'}}}")[::2], "none.yaml: file not found")


def test_the_report_shows_each_layers_bits_and_the_pass(capsys, tmp_path):
    report = tmp_path / "report.json"
    code, out, err = run(capsys, "compile", "digits_cnn", "--arch", "simba", "-p",
                         "set-precision{weights=4,activations=6}", "--json", str(report))
    assert code == 0, err
    document = json.loads(report.read_text())
    compute = [layer for layer in document["layers"] if layer["macs"]]
    assert compute and all(layer["bits"] == {"weight": 4, "input": 6, "output": 6} for layer in compute)
    assert document["passes"]["set-precision"] == {"layers": len(compute), "weights": 4, "activations": 6,
                                                   "accumulator": None, "file": None}
    assert "4/6/6" in out and document["total"]["area_m2"] > 0


def test_accuracy_runs_at_the_widths_the_pass_set():
    from codesign.accuracy import accuracy_at, labelled_test_set
    from codesign.target import target_for

    graph, data, arch = load_model("digits_cnn").graph, labelled_test_set("digits_cnn"), load_arch("simba")
    at_native = accuracy_at(graph, target_for(arch).dot_product, data)
    two_bits = make_pass("set-precision", {"weights": 2, "activations": 2}).run(graph, arch).graph
    assert accuracy_at(two_bits, target_for(arch).dot_product, data) < at_native - 0.3
