"""Loading a spec: read the YAML, resolve references, validate into an Architecture.

Every problem becomes an ArchSpecError whose message is one line naming the file, the field
path and the bad value; nothing else escapes.
"""

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codesign.arch.messages import describe_validation_error
from codesign.arch.references import Resolver
from codesign.arch.schema import Architecture
from codesign.arch.yaml_files import read_yaml, shown, type_name
from codesign.errors import ArchSpecError


def load_file(path: Path) -> Architecture:
    """The architecture described by the spec file at `path`."""
    return load_data(read_yaml(path), path)


def load_data(data: Any, source: Path) -> Architecture:
    """The architecture described by `data`, parsed from `source` (references are relative to it)."""
    if not isinstance(data, dict):
        raise ArchSpecError(
            f'{shown(source)}: expected a mapping with name, hierarchy, ... (got {type_name(data)})')
    resolver = Resolver(source)
    resolved = resolver.resolve_spec(data)
    try:
        return Architecture.model_validate(resolved)
    except ValidationError as error:
        raise ArchSpecError(describe_validation_error(error, source, resolver.origins)) from None
