"""Writing result files without ever leaving a half-written one behind."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from codesign.errors import CodesignError


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_json(path: str | Path, data: Any) -> Path:
    """Write `data` as JSON via a temporary file and an atomic rename."""
    return write_text(path, json.dumps(data, indent=2) + "\n")


def check_output_file(path: str | Path, force: bool = True) -> Path:
    """`path` as a file codesign may write: its directory exists, it is not a directory, and,
    unless `force`, it does not exist yet. A name the OS rejects (too long, ...) is bad input."""
    path = Path(path)
    try:
        if path.is_dir():
            raise CodesignError(f"{path}: is a directory; a file name is needed")
        if not force and path.exists():
            raise CodesignError(f"{path}: already exists (pass --force to overwrite it)")
        if not path.parent.is_dir():
            raise CodesignError(f"{path}: the directory {path.parent} does not exist")
    except OSError as error:
        raise CodesignError(f"{path}: cannot be written ({error.strerror})") from None
    return path


def write_text(path: str | Path, text: str) -> Path:
    """Write `text` to `path` via a temporary file in the same directory and an atomic rename."""
    path = check_output_file(path)
    try:
        return _write_atomically(path, text)
    except OSError as error:  # a full disk, no permission
        raise CodesignError(f"{path}: cannot be written ({error.strerror})") from None


def _write_atomically(path: Path, text: str) -> Path:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; a report is an ordinary file
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
