"""Setting a field of an arch spec (as a plain dict) by its key path.

A path is a list of keys from the top of the spec; a string met at a list (hierarchy,
axes) names the item with that `name:`, an integer indexes it. Errors are KeyErrors whose
message names the first key that does not lead anywhere (the caller adds the file).
"""

import copy
from typing import Any

from codesign.arch.references import format_location
from codesign.arch.yaml_files import type_name


def apply(spec: dict, parameters: dict[tuple, Any]) -> dict:
    """A copy of `spec` with each path set to its value; KeyError naming the first missing key."""
    edited = copy.deepcopy(spec)
    for path, value in parameters.items():
        node = edited
        for depth, key in enumerate(path[:-1]):
            node = _child(node, key, path[:depth])
        last = path[-1]
        if isinstance(node, list):
            node[_list_index(node, last, path[:-1])] = value
        elif isinstance(node, dict):
            node[last] = value  # a field the YAML left at its default; validation rejects unknown ones
        else:
            raise KeyError(f'{format_location(path[:-1])} is a {type_name(node)}, not a mapping or list')
    return edited


def _child(node: Any, key: str | int, above: tuple) -> Any:
    if isinstance(node, dict):
        if key not in node:
            raise KeyError(f'no field {key!r} at {format_location(above)} (fields: {", ".join(map(str, node))})')
        return node[key]
    if isinstance(node, list):
        return node[_list_index(node, key, above)]
    raise KeyError(f'{format_location(above)} is a {type_name(node)}, not a mapping or list')


def _list_index(items: list, key: str | int, above: tuple) -> int:
    if isinstance(key, int):
        if not -len(items) <= key < len(items):
            raise KeyError(f'index {key} is out of range at {format_location(above)} ({len(items)} items)')
        return key
    names = [item.get('name') if isinstance(item, dict) else None for item in items]
    if key not in names:
        raise KeyError(f'no item named {key!r} at {format_location(above)} (names: {", ".join(map(str, names))})')
    return names.index(key)
