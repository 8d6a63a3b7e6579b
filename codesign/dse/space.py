"""Design spaces: a base arch spec, the spec fields to vary, the workloads, objectives, constraints.

    space = load_space('arch_specs/spaces/simba_pe_glb.yaml')
    for point in points(space): ...        # {'parameters': {'hierarchy.global_buffer.capacity_bytes': 65536}, 'workload': ...}

A parameter's `path` is a list of keys into the base spec as its YAML reads once references are
resolved; a string met at a list (hierarchy, axes) names the item with that `name:`. A path
[passes, PASS, OPTION] varies an option of one of the space's passes instead (e.g. a pruning
pass' sparsity). Bad spaces raise SpaceError: one line naming the space file and the field.
"""

import itertools
import random
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codesign.arch.catalog import spec_path
from codesign.arch.messages import describe_validation_error
from codesign.arch.references import Resolver
from codesign.arch.schema import Architecture
from codesign.arch.shipped import YAML_SUFFIXES, referenced_file
from codesign.arch.yaml_files import is_file, read_yaml, show_value, shown, type_name
from codesign.dse.paths import apply
from codesign.dse.space_schema import Constraints, Parameter, PassStep, Range, Space, Strategy
from codesign.errors import CodesignError

__all__ = ['Constraints', 'Parameter', 'PassStep', 'Range', 'Space', 'SpaceError', 'Strategy', 'apply', 'assignments',
           'base_spec', 'compiler_passes', 'design_point', 'load_space', 'pass_assignments', 'points', 'workload_path']


class SpaceError(CodesignError):
    """A design-space file is missing, malformed, or names fields its base spec lacks."""


def load_space(path: str | Path) -> Space:
    """The space in the YAML file at `path`, checked against its base spec."""
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise SpaceError(f'{shown(path)}: expected a mapping with name, base, parameters, ... (got {type_name(data)})')
    try:
        space = Space.model_validate(data)
    except ValidationError as error:
        raise SpaceError(describe_validation_error(error, path, {}, Space)) from None
    _check_against_base(space, path)
    _check_workloads(space, path)
    _check_passes(space, path)
    return space


def base_spec(space: Space, space_file: Path) -> tuple[Path, dict]:
    """The base spec's file and its data with references resolved (the dict parameters edit).

    A name (simba) is a shipped spec; a path is looked up beside the space file, then among the
    shipped specs, as references in a spec are (codesign.arch.shipped)."""
    text = space.base
    if '/' in text or text.endswith(YAML_SUFFIXES):
        file = referenced_file(text, Path(space_file).parent)
        if file is None:
            raise SpaceError(f'{shown(space_file)}: base: no such spec file beside the space nor among the shipped '
                             f'ones in arch_specs/ (got {show_value(text)})')
    else:
        try:
            file = spec_path(text)
        except CodesignError as error:
            raise SpaceError(f'{shown(space_file)}: base: {error}') from None
    return file, Resolver(file).resolve_spec(read_yaml(file))


def points(space: Space) -> list[dict]:
    """The points to evaluate: {'parameters': {label: value}, 'workload': name}, workloads innermost."""
    candidates = [parameter.candidates() for parameter in space.parameters]
    if space.strategy.kind == 'nsga2':
        raise ValueError('an nsga2 space has no fixed list of points: the search draws them (codesign.dse.evolve)')
    if space.strategy.kind == 'grid':
        combinations = list(itertools.product(*candidates))
    else:  # draw indices, not combinations, so a huge grid is never built
        drawn = random.Random(space.strategy.seed).sample(range(space.grid_size), space.strategy.samples)
        combinations = [_combination(index, candidates) for index in sorted(drawn)]
    return [design_point(space, combination, workload)
            for combination in combinations for workload in space.workloads]


PASS_PATH = 'passes'
"""The first key of a parameter path that varies a pass option, not a spec field."""


def assignments(space: Space, point: dict) -> dict[tuple, Any]:
    """The point's spec-field values keyed by path, as apply() takes them."""
    return {tuple(parameter.path): point['parameters'][parameter.label] for parameter in space.parameters
            if parameter.path[0] != PASS_PATH}


def pass_assignments(space: Space, point: dict | None) -> dict[tuple[str, str], Any]:
    """The point's pass-option values keyed by (pass name, option)."""
    if point is None:
        return {}
    return {(parameter.path[1], parameter.path[2]): point['parameters'][parameter.label]
            for parameter in space.parameters if parameter.path[0] == PASS_PATH}


def design_point(space: Space, combination: tuple, workload: str) -> dict:
    """A point as points() gives it, from one value per parameter."""
    return {'parameters': {parameter.label: value for parameter, value in zip(space.parameters, combination)},
            'workload': workload}


def _combination(index: int, candidates: list[list]) -> tuple:
    # Mixed-radix decoding in itertools.product order: the last parameter varies fastest.
    chosen = []
    for values in reversed(candidates):
        index, position = divmod(index, len(values))
        chosen.append(values[position])
    return tuple(reversed(chosen))


def _check_against_base(space: Space, space_file: Path) -> None:
    # Each path must lead somewhere in the base spec: set it to its first value and look.
    base_file, spec = base_spec(space, space_file)
    try:
        Architecture.model_validate(spec)
    except ValidationError as error:
        raise SpaceError(f'{shown(space_file)}: base: {describe_validation_error(error, base_file, {})}') from None
    for index, parameter in enumerate(space.parameters):
        where = f'{shown(space_file)}: parameters[{index}].path'
        if parameter.path[0] == PASS_PATH:
            _check_pass_parameter(space, parameter, where)
            continue
        try:
            edited = apply(spec, {tuple(parameter.path): parameter.candidates()[0]})
        except KeyError as error:
            raise SpaceError(f'{where}: {error.args[0]} in base {space.base} (got {parameter.label})') from None
        try:
            Architecture.model_validate(edited)
        except ValidationError as error:
            if any(detail['type'] == 'extra_forbidden' for detail in error.errors()):
                raise SpaceError(f'{where}: the base spec has no field {parameter.path[-1]!r} there '
                                 f'(got {parameter.label})') from None


def _check_pass_parameter(space: Space, parameter: Parameter, where: str) -> None:
    names = [step.name for step in space.passes]
    if len(parameter.path) != 3 or parameter.path[1] not in names:
        raise SpaceError(f'{where}: a pass option is [passes, PASS, OPTION] with PASS one of the space\'s passes '
                         f'({", ".join(names) or "none"}) (got {parameter.label})')
    step = space.passes[names.index(parameter.path[1])]
    for value in parameter.candidates():
        options = {**step.options, parameter.path[2]: value}
        try:
            compiler_passes(space.model_copy(update={'passes': [step.model_copy(update={'options': options})]}))
        except CodesignError as error:
            raise SpaceError(f'{where}: {error}') from None


def _check_workloads(space: Space, space_file: Path) -> None:
    for index, workload in enumerate(space.workloads):
        if workload.startswith('hdc:'):  # a neuro-symbolic workload (dse/neurosymbolic.py): its own checks
            _check_hdc(space, workload, f'{shown(space_file)}: workloads[{index}]')
            continue
        if space.needs_accuracy:
            _check_labelled(workload, f'{shown(space_file)}: workloads[{index}]')
        if '/' in workload or workload.endswith('.onnx'):
            if not is_file(Path(space_file).parent / workload):
                raise SpaceError(f'{shown(space_file)}: workloads[{index}]: no such ONNX file '
                                 f'(got {show_value(workload)})')
            continue
        from models import zoo  # the registry: torch-free, but only needed for zoo names

        if workload not in zoo.names():
            raise SpaceError(f'{shown(space_file)}: workloads[{index}]: neither an ONNX file nor a zoo model '
                             f'(got {show_value(workload)}; zoo: {", ".join(zoo.names())})')


def _check_hdc(space: Space, workload: str, where: str) -> None:
    from codesign.neurosymbolic.workload import parse_hdc_workload

    if space.passes:
        raise SpaceError(f'{where}: an HDC workload is scheduled as it is; passes do not apply to it '
                         f'(got {len(space.passes)})')
    try:
        parse_hdc_workload(workload)
    except CodesignError as error:
        raise SpaceError(f'{where}: {error}') from None


def _check_labelled(workload: str, where: str) -> None:
    from codesign.accuracy.datasets import LABELLED_WORKLOADS

    if workload not in LABELLED_WORKLOADS:
        raise SpaceError(f'{where}: accuracy (an objective or budget) needs a workload with a labelled test set: '
                         f'{", ".join(LABELLED_WORKLOADS)} (got {show_value(workload)})')


def compiler_passes(space: Space, point: dict | None = None) -> list:
    """The space's passes as pass objects, with `point`'s pass options (checked by load_space,
    so this does not fail)."""
    from codesign.passes import make_pass  # imports the cost models: only when passes are used

    varied = pass_assignments(space, point)
    return [make_pass(step.name, {**step.options, **{option: value for (name, option), value in varied.items()
                                                     if name == step.name}})
            for step in space.passes]


def _check_passes(space: Space, space_file: Path) -> None:
    for index, step in enumerate(space.passes):
        try:
            compiler_passes(space.model_copy(update={'passes': [step]}))
        except CodesignError as error:
            raise SpaceError(f'{shown(space_file)}: passes[{index}]: {error}') from None


def workload_path(workload: str, space_file: Path) -> str:
    """What load_model() takes: ONNX paths are relative to the space file, zoo names stay."""
    if '/' in workload or workload.endswith('.onnx'):
        return str(Path(space_file).parent / workload)
    return workload
