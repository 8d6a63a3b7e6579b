"""Frontends: turn a model (an ONNX file or a zoo name) into the graph IR."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from codesign.errors import ModelLoadError, UnknownNameError
from codesign.frontend.onnx import ImportResult, load_onnx

__all__ = ["ImportResult", "load_model", "load_onnx", "parse_input_shape", "resolve_model_path", "zoo_cache_path"]


def load_model(model: str, input_shapes: dict[str, tuple[int, ...]] | None = None,
               allow_unknown: bool = False) -> ImportResult:
    """Import `model`: a path to an ONNX file, or the name of a zoo model."""
    return load_onnx(resolve_model_path(model), input_shapes, allow_unknown)


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
    """Where exported zoo models are kept: $CODESIGN_CACHE, else ~/.cache/codesign."""
    root = os.environ.get("CODESIGN_CACHE") or Path.home() / ".cache" / "codesign"
    return Path(root) / "zoo"


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
