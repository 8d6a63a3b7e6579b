"""The graph cache (codesign/frontend/cache.py) and the IR's serialization under it
(codesign/ir/serialize.py): a cached import is the import, exactly; a damaged, stale or
foreign entry is ignored and rebuilt, never trusted; each file and option set has its own
entry; nothing is written beside the user's model."""

import hashlib
import json
import math
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy
import onnx
import pytest
from onnx import helper

from codesign.errors import ModelLoadError
from codesign.frontend import cache as graph_cache
from codesign.frontend import load_model, load_onnx, resolve_model_path
from codesign.frontend.cache import MAGIC, entry_name, import_cached, import_key, read_entry, write_entry
from codesign.frontend.result import ImportResult
from codesign.ir import (
    AccumulatorBits, AxisAttrs, ConvAttrs, FusionGroup, Graph, LrnAttrs, MatMulAttrs, NoAttrs, Node, Op,
    OpaqueAttrs, PadAttrs, Param, PoolAttrs, Pruned, ResizeAttrs, ScalarAttrs, SliceAttrs, SpikingNeuron,
    SynapticEvents, TensorType, Value, ViewAttrs,
)
from codesign.ir.serialize import UnserializableError, graph_from_document, graph_to_document
from tests.onnx_builders import attention_block, conv_bn_relu, conv_chain, model
from tests.onnx_builders import save as save_in

REPOSITORY = Path(__file__).resolve().parents[2]


def assert_identical(result: ImportResult, expected: ImportResult) -> None:
    """Equal graphs and warnings, and every param's data of the same dtype, shape, memory
    order, writeability and bytes (Graph equality leaves the data out)."""
    assert result == expected and result.graph == expected.graph and result.warnings == expected.warnings
    assert_same_data(result.graph, expected.graph)


def assert_same_data(graph: Graph, expected: Graph) -> None:
    for node, expected_node in zip(graph.nodes, expected.nodes, strict=True):
        assert type(node.attrs) is type(expected_node.attrs) and node.annotations == expected_node.annotations
        for param, expected_param in zip(node.params, expected_node.params, strict=True):
            assert_same_array(param.data, expected_param.data)


def assert_same_array(array, expected) -> None:
    if expected is None:
        assert array is None
        return
    assert type(array) is numpy.ndarray and array.dtype == expected.dtype and array.dtype.str == expected.dtype.str
    assert array.shape == expected.shape and array.tobytes() == expected.tobytes()
    assert array.flags.writeable == expected.flags.writeable
    assert array.flags.f_contiguous == expected.flags.f_contiguous or array.ndim < 2


def save(proto, directory: Path, name: str = "model.onnx") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return save_in(proto, directory, name)


def round_trip(graph: Graph) -> Graph:
    document, arrays = graph_to_document(graph)
    document = json.loads(json.dumps(document))  # what the cache stores: JSON text
    return graph_from_document(document, [numpy.array(array, copy=True) for array in arrays])


def tensor(*shape, bits=32, numeric="float") -> TensorType:
    return TensorType(tuple(shape), bits, numeric)


def every_kind_graph() -> Graph:
    """One node per attribute type, every annotation type, hostile names and numbers, and
    param data of many dtypes and layouts (not a verified graph: serialization only)."""
    x, y = Value("x\n\u202e\udcff name", tensor(1, 4, 8, 8)), Value("y", tensor(1, 4, 8, 8, bits=4, numeric="int"))
    frozen = numpy.arange(6, dtype=">f4").reshape(2, 3)
    frozen.flags.writeable = False
    shared = numpy.linspace(-1, 1, 12).reshape(3, 4)
    arrays = [numpy.asfortranarray(numpy.arange(24, dtype=numpy.int64).reshape(2, 3, 4)), frozen, shared, shared,
              numpy.array(3.5, dtype=numpy.float16), numpy.zeros((0, 5), numpy.uint8), numpy.array([True, False]),
              numpy.array([1 + 2j], numpy.complex64), numpy.array([math.nan, -0.0, math.inf], numpy.float64)]
    params = tuple(Param(f"p{index}", tensor(*array.shape), "operand", index + 1, array)
                   for index, array in enumerate(arrays)) + (Param("absent", tensor(4), "bias", 20, None),)
    attrs = [NoAttrs(), ConvAttrs((3, 3), (2, 2), (1, 1, 1, 1), (1, 1), 4, True, (1, 0)),
             MatMulAttrs(True, False, 0.5, -0.0), PoolAttrs((2, 2), ceil_mode=True),
             ScalarAttrs(alpha=math.inf, beta=None, minimum=-1e300, maximum=math.nan, approximate="tanh"),
             AxisAttrs((1, -1), False, 1e-5, (2, 2)), SliceAttrs((0,), (-1,), (2,), (1,)),
             PadAttrs((0, 1, 0, 1), "reflect"), ResizeAttrs("nearest", (1.0, 1.0, 2.0, 2.0)),
             LrnAttrs(5, 1e-4, 0.75, 2.0), ViewAttrs("Transpose", (0, 2, 1, 3)), ViewAttrs("Reshape"),
             OpaqueAttrs("Celu", "com.example")]
    nodes = [Node(f"n{index}", Op.CONV if index == 1 else Op.VIEW, (x,), (y,), item)
             for index, item in enumerate(attrs)]
    nodes[0] = Node("all", Op.MATMUL, (x, x), (y,), MatMulAttrs(), params, annotations=(
        FusionGroup(3), AccumulatorBits(24), Pruned(0.25, (1, 2, 4)),
        SpikingNeuron("lif", 1.5, 0.9, 8, 0.125), SynapticEvents(8, 0.3, 1e9, True)))
    return Graph("graph \x00 name", (x,), (y, x), tuple(nodes))


def test_every_attribute_annotation_and_dtype_round_trips_exactly():
    graph = every_kind_graph()
    restored = round_trip(graph)
    assert repr(restored) == repr(graph)  # every field, of the same type (tuples stay tuples, floats floats, NaN NaN)
    assert_same_data(restored, graph)
    without_nan = replace(graph, nodes=graph.nodes[:4] + graph.nodes[5:])
    assert round_trip(without_nan) == without_nan
    all_params = restored.nodes[0].params
    assert all_params[2].data is all_params[3].data  # a shared array is stored once


@pytest.mark.parametrize("bad", [numpy.float32(1.0), [1, 2], {"a": 1}])
def test_values_that_cannot_round_trip_are_refused(bad):
    graph = every_kind_graph()
    odd = Node("odd", Op.VIEW, graph.inputs, graph.outputs, ScalarAttrs(alpha=bad))
    with pytest.raises(UnserializableError):
        graph_to_document(Graph("g", graph.inputs, graph.outputs, (odd,)))


def test_arrays_numpy_cannot_store_without_pickle_are_refused():
    import ml_dtypes

    value = Value("x", tensor(2))
    for data in [numpy.array([1, 2], ml_dtypes.bfloat16), numpy.array(["a", None], object)]:
        node = Node("n", Op.ADD, (value,), (value,), params=(Param("w", tensor(2), "operand", 1, data),))
        with pytest.raises(UnserializableError):
            graph_to_document(Graph("g", (value,), (value,), (node,)))


def test_a_malformed_document_is_a_value_error():
    document, arrays = graph_to_document(every_kind_graph())
    for damage in [lambda d: d.update(format=99), lambda d: d["nodes"][0].update(op="Nope"),
                   lambda d: d["nodes"][1]["attrs"].update(kind="Pickle"), lambda d: d["values"][0].pop(),
                   lambda d: d["nodes"][0]["params"][0].__setitem__(4, 99), lambda d: d.pop("name"),
                   lambda d: d["nodes"][1]["attrs"]["fields"].update(extra=1)]:
        broken = json.loads(json.dumps(document))
        damage(broken)
        with pytest.raises(ValueError):
            graph_from_document(broken, arrays)


@pytest.mark.parametrize("builder", [conv_bn_relu, attention_block, conv_chain])
def test_a_cached_import_is_the_import(builder, tmp_path, monkeypatch):
    path = save(builder(), tmp_path / "models")
    expected = load_onnx(path)
    first = import_cached(path, {}, False, tmp_path / "cache")
    assert_identical(first, expected)
    monkeypatch.setattr(graph_cache, "_import", _no_import)  # the second load must come from the cache
    assert_identical(import_cached(path, {}, False, tmp_path / "cache"), expected)
    assert os.listdir(path.parent) == ["model.onnx"]  # nothing written beside the user's model


def test_a_cached_zoo_model_is_the_import(tmp_path):
    path = resolve_model_path("digits_cnn")
    expected = load_onnx(path)
    assert_identical(load_model("digits_cnn", cache=False), expected)
    import_cached(path, {}, False, tmp_path)
    assert_identical(import_cached(path, {}, False, tmp_path), expected)
    assert_identical(read_entry(tmp_path / entry_name(import_key(path, {}, False)), import_key(path, {}, False)),
                     expected)


def test_warnings_are_cached_with_the_graph(tmp_path, monkeypatch):
    nodes = [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Celu", ["r"], ["y"], name="odd")]
    path = save(model(nodes, [("x", [1, 4, 8, 8])], [("y", [1, 4, 8, 8])]), tmp_path)
    expected = load_onnx(path, allow_unknown=True)
    assert expected.warnings
    import_cached(path, {}, True, tmp_path / "cache")
    monkeypatch.setattr(graph_cache, "_import", _no_import)
    assert_identical(import_cached(path, {}, True, tmp_path / "cache"), expected)


HEADER = len(MAGIC) + 32 + 8
"""Where an entry's JSON header starts: after the magic, the digest and the header's length."""


def _damaged_entries(entry: Path):
    data = entry.read_bytes()
    yield "one bit flipped in the arrays", data[:-9] + bytes([data[-9] ^ 1]) + data[-8:]
    yield "one bit flipped in the header", data[:HEADER + 20] + bytes([data[HEADER + 20] ^ 4]) + data[HEADER + 21:]
    yield "truncated", data[:len(data) // 2]
    yield "empty", b""
    yield "garbage", os.urandom(4096)
    yield "another magic", b"x" + data[1:]
    yield "a zip archive", b"PK\x03\x04" + os.urandom(100)


def test_a_damaged_entry_is_ignored_and_rebuilt(tmp_path):
    path = save(conv_bn_relu(), tmp_path / "models")
    expected, cache = load_onnx(path), tmp_path / "cache"
    key = import_key(path, {}, False)
    entry = cache / entry_name(key)
    import_cached(path, {}, False, cache)
    good = entry.read_bytes()
    for label, damaged in _damaged_entries(entry):
        entry.write_bytes(damaged)
        assert read_entry(entry, key) is None, label
        assert_identical(import_cached(path, {}, False, cache), expected)
        assert entry.read_bytes() == good, label  # rewritten
    entry.unlink()
    entry.mkdir()  # not even a file: imported, and the cache left alone
    assert_identical(import_cached(path, {}, False, cache), expected)


def _signed(header: bytes, arrays: bytes) -> bytes:
    """An entry with a correct digest around whatever `header` and `arrays` hold."""
    rest = len(header).to_bytes(8, "little") + header
    rest += bytes(-(len(MAGIC) + 32 + len(rest)) % 64) + arrays
    return MAGIC + hashlib.sha256(rest).digest() + rest


def test_a_well_signed_but_malformed_entry_is_ignored(tmp_path):
    """Not only damage: an entry another program wrote, digest and all, is checked too."""
    path = save(conv_bn_relu(), tmp_path / "models")
    expected, cache = load_onnx(path), tmp_path / "cache"
    key = import_key(path, {}, False)
    entry = cache / entry_name(key)
    import_cached(path, {}, False, cache)
    data = entry.read_bytes()
    size = int.from_bytes(data[HEADER - 8:HEADER], "little")
    header, arrays = json.loads(data[HEADER:HEADER + size]), data[(HEADER + size + 63) // 64 * 64:]
    entry.write_bytes(_signed(json.dumps(header).encode(), arrays))
    assert_identical(read_entry(entry, key), expected)  # the helper writes valid entries
    damages = {
        "not JSON": b"{not json",
        "a list": b"[1, 2]",
        "an offset past the end": {**header, "places": [{**place, "offset": 1 << 40} for place in header["places"]]},
        "a huge shape": {**header, "places": [{**place, "shape": [1 << 62, 1 << 62]} for place in header["places"]]},
        "object arrays": {**header, "places": [{**place, "dtype": "|O"} for place in header["places"]]},
        "a bad dtype": {**header, "places": [{**place, "dtype": "no such type"} for place in header["places"]]},
        "no graph": {**header, "graph": None},
        "warnings of numbers": {**header, "warnings": [1]},
        "a graph with an unknown op": {**header, "graph": {**header["graph"], "nodes": [
            {**node, "op": "Nope"} for node in header["graph"]["nodes"]]}},
    }
    for label, damage in damages.items():
        entry.write_bytes(_signed(damage if isinstance(damage, bytes) else json.dumps(damage).encode(), arrays))
        assert read_entry(entry, key) is None, label
        assert_identical(import_cached(path, {}, False, cache), expected)


def test_an_entry_under_another_key_or_importer_is_not_used(tmp_path, monkeypatch):
    path = save(conv_bn_relu(), tmp_path / "models")
    cache = tmp_path / "cache"
    import_cached(path, {}, False, cache)
    key = import_key(path, {}, False)
    assert read_entry(cache / entry_name(key), {**key, "path": "elsewhere.onnx"}) is None
    monkeypatch.setattr(graph_cache, "importer_fingerprint", lambda: "another codesign")
    assert import_key(path, {}, False) != key
    assert entry_name(import_key(path, {}, False)) != entry_name(key)


def test_each_file_and_option_set_has_its_own_entry(tmp_path):
    directory, cache = tmp_path / "models", tmp_path / "cache"
    first, second = save(conv_bn_relu(), directory, "a.onnx"), save(conv_bn_relu(channels_out=8), directory, "b.onnx")
    twin = save(conv_bn_relu(), directory, "c.onnx")  # the same content under another name
    keys = [import_key(first, {}, False), import_key(second, {}, False), import_key(twin, {}, False),
            import_key(first, {}, True), import_key(first, {"x": (1, 3, 32, 32)}, False)]
    assert len({entry_name(key) for key in keys}) == len(keys)
    for path in (first, second, twin):
        assert_identical(import_cached(path, {}, False, cache), load_onnx(path))
    assert len(list(cache.glob("*.graph"))) == 3
    onnx.save(conv_bn_relu(channels_out=4), str(first))  # the file changes: a new entry, the new graph
    assert import_key(first, {}, False) != keys[0]
    assert_identical(import_cached(first, {}, False, cache), load_onnx(first))
    assert import_cached(first, {}, False, cache).graph.node("conv").weight.type.shape[0] == 4


def test_models_with_external_data_are_not_cached(tmp_path):
    path = tmp_path / "model.onnx"
    onnx.save_model(conv_bn_relu(), str(path), save_as_external_data=True, location="model.bin", size_threshold=0)
    assert_identical(import_cached(path, {}, False, tmp_path / "cache"), load_onnx(path))
    assert not list((tmp_path / "cache").glob("*.graph"))


def test_an_unwritable_cache_is_skipped(tmp_path):
    path = save(conv_bn_relu(), tmp_path)
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    assert_identical(import_cached(path, {}, False, blocked / "cache"), load_onnx(path))
    assert not write_entry(blocked / "cache" / "x.graph", import_key(path, {}, False), load_onnx(path))


def test_bad_input_fails_as_before_and_caches_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CODESIGN_CACHE", str(tmp_path / "cache"))
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    for model_path, message in [(broken, "not a readable ONNX file"), (tmp_path / "missing.onnx", "no such file"),
                                (tmp_path, "is a directory")]:
        with pytest.raises(ModelLoadError, match=message):
            load_model(str(model_path))
    assert not (tmp_path / "cache").exists()


def test_the_least_recently_used_entries_go_beyond_the_size_bound(tmp_path, monkeypatch):
    directory, cache = tmp_path / "models", tmp_path / "cache"
    paths = [save(conv_bn_relu(), directory, f"m{index}.onnx") for index in range(3)]  # entries of one size
    import_cached(paths[0], {}, False, cache)
    size = next(cache.glob("*.graph")).stat().st_size
    monkeypatch.setattr(graph_cache, "MAX_BYTES", int(size * 2.5))
    for age, path in enumerate(paths[:2]):
        import_cached(path, {}, False, cache)
        os.utime(cache / entry_name(import_key(path, {}, False)), (1000 + age, 1000 + age))
    import_cached(paths[2], {}, False, cache)
    names = {entry.name for entry in cache.glob("*.graph")}
    assert entry_name(import_key(paths[0], {}, False)) not in names and len(names) == 2


def test_a_warm_compile_imports_no_onnx_and_prints_the_same(tmp_path):
    """From the command line: the second compile of a file reads the cache (no onnx, no torch)
    and reports exactly what the first did."""
    path = save(conv_chain(), tmp_path / "models")
    code = ("import sys; from codesign.cli import main; code = main(sys.argv[1:]); "
            "print('heavy:', sorted(name for name in ('onnx', 'torch', 'ml_dtypes') if name in sys.modules)); "
            "sys.exit(code)")
    environment = {**os.environ, "CODESIGN_CACHE": str(tmp_path / "cache"), "COLUMNS": "200"}
    outputs = []
    for run in ("cold", "warm"):
        report = tmp_path / run / "report.json"
        report.parent.mkdir()
        finished = subprocess.run([sys.executable, "-c", code, "compile", str(path), "--arch", "eyeriss", "--json",
                                   str(report)], cwd=REPOSITORY, capture_output=True, text=True, env=environment,
                                  timeout=300)
        assert finished.returncode == 0, finished.stderr
        document = json.loads(report.read_text())
        document["mapper"].pop("seconds"), document["mapper"].pop("mappings_per_second")
        outputs.append((finished.stdout, document))
    (cold_stdout, cold_report), (warm_stdout, warm_report) = outputs
    assert "heavy: ['ml_dtypes', 'onnx']" in cold_stdout and "heavy: []" in warm_stdout
    assert warm_report == cold_report
    assert _without_timing(warm_stdout) == _without_timing(cold_stdout).replace("heavy: ['ml_dtypes', 'onnx']",
                                                                                 "heavy: []").replace("cold", "warm")


def _without_timing(text: str) -> str:
    """The table without the line that says how long the mapper took."""
    return "\n".join(line for line in text.splitlines() if " mappings in " not in line)


def _no_import(*arguments):
    raise AssertionError("imported with onnx: the cache was not used")
