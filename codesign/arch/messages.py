"""Turning a pydantic ValidationError into one line: file, field path, what is wrong, the value."""

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from codesign.arch.references import Location, did_you_mean, format_location
from codesign.arch.schema import COMPONENT_KINDS, Architecture, FieldError
from codesign.arch.schema_fields import field_names_at, without_union_labels
from codesign.arch.yaml_files import show_value, shown

_KINDS = ', '.join(COMPONENT_KINDS)
_LONGEST_FIELD_LIST = 200  # characters of the allowed fields listed after an unknown one


def describe_validation_error(
    error: ValidationError, source: Path, origins: dict[Location, Path], schema: type[BaseModel] = Architecture,
) -> str:
    """One line for the first problem in `error`, raised while validating data read from `source`
    as a `schema`.

    `origins` maps locations in the data to the file that wrote them (see references.Resolver).
    """
    details = error.errors(include_url=False)
    location, message = _locate_and_explain(_first(details), schema)
    origin = _origin(location, origins, source)
    written_in = f' (from {shown(origin)})' if origin != source else ''
    # Counted by place: a value no member of `int | float` takes is one problem, not two.
    places = len({without_union_labels(schema, detail['loc']) for detail in details})
    more = f' (and {places - 1} more)' if places > 1 else ''
    return f'{shown(source)}: {format_location(location)}: {message}{written_in}{more}'


def _first(details: list[dict]) -> dict:
    """The problem to report: the first in document order, except that a misspelled key comes
    before the required field it leaves missing (its cause) in the same mapping."""
    first = details[0]
    for detail in details:
        if detail['type'] == 'extra_forbidden' and detail['loc'][:-1] == first['loc'][:-1]:
            return detail
    return first


def _locate_and_explain(detail: dict, schema: type[BaseModel]) -> tuple[Location, str]:
    location = without_union_labels(schema, detail['loc'])
    kind, value, context = detail['type'], detail.get('input'), detail.get('ctx', {})
    if kind == 'missing':
        return location, 'required field is missing'
    if kind == 'extra_forbidden':
        return location, _unknown_field(detail['loc'], value, schema)
    if kind == 'union_tag_invalid':
        got = show_value(value.get('kind'))
        return location + ('kind',), f'unknown component kind (got {got}; allowed: {_KINDS})'
    if kind == 'union_tag_not_found':
        misspelled = [key for key in (value if isinstance(value, dict) else ()) if did_you_mean(key, ['kind'])]
        if misspelled:
            return location + (misspelled[0],), "unknown field (did you mean 'kind'?)"
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
    if kind in ('less_than_equal', 'greater_than_equal'):
        sign, bound = ('<=', context['le']) if kind == 'less_than_equal' else ('>=', context['ge'])
        return location, f'must be {sign} {_number(bound)} (got {show_value(value)})'
    return location, f'{detail["msg"][0].lower()}{detail["msg"][1:]} (got {show_value(value)})'


def _number(bound: float) -> str:
    return f'{bound:g}' if isinstance(bound, float) else str(bound)  # 1e+30, but 1048576 in full


def _unknown_field(location: Location, value: Any, schema: type[BaseModel]) -> str:
    allowed = field_names_at(schema, location[:-1])
    suggestion = did_you_mean(location[-1], allowed)
    if suggestion:
        return f'unknown field{suggestion}'
    listed = ', '.join(allowed)
    if len(listed) > _LONGEST_FIELD_LIST:
        listed = listed[:_LONGEST_FIELD_LIST - 3] + '...'
    return f'unknown field (got {show_value(value)}; allowed: {listed})' if listed else \
        f'unknown field (got {show_value(value)})'


def _origin(location: Location, origins: dict[Location, Path], source: Path) -> Path:
    for length in range(len(location), -1, -1):
        if location[:length] in origins:
            return origins[location[:length]]
    return source
