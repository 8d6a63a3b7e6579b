"""Turning a pydantic ValidationError into one line: file, field path, what is wrong, the value."""

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codesign.arch.references import Location, format_location
from codesign.arch.schema import COMPONENT_KINDS, FieldError
from codesign.arch.yaml_files import show_value, shown

_KINDS = ', '.join(COMPONENT_KINDS)


def describe_validation_error(
    error: ValidationError, data: Any, source: Path, origins: dict[Location, Path]
) -> str:
    """One line for the first problem in `error`, raised while validating `data` read from `source`.

    `origins` maps locations in `data` to the file that wrote them (see references.Resolver).
    """
    details = error.errors(include_url=False)
    location, message = _locate_and_explain(details[0], data)
    origin = _origin(location, origins, source)
    written_in = f' (from {shown(origin)})' if origin != source else ''
    more = f' (and {len(details) - 1} more)' if len(details) > 1 else ''
    return f'{shown(source)}: {format_location(location)}: {message}{written_in}{more}'


def _locate_and_explain(detail: dict, data: Any) -> tuple[Location, str]:
    location = _strip_union_tags(detail['loc'], data)
    kind, value, context = detail['type'], detail.get('input'), detail.get('ctx', {})
    if kind == 'missing':
        return location, 'required field is missing'
    if kind == 'extra_forbidden':
        return location, f'unknown field (got {show_value(value)})'
    if kind == 'union_tag_invalid':
        got = show_value(value.get('kind'))
        return location + ('kind',), f'unknown component kind (got {got}; allowed: {_KINDS})'
    if kind == 'union_tag_not_found':
        return location + ('kind',), f'required field is missing (one of: {_KINDS})'
    if kind in ('model_type', 'model_attributes_type'):
        return location, f'must be a mapping (got {show_value(value)})'
    if kind in ('tuple_type', 'list_type'):
        return location, f'must be a list (got {show_value(value)})'
    if kind == 'too_short':
        return location, f'must have at least {context["min_length"]} item(s) (got {show_value(value)})'
    if kind == 'value_error' and isinstance(context.get('error'), FieldError):
        return location + context['error'].location, str(context['error'])
    if kind == 'string_pattern_mismatch':
        return location, f'must be a name: letters, digits and _, no leading digit (got {show_value(value)})'
    if kind == 'greater_than':
        return location, f'must be > {context["gt"]} (got {show_value(value)})'
    return location, f'{detail["msg"][0].lower()}{detail["msg"][1:]} (got {show_value(value)})'


def _strip_union_tags(location: Location, data: Any) -> Location:
    # pydantic puts the union member's tag in the path (hierarchy.1.memory.name); users never wrote it.
    kept = []
    node = data
    for element in location:
        if isinstance(node, dict) and element not in node and node.get('kind') == element:
            continue
        kept.append(element)
        node = _child(node, element)
    return tuple(kept)


def _child(node: Any, element: Any) -> Any:
    if isinstance(node, dict):
        return node.get(element)
    if isinstance(node, list) and isinstance(element, int) and 0 <= element < len(node):
        return node[element]
    return None


def _origin(location: Location, origins: dict[Location, Path], source: Path) -> Path:
    for length in range(len(location), -1, -1):
        if location[:length] in origins:
            return origins[location[:length]]
    return source
