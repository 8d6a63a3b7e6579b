"""AccelForge architectures (`arch: {nodes: [!Memory ..., !Container ..., !Compute ...]}`), the
successor of Timeloop/Accelergy: sizes in bits, energies in joules per action of
`bits_per_action` bits (1 when not given), areas in m^2, leak power in W, each per instance.

A node's `spatial:` list makes that many instances of it and of everything below it (a fan-out
before it here); `tensors: {keep, may_keep}` set expressions say which tensors a memory holds.
"""

import ast
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesign.arch.importers.expressions import NotANumber, non_negative, number
from codesign.arch.importers.model import DIMENSIONS, TENSORS, Axis, Compute, Energies, Fanout, Memory
from codesign.arch.importers.reading import Tagged
from codesign.arch.importers.shared import identifier
from codesign.arch.schema_base import LARGEST_CAPACITY
from codesign.arch.yaml_files import shown, type_name
from codesign.errors import ArchSpecError

UNROLL_REUSING = {'weight': ('N', 'P', 'Q'), 'output': ('C', 'R', 'S'), 'input': ('K',)}
"""The loop dimensions that leave each tensor's index unchanged: a spatial loop over them reuses
(multicasts or reduces) that tensor, which is what `reuse: <tensor>` demands of a fan-out."""
SET_NAMES = {'All': set(TENSORS), 'Nothing': set(), 'Intermediates': set(), 'Inputs': {'input', 'weight'},
             'Outputs': {'output'}, 'input': {'input'}, 'weight': {'weight'}, 'output': {'output'}}
"""AccelForge's tensor-set names for one convolution or matmul (no intermediate tensors)."""
USED_MEMORY_FIELDS = {'name', 'component_class', 'size', 'tensors', 'actions', 'spatial', 'area', 'leak_power',
                      'bits_per_action', 'energy_scale', 'extra_attributes_for_component_model'}
USED_COMPUTE_FIELDS = {'name', 'component_class', 'actions', 'spatial', 'area', 'leak_power', 'energy_scale',
                       'extra_attributes_for_component_model'}
USED_ACTION_FIELDS = {'name', 'energy', 'bits_per_action', 'throughput'}


@dataclass(frozen=True)
class Bits:
    """The compute unit's widths, which set the words of the levels (AccelForge takes them from the workload)."""

    operand: int
    accumulator: int


def nodes_of(arch: Any, path: Path, notes: list[str]) -> list[Tagged]:
    """The leaf nodes of an AccelForge `arch:` section, !Hierarchical branches flattened."""
    if not isinstance(arch, dict) or not isinstance(arch.get('nodes'), list):
        raise ArchSpecError(f'{shown(path)}: arch needs a list of nodes (got {type_name(arch)})')
    for key in sorted(set(arch) - {'nodes', 'extra_attributes_for_all_component_models'}):
        notes.append(f'arch.{key} not converted')
    return _flatten(arch['nodes'], path, notes)


def _flatten(nodes: list, path: Path, notes: list[str]) -> list[Tagged]:
    flat = []
    for node in nodes:
        if not isinstance(node, Tagged):
            raise ArchSpecError(f'{shown(path)}: each node needs a tag such as !Memory (got {str(node)[:60]})')
        if node.tag == 'Hierarchical':
            flat += _flatten(node.body.get('nodes', []), path, notes)
        elif node.tag in ('Memory', 'Compute', 'Container', 'Fanout'):
            flat.append(node)
        elif node.tag in ('Component', 'Parallel', 'Pipelined', 'Nothing'):
            raise ArchSpecError(f'{shown(path)}: !{node.tag} is a Timeloop node, not an AccelForge one')
        else:
            notes.append(f'!{node.tag} {node.body.get("name", "")}: not converted (no spec counterpart)')
    return flat


def technology_attribute(arch: dict) -> Any:
    extra = arch.get('extra_attributes_for_all_component_models') or {}
    return extra.get('tech_node') if isinstance(extra, dict) else None


def compute_bits(node: Tagged, choices: list[str]) -> Bits:
    extra = node.body.get('extra_attributes_for_component_model') or {}
    if not isinstance(extra, dict) or 'multiplier_width' not in extra:
        choices.append(f'{identifier(node.body.get("name"))}: no multiplier_width/adder_width; '
                       '8-bit operands, 16-bit accumulator')
    try:
        return Bits(int(number(extra.get('multiplier_width', 8))), int(number(extra.get('adder_width', 16))))
    except (NotANumber, AttributeError):
        return Bits(8, 16)


def convert(flat: list[Tagged], bits: Bits, path: Path, notes: list[str], choices: list[str]) -> list:
    """The spec components of the nodes `flat`, outermost first."""
    compute_index = max((index for index, node in enumerate(flat) if node.tag == 'Compute'), default=None)
    if compute_index is None:
        raise ArchSpecError(f'{shown(path)}: no !Compute node; the spec needs a compute unit')
    innermost_output = _innermost_holding_output(flat[:compute_index])
    hierarchy: list = []
    for index, node in enumerate(flat):
        name = identifier(node.body.get('name', node.tag))
        if node.tag == 'Compute' and index != compute_index:
            notes.append(f'{name}: a second !Compute (enabled: {node.body.get("enabled", "always")}) not converted; '
                         'the spec has one compute unit, the last')
            continue
        if index > compute_index:
            notes.append(f'{name}: below the compute unit; not converted')
            continue
        spatial = node.body.get('spatial') or []
        if spatial:
            hierarchy.append(_fanout(name if node.tag in ('Container', 'Fanout') else f'{name}_array',
                                     spatial, path, notes, choices))
        if node.tag == 'Memory':
            word = bits.accumulator if index == innermost_output else bits.operand
            hierarchy.append(_memory(node, name, index == 0, word, path, notes, choices))
        elif node.tag == 'Compute':
            hierarchy.append(Compute(name, bits.operand, bits.accumulator,
                                     _energies(node, name, {'compute': 'mac_J'}, 1, path, notes)))
        _note_unused(node, name, USED_COMPUTE_FIELDS if node.tag == 'Compute' else USED_MEMORY_FIELDS, notes)
    return hierarchy


def _innermost_holding_output(nodes: list[Tagged]) -> int | None:
    return max((index for index, node in enumerate(nodes)
                if node.tag == 'Memory' and 'output' in _holds(node, [], '')), default=None)


def _fanout(name: str, spatial: Any, path: Path, notes: list[str], choices: list[str]) -> Fanout:
    axes = []
    for entry in spatial if isinstance(spatial, list) else []:
        if not isinstance(entry, dict) or 'fanout' not in entry:
            raise ArchSpecError(f'{shown(path)}: {name}: each spatial entry needs a fanout (got {str(entry)[:60]})')
        axis = identifier(entry.get('name', f'axis{len(axes)}'))
        size = _positive_integer(entry['fanout'], path, f'{name}.{axis}.fanout')
        axes.append(Axis(axis, size, _unroll(entry, f'{name}.{axis}', notes, choices)))
        for key in sorted(set(entry) - {'name', 'fanout', 'reuse'}):
            notes.append(f'{name}.{axis}: {key}={entry[key]} not converted')
    if not axes:
        raise ArchSpecError(f'{shown(path)}: {name}: spatial must list at least one fanout')
    return Fanout(name, tuple(axes))


def _unroll(entry: dict, where: str, notes: list[str], choices: list[str]) -> tuple[str, ...]:
    reused = _tensor_set(entry.get('reuse', 'Nothing'), notes, where)
    allowed = set(DIMENSIONS)
    for tensor in reused:
        allowed &= set(UNROLL_REUSING[tensor])
    unroll = tuple(dimension for dimension in DIMENSIONS if dimension in allowed)
    if reused and unroll:
        choices.append(f'{where}: reuse {"/".join(sorted(reused))} read as unrolling {" ".join(unroll)}')
    if not reused:
        choices.append(f'{where}: no reuse constraint; may unroll any of {" ".join(DIMENSIONS)}')
    return unroll or DIMENSIONS


def _memory(node: Tagged, name: str, outermost: bool, word_bits: int, path: Path, notes: list[str],
            choices: list[str]) -> Memory:
    capacity = _capacity(node, name, outermost, word_bits, path, choices)
    bits_per_action = _bits_per_action(node, path, name)
    width_bits = word_bits * max(1, math.ceil((bits_per_action or word_bits) / word_bits))
    if bits_per_action is None:
        choices.append(f'{name}: no bits_per_action (AccelForge: 1-bit actions); one {word_bits}-bit word per access')
    elif width_bits != bits_per_action:
        notes.append(f'{name}: {bits_per_action}-bit actions not a multiple of {word_bits}-bit words; '
                     f'{width_bits}-bit accesses')
    holds = ('weight', 'input', 'output') if outermost else _holds(node, notes, name)
    if not holds:
        raise ArchSpecError(f'{shown(path)}: {name}: keeps no weight, input or output tensor')
    return Memory(name, _technology(node, outermost, capacity), capacity, word_bits, width_bits, holds,
                  _bandwidth(node, bits_per_action or 1), _energies(node, name, {'read': 'read_J', 'write': 'write_J'},
                                                                    width_bits / (bits_per_action or 1), path, notes))


def _capacity(node: Tagged, name: str, outermost: bool, word_bits: int, path: Path,
              choices: list[str]) -> int | None:
    try:
        size_bits = number(node.body.get('size', math.inf))
    except NotANumber:
        choices.append(f'{name}: size {node.body["size"]!r} depends on the workload; one {word_bits}-bit word')
        return max(1, word_bits // 8)
    if math.isinf(size_bits):
        if not outermost:
            raise ArchSpecError(f'{shown(path)}: {name}: only the outermost memory may be unbounded (size: inf)')
        return None
    if not 0 < size_bits / 8 <= LARGEST_CAPACITY:
        raise ArchSpecError(f'{shown(path)}: {name}: size must be between 1 and {LARGEST_CAPACITY * 8} bits '
                            f'(got {size_bits:g})')
    return max(1, math.ceil(size_bits / 8))


def _bits_per_action(node: Tagged, path: Path, name: str) -> int | None:
    written = [action.get('bits_per_action') for action in _actions(node)
               if action.get('name') == 'read' and action.get('bits_per_action') is not None]
    value = written[0] if written else node.body.get('bits_per_action')
    return None if value is None else _positive_integer(value, path, f'{name}.bits_per_action')


def _holds(node: Tagged, notes: list[str], name: str) -> tuple[str, ...]:
    tensors = node.body.get('tensors') or {}
    keep = tensors.get('keep')
    may_keep = tensors.get('may_keep', 'Nothing' if keep is not None else 'All')
    held = _tensor_set(keep or 'Nothing', notes, name) | _tensor_set(may_keep, notes, name)
    return tuple(tensor for tensor in TENSORS if tensor in held)


def _tensor_set(expression: Any, notes: list[str], where: str) -> set[str]:
    """An AccelForge set expression (`~Intermediates`, `input | output`) over the three spec tensors."""
    try:
        return _evaluate_set(ast.parse(str(expression), mode='eval').body)
    except (SyntaxError, KeyError, ValueError):
        notes.append(f'{where}: tensor set {expression!r} not converted (names another component '
                     'or an unknown tensor); read as All')
        return set(TENSORS)


def _evaluate_set(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Name):
        return set(SET_NAMES[node.id])
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
        return set(TENSORS) - _evaluate_set(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitOr, ast.BitAnd, ast.Sub)):
        left, right = _evaluate_set(node.left), _evaluate_set(node.right)
        return left | right if isinstance(node.op, ast.BitOr) else left & right if isinstance(node.op, ast.BitAnd) \
            else left - right
    raise ValueError(ast.unparse(node))


def _technology(node: Tagged, outermost: bool, capacity: int | None) -> str:
    component_class = str(node.body.get('component_class', '')).lower()
    if any(word in component_class for word in ('dram', 'lpddr', 'hbm', 'ddr')) or (outermost and not component_class):
        return 'dram'
    if any(word in component_class for word in ('reg', 'dummy')) or (capacity or 0) <= 1024 and not component_class:
        return 'regfile'
    return 'sram'


def _bandwidth(node: Tagged, bits_per_action: int) -> float | None:
    for action in _actions(node):
        if action.get('name') == 'read' and action.get('throughput') is not None:
            try:
                throughput = number(action['throughput'])
            except NotANumber:
                return None
            return throughput * bits_per_action / 8 if math.isfinite(throughput) and throughput > 0 else None
    return None


def _energies(node: Tagged, name: str, fields: dict[str, str], scale: float, path: Path,
              notes: list[str]) -> Energies | None:
    """`scale`: the spec's accesses per AccelForge action (width_bits / bits_per_action)."""
    values = []
    energy_scale = _non_negative(node.body.get('energy_scale', 1), path, f'{name}.energy_scale')
    for action in _actions(node):
        field = fields.get(action.get('name'))
        if field is None:
            notes.append(f'{name}: action {action.get("name")} not converted')
        elif action.get('energy') is not None:
            values.append((field, _non_negative(action['energy'], path, f'{name}.{action["name"]}.energy')
                           * scale * energy_scale))
        for key in sorted(set(action) - USED_ACTION_FIELDS):
            notes.append(f'{name}: action {action.get("name")}: {key} not converted')
    for key, field in (('area', 'area_m2'), ('leak_power', 'leakage_W')):
        if node.body.get(key) is not None:
            values.append((field, _non_negative(node.body[key], path, f'{name}.{key}')))
    if not values:
        component_class = node.body.get('component_class', 'none')
        notes.append(f'{name}: no energies in the file (AccelForge computes them with its component models, '
                     f'component_class {component_class}); codesign\'s built-in models used')
        return None
    return Energies(tuple(values), f'AccelForge {name}')


def _actions(node: Tagged) -> list[dict]:
    actions = node.body.get('actions') or []
    return [action for action in actions if isinstance(action, dict)] if isinstance(actions, list) else []


def _note_unused(node: Tagged, name: str, used: set[str], notes: list[str]) -> None:
    for key in sorted(set(node.body) - used):
        notes.append(f'{name}: {key}: {str(node.body[key])[:60]} not converted')
    extra = node.body.get('extra_attributes_for_component_model') or {}
    if isinstance(extra, dict) and node.tag == 'Memory' and extra:
        notes.append(f'{name}: component-model attributes {extra} not converted')


def _positive_integer(value: Any, path: Path, where: str) -> int:
    try:
        result = number(value)
    except NotANumber as error:
        raise ArchSpecError(f'{shown(path)}: {where}: {error}') from None
    if not (0 < result < 2**40) or result != int(result):
        raise ArchSpecError(f'{shown(path)}: {where}: must be a positive integer (got {result})')
    return int(result)


def _non_negative(value: Any, path: Path, where: str) -> float:
    return non_negative(value, f'{shown(path)}: {where}')
