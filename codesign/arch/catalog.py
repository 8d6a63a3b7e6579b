"""Finding specs: names resolve to arch_specs/<name>.yaml at the repository root."""

from dataclasses import dataclass
from pathlib import Path

from codesign.arch.loader import load_file
from codesign.arch.schema import Architecture
from codesign.arch.shipped import ARCH_SPECS_DIRECTORY
from codesign.arch.yaml_files import is_file, show_value
from codesign.errors import ArchSpecError, UnknownNameError


@dataclass(frozen=True)
class ArchInfo:
    """A shipped spec, as `codesign arch list` shows it."""

    name: str
    path: Path
    description: str


def load_arch(name_or_path: str | Path) -> Architecture:
    """Load a shipped spec by name (`simba`) or any spec by path (anything with / or .yaml)."""
    return load_file(spec_path(name_or_path))


def spec_path(name_or_path: str | Path) -> Path:
    """The file that `name_or_path` names; UnknownNameError for a name with no shipped spec."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or '/' in text or text.endswith(('.yaml', '.yml')):
        return Path(name_or_path)
    path = ARCH_SPECS_DIRECTORY / f'{text}.yaml'
    if not is_file(path):
        available = ', '.join(spec.stem for spec in _spec_files()) or '(none)'
        raise UnknownNameError(f'unknown architecture {show_value(text)}; available: {available}')
    return path


def list_arch() -> list[ArchInfo]:
    """The shipped specs (top-level arch_specs/*.yaml; components/ holds pieces, not specs)."""
    return [ArchInfo(path.stem, path, _description(path)) for path in _spec_files()]


def _spec_files() -> list[Path]:
    return sorted(ARCH_SPECS_DIRECTORY.glob('*.yaml'))


def _description(path: Path) -> str:
    # A broken spec still shows in the list, with its problem instead of its description.
    try:
        return load_file(path).description
    except ArchSpecError as error:
        return f'(invalid: {error})'
