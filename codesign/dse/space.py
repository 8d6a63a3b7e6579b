"""Design spaces: a base arch spec, the spec fields to vary, the workloads, objectives, constraints.

    space = load_space('arch_specs/spaces/simba_pe_glb.yaml')
    for point in points(space): ...        # {'parameters': {'hierarchy.global_buffer.capacity_bytes': 65536}, 'workload': ...}

A parameter's `path` is a list of keys into the base spec as its YAML reads once references are
resolved; a string met at a list (hierarchy, axes) names the item with that `name:`. Bad spaces
raise SpaceError: one line naming the space file and the field.
"""

import itertools
import random
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from codesign.arch.catalog import spec_path
from codesign.arch.messages import describe_validation_error
from codesign.arch.references import Resolver, format_location
from codesign.arch.schema import Architecture
from codesign.arch.schema_base import FieldError, PositiveCount, SpecModel
from codesign.arch.yaml_files import read_yaml, show_value, shown, type_name
from codesign.dse.paths import apply
from codesign.errors import CodesignError

Objective = Literal['energy', 'latency', 'edp', 'area', 'accuracy_loss']
MOST_VALUES = 10_000  # per range: a typo in `stop` should not build a grid of billions


class SpaceError(CodesignError):
    """A design-space file is missing, malformed, or names fields its base spec lacks."""


class Range(SpecModel):
    """Inclusive values from start to stop: start, start+step, ... or start, start*factor, ..."""

    start: int | float
    """First value."""
    stop: int | float
    """Last value at most (included when the steps land on it)."""
    step: int | float | None = Field(default=None, gt=0)
    """Arithmetic increment; give step or factor, not both."""
    factor: int | float | None = Field(default=None, gt=1)
    """Geometric ratio (e.g. 2 for powers of two); give step or factor, not both."""

    @model_validator(mode='after')
    def _check(self) -> 'Range':
        if (self.step is None) == (self.factor is None):
            raise FieldError(('step',), 'give exactly one of step and factor')
        if self.stop < self.start:
            raise FieldError(('stop',), f'is below start={self.start}, the range is empty (got {self.stop})')
        if self.factor is not None and self.start <= 0:
            raise FieldError(('start',), f'must be > 0 for a geometric range (got {self.start})')
        if len(self.values()) > MOST_VALUES:
            raise FieldError(('stop',), f'gives more than {MOST_VALUES} values (got {self.stop})')
        return self

    def values(self) -> list[int | float]:
        found, value, tolerance = [], self.start, abs(self.stop) * 1e-9
        while value <= self.stop + tolerance and len(found) <= MOST_VALUES:
            found.append(value)
            value = value + self.step if self.step is not None else value * self.factor
        return found


class Parameter(SpecModel):
    """One field of the base spec to vary."""

    path: list[str | int] = Field(min_length=1)
    """Keys from the top of the spec, e.g. [hierarchy, global_buffer, capacity_bytes]."""
    values: list[Any] | None = Field(default=None, min_length=1)
    """The values to try; give values or range, not both."""
    range: Range | None = None
    """The values to try as a range; give values or range, not both."""

    @model_validator(mode='after')
    def _check(self) -> 'Parameter':
        if (self.values is None) == (self.range is None):
            raise FieldError(('values',), 'give exactly one of values and range')
        return self

    @property
    def label(self) -> str:
        """The path as reports write it: hierarchy.global_buffer.capacity_bytes."""
        return format_location(tuple(self.path))

    def candidates(self) -> list[Any]:
        return list(self.values) if self.values is not None else self.range.values()


class Constraints(SpecModel):
    """Limits a design must meet; points beyond them are reported as infeasible."""

    area_budget_m2: float | None = Field(default=None, gt=0)
    """Largest allowed chip area (dataflow specs only: compute-in-memory area is not modelled yet)."""
    energy_budget_J: float | None = Field(default=None, gt=0)
    """Largest allowed energy per inference."""
    latency_budget_s: float | None = Field(default=None, gt=0)
    """Largest allowed latency per inference."""
    accuracy_loss_budget: float | None = Field(default=None, gt=0, le=1)
    """Largest allowed drop of top-1 test accuracy below the float32 model's, as a fraction
    (0.01: one percentage point), measured by running the workload's labelled test set at the
    design's precision (codesign/accuracy); only workloads that ship one (digits_cnn)."""


class Strategy(SpecModel):
    """How the designs to evaluate are chosen from the grid of parameter values."""

    kind: Literal['grid', 'random', 'nsga2'] = 'grid'
    """grid: every combination; random: `samples` combinations drawn without replacement;
    nsga2: a multi-objective evolutionary search (NSGA-II) for grids too big to run whole."""
    samples: PositiveCount | None = None
    """Combinations to draw (random only); each is run on every workload."""
    population: int | None = Field(default=None, ge=4)
    """Designs per generation (nsga2 only; default 16)."""
    generations: int | None = Field(default=None, ge=1)
    """Generations bred after the first population (nsga2 only; default 10)."""
    patience: int | None = Field(default=None, ge=1)
    """Stop after this many generations that leave the Pareto front unchanged (nsga2 only;
    default: never stop early)."""
    seed: int = 0
    """Seed of the random draw, the evolutionary search and the mapper."""

    @model_validator(mode='after')
    def _check(self) -> 'Strategy':
        if (self.kind == 'random') != (self.samples is not None):
            raise FieldError(('samples',), f'is required for kind random and only allowed there (got {show_value(self.samples)})')
        if self.kind != 'nsga2':
            for field in ('population', 'generations', 'patience'):
                if getattr(self, field) is not None:
                    raise FieldError((field,), f'is only allowed for kind nsga2 (got {getattr(self, field)})')
        return self

    @property
    def search_population(self) -> int:
        return self.population or 16

    @property
    def search_generations(self) -> int:
        return self.generations or 10


class PassStep(SpecModel):
    """One compiler pass run on every workload before it is mapped."""

    name: str
    """The pass, as `codesign compile -p` names it (e.g. fuse-layers)."""
    options: dict[str, int | float | bool | str] = {}
    """The pass' options, e.g. {population: 16, generations: 20}."""


class Space(SpecModel):
    """A design space: the spec fields to vary around a base architecture, and what to measure."""

    name: str
    """Short name, used for output folders."""
    description: str = ''
    """One line saying what the sweep asks."""
    base: str
    """The base architecture: a shipped spec name (simba) or a path relative to this file."""
    parameters: list[Parameter] = Field(min_length=1)
    """The fields to vary; the grid is their cartesian product."""
    workloads: list[str] = Field(min_length=1)
    """Zoo model names or ONNX files (relative to this file)."""
    objectives: list[Objective] = Field(default=['energy', 'latency'], min_length=1)
    """What to minimise: energy, latency, edp, area, accuracy_loss (top-1, against float32);
    the Pareto front is over these."""
    constraints: Constraints = Constraints()
    """Budgets a design must meet."""
    passes: list[PassStep] = []
    """Passes run on every workload before mapping (as `codesign compile -p`), in order."""
    strategy: Strategy = Strategy()
    """grid, random sampling, or NSGA-II search of the parameter grid."""
    mapper_objective: Literal['energy', 'latency', 'edp'] = 'edp'
    """What the per-layer mapper optimises while compiling each point."""

    @model_validator(mode='after')
    def _check(self) -> 'Space':
        for index, parameter in enumerate(self.parameters):
            if parameter.label in [other.label for other in self.parameters[:index]]:
                raise FieldError(('parameters', index, 'path'), f'is varied twice (got {parameter.label})')
        if len(set(self.objectives)) != len(self.objectives):
            raise FieldError(('objectives',), f'lists an objective twice (got {self.objectives})')
        if self.strategy.samples is not None and self.strategy.samples > self.grid_size:
            raise FieldError(('strategy', 'samples'), f'exceeds the {self.grid_size} combinations of the grid '
                             f'(got {self.strategy.samples})')
        return self

    @property
    def needs_accuracy(self) -> bool:
        """Whether points must measure accuracy (an objective or a budget asks for it)."""
        return 'accuracy_loss' in self.objectives or self.constraints.accuracy_loss_budget is not None

    @cached_property
    def grid_size(self) -> int:
        size = 1
        for parameter in self.parameters:
            size *= len(parameter.candidates())
        return size


def load_space(path: str | Path) -> Space:
    """The space in the YAML file at `path`, checked against its base spec."""
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise SpaceError(f'{shown(path)}: expected a mapping with name, base, parameters, ... (got {type_name(data)})')
    try:
        space = Space.model_validate(data)
    except ValidationError as error:
        raise SpaceError(describe_validation_error(error, data, path, {})) from None
    _check_against_base(space, path)
    _check_workloads(space, path)
    _check_passes(space, path)
    return space


def base_spec(space: Space, space_file: Path) -> tuple[Path, dict]:
    """The base spec's file and its data with references resolved (the dict parameters edit)."""
    text = space.base
    located = Path(space_file).parent / text if '/' in text or text.endswith(('.yaml', '.yml')) else text
    try:
        file = spec_path(located)
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


def assignments(space: Space, point: dict) -> dict[tuple, Any]:
    """The point's parameter values keyed by path, as apply() takes them."""
    return {tuple(parameter.path): point['parameters'][parameter.label] for parameter in space.parameters}


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
        raise SpaceError(f'{shown(space_file)}: base: {describe_validation_error(error, spec, base_file, {})}') from None
    for index, parameter in enumerate(space.parameters):
        where = f'{shown(space_file)}: parameters[{index}].path'
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
    if space.constraints.area_budget_m2 is not None or 'area' in space.objectives:
        if spec['hierarchy'][-1].get('kind') != 'compute':
            field = 'constraints.area_budget_m2' if space.constraints.area_budget_m2 is not None else 'objectives'
            raise SpaceError(f'{shown(space_file)}: {field}: area is not modelled for compute-in-memory '
                             f'specs yet, so it can neither be a budget nor an objective (base: {space.base})')


def _check_workloads(space: Space, space_file: Path) -> None:
    for index, workload in enumerate(space.workloads):
        if space.needs_accuracy:
            _check_labelled(workload, f'{shown(space_file)}: workloads[{index}]')
        if '/' in workload or workload.endswith('.onnx'):
            if not (Path(space_file).parent / workload).is_file():
                raise SpaceError(f'{shown(space_file)}: workloads[{index}]: no such ONNX file (got {workload!r})')
            continue
        from models import zoo  # imports torch: only when a zoo name needs checking

        if workload not in zoo.names():
            raise SpaceError(f'{shown(space_file)}: workloads[{index}]: neither an ONNX file nor a zoo model '
                             f'(got {workload!r}; zoo: {", ".join(zoo.names())})')


def _check_labelled(workload: str, where: str) -> None:
    from codesign.accuracy.datasets import LABELLED_WORKLOADS

    if workload not in LABELLED_WORKLOADS:
        raise SpaceError(f'{where}: accuracy (an objective or budget) needs a workload with a labelled test set: '
                         f'{", ".join(LABELLED_WORKLOADS)} (got {workload!r})')


def compiler_passes(space: Space) -> list:
    """The space's passes as pass objects (checked by load_space, so this does not fail)."""
    from codesign.passes import make_pass  # imports the cost models: only when passes are used

    return [make_pass(step.name, step.options) for step in space.passes]


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
