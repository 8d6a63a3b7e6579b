"""Composition by reference: `{ref: file, override: {...}}` and `extends: file` in spec YAML.

Any mapping may be `{ref: path, override: {...}}`: the mapping in `path` (relative to the
referencing file) with `override` merged over it. Any mapping may also carry `extends: path`:
its other keys are merged over the mapping in `path`. Merging is deep for mappings; lists and
scalars are replaced. While resolving, `origins` records which file wrote each location of the
result, so that validation errors can name the file a bad value came from.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codesign.arch.yaml_files import is_file, read_yaml, show_value, shown, type_name
from codesign.errors import ArchSpecError

Location = tuple[Any, ...]
REFERENCE_KEYS = ('ref', 'override')


@dataclass
class Resolver:
    """Resolves references in the data of one spec file (`source`)."""

    source: Path
    origins: dict[Location, Path] = field(default_factory=dict, init=False)
    _open_files: list[Path] = field(default_factory=list, init=False)  # being resolved: to see cycles

    def resolve_spec(self, data: Any) -> Any:
        """`data` (parsed from `source`) with every reference replaced by what it names."""
        self._open_files = [_identity(self.source)]
        self.origins = {(): self.source}
        try:
            return self._resolve(data, self.source, ())
        except RecursionError:  # YAML aliases can build self-containing data
            raise ArchSpecError(f'{shown(self.source)}: data is recursive or nested too deeply') from None

    def _resolve(self, node: Any, file: Path, location: Location) -> Any:
        if isinstance(node, dict):
            if 'ref' in node:
                return self._resolve_reference(node, file, location)
            if 'extends' in node:
                return self._resolve_extension(node, file, location)
            return {key: self._resolve_child(value, file, location + (key,)) for key, value in node.items()}
        if isinstance(node, list):
            return [self._resolve_child(item, file, location + (index,)) for index, item in enumerate(node)]
        return node

    def _resolve_child(self, node: Any, file: Path, location: Location) -> Any:
        self.origins[location] = file
        return self._resolve(node, file, location)

    def _resolve_reference(self, node: dict, file: Path, location: Location) -> Any:
        for key in node:
            if key not in REFERENCE_KEYS:
                raise _error(file, location + (key,), 'unknown field next to ref (allowed: ref, override)')
        override = node.get('override', {})
        if not isinstance(override, dict):
            raise _error(file, location + ('override',), f'must be a mapping (got {type_name(override)})')
        base = self._load_referenced(node['ref'], file, location, 'ref')
        return merge(base, self._resolve(override, file, location))

    def _resolve_extension(self, node: dict, file: Path, location: Location) -> Any:
        base = self._load_referenced(node['extends'], file, location, 'extends')
        rest = {key: value for key, value in node.items() if key != 'extends'}
        return merge(base, self._resolve(rest, file, location))

    def _load_referenced(self, target: Any, file: Path, location: Location, key: str) -> dict:
        if not isinstance(target, str) or not target.strip():
            raise _error(file, location + (key,), f'must be the path of a YAML file (got {show_value(target)})')
        path = file.parent / target
        if not is_file(path):
            raise _error(file, location + (key,), f'referenced file not found: {shown(path)}')
        identity = _identity(path)
        if identity in self._open_files:
            cycle = self._open_files[self._open_files.index(identity):] + [identity]
            raise _error(file, location + (key,), 'reference cycle: ' + ' -> '.join(shown(item) for item in cycle))
        content = read_yaml(path)
        if not isinstance(content, dict):
            raise ArchSpecError(f'{shown(path)}: expected a mapping (got {type_name(content)})')
        self._open_files.append(identity)
        self.origins[location] = path
        try:
            return self._resolve(content, path, location)
        finally:
            self._open_files.pop()


def merge(base: dict, override: dict) -> dict:
    """`base` with `override` on top: mappings merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def format_location(location: Location) -> str:
    """A field path as users write it: `hierarchy[1].capacity_bytes`."""
    text = ''
    for element in location:
        if isinstance(element, str) and element.isidentifier():
            text += f'.{element}' if text else element
        else:  # list indices, and keys that would not read as a name
            text += f'[{element!r}]'
    return text or '(top level)'


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _error(file: Path, location: Location, message: str) -> ArchSpecError:
    return ArchSpecError(f'{shown(file)}: {format_location(location)}: {message}')
