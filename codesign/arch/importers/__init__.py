"""`codesign arch import`: Timeloop (v0.4 `nodes:` or v0.3 `subtree:`) architectures with Accelergy's
energy/area tables and Timeloop constraints, or AccelForge architectures, as codesign specs.

    import_architecture([arch.yaml, ERT.yaml, ART.yaml]) -> ImportResult(name, spec_text, not_converted, choices)

Each file's kind is read from its top-level keys (reading.SECTION_KINDS). Energies become the
spec's `energy:` fields in SI units; what the spec cannot say is listed, never dropped silently.
The text is checked with the spec schema before it is returned.
"""

from pathlib import Path

import yaml

from codesign.arch.importers import accelforge, timeloop
from codesign.arch.importers.accelergy_tables import ComponentTable, component_key, global_cycle_seconds, read_tables
from codesign.arch.importers.emit import spec_text
from codesign.arch.importers.expressions import NotANumber, number
from codesign.arch.importers.model import Converted, Fanout, ImportResult
from codesign.arch.importers.reading import Section, SourceKind, read_sections
from codesign.arch.importers.shared import (
    DEFAULT_CLOCK_HZ, DEFAULT_TECHNOLOGY_NODE_M, dataflow_label, identifier, technology_node_m, unique_names)
from codesign.arch.importers.timeloop_constraints import file_constraints
from codesign.arch.loader import load_data
from codesign.arch.yaml_files import shown
from codesign.arch.yaml_loader import SpecYamlLoader
from codesign.errors import ArchSpecError

__all__ = ['ImportResult', 'import_architecture']

ACCELERGY_CYCLE_SECONDS = 1e-9
"""Accelergy's global_cycle_seconds when none is written: its leak energies are per such cycle."""


def import_architecture(paths: list[Path], name: str | None = None, clock_hz: float | None = None) -> ImportResult:
    """The spec converted from `paths` (one architecture, optional ERT, ART and constraints)."""
    sections = [section for path in paths for section in read_sections(Path(path))]
    architectures = [section for section in sections if section.kind in
                     (SourceKind.TIMELOOP_ARCHITECTURE, SourceKind.ACCELFORGE_ARCHITECTURE)]
    if len(architectures) != 1:
        found = ', '.join(shown(section.path) for section in architectures) or 'none'
        raise ArchSpecError(f'expected exactly one Timeloop or AccelForge architecture among the files (found: {found})')
    architecture = architectures[0]
    spec_name = identifier(name or architecture.path.stem)
    if architecture.kind is SourceKind.TIMELOOP_ARCHITECTURE:
        converted = _from_timeloop(architecture, sections, spec_name, clock_hz)
    else:
        converted = _from_accelforge(architecture, sections, spec_name, clock_hz)
    text = spec_text(converted)
    _check(text, architecture.path)
    return ImportResult(converted.name, text, converted.not_converted, converted.choices)


def _from_timeloop(architecture: Section, sections: list[Section], name: str, clock_hz: float | None) -> Converted:
    notes: list[str] = []
    choices: list[str] = []
    energy_tables = _tables(sections, SourceKind.ENERGY_TABLE)
    area_tables = _tables(sections, SourceKind.AREA_TABLE) or {}
    variables = _variables(sections)
    cycle_seconds = _cycle_seconds(variables, energy_tables)
    clock = _clock(clock_hz, cycle_seconds, "Accelergy's global_cycle_seconds", choices)
    constraints = [constraint for section in sections if section.kind is SourceKind.CONSTRAINTS
                   for constraint in file_constraints(section.content)]
    flat = timeloop.leaves(architecture.content, architecture.path, notes)
    context = timeloop.Context(clock, cycle_seconds or ACCELERGY_CYCLE_SECONDS, variables, constraints,
                               energy_tables, area_tables, architecture.path)
    hierarchy = unique_names(timeloop.convert_leaves(flat, context, notes, choices))
    if energy_tables is None:
        notes.append('energies and areas: no Accelergy ERT given; codesign\'s built-in models are used')
    notes += _unmatched_tables(energy_tables, area_tables, hierarchy)
    technology = next((leaf.attributes['technology'] for leaf in flat if 'technology' in leaf.attributes),
                      variables.get('technology'))
    return _converted(name, 'Timeloop', architecture, sections, technology, clock, hierarchy, notes, choices)


def _from_accelforge(architecture: Section, sections: list[Section], name: str, clock_hz: float | None) -> Converted:
    notes: list[str] = []
    choices: list[str] = []
    for section in sections:
        if section is not architecture:
            notes.append(f'{shown(section.path)}: {section.kind.value} not read with an AccelForge architecture')
    flat = accelforge.nodes_of(architecture.content, architecture.path, notes)
    compute_nodes = [node for node in flat if node.tag == 'Compute']
    bits = accelforge.compute_bits(compute_nodes[-1], choices) if compute_nodes else accelforge.Bits(8, 16)
    hierarchy = unique_names(accelforge.convert(flat, bits, architecture.path, notes, choices))
    clock = _clock(clock_hz, None, '', choices)
    notes.append('total_latency/throughput expressions: latency comes from codesign\'s model at the clock above')
    technology = accelforge.technology_attribute(architecture.content)
    return _converted(name, 'AccelForge', architecture, sections, technology, clock, hierarchy, notes, choices)


def _converted(name: str, tool: str, architecture: Section, sections: list[Section], technology: object,
               clock: float, hierarchy: list, notes: list[str], choices: list[str]) -> Converted:
    node = technology_node_m(technology) if technology is not None else None
    if node is None:
        node = DEFAULT_TECHNOLOGY_NODE_M
        choices.append(f'technology node {node * 1e9:g} nm (none given; only built-in models read it)')
    if any(isinstance(item, Fanout) for item in hierarchy):
        choices.append('fan-outs: codesign\'s built-in wire energy per word sent below (the source has no network numbers)')
    dataflow, reason = dataflow_label(hierarchy)
    choices.append(f'dataflow {dataflow}: {reason}')
    sources = tuple(sorted({section.path.name for section in sections}))
    return Converted(name, f'Imported from {tool} {architecture.path.name}', sources, node, clock, dataflow,
                     tuple(hierarchy), tuple(dict.fromkeys(notes)), tuple(dict.fromkeys(choices)))


def _tables(sections: list[Section], kind: SourceKind) -> dict[str, ComponentTable] | None:
    found = [section for section in sections if section.kind is kind]
    if not found:
        return None
    return {key: table for section in found for key, table in read_tables(section).items()}


def _variables(sections: list[Section]) -> dict:
    merged: dict = {}
    for section in sections:
        if section.kind is SourceKind.VARIABLES and isinstance(section.content, dict):
            merged.update({str(key): value for key, value in section.content.items() if key != 'version'})
    return merged


def _cycle_seconds(variables: dict, energy_tables: dict | None) -> float | None:
    if 'global_cycle_seconds' in variables:
        try:
            return float(number(variables['global_cycle_seconds']))
        except NotANumber:
            return None
    return global_cycle_seconds(energy_tables) if energy_tables else None


def _clock(clock_hz: float | None, cycle_seconds: float | None, what: str, choices: list[str]) -> float:
    if clock_hz is not None:
        return clock_hz
    if cycle_seconds:
        choices.append(f'clock {1e-9 / cycle_seconds:g} GHz from {what} {cycle_seconds:g} s')
        return 1 / cycle_seconds
    choices.append(f'clock {DEFAULT_CLOCK_HZ / 1e9:g} GHz (none given; set one with --clock-hz)')
    return DEFAULT_CLOCK_HZ


def _unmatched_tables(energy_tables: dict | None, area_tables: dict, hierarchy: list) -> list[str]:
    names = {item.name for item in hierarchy}
    return [f'{table.table_name}: {"ERT" if table.actions else "ART"} entry matches no converted component '
            '(networks and spatial fabric have no spec counterpart)'
            for table in [*(energy_tables or {}).values(), *area_tables.values()]
            if component_key(table.table_name) not in names]


def _check(text: str, source: Path) -> None:
    # The same schema `arch show` and `compile` apply: a conversion that breaks it is reported now.
    try:
        data = yaml.load(text, Loader=SpecYamlLoader)
    except yaml.YAMLError as error:
        raise ArchSpecError(f'{shown(source)}: the converted spec is not valid YAML ({error})') from None
    try:
        load_data(data, source)
    except ArchSpecError as error:
        raise ArchSpecError(f'the spec converted from {error}') from None
