"""Timeloop constraints, inline (`constraints: {dataspace: ..., spatial: ...}` on a node) or in a
constraints file (`targets: [{target, type, ...}]`), reduced to what the spec can say: which
tensors a level keeps, and which dimensions a fan-out may unroll on each axis."""

import re
from dataclasses import dataclass
from typing import Any

from codesign.arch.importers.model import TENSORS

DATASPACES = {'Weights': 'weight', 'Inputs': 'input', 'Outputs': 'output'}
"""Timeloop's CNN-layer data spaces as spec tensors."""
TIMELOOP_DIMENSIONS = {'N': 'N', 'M': 'K', 'C': 'C', 'P': 'P', 'Q': 'Q', 'R': 'R', 'S': 'S'}
"""Timeloop's CNN-layer dimensions (M: output channels) as spec loop dimensions."""


@dataclass(frozen=True)
class Constraint:
    """One constraint on one target, as written."""

    target: str
    type: str  # dataspace (bypass in older files), spatial, temporal, utilization, ...
    fields: tuple[tuple[str, Any], ...]

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.fields).get(key, default)


def inline_constraints(target: str, written: Any) -> list[Constraint]:
    """`constraints: {dataspace: {...}, spatial: {...}}` of the node named `target`."""
    if not isinstance(written, dict):
        return []
    return [Constraint(target, str(kind), tuple(fields.items()))
            for kind, fields in written.items() if isinstance(fields, dict)]


def file_constraints(content: Any) -> list[Constraint]:
    """The `targets:` of a constraints section; `inter_X_spatial` targets name the fan-out X."""
    targets = content.get('targets', []) if isinstance(content, dict) else []
    found = []
    for entry in targets if isinstance(targets, list) else []:
        if isinstance(entry, dict) and 'target' in entry:
            target = re.sub(r'^inter_(.*)_spatial$', r'\1', str(entry['target']))
            kind = 'dataspace' if entry.get('type') == 'bypass' else str(entry.get('type', ''))
            found.append(Constraint(target, kind, tuple((key, value) for key, value in entry.items()
                                                        if key not in ('target', 'type'))))
    return found


def kept_tensors(constraints: list[Constraint], notes: list[str], name: str) -> tuple[str, ...]:
    """The tensors a level may keep: its `keep` list, else all but `bypass`, else all three."""
    kept = set(TENSORS)
    for constraint in constraints:
        if constraint.type != 'dataspace':
            continue
        keep, bypass = _names(constraint.get('keep'), notes, name), _names(constraint.get('bypass'), notes, name)
        kept = set(keep) if constraint.get('keep') is not None else set(TENSORS) - set(bypass)
    return tuple(tensor for tensor in TENSORS if tensor in kept)


def _names(written: Any, notes: list[str], name: str) -> list[str]:
    names = written if isinstance(written, list) else [] if written is None else [written]
    unknown = [str(item) for item in names if item not in DATASPACES]
    if unknown:
        notes.append(f'{name}: data spaces {", ".join(unknown)} not converted (the spec knows Weights, Inputs, Outputs)')
    return [DATASPACES[item] for item in names if item in DATASPACES]


def axis_unrolls(constraints: list[Constraint], axes: list[tuple[str, int]], notes: list[str],
                 name: str) -> tuple[tuple[str, ...], ...] | None:
    """Per axis, the dimensions the spatial constraints leave free (factor not fixed to 1); the
    permutation split between them (Timeloop: dimensions before `split` go along X). None when unconstrained."""
    spatial = [constraint for constraint in constraints if constraint.type == 'spatial']
    if not spatial:
        return None
    factors, permutation, split = {}, [], None
    for constraint in spatial:
        factors.update(_factors(constraint.get('factors')))
        permutation = _permutation(constraint.get('permutation')) or permutation
        split = constraint.get('split', split)
    fixed = {dimension: value for dimension, value in factors.items() if value > 1}
    if fixed:
        notes.append(f'{name}: fixed spatial factors {_pairs(fixed)} not converted (the mapper chooses factors)')
    order = permutation + [dimension for dimension in TIMELOOP_DIMENSIONS if dimension not in permutation]
    free = [dimension for dimension in order if factors.get(dimension) != 1]
    per_axis = _split(free, order, axes, split)
    return tuple(tuple(TIMELOOP_DIMENSIONS[dimension] for dimension in dimensions if dimension in TIMELOOP_DIMENSIONS)
                 for dimensions in per_axis)


def _split(free: list[str], order: list[str], axes: list[tuple[str, int]], split: Any) -> list[list[str]]:
    if len(axes) < 2 or not isinstance(split, int):
        return [free for _ in axes]
    along_x = set(order[:split])
    return [[dimension for dimension in free if (dimension in along_x) == (axis == 'x')] for axis, _ in axes]


def _factors(written: Any) -> dict[str, int]:
    text = ' '.join(map(str, written)) if isinstance(written, list) else str(written or '')
    return {dimension: int(value) for dimension, value in re.findall(r'([A-Za-z]+)\s*=\s*([0-9]+)', text)}


def _permutation(written: Any) -> list[str]:
    if isinstance(written, list):
        return [str(item) for item in written]
    return list(re.sub(r'[^A-Za-z]', '', str(written or '')))


def _pairs(factors: dict[str, int]) -> str:
    return ' '.join(f'{dimension}={value}' for dimension, value in factors.items())


def unused_constraints(constraints: list[Constraint], notes: list[str], name: str) -> None:
    """List the constraints the spec cannot say: loop orders and factors over time, utilization."""
    for constraint in constraints:
        if constraint.type not in ('dataspace', 'spatial'):
            notes.append(f'{name}: {constraint.type} constraint not converted (the mapper searches '
                         'loop orders and factors itself)')

