"""Composition by reference: `{ref: file, override: {...}}` and `extends: file` in spec YAML.

Any mapping may be `{ref: path, override: {...}}`: the mapping in `path` (relative to the
referencing file, else a shipped file: see shipped.referenced_file) with `override` merged over
it. Any mapping may also carry `extends: path`: its other keys are merged over the mapping in
`path`. Merging is deep for mappings; lists and scalars are replaced. While resolving, `origins`
records which file wrote each location of the result, so that validation errors can name the
file a bad value came from.

References multiply: a list of ten refs to a file holding ten refs to ... is a "billion laughs"
made of files, so resolving counts the values it builds and stops at the reader's limits.
"""

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codesign.arch.shipped import referenced_file
from codesign.arch.yaml_files import read_yaml, show_value, shown, type_name
from codesign.arch.yaml_loader import MOST_DEPTH, MOST_VALUES
from codesign.errors import ArchSpecError

Location = tuple[Any, ...]
REFERENCE_KEYS = ('ref', 'override')
_LONGEST_NAME = 60  # longer keys in a field path are quoted and cut, as values are


@dataclass
class Resolver:
    """Resolves references in the data of one spec file (`source`)."""

    source: Path
    origins: dict[Location, Path] = field(default_factory=dict, init=False)
    _open_files: list[Path] = field(default_factory=list, init=False)  # being resolved: to see cycles
    _read: dict[Path, Any] = field(default_factory=dict, init=False)  # each file parsed once
    _values: int = field(default=0, init=False)  # built so far, against MOST_VALUES

    def resolve_spec(self, data: Any) -> Any:
        """`data` (parsed from `source`) with every reference replaced by what it names."""
        self._open_files = [_identity(self.source)]
        self.origins = {(): self.source}
        self._values = 0
        return self._resolve(data, self.source, ())

    def _resolve(self, node: Any, file: Path, location: Location) -> Any:
        self._count(file, location)
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

    def _count(self, file: Path, location: Location) -> None:
        self._values += 1
        if self._values > MOST_VALUES:
            raise _error(file, location, f'references expand the spec to more than {MOST_VALUES} values')
        if len(location) > MOST_DEPTH:
            raise _error(file, location[:MOST_DEPTH], f'references nest the spec more than {MOST_DEPTH} levels deep')

    def _resolve_reference(self, node: dict, file: Path, location: Location) -> Any:
        for key in node:
            if key not in REFERENCE_KEYS:
                raise _error(file, location + (key,), 'unknown field next to ref'
                             f'{did_you_mean(key, REFERENCE_KEYS)} (allowed: ref, override)')
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
        path = referenced_file(target, file.parent)
        if path is None:
            raise _error(file, location + (key,), f'referenced file not found: {shown(file.parent / target)} '
                         '(nor among the shipped files in arch_specs/)')
        identity = _identity(path)
        if identity in self._open_files:
            cycle = self._open_files[self._open_files.index(identity):] + [identity]
            raise _error(file, location + (key,), 'reference cycle: ' + ' -> '.join(shown(item) for item in cycle))
        if len(self._open_files) > MOST_DEPTH:
            raise _error(file, location + (key,), f'references chain more than {MOST_DEPTH} files')
        if identity not in self._read:
            self._read[identity] = read_yaml(path)
        content = self._read[identity]  # shared, never modified: resolving builds new mappings
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
        if isinstance(element, str) and element.isidentifier() and len(element) <= _LONGEST_NAME:
            text += f'.{element}' if text else element
        else:  # list indices, and keys that would not read as a name (or fill the line)
            text += f'[{show_value(element)}]'
    return text or '(top level)'


def did_you_mean(word: Any, choices) -> str:
    """` (did you mean 'x'?)` for the choice closest to a misspelled `word`, or ''."""
    close = difflib.get_close_matches(str(word), [str(choice) for choice in choices], n=1)
    return f' (did you mean {close[0]!r}?)' if close else ''


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _error(file: Path, location: Location, message: str) -> ArchSpecError:
    return ArchSpecError(f'{shown(file)}: {format_location(location)}: {message}')
