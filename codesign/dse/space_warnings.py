"""Implausible values in a sweep: of its base spec, and of the parameter values tried on it.

One line each (codesign/arch/plausible.py has the ranges), for the CLI to print once before the
sweep starts rather than once per point.
"""

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codesign.arch.plausible import spec_warnings
from codesign.arch.schema import Architecture
from codesign.arch.yaml_files import show_value, shown
from codesign.dse.paths import apply
from codesign.dse.space import Space, base_spec

MOST_CHECKED = 100  # non-numeric values checked per parameter: each check validates a whole spec


def space_warnings(space: Space, space_file: Path) -> tuple[str, ...]:
    """The base spec's implausible values, then those each parameter value adds to them."""
    base_file, base = base_spec(space, space_file)
    in_base = spec_warnings(Architecture.model_validate(base))  # load_space checked that it validates
    found = [f'{shown(base_file)}: {warning}' for warning in in_base]
    for index, parameter in enumerate(space.parameters):
        for value in _values_to_check(parameter.candidates()):
            for warning in _warnings_with(base, tuple(parameter.path), value):
                if warning not in in_base:
                    found.append(f'{shown(space_file)}: parameters[{index}] = {show_value(value)}: {warning}')
    return tuple(dict.fromkeys(found))  # in order, each once


def _values_to_check(values: list[Any]) -> list[Any]:
    # Ranges are about magnitude: the smallest and largest number stand for all between them.
    numbers = [value for value in values if _is_number(value)]
    others = [value for value in values if not _is_number(value)][:MOST_CHECKED]
    return ([min(numbers), max(numbers)] if numbers else []) + others


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _warnings_with(base: dict, path: tuple, value: Any) -> tuple[str, ...]:
    try:
        return spec_warnings(Architecture.model_validate(apply(base, {path: value})))
    except (ValidationError, KeyError):
        return ()  # a value the schema refuses: the sweep records its points as infeasible
