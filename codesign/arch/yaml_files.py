"""Reading spec files: YAML with two fixes for hand-written specs, and errors as one line."""

import os
import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from codesign.errors import ArchSpecError

_LONGEST_VALUE = 60  # characters of a bad value quoted in a message

# PyYAML (YAML 1.1) reads `200e6` and `200.0e6` as strings: it wants a dot and a signed exponent.
# Specs write SI values that way, so read any number with an exponent as a float, as YAML 1.2 does.
_EXPONENT_FLOAT = re.compile(r'^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$')


class SpecYamlLoader(yaml.SafeLoader):
    """SafeLoader that reads `1e9` as a float and rejects duplicate keys (a silent overwrite)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == 'tag:yaml.org,2002:merge':
                continue  # `<<: *anchor` keys may be overridden; the base class merges them
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                continue  # the base class reports unhashable keys
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f'duplicate key {key!r}', key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


SpecYamlLoader.add_implicit_resolver('tag:yaml.org,2002:float', _EXPONENT_FLOAT, list('-+.0123456789'))


def read_yaml(path: Path) -> Any:
    """The parsed content of `path`; ArchSpecError if it cannot be read or parsed."""
    try:
        text = path.read_text(encoding='utf-8')
    except FileNotFoundError:
        raise ArchSpecError(f'{shown(path)}: file not found') from None
    except (OSError, ValueError) as error:  # a directory, no permission, bad bytes, bad name
        raise ArchSpecError(f'{shown(path)}: cannot read file ({_one_line(str(error))})') from None
    try:
        return yaml.load(text, Loader=SpecYamlLoader)
    except yaml.YAMLError as error:
        raise ArchSpecError(f'{shown(path)}: not valid YAML: {_describe_yaml_error(error)}') from None


def is_file(path: Path) -> bool:
    """Whether `path` names a readable regular file; False for names the OS rejects."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def shown(path: Path) -> str:
    """`path` as a user would type it: relative to the working directory when inside it."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except (OSError, ValueError):
        return str(path)


def show_value(value: Any) -> str:
    """`value` for a one-line message: YAML spelling of null and booleans, long values cut."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return str(value).lower()
    text = repr(value)
    return text if len(text) <= _LONGEST_VALUE else text[:_LONGEST_VALUE - 3] + '...'


def type_name(value: Any) -> str:
    """A YAML-flavoured name for the type of `value`, for messages."""
    if value is None:
        return 'null'
    if isinstance(value, dict):
        return 'a mapping'
    if isinstance(value, list):
        return 'a list'
    return type(value).__name__


def _describe_yaml_error(error: yaml.YAMLError) -> str:
    mark = getattr(error, 'problem_mark', None)
    problem = getattr(error, 'problem', None) or str(error)
    where = f'line {mark.line + 1}, column {mark.column + 1}: ' if mark else ''
    return where + _one_line(problem)


def _one_line(text: str) -> str:
    return ' '.join(text.split())
