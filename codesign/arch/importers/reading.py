"""Reading the source files through the spec reader's limits, with the YAML tags the two
formats use (`!Memory`, `!Component`, ...) and a one-line refusal of any other tag."""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from codesign.arch.yaml_files import parse_yaml, read_text, shown, type_name
from codesign.arch.yaml_loader import SpecYamlLoader
from codesign.errors import ArchSpecError

TIMELOOP_TAGS = ('Container', 'Component', 'Parallel', 'Hierarchical', 'Pipelined', 'Nothing')
"""timeloopfe v4's node tags (timeloopfe/v4/arch.py, ArchNodes)."""
ACCELFORGE_TAGS = ('Memory', 'Compute', 'Toll', 'Container', 'Network', 'Hierarchical', 'Array', 'Fork', 'Fanout')
"""AccelForge's node tags (accelforge/frontend/arch/structure.py, Branch.nodes; `!Fanout` in older examples)."""
KNOWN_TAGS = frozenset(TIMELOOP_TAGS + ACCELFORGE_TAGS)


@dataclass(frozen=True)
class Tagged:
    """A node written with a tag, e.g. `!Memory {name: ..., size: ...}`: the tag without its `!`."""

    tag: str
    body: dict


class SourceKind(StrEnum):
    TIMELOOP_ARCHITECTURE = 'Timeloop architecture'
    ACCELFORGE_ARCHITECTURE = 'AccelForge architecture'
    ENERGY_TABLE = 'Accelergy ERT'
    AREA_TABLE = 'Accelergy ART'
    CONSTRAINTS = 'Timeloop constraints'
    VARIABLES = 'Timeloop variables'


SECTION_KINDS = {
    'architecture': SourceKind.TIMELOOP_ARCHITECTURE,
    'arch': SourceKind.ACCELFORGE_ARCHITECTURE,
    'ERT': SourceKind.ENERGY_TABLE,
    'ART': SourceKind.AREA_TABLE,
    'constraints': SourceKind.CONSTRAINTS,
    'architecture_constraints': SourceKind.CONSTRAINTS,
    'mapspace_constraints': SourceKind.CONSTRAINTS,
    'mapspace': SourceKind.CONSTRAINTS,
    'variables': SourceKind.VARIABLES,
}
"""Top-level keys that say what a file holds; a file may hold several (timeloopfe's processed input)."""


@dataclass(frozen=True)
class Section:
    """One recognised top-level section of a source file."""

    path: Path
    kind: SourceKind
    content: Any


class ImportYamlLoader(SpecYamlLoader):
    """The spec loader (limits on depth, size, aliases) plus the node tags of Timeloop and AccelForge."""

    def construct_tagged(self, tag_suffix: str, node: yaml.Node) -> Tagged:
        if tag_suffix not in KNOWN_TAGS:
            raise ConstructorError(None, None, f'unsupported tag !{tag_suffix} (codesign arch import reads '
                                   f'the tags {", ".join("!" + tag for tag in sorted(KNOWN_TAGS))})',
                                   node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return Tagged(tag_suffix, self.construct_mapping(node, deep=True))
        if isinstance(node, yaml.ScalarNode) and not node.value:
            return Tagged(tag_suffix, {})  # `!Nothing` alone
        raise ConstructorError(None, None, f'!{tag_suffix} must tag a mapping', node.start_mark)


ImportYamlLoader.add_multi_constructor('!', ImportYamlLoader.construct_tagged)


def read_sections(path: Path) -> list[Section]:
    """The recognised sections of the file at `path`; ArchSpecError if it holds none."""
    data = _parse(path)
    if not isinstance(data, dict):
        raise ArchSpecError(f'{shown(path)}: expected a mapping with a top-level key such as architecture, arch, '
                            f'ERT, ART or constraints (got {type_name(data)})')
    sections = [Section(path, SECTION_KINDS[key], value) for key, value in data.items() if key in SECTION_KINDS]
    if not sections:
        keys = ', '.join(str(key) for key in list(data)[:8])
        raise ArchSpecError(f'{shown(path)}: not a Timeloop architecture, Accelergy ERT/ART, Timeloop constraints '
                            f'or AccelForge arch (top-level keys: {keys})')
    return sections


def _parse(path: Path) -> Any:
    text = read_text(path)
    if '{%' in text or '{{' in text:
        # AccelForge and timeloopfe render Jinja2 before parsing; running templates is running code.
        raise ArchSpecError(f'{shown(path)}: uses Jinja2 templating ({{% ... %}} or {{{{ ... }}}}); '
                            'render it first (e.g. with AccelForge or timeloopfe) and import the result')
    return parse_yaml(text, path, ImportYamlLoader)
