"""Timeloop architectures: the v0.4 `nodes:` list (`!Container`, `!Component`, `!Parallel`, ...)
and the older v0.3 `subtree:`/`local:` tree, with Accelergy's tables for the energies.

Both become one flat list of `Leaf`s, outermost first, and then spec components: a container
with `spatial: {meshX, meshY}` a fan-out, a storage class a memory level, a MAC class the compute unit.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesign.arch.importers.accelergy_tables import (
    COMPUTE_ACTIONS, MEMORY_ACTIONS, ComponentTable, table_energies)
from codesign.arch.importers.expressions import NotANumber, number
from codesign.arch.importers.model import DIMENSIONS, Axis, Compute, Energies, Fanout, Memory
from codesign.arch.importers.reading import Tagged
from codesign.arch.importers.shared import identifier
from codesign.arch.importers.timeloop_constraints import (
    Constraint, axis_unrolls, inline_constraints, kept_tensors, unused_constraints)
from codesign.arch.yaml_files import shown, type_name
from codesign.errors import ArchSpecError

# timeloopfe v4 (timeloopfe/v4/arch.py) picks a node's type by these substrings of its class.
STORAGE_CLASSES = ('DRAM', 'SRAM', 'regfile', 'smartbuffer', 'storage')
COMPUTE_CLASSES = ('mac', 'intmac', 'fpmac', 'compute')
NETWORK_CLASSES = ('XY_NoC', 'Legacy', 'ReductionTree', 'SimpleMulticast')
ATTRIBUTE_ALIASES = {'memory_depth': 'depth', 'memory_width': 'width', 'word_bits': 'datawidth'}
"""v0.3 names of the v0.4 attributes (and `word-bits`, `block-size`: dashes read as underscores)."""
USED_ATTRIBUTES = {'depth', 'width', 'datawidth', 'entries', 'sizeKB', 'block_size', 'read_bandwidth',
                   'shared_bandwidth', 'write_bandwidth', 'technology', 'multiplier_width', 'adder_width',
                   'meshX', 'meshY', 'global_cycle_seconds'}
USED_FIELDS = {'name', 'class', 'subclass', 'attributes', 'spatial', 'constraints', 'nodes'}


@dataclass(frozen=True)
class Leaf:
    """A container or component, its container's attributes merged under its own."""

    tag: str  # Container or Component
    name: str
    body: dict
    attributes: dict
    spatial: tuple[tuple[str, int], ...]  # (('x', 14),): meshX 14
    parallel_with: tuple[str, ...]  # the other members of its !Parallel


@dataclass(frozen=True)
class Context:
    """What converting one leaf needs beyond the leaf."""

    clock_Hz: float
    cycle_seconds: float  # Accelergy's cycle, for leak energy per cycle
    variables: dict
    constraints: list[Constraint]
    energy_tables: dict[str, ComponentTable] | None
    area_tables: dict[str, ComponentTable]
    path: Path


def leaves(architecture: Any, path: Path, notes: list[str]) -> list[Leaf]:
    """The nodes of a Timeloop `architecture:` section, flattened, outermost first."""
    if not isinstance(architecture, dict):
        raise ArchSpecError(f'{shown(path)}: architecture must be a mapping (got {type_name(architecture)})')
    if 'nodes' in architecture:
        return _flatten_nodes(architecture['nodes'], {}, (), path, notes)
    if 'subtree' in architecture:
        return _with_fanouts(_flatten_subtree(architecture['subtree'], {}, 1, path))
    raise ArchSpecError(f'{shown(path)}: architecture has neither nodes: (v0.4) nor subtree: (v0.3)')


def _flatten_nodes(nodes: Any, inherited: dict, parallel_with: tuple[str, ...], path: Path,
                   notes: list[str]) -> list[Leaf]:
    if not isinstance(nodes, list):
        raise ArchSpecError(f'{shown(path)}: nodes must be a list (got {type_name(nodes)})')
    flat: list[Leaf] = []
    for node in nodes:
        if not isinstance(node, Tagged):
            raise ArchSpecError(f'{shown(path)}: each node needs a tag such as !Component (got {str(node)[:60]})')
        if node.tag in ('Parallel', 'Hierarchical', 'Pipelined'):
            members = tuple(identifier(child.body.get('name', '')) for child in node.body.get('nodes', [])
                            if isinstance(child, Tagged) and child.tag == 'Component')
            if node.tag == 'Pipelined':
                notes.append(f'!Pipelined {", ".join(members)}: pipelining not converted (read as levels in order)')
            flat += _flatten_nodes(node.body.get('nodes', []), inherited,
                                   members if node.tag == 'Parallel' else parallel_with, path, notes)
        elif node.tag == 'Nothing':
            notes.append(f'!Nothing {node.body.get("constraints", "")}: not converted (no spec counterpart)')
        elif node.tag in ('Container', 'Component'):
            attributes = _attributes(node.body.get('attributes'))
            if node.tag == 'Container':
                inherited = {**inherited, **attributes}  # a container's attributes hold below it
            flat.append(Leaf(node.tag, identifier(node.body.get('name', node.tag)), node.body,
                             {**inherited, **attributes}, _mesh(node.body.get('spatial'), path), parallel_with))
        else:
            raise ArchSpecError(f'{shown(path)}: !{node.tag} is an AccelForge node, not a Timeloop one')
    return flat


def _flatten_subtree(subtree: Any, inherited: dict, instances: int, path: Path) -> list[tuple[Leaf, int]]:
    # v0.3: a `name[0..167]` range is the total count of that node, and of what it holds.
    flat = []
    for node in subtree if isinstance(subtree, list) else []:
        count = _range_count(node.get('name', '')) or instances
        attributes = {**inherited, **_attributes(node.get('attributes'))}
        for component in node.get('local', []) or []:
            own = _attributes(component.get('attributes'))
            flat.append((Leaf('Component', identifier(component.get('name', '')), component, {**attributes, **own},
                              (), ()), _range_count(component.get('name', '')) or count))
        flat += _flatten_subtree(node.get('subtree'), attributes, count, path)
    return flat


def _with_fanouts(counted: list[tuple[Leaf, int]]) -> list[Leaf]:
    """v0.3 instance counts as v0.4 fan-outs: one before each component whose count grows,
    split into meshX (the growth of meshX) and the rest along y."""
    flat, instances, mesh_x = [], 1, 1
    for leaf, count in counted:
        if count > instances:
            ratio, leaf_mesh_x = count // instances, int(leaf.attributes.get('meshX', 1))
            along_x = leaf_mesh_x // mesh_x if leaf_mesh_x % mesh_x == 0 and ratio % (leaf_mesh_x // mesh_x) == 0 \
                else ratio
            axes = tuple((axis, size) for axis, size in (('x', along_x), ('y', ratio // along_x)) if size > 1)
            flat.append(Leaf('Container', f'{leaf.name}_array', {}, {}, axes, ()))
            instances, mesh_x = count, leaf_mesh_x
        flat.append(leaf)
    return flat


def _range_count(name: str) -> int | None:
    found = re.search(r'\[(\d+)\.\.(\d+)\]', str(name))
    return int(found.group(2)) - int(found.group(1)) + 1 if found else None


def _attributes(written: Any) -> dict:
    if not isinstance(written, dict):
        return {}
    return {ATTRIBUTE_ALIASES.get(key.replace('-', '_'), key.replace('-', '_')): value
            for key, value in written.items() if isinstance(key, str)}


def _mesh(spatial: Any, path: Path) -> tuple[tuple[str, int], ...]:
    if not isinstance(spatial, dict):
        return ()
    axes = []
    for key, axis in (('meshX', 'x'), ('meshY', 'y')):
        size = spatial.get(key, 1)
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ArchSpecError(f'{shown(path)}: spatial {key} must be a positive integer (got {size!r})')
        if size > 1:
            axes.append((axis, size))
    return tuple(axes)


def convert_leaves(flat: list[Leaf], context: Context, notes: list[str], choices: list[str]) -> list:
    """The spec components of `flat`, outermost first; what they cannot say goes to `notes`."""
    hierarchy: list = []
    for index, leaf in enumerate(flat):
        _note_unused_fields(leaf, notes)
        constraints = [c for c in context.constraints if c.target == leaf.name] + \
            inline_constraints(leaf.name, leaf.body.get('constraints'))
        unused_constraints(constraints, notes, leaf.name)
        if leaf.spatial:
            name = leaf.name if leaf.tag == 'Container' else f'{leaf.name}_array'
            hierarchy.append(_fanout(name, leaf, constraints, notes, choices))
        if leaf.tag == 'Component':
            hierarchy += _component(leaf, index == 0, constraints, context, notes, choices)
    return hierarchy


def _note_unused_fields(leaf: Leaf, notes: list[str]) -> None:
    own = _attributes(leaf.body.get('attributes'))
    unused = {key: value for key, value in own.items() if key not in USED_ATTRIBUTES}
    if unused and leaf.tag == 'Component':
        notes.append(f'{leaf.name}: attributes {", ".join(f"{k}={v}" for k, v in unused.items())} not converted')
    for field in sorted(set(leaf.body) - USED_FIELDS):
        notes.append(f'{leaf.name}: {field} not converted')
    if leaf.parallel_with and leaf.name == leaf.parallel_with[0]:
        notes.append(f'!Parallel {", ".join(leaf.parallel_with)}: buffers side by side for different tensors '
                     'become consecutive levels here, in this order (each keeps only its own tensors)')


def _fanout(name: str, leaf: Leaf, constraints: list[Constraint], notes: list[str], choices: list[str]) -> Fanout:
    unrolls = axis_unrolls(constraints, list(leaf.spatial), notes, name)
    axes = []
    for position, (axis, size) in enumerate(leaf.spatial):
        unroll = unrolls[position] if unrolls is not None else ()
        if not unroll:
            unroll = DIMENSIONS
            choices.append(f'{name}.{axis}: no spatial constraint allows a dimension here, so it may unroll '
                           f'any of {" ".join(DIMENSIONS)} (Timeloop\'s unconstrained mapspace)')
        axes.append(Axis(axis, size, unroll))
    return Fanout(name, tuple(axes))


def _component(leaf: Leaf, outermost: bool, constraints: list[Constraint], context: Context,
               notes: list[str], choices: list[str]) -> list:
    component_class = f'{leaf.body.get("class", "")} {leaf.body.get("subclass") or ""}'
    if any(word in component_class for word in STORAGE_CLASSES):
        if 'datawidth' not in leaf.attributes:
            choices.append(f'{leaf.name}: no datawidth; words of 16 bits (Timeloop examples\' usual width)')
        return [_memory(leaf, outermost, constraints, context, notes)]
    if any(word in component_class for word in COMPUTE_CLASSES):
        if not {'multiplier_width', 'adder_width', 'datawidth', 'width'} & set(leaf.attributes):
            choices.append(f'{leaf.name}: no widths given; 8-bit operands and accumulator')
        return [_compute(leaf, context, notes)]
    kind = 'a network' if any(word in component_class for word in NETWORK_CLASSES) else 'an unknown class'
    notes.append(f'{leaf.name}: class {component_class.strip()} is {kind}; not converted')
    return []


def _memory(leaf: Leaf, outermost: bool, constraints: list[Constraint], context: Context,
            notes: list[str]) -> Memory:
    word_bits = _integer(leaf, 'datawidth', context, 16)
    width_bits = _integer(leaf, 'width', context, word_bits * _integer(leaf, 'block_size', context, 1))
    component_class = f'{leaf.body.get("class", "")} {leaf.body.get("subclass") or ""}'
    technology = 'dram' if 'DRAM' in component_class else \
        'regfile' if re.search(r'regfile|RF\b|_RF', component_class) else 'sram'
    bandwidth = _bandwidth(leaf, word_bits, context, notes)
    return Memory(leaf.name, technology, _capacity(leaf, word_bits, width_bits, technology, context),
                  word_bits, width_bits, kept_tensors(constraints, notes, leaf.name) if not outermost else
                  ('weight', 'input', 'output'), bandwidth, _energies(leaf, MEMORY_ACTIONS, context, notes))


def _capacity(leaf: Leaf, word_bits: int, width_bits: int, technology: str, context: Context) -> int | None:
    attributes = leaf.attributes
    if 'depth' in attributes:
        return _bytes(_integer(leaf, 'depth', context, 0) * width_bits)
    if 'entries' in attributes:
        return _bytes(_integer(leaf, 'entries', context, 0) * word_bits)
    if 'sizeKB' in attributes:
        return int(_number(leaf, attributes['sizeKB'], context) * 1024)
    if technology == 'dram':
        return None  # unbounded backing store
    raise ArchSpecError(f'{shown(context.path)}: {leaf.name}: a buffer needs depth, entries or sizeKB')


def _bytes(bits: int) -> int:
    return -(-bits // 8)  # a partial byte still takes a byte


def _bandwidth(leaf: Leaf, word_bits: int, context: Context, notes: list[str]) -> float | None:
    attributes = leaf.attributes
    read = attributes.get('read_bandwidth', attributes.get('shared_bandwidth'))
    if read is None:
        return None
    if attributes.get('write_bandwidth', read) != read:
        notes.append(f'{leaf.name}: write_bandwidth {attributes["write_bandwidth"]} words/cycle not converted '
                     f'(the spec has one bandwidth; read_bandwidth {read} is used)')
    return _number(leaf, read, context) * word_bits / 8 * context.clock_Hz


def _compute(leaf: Leaf, context: Context, notes: list[str]) -> Compute:
    default = _integer(leaf, 'datawidth', context, _integer(leaf, 'width', context, 8))
    operand_bits = _integer(leaf, 'multiplier_width', context, default)
    accumulator_bits = _integer(leaf, 'adder_width', context, default)
    return Compute(leaf.name, operand_bits, accumulator_bits, _energies(leaf, COMPUTE_ACTIONS, context, notes))


def _energies(leaf: Leaf, fields: dict, context: Context, notes: list[str]) -> Energies | None:
    if context.energy_tables is None:
        return None
    table = context.energy_tables.get(leaf.name)
    if table is None:
        names = ', '.join(sorted(context.energy_tables)) or '(none)'
        raise ArchSpecError(f'{shown(context.path)}: no ERT entry for component {leaf.name!r} (entries: {names})')
    found = table_energies(leaf.name, fields, table, context.area_tables.get(leaf.name), context.cycle_seconds)
    notes += found.not_converted
    return Energies(found.values, found.source)


def _integer(leaf: Leaf, key: str, context: Context, default: int) -> int:
    if key not in leaf.attributes:
        return default
    value = _number(leaf, leaf.attributes[key], context)
    if value != int(value) or not 0 < value < 2**60:
        raise ArchSpecError(f'{shown(context.path)}: {leaf.name}: {key} must be a positive integer (got {value})')
    return int(value)


def _number(leaf: Leaf, value: Any, context: Context) -> float:
    try:
        return number(value, context.variables)
    except NotANumber as error:
        raise ArchSpecError(f'{shown(context.path)}: {leaf.name}: {error}') from None
