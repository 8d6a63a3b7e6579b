"""Frontends: turn a model (an ONNX file or a zoo name) into the graph IR.

`onnx` (about a second of imports) loads only when a file must really be imported:
`load_model` reads a model imported before from the graph cache (cache.py), and `load_onnx`
(the importer itself, uncached) is imported on first use.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from codesign.errors import ModelLoadError, UnknownNameError
from codesign.frontend.result import ImportResult

if TYPE_CHECKING:
    from codesign.frontend.onnx import load_onnx

__all__ = ["ImportResult", "graph_cache_directory", "load_model", "load_onnx", "parse_input_shape",
           "resolve_model_path", "zoo_cache_path"]


def __getattr__(name: str):
    if name == "load_onnx":  # imports onnx
        from codesign.frontend.onnx import load_onnx

        return load_onnx
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_model(model: str, input_shapes: dict[str, tuple[int, ...]] | None = None,
               allow_unknown: bool = False, *, cache: bool = True) -> ImportResult:
    """Import `model`: a path to an ONNX file, or the name of a zoo model. With `cache`, an
    import of the same file content with the same options is read back from the graph cache
    (`graph_cache_directory()`), and a new one is stored there; the result is the same."""
    path = resolve_model_path(model)
    if not cache:
        from codesign.frontend.onnx import load_onnx

        return load_onnx(path, input_shapes, allow_unknown)
    from codesign.frontend.cache import import_cached

    return import_cached(path, input_shapes or {}, allow_unknown, graph_cache_directory())


def resolve_model_path(model: str) -> Path:
    """An existing file is used as is; a zoo name is exported once into the cache."""
    path = Path(model)
    if path.exists() or path.suffix == ".onnx" or os.sep in model:
        return path
    from models import zoo  # torch is imported only when a zoo model is asked for

    if model not in zoo.names():
        raise UnknownNameError(
            f"'{model}' is neither a file nor a zoo model (zoo: {', '.join(zoo.names())})")
    cached = zoo_cache_path(model)
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        zoo.export_onnx(model, cached)
    return cached


def zoo_cache_path(name: str) -> Path:
    """Where zoo model `name` is exported to (it may not be there yet): its name and the zoo's fingerprint."""
    return cache_directory() / f"{name}-{_zoo_fingerprint()}.onnx"


def cache_directory() -> Path:
    """Where exported zoo models are kept: $CODESIGN_CACHE/zoo, else ~/.cache/codesign/zoo."""
    return _cache_root() / "zoo"


def graph_cache_directory() -> Path:
    """Where imported graphs are kept (cache.py): $CODESIGN_CACHE/graphs, else ~/.cache/codesign/graphs."""
    return _cache_root() / "graphs"


def _cache_root() -> Path:
    return Path(os.environ.get("CODESIGN_CACHE") or Path.home() / ".cache" / "codesign")


def _zoo_fingerprint() -> str:
    """A hash of the zoo's sources, so editing a model definition re-exports it."""
    import models

    digest = hashlib.sha256()
    for source in sorted(Path(models.__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def parse_input_shape(text: str) -> tuple[str, tuple[int, ...]]:
    """'input=1x3x224x224' -> ('input', (1, 3, 224, 224))."""
    name, _, dims = text.partition("=")
    try:
        shape = tuple(int(dim) for dim in dims.lower().split("x"))
    except ValueError:
        shape = ()
    if not name or not shape or any(dim <= 0 for dim in shape):
        raise ModelLoadError(f"--input-shape expects NAME=1x3x224x224 with positive sizes, got '{text}'")
    return name, shape
