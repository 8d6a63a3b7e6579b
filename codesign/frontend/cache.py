"""Imported graphs kept on disk, so that a model imported once loads again without onnx.

Importing the `onnx` package alone takes about a second (its ml_dtypes dependency registers
its number types with numpy), longer than reading back a graph imported before. `load_model`
keeps each import's result (the graph, its weights, the warnings) in a directory of the user
cache (`<cache>/graphs/`), one file per import, named by a hash of everything the result
depends on:

- the ONNX file's content (SHA-256),
- the path as given (messages, and the name of a graph that has none, quote it),
- the import options (input shapes, allow_unknown),
- the importer: a hash of codesign/frontend's and codesign/ir's sources, the installed
  onnx, numpy and Python versions, and this file's FORMAT.

The key is also stored in the file and compared on reading. An entry is:

    MAGIC | SHA-256 of the rest | header length (8 bytes, little endian) | header (JSON) | arrays

The header holds the key, the warnings, the graph (codesign/ir/serialize.py) and each
array's place, dtype and shape; the arrays follow as raw bytes. Nothing is unpickled, and
an entry whose digest, magic, key or layout is wrong is ignored (and replaced by a fresh
import), never trusted. Entries are written to a temporary file and renamed, so a reader sees
a whole entry or none. Not cached: models with external data files (those may change beside
the model), files that are not regular files, graphs serialize.py cannot represent exactly.
A cache that cannot be written (a read-only or full disk) is skipped silently; the least
recently used entries beyond MAX_BYTES are removed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy

from codesign.frontend.result import ImportResult
from codesign.ir.serialize import UnserializableError, graph_from_document, graph_to_document

FORMAT = 1
MAGIC = b"codesign-graph\n\x00"
SUFFIX = ".graph"
MAX_BYTES = 1 << 30
"""The cache's size bound: the least recently used entries beyond it are removed."""
_MAX_HEADER_BYTES = 1 << 28
_ALIGNMENT = 64
_STALE_TEMPORARY_S = 3600


def import_cached(path: Path, input_shapes: dict[str, tuple[int, ...]], allow_unknown: bool,
                  directory: Path) -> ImportResult:
    """The import of the ONNX file `path`, from `directory` when it holds it, else imported
    (and stored there when the result depends on the file alone)."""
    before = _stat(path)
    key = import_key(path, input_shapes, allow_unknown) if before is not None else None
    if key is None:  # not a regular, readable file: the importer says what is wrong
        return _import(path, input_shapes, allow_unknown)[0]
    entry = directory / entry_name(key)
    result = read_entry(entry, key)
    if result is not None:
        _touch(entry)
        return result
    result, self_contained = _import(path, input_shapes, allow_unknown)
    if self_contained and _stat(path) == before:  # not changed while it was imported
        write_entry(entry, key, result)
    return result


def _import(path: Path, input_shapes, allow_unknown: bool) -> tuple[ImportResult, bool]:
    from codesign.frontend.onnx import import_onnx  # onnx: about a second of imports

    return import_onnx(path, input_shapes, allow_unknown)


def import_key(path: Path, input_shapes: dict[str, tuple[int, ...]], allow_unknown: bool) -> dict | None:
    """Everything an import of `path` depends on, as JSON-able data; None when `path` is not a
    regular file that can be read."""
    try:
        if not path.is_file():
            return None
        with open(path, "rb") as file:
            content = hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None
    return {"format": FORMAT, "importer": importer_fingerprint(), "content_sha256": content, "path": str(path),
            "input_shapes": sorted([name, list(shape)] for name, shape in input_shapes.items()),
            "allow_unknown": bool(allow_unknown)}


def entry_name(key: dict) -> str:
    return hashlib.sha256(_json(key)).hexdigest()[:40] + SUFFIX


@functools.cache
def importer_fingerprint() -> str:
    """A hash of what turns a file into a graph: the frontend's and the IR's sources, the
    installed onnx (and its kin: onnxruntime, onnxscript), numpy and Python."""
    digest = hashlib.sha256(f"{FORMAT} numpy {numpy.__version__} python {sys.version}".encode())
    package = Path(__file__).resolve().parents[1]
    for source in sorted([*package.glob("frontend/*.py"), *package.glob("ir/*.py")]):
        digest.update(f"{source.parent.name}/{source.name}\0".encode())
        digest.update(source.read_bytes())
    digest.update(" ".join(_onnx_distributions()).encode())
    return digest.hexdigest()


def _onnx_distributions() -> list[str]:
    """The installed onnx* distributions and their versions (dist-info folder names), found
    without importing onnx."""
    from importlib.util import find_spec

    spec = find_spec("onnx")
    if spec is None or not spec.origin:
        return ["onnx: not installed"]
    site = Path(spec.origin).parents[1]
    return sorted(path.name for path in site.glob("onnx*.dist-info")) or [spec.origin]


def read_entry(entry: Path, key: dict) -> ImportResult | None:
    """The import stored in `entry` under `key`; None when there is none, or it is damaged,
    of another format, or of another key."""
    try:
        with open(entry, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if not len(MAGIC) + 40 <= size <= MAX_BYTES + _MAX_HEADER_BYTES:  # not an entry write_entry makes
                return None
            buffer = bytearray(size)
            if file.readinto(buffer) != size:
                return None
    except (OSError, MemoryError):
        return None
    try:
        return _decode(buffer, key)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None  # damaged, or written by another version: imported afresh and rewritten


def _decode(buffer: bytearray, key: dict) -> ImportResult | None:
    view = memoryview(buffer)
    start = len(MAGIC) + 32
    if bytes(view[:len(MAGIC)]) != MAGIC or bytes(view[len(MAGIC):start]) != hashlib.sha256(view[start:]).digest():
        return None
    header_size = int.from_bytes(view[start:start + 8], "little")
    data_start = _aligned(start + 8 + header_size)
    if data_start > len(buffer):
        return None
    header = json.loads(bytes(view[start + 8:start + 8 + header_size]))
    if type(header) is not dict or header.get("key") != key:
        return None
    warnings = header["warnings"]
    if type(warnings) is not list or not all(type(warning) is str for warning in warnings):
        return None
    arrays = [_array(buffer, data_start, place) for place in header["places"]]
    return ImportResult(graph_from_document(header["graph"], arrays), tuple(warnings))


def _array(buffer: bytearray, data_start: int, place: dict) -> numpy.ndarray:
    """One stored array, a view of `buffer` (it raises ValueError when the buffer is short)."""
    dtype, shape, offset = numpy.dtype(place["dtype"]), tuple(place["shape"]), place["offset"]
    if dtype.kind not in "biufc" or type(offset) is not int or offset < 0 or \
            any(type(dim) is not int or dim < 0 for dim in shape):
        raise ValueError("a malformed array place")
    count = int(numpy.prod(shape, dtype=numpy.int64)) if shape else 1
    flat = numpy.frombuffer(buffer, dtype=dtype, count=count, offset=data_start + offset)
    return flat.reshape(shape, order="F" if place["fortran"] else "C")


def write_entry(entry: Path, key: dict, result: ImportResult) -> bool:
    """Store `result` in `entry` under `key`; False (and nothing written) when the graph
    cannot be stored exactly, its arrays alone exceed MAX_BYTES, or the directory cannot be
    written."""
    try:
        document, arrays = graph_to_document(result.graph)
    except UnserializableError:
        return False
    places, offset = [], 0
    for array in arrays:
        fortran = array.flags.f_contiguous and not array.flags.c_contiguous
        places.append({"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset, "fortran": fortran})
        offset = _aligned(offset + array.nbytes)
    header = _json({"key": key, "warnings": list(result.warnings), "graph": document, "places": places})
    if offset > MAX_BYTES or len(header) > _MAX_HEADER_BYTES:
        return False
    start = len(MAGIC) + 32
    preamble = len(header).to_bytes(8, "little") + header
    preamble += bytes(_aligned(start + len(preamble)) - start - len(preamble))
    temporary = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".", suffix=".tmp")
        with os.fdopen(descriptor, "wb") as file:
            digest = hashlib.sha256()
            file.write(MAGIC + bytes(32))
            for chunk in _chunks(preamble, arrays, places):
                digest.update(chunk)
                file.write(chunk)
            file.seek(len(MAGIC))
            file.write(digest.digest())
        os.replace(temporary, entry)
        temporary = None
    except OSError:
        return False
    finally:
        if temporary is not None:
            _remove(Path(temporary))
    _evict(entry.parent, keep=entry)
    return True


def _chunks(preamble: bytes, arrays: list[numpy.ndarray], places: list[dict]):
    yield preamble
    written = 0
    for array, place in zip(arrays, places):
        if place["offset"] > written:
            yield bytes(place["offset"] - written)
        data = array.tobytes(order="F" if place["fortran"] else "C")
        yield data
        written = place["offset"] + len(data)


def _evict(directory: Path, keep: Path) -> None:
    """Remove the least recently used entries while the cache is over MAX_BYTES, and temporary
    files a crashed writer left."""
    entries, now = [], time.time()
    try:
        paths = list(directory.iterdir())
    except OSError:
        return
    for path in paths:
        try:
            status = path.stat()
        except OSError:  # removed meanwhile by another process
            continue
        if path.name.endswith(".tmp") and now - status.st_mtime > _STALE_TEMPORARY_S:
            _remove(path)
        elif path.suffix == SUFFIX:
            entries.append((status.st_mtime, status.st_size, path))
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries, key=lambda item: item[0]):
        if total <= MAX_BYTES:
            break
        if path != keep:
            _remove(path)
            total -= size


def _touch(entry: Path) -> None:
    """Mark `entry` recently used (eviction removes the least recently used first)."""
    try:
        os.utime(entry)
    except OSError:
        pass


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        status = path.stat()
    except (OSError, ValueError):
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGNMENT) * _ALIGNMENT


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
