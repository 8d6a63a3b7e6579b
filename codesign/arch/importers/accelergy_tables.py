"""Accelergy's energy and area reference tables (ERT, ART): per component, per action, the
energy in pJ (and area in um^2) that Timeloop reads.

Two layouts are read: v0.3/v0.4 `tables: [{name: system.PE[0..167].mac, actions: [{name, arguments,
energy}]}]` (and `area:` in an ART), and the older `tables: {eyeriss_like.PE.mac: {mac_random:
{arguments, energy} or [...]}}`. A table is matched to a component by the last part of its name,
instance ranges dropped (`system_top_level.mac[1..168]` -> `mac`).
"""

import re
from math import isclose
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesign.arch.importers.expressions import NotANumber, non_negative, number
from codesign.arch.importers.reading import Section
from codesign.arch.yaml_files import shown, type_name
from codesign.errors import ArchSpecError

PICOJOULE = 1e-12
SQUARE_MICROMETRE = 1e-12  # in m^2


@dataclass(frozen=True)
class ActionEnergy:
    action: str
    energy_pJ: float
    arguments: tuple[tuple[str, str], ...]  # as written, e.g. (('data_delta', '1'),)


@dataclass(frozen=True)
class ComponentTable:
    """One ERT/ART entry: the actions of one component (empty in an ART) and its area (None in an ERT)."""

    table_name: str
    actions: tuple[ActionEnergy, ...]
    area_um2: float | None
    path: Path


def component_key(name: str) -> str:
    """`system_top_level.PE[0..167].mac` -> `mac`: how tables and components find each other."""
    return re.sub(r'\[[^\]]*\]', '', str(name)).split('.')[-1].strip()


def read_tables(section: Section) -> dict[str, ComponentTable]:
    """The tables of one ERT or ART section, by component key."""
    tables = section.content.get('tables') if isinstance(section.content, dict) else None
    if isinstance(tables, list):
        entries = [_list_entry(item, section.path) for item in tables]
    elif isinstance(tables, dict):
        entries = [_mapping_entry(name, item, section.path) for name, item in tables.items()]
    else:
        raise ArchSpecError(f'{shown(section.path)}: {section.kind.value} needs `tables:`, a list or mapping '
                            f'(got {type_name(tables)})')
    return {component_key(entry.table_name): entry for entry in entries}


def _list_entry(item: Any, path: Path) -> ComponentTable:
    if not isinstance(item, dict) or 'name' not in item:
        raise ArchSpecError(f'{shown(path)}: each table needs a name (got {type_name(item)})')
    actions = item.get('actions') or []
    if not isinstance(actions, list):
        raise ArchSpecError(f'{shown(path)}: {item["name"]}: actions must be a list (got {type_name(actions)})')
    area = _value(item['area'], path, item['name'], 'area') if 'area' in item else None
    return ComponentTable(str(item['name']), tuple(_action(action.get('name') if isinstance(action, dict) else None,
                                                           action, path, item['name']) for action in actions),
                          area, path)


def _mapping_entry(name: str, item: Any, path: Path) -> ComponentTable:
    if not isinstance(item, dict):
        raise ArchSpecError(f'{shown(path)}: table {name}: expected a mapping of actions (got {type_name(item)})')
    actions = [_action(action, entry, path, name) for action, entries in item.items()
               for entry in (entries if isinstance(entries, list) else [entries])]
    return ComponentTable(str(name), tuple(actions), None, path)


def _action(action_name: Any, entry: Any, path: Path, table: str) -> ActionEnergy:
    if not isinstance(entry, dict) or not isinstance(action_name, str) or 'energy' not in entry:
        raise ArchSpecError(f'{shown(path)}: table {table}: each action needs a name and an energy '
                            f'(got {str(entry)[:60]})')
    arguments = entry.get('arguments') or {}
    pairs = tuple((str(key), str(value)) for key, value in arguments.items()) if isinstance(arguments, dict) else ()
    return ActionEnergy(action_name, _value(entry['energy'], path, table, action_name), pairs)


def _value(value: Any, path: Path, table: str, what: str) -> float:
    return non_negative(value, f'{shown(path)}: table {table}: {what}')


def global_cycle_seconds(tables: dict[str, ComponentTable]) -> float | None:
    """The cycle time Accelergy wrote beside the actions (`arguments: {global_cycle_seconds: 1e-09}`)."""
    for table in tables.values():
        for action in table.actions:
            for key, value in action.arguments:
                if key == 'global_cycle_seconds':
                    try:
                        return float(number(value))
                    except NotANumber:
                        return None
    return None


MEMORY_ACTIONS = {'read_J': ('read',), 'write_J': ('write', 'fill')}
COMPUTE_ACTIONS = {'mac_J': ('compute', 'mac_random', 'mac')}
"""Per spec field, the actions that give it, first found wins (`fill` is the older ERTs' write)."""


@dataclass(frozen=True)
class TableEnergies:
    """A component's numbers from the tables, SI, in the order the spec writes them; and what was left."""

    values: tuple[tuple[str, float], ...]
    source: str
    not_converted: tuple[str, ...]


def table_energies(name: str, fields: dict[str, tuple[str, ...]], energy: ComponentTable,
                   area: ComponentTable | None, cycle_seconds: float) -> TableEnergies:
    """The spec's `energy:` numbers of component `name` from its ERT entry and, when given, its ART entry."""
    values, used, notes = [], set(), []
    for field, action_names in fields.items():
        action = next((candidate for candidate in action_names if _entries(energy, candidate)), None)
        if action is None:
            raise ArchSpecError(f'{shown(energy.path)}: table {energy.table_name}: no {"/".join(action_names)} action '
                                f'for {field} (actions: {", ".join(sorted({a.action for a in energy.actions}))})')
        values.append((field, _largest(energy, action, notes, name) * PICOJOULE))
        used.add(action)
    if area is not None and area.area_um2 is not None:
        values.append(('area_m2', area.area_um2 * SQUARE_MICROMETRE))
    if _entries(energy, 'leak'):
        # Accelergy's leak is energy per global cycle; the spec wants watts.
        values.append(('leakage_W', _largest(energy, 'leak', notes, name) * PICOJOULE / cycle_seconds))
        used.add('leak')
    notes += [_left_over(name, action, energy, values) for action in _action_names(energy) - used]
    return TableEnergies(tuple(values), f'Accelergy {energy.table_name}', tuple(note for note in notes if note))


def _entries(table: ComponentTable, action: str) -> list[ActionEnergy]:
    return [entry for entry in table.actions if entry.action == action]


def _action_names(table: ComponentTable) -> set[str]:
    return {entry.action for entry in table.actions}


def _largest(table: ComponentTable, action: str, notes: list[str], name: str) -> float:
    # Several entries of one action differ by their arguments (address_delta, data_delta): the
    # spec has one energy per action, so take the costliest, a random access.
    entries = _entries(table, action)
    largest = max(entry.energy_pJ for entry in entries)
    if len(entries) > 1:
        arguments = sorted({key for entry in entries for key, _ in entry.arguments})
        notes.append(f'{name}: {action} has {len(entries)} energies by arguments ({", ".join(arguments)}); '
                     f'the largest, {largest:g} pJ, is used')
    return largest


def _left_over(name: str, action: str, table: ComponentTable, values: list[tuple[str, float]]) -> str:
    energies = sorted({entry.energy_pJ for entry in _entries(table, action)})
    write = dict(values).get('write_J')
    if action == 'update' and write is not None and len(energies) == 1 and isclose(energies[0] * PICOJOULE, write):
        return ''  # a partial-sum update at the write's energy: the spec charges writes, nothing lost
    shown_energies = '/'.join(f'{energy:g}' for energy in energies)
    return f'{name}: action {action} ({shown_energies} pJ) not converted (the spec has read/write or one MAC energy)'
