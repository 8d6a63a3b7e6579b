"""The design-space file's schema: parameters, ranges, budgets, strategy, passes (pydantic,
a docstring on every field, as the arch specs). space.py loads a file and checks it against
its base spec; this module only checks each field on its own."""

import json
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from codesign.arch.references import format_location
from codesign.arch.schema_base import LARGEST_QUANTITY, FieldError, SpecModel
from codesign.arch.yaml_files import show_value

Objective = Literal['energy', 'latency', 'edp', 'area', 'accuracy_loss']
MOST_VALUES = 10_000  # per range: a typo in `stop` should not build a grid of billions
MOST_GRID_POINTS = 100_000
"""Designs x workloads a grid may list: every point is built up front, and each compiles a network
(seconds), so a bigger grid is a slip or a job for strategy random or nsga2."""
MOST_GENERATIONS = 10_000  # also bounds population and patience: beyond, a search never ends
Number = Annotated[int | float, Field(ge=-LARGEST_QUANTITY, le=LARGEST_QUANTITY)]
Budget = Annotated[float, Field(gt=0, le=LARGEST_QUANTITY)]


class Range(SpecModel):
    """Inclusive values from start to stop: start, start+step, ... or start, start*factor, ..."""

    start: Number
    """First value."""
    stop: Number
    """Last value at most (included when the steps land on it)."""
    step: Number | None = Field(default=None, gt=0)
    """Arithmetic increment; give step or factor, not both."""
    factor: Number | None = Field(default=None, gt=1)
    """Geometric ratio (e.g. 2 for powers of two); give step or factor, not both."""

    @model_validator(mode='after')
    def _check(self) -> 'Range':
        if (self.step is None) == (self.factor is None):
            raise FieldError(('step',), 'give exactly one of step and factor')
        if self.stop < self.start:
            raise FieldError(('stop',), f'is below start={self.start}, the range is empty (got {self.stop})')
        if self.factor is not None and self.start <= 0:
            raise FieldError(('start',), f'must be > 0 for a geometric range (got {self.start})')
        values = self.values()
        if len(set(values)) != len(values):  # floats too coarse for the step: 1e17 + 1 == 1e17
            raise FieldError(('step',), f'is too small to change start={self.start} in floating point '
                             f'(got {self.step}): the range repeats values')
        if len(values) > MOST_VALUES:
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
        if self.values is not None:
            _check_no_duplicates(self.values, ('values',))
        return self

    @property
    def label(self) -> str:
        """The path as reports write it: hierarchy.global_buffer.capacity_bytes."""
        return format_location(tuple(self.path))

    def candidates(self) -> list[Any]:
        return list(self.values) if self.values is not None else self.range.values()


class Constraints(SpecModel):
    """Limits a design must meet; points beyond them are reported as infeasible."""

    area_budget_m2: Budget | None = None
    """Largest allowed chip area, all components (the target's area_m2: codesign/target)."""
    energy_budget_J: Budget | None = None
    """Largest allowed energy per inference."""
    latency_budget_s: Budget | None = None
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
    samples: int | None = Field(default=None, strict=True, gt=0, le=MOST_GRID_POINTS)
    """Combinations to draw (random only); each is run on every workload."""
    population: int | None = Field(default=None, ge=4, le=MOST_GENERATIONS)
    """Designs per generation (nsga2 only; default 16)."""
    generations: int | None = Field(default=None, ge=1, le=MOST_GENERATIONS)
    """Generations bred after the first population (nsga2 only; default 10)."""
    patience: int | None = Field(default=None, ge=1, le=MOST_GENERATIONS)
    """Stop after this many generations that leave the Pareto front unchanged (nsga2 only;
    default: never stop early)."""
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    """Seed of the random draw, the evolutionary search and the mapper (numpy takes no negative seed)."""

    @model_validator(mode='after')
    def _check(self) -> 'Strategy':
        if (self.kind == 'random') != (self.samples is not None):
            raise FieldError(('samples',), 'is required for kind random and only allowed there '
                             f'(got {show_value(self.samples)})')
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
        _check_no_duplicates(self.workloads, ('workloads',))
        if len(set(self.objectives)) != len(self.objectives):
            raise FieldError(('objectives',), f'lists an objective twice (got {self.objectives})')
        if self.strategy.samples is not None and self.strategy.samples > self.grid_size:
            raise FieldError(('strategy', 'samples'), f'exceeds the {self.grid_size} combinations of the grid '
                             f'(got {self.strategy.samples})')
        points = self.grid_size * len(self.workloads)
        if self.strategy.kind == 'grid' and points > MOST_GRID_POINTS:
            raise FieldError(('strategy', 'kind'), f'grid: {points} points (designs x workloads) is more than '
                             f'{MOST_GRID_POINTS}; use kind random (with samples) or nsga2')
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


def _check_no_duplicates(items: list, location: tuple) -> None:
    """Refuse an item listed twice. Not silently dropped: `[2, 4, 4]` is most likely a slip for
    `[2, 4, 8]`, and the store keys a point by its values, so two equal ones are one point."""
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        key = _store_key(item)
        if key in first_index:
            first = location + (first_index[key],)
            raise FieldError(location + (index,), f'duplicate of {format_location(first)} ({show_value(item)})')
        first_index[key] = index


def _store_key(value: Any) -> str:
    # The JSON the store hashes into a point's key, with numbers compared as numbers: 1e9 and
    # 1000000000 set the same clock (true and 1 stay apart: a flag is not a count).
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53:
        value = float(value)
    return json.dumps(value, sort_keys=True, default=str)
