"""Where the shipped specs live, and how a reference in a spec finds its file.

A spec copied out of arch_specs/ keeps working: `extends: simba`, `extends: simba.yaml` and
`ref: components/lpddr4_dram.yaml` name shipped files when no such file is beside the spec.
"""

from pathlib import Path

import codesign
from codesign.arch.yaml_files import is_file

_PACKAGE = Path(codesign.__file__).resolve().parent
# The checkout's arch_specs/, else the copy a wheel carries (codesign/arch/specs links to it).
ARCH_SPECS_DIRECTORY = next((directory for directory in (_PACKAGE.parent / 'arch_specs', _PACKAGE / 'arch' / 'specs')
                             if directory.is_dir()), _PACKAGE.parent / 'arch_specs')
YAML_SUFFIXES = ('.yaml', '.yml')


def referenced_file(target: str, beside: Path) -> Path | None:
    """The file a `ref:` or `extends:` value names in a spec in directory `beside`; None if none.

    Looked up beside the spec first (a user's own file wins), then among the shipped files. A bare
    name (`simba`, no suffix, no directory) also means that name with `.yaml`, as `--arch` reads it.
    """
    for directory in (beside, ARCH_SPECS_DIRECTORY):
        for candidate in _spellings(target):
            path = directory / candidate
            if is_file(path):
                return path
        if Path(target).is_absolute():
            return None  # an absolute path names one file only
    return None


def _spellings(target: str) -> list[str]:
    is_bare_name = '/' not in target and not target.endswith(YAML_SUFFIXES)
    return [target, f'{target}.yaml'] if is_bare_name else [target]
