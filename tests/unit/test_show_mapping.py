"""`compile --show-mapping`, `--export-mappings` and `--mappings` (issue 18, item 2)."""

import json
import math
import re

import pytest
import yaml

import codesign.target.dataflow as dataflow
from codesign.arch import load_arch
from codesign.compiler import compile_layers
from codesign.cost.problem import DIMENSIONS
from codesign.frontend import load_model
from codesign.mapping.io import file_names, mapping_yaml
from codesign.report.mapping import loop_nest
from tests.unit.test_bad_input import assert_one_line_error, run

LOOP = re.compile(r"^\|\s*(par-for|for) ([A-Z]) in \[0:(\d+)\)")
HEADER = re.compile(r"^([a-z_0-9]+) \[ (.*) \]$")


def _compiled(arch: str):
    return compile_layers(load_model("digits_cnn").graph, load_arch(arch))


def _parse(text: str):
    """[(level, {tensor: words}, [(kind, dimension, bound), ...]), ...] of a printed loop nest."""
    levels = []
    for line in text.splitlines():
        header, loop = HEADER.match(line), LOOP.match(line)
        if header:
            tiles = dict(item.split(":") for item in header.group(2).split())
            levels.append((header.group(1), {tensor: int(words) for tensor, words in tiles.items()}, []))
        elif loop:
            levels[-1][2].append((loop.group(1), loop.group(2), int(loop.group(3))))
    return levels


def test_first_conv_on_eyeriss_loop_nest():
    """digits_cnn's first conv (K=16 C=1 P=Q=8 R=S=3, stride 1) on eyeriss, checked by hand: every
    level in the spec's order, each dimension's loops multiply to its bound, and each level's tiles
    are the extents of the loops printed below its header (an input row spans Q + S - 1 columns)."""
    compiled = _compiled("eyeriss")
    layer = next(layer for layer in compiled.layers if layer.node.name == "/0/Conv")
    text = loop_nest(layer.mapping, "/0/Conv")
    assert text.splitlines()[0] == "/0/Conv (K=16 P=8 Q=8 R=3 S=3) on eyeriss"
    levels = _parse(text)
    assert [name for name, _, _ in levels] == ["dram", "global_buffer", "filter_buffer", "ifmap_spad",
                                               "filter_spad", "psum_spad"]
    assert levels[0][1] == {"weight": 16 * 9, "input": 10 * 10, "output": 16 * 64}  # the whole tensors
    bounds = dict(N=1, G=1, K=16, C=1, P=8, Q=8, R=3, S=3)
    loops = [loop for _, _, level_loops in levels for loop in level_loops]
    for dimension in DIMENSIONS:
        assert math.prod(bound for _, name, bound in loops if name == dimension) == bounds[dimension], dimension
    assert any(kind == "par-for" for kind, _, _ in loops) and text.rstrip().endswith("<< compute >>")
    for index, (name, tiles, _) in enumerate(levels):
        below = {dimension: 1 for dimension in DIMENSIONS}
        for _, _, level_loops in levels[index:]:
            for _, dimension, bound in level_loops:
                below[dimension] *= bound
        expected = {"weight": below["K"] * below["C"] * below["R"] * below["S"],
                    "input": below["C"] * (below["P"] + below["R"] - 1) * (below["Q"] + below["S"] - 1),
                    "output": below["K"] * below["P"] * below["Q"]}
        assert tiles == {tensor: expected[tensor] for tensor in tiles}, name


def test_every_layer_loops_cover_bounds_on_simba():
    compiled = _compiled("simba")
    for layer in compiled.layers:
        if layer.mapping is None:
            continue
        levels = _parse(loop_nest(layer.mapping, layer.node.name))
        loops = [loop for _, _, level_loops in levels for loop in level_loops]
        for dimension, size in zip(DIMENSIONS, layer.mapping.problem.sizes):
            product = math.prod(bound for _, name, bound in loops if name == dimension)
            assert product >= size and product < 2 * size, (layer.node.name, dimension)


def test_show_mapping_cli_by_suffix_and_all(capsys):
    code, out, err = run(capsys, "compile", "digits_cnn", "--arch", "eyeriss", "--show-mapping", "0/Conv")
    assert code == 0, err
    assert "/0/Conv (K=16 P=8 Q=8 R=3 S=3) on eyeriss" in out and "/2/Conv (" not in out
    code, out, err = run(capsys, "compile", "digits_cnn", "--arch", "eyeriss", "--show-mapping", "all")
    assert code == 0, err
    assert all(f"{name} (" in out for name in ("/0/Conv", "/2/Conv", "/6/Gemm", "/8/Gemm"))


def test_show_mapping_by_the_tables_short_name(capsys):
    from codesign.report.mapping import resolve_layer

    layers = ["/features/features.5/branch/branch.0/branch.0.0/Conv", "/features/features.5/shortcut/shortcut.0/Conv"]
    display = {"features.5.branch.0.0": layers[0], "features.5.shortcut.0": layers[1]}
    assert resolve_layer("features.5.branch.0.0", layers, display) == layers[0]
    assert resolve_layer("features.5.branch.0", layers, display) == layers[0]  # a part of the short name
    assert resolve_layer("shortcut.0/Conv", layers, display) == layers[1]  # the end of the full name
    code, out, err = run(capsys, "compile", "digits_cnn", "--arch", "eyeriss", "--show-mapping", "2.Conv")
    assert code == 0, err
    assert "/2/Conv (" in out and "/0/Conv (" not in out


@pytest.mark.parametrize("arch", ["eyeriss", "simba"])
def test_export_then_import_reproduces_every_layer(capsys, tmp_path, monkeypatch, arch):
    exported, first, second = tmp_path / "mappings", tmp_path / "a.json", tmp_path / "b.json"
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", arch, "--export-mappings", str(exported),
                       "--json", str(first))
    assert code == 0, err
    assert sorted(path.name for path in exported.iterdir()) == ["0_Conv.yaml", "2_Conv.yaml", "6_Gemm.yaml",
                                                                "8_Gemm.yaml"]
    document = yaml.safe_load((exported / "0_Conv.yaml").read_text())
    assert {entry["type"] for entry in document["mapping"]} == {"temporal", "spatial", "bypass"}

    def no_search(*args, **kwargs):
        raise AssertionError("a layer with a mapping file was searched")

    monkeypatch.setattr(dataflow, "search", no_search)
    monkeypatch.setattr(dataflow, "search_all", lambda problems, *args: {} if not problems else no_search())
    monkeypatch.setattr(dataflow, "_MAPPINGS", {})
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", arch, "--mappings", str(exported),
                       "--json", str(second))
    assert code == 0, err
    before, after = json.loads(first.read_text()), json.loads(second.read_text())
    compute = [layer for layer in before["layers"] if layer["op"] in ("Conv", "Gemm")]
    assert len(compute) == 4
    for old, new in zip(before["layers"], after["layers"]):
        assert (old["name"], old["energy_J"], old["cycles"]) == (new["name"], new["energy_J"], new["cycles"])


def test_a_hand_mapping_is_costed_not_searched(capsys, tmp_path):
    """A different (worse) mapping in a file changes the layer's numbers: the file is used."""
    compiled = _compiled("eyeriss")
    layer = next(layer for layer in compiled.layers if layer.node.name == "/8/Gemm")
    directory = tmp_path / "hand"
    directory.mkdir()
    text = mapping_yaml(layer.mapping, "/8/Gemm")
    document = yaml.safe_load(text)
    for entry in document["mapping"]:  # every loop at DRAM, nothing unrolled
        if entry["type"] in ("temporal", "spatial"):
            entry["factors"] = "K=10 C=64" if (entry["target"], entry["type"]) == ("dram", "temporal") else ""
            entry.pop("split", None)
    (directory / file_names(["/8/Gemm"])["/8/Gemm"]).write_text(yaml.safe_dump(document))
    code, out, err = run(capsys, "compile", "digits_cnn", "--arch", "eyeriss", "--mappings", str(directory),
                         "--json", str(tmp_path / "hand.json"), "--show-mapping", "8/Gemm")
    assert code == 0, err
    layers = json.loads((tmp_path / "hand.json").read_text())["layers"]
    hand = next(item for item in layers if item["name"] == "/8/Gemm")
    assert hand["cycles"] >= 640 and hand["energy_J"] > layer.cost.energy_J
    assert "for K in [0:10)" in out and "for C in [0:64)" in out and "par-for" not in out.split("/8/Gemm (")[1]


def _bad_file(tmp_path, edit):
    compiled = _compiled("eyeriss")
    layer = next(layer for layer in compiled.layers if layer.node.name == "/0/Conv")
    directory = tmp_path / "bad"
    directory.mkdir()
    document = yaml.safe_load(mapping_yaml(layer.mapping, "/0/Conv"))
    text = edit(document)
    (directory / "0_Conv.yaml").write_text(text if isinstance(text, str) else yaml.safe_dump(document))
    return directory


def _set(document, target, kind, **values):
    entry = next(entry for entry in document["mapping"] if (entry["target"], entry["type"]) == (target, kind))
    entry.update(values)


@pytest.mark.parametrize("edit, fragments", [
    (lambda document: "mapping: [target: {", ("0_Conv.yaml", "not valid YAML")),
    (lambda document: "- 1\n", ("0_Conv.yaml", "top-level 'mapping:'")),
    (lambda document: document["mapping"].append({"target": "l2", "type": "temporal"}),
     ("0_Conv.yaml", "unknown target 'l2'", "psum_spad")),
    (lambda document: _set(document, "psum_spad", "temporal", factors="K=2 S=3 Q=4"),
     ("0_Conv.yaml", "factors of Q multiply to 4", "bound 8")),
    (lambda document: _set(document, "psum_spad", "temporal", factors="K=2 S=3 Q=8 X=2"),
     ("0_Conv.yaml", "unknown dimension 'X'")),
    (lambda document: _set(document, "dram", "temporal", factors="Q=8 S=3", permutation="Q"),
     ("0_Conv.yaml", "leaves out S")),
    (lambda document: [_set(document, "psum_spad", "temporal", factors="K=16 S=3 Q=8 P=8 R=3",
                            permutation="KSQPR"),
                       _set(document, "filter_spad", "temporal", factors=""),
                       _set(document, "filter_buffer", "spatial", factors="")],
     ("0_Conv.yaml", "level 'ifmap_spad' holds 12 words", "tiles need 100")),
    (lambda document: _set(document, "filter_buffer", "spatial", factors="K=2 R=3 P=8 Q=8", permutation="KRPQ",
                           split=2),
     ("0_Conv.yaml", "cannot unroll Q")),
    (lambda document: _set(document, "global_buffer", "bypass", keep=["Weights"], bypass=[]),
     ("0_Conv.yaml", "does not keep Weights")),
])
def test_bad_mapping_files(capsys, tmp_path, edit, fragments):
    directory = _bad_file(tmp_path, edit)
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", "eyeriss", "--mappings", str(directory))
    assert_one_line_error(code, err, *fragments)


def test_file_matching_no_layer(capsys, tmp_path):
    (tmp_path / "conv9.yaml").write_text("mapping: []\n")
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", "eyeriss", "--mappings", str(tmp_path))
    assert_one_line_error(code, err, "conv9.yaml", "matches no compute layer", "0_Conv.yaml")


@pytest.mark.parametrize("argv, fragments", [
    (["--show-mapping", "nope"], ("no compute layer 'nope'", "0.Conv, 2.Conv, 6.Gemm, 8.Gemm")),
    (["--show-mapping", "Conv"], ("matches 2 compute layers", "(0.Conv, 2.Conv)")),
])
def test_bad_layer_names(capsys, argv, fragments):
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", "eyeriss", *argv)
    assert_one_line_error(code, err, *fragments)


def test_not_a_dataflow_target(capsys):
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", "crossbar", "--show-mapping", "all")
    assert_one_line_error(code, err, "--show-mapping needs a dataflow target", "crossbar")


def test_export_refuses_a_non_empty_directory(capsys, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", "eyeriss", "--export-mappings", str(tmp_path))
    assert_one_line_error(code, err, "--export-mappings", "not an empty directory")
    assert (tmp_path / "keep.txt").read_text() == "mine"
