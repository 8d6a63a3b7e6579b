"""Reading spec files: bounded reads, YAML with fixes for hand-written specs, errors as one line."""

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from codesign.arch.yaml_loader import SpecYamlLoader
from codesign.errors import ArchSpecError

MOST_FILE_BYTES = 1 << 20
"""Bytes read of any spec, space or calibration file: shipped ones are under 10 KiB, and PyYAML
parses about a MiB a second, so a bigger file is a mistake that would only look like a hang."""
_LONGEST_VALUE = 60  # characters of a bad value quoted in a message
_LONGEST_INTEGER_BITS = 10_000  # described beyond: repr() refuses more than 4,300 digits (14,000 bits)
_BRACKETS = {dict: '{}', list: '[]', tuple: '()'}


def read_yaml(path: Path) -> Any:
    """The parsed content of `path`; ArchSpecError if it cannot be read or parsed."""
    return parse_yaml(read_text(path), path, SpecYamlLoader)


def read_text(path: Path) -> str:
    """The UTF-8 text of `path` (at most MOST_FILE_BYTES); ArchSpecError otherwise."""
    try:
        return read_limited_bytes(path).decode('utf-8')
    except UnicodeDecodeError as error:
        raise ArchSpecError(f'{shown(path)}: not UTF-8 text (byte {error.object[error.start]:#04x} '
                            f'at offset {error.start})') from None


def parse_yaml(text: str, path: Path, loader: type) -> Any:
    """`text` (read from `path`) parsed with `loader`, a safe loader with the spec reader's limits."""
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as error:
        raise ArchSpecError(f'{shown(path)}: not valid YAML: {describe_yaml_error(error)}') from None


def read_limited_bytes(path: Path) -> bytes:
    """At most MOST_FILE_BYTES of the regular file `path`: never a device (/dev/zero) or a FIFO."""
    try:
        # Non-blocking, so that opening a FIFO returns at once (and is refused below) instead of waiting.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0))
    except FileNotFoundError:
        raise ArchSpecError(f'{shown(path)}: file not found') from None
    except (OSError, ValueError) as error:  # no permission, a name the OS rejects
        raise ArchSpecError(f'{shown(path)}: cannot read file ({_reason(error)})') from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise ArchSpecError(f'{shown(path)}: cannot read file (a {_file_kind(mode)}, not a regular file)')
        data = _read_up_to(descriptor, MOST_FILE_BYTES + 1)
    except OSError as error:
        raise ArchSpecError(f'{shown(path)}: cannot read file ({_reason(error)})') from None
    finally:
        os.close(descriptor)
    if len(data) > MOST_FILE_BYTES:
        raise ArchSpecError(f'{shown(path)}: larger than {MOST_FILE_BYTES // (1 << 20)} MiB, far beyond any spec, '
                            'space or calibration file (the shipped ones are a few KiB)')
    return data


def _reason(error: Exception) -> str:
    # The OS's words without the file name, which the message already starts with.
    return _one_line(getattr(error, 'strerror', None) or str(error))


def _read_up_to(descriptor: int, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining > 0:
        chunk = os.read(descriptor, remaining)  # may return less than asked: loop until end of file
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b''.join(chunks)


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, 'directory'), (stat.S_ISCHR, 'character device'),
                       (stat.S_ISBLK, 'block device'), (stat.S_ISFIFO, 'FIFO'), (stat.S_ISSOCK, 'socket')):
        if test(mode):
            return kind
    return 'special file'


def is_file(path: Path) -> bool:
    """Whether `path` names a readable regular file; False for names the OS rejects."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def shown(path: Path) -> str:
    """`path` as a user would type it: relative to the working directory when inside it;
    control characters escaped, so that a message naming it stays one line."""
    try:
        text = str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except (OSError, ValueError):
        text = str(path)
    return text if text.isprintable() else text.encode('unicode_escape').decode('ascii')


def show_value(value: Any) -> str:
    """`value` for a one-line message: YAML spelling of null and booleans, long values cut."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return str(value).lower()
    text = _bounded_repr(value, _LONGEST_VALUE + 1)
    return text if len(text) <= _LONGEST_VALUE else text[:_LONGEST_VALUE - 3] + '...'


def _bounded_repr(value: Any, limit: int) -> str:
    """repr(value), or a prefix of it at least `limit` long: never more work than the prefix needs,
    however big the value (a list of a million items, a 4,000-digit integer)."""
    pieces: list[str] = []
    _add_repr(value, pieces, [limit])
    return ''.join(pieces)


def _add_repr(value: Any, pieces: list[str], budget: list[int]) -> None:
    # budget[0]: characters still wanted; every branch stops adding once it is spent.
    brackets = next((pair for kind, pair in _BRACKETS.items() if isinstance(value, kind)), None)
    if brackets is not None:
        _add_text(brackets[0], pieces, budget)
        for position, item in enumerate(value.items() if isinstance(value, dict) else value):
            if budget[0] <= 0:
                return
            if position:
                _add_text(', ', pieces, budget)
            if isinstance(value, dict):
                _add_repr(item[0], pieces, budget)
                _add_text(': ', pieces, budget)
                item = item[1]
            _add_repr(item, pieces, budget)
        _add_text(brackets[1], pieces, budget)
    elif isinstance(value, int) and value.bit_length() > _LONGEST_INTEGER_BITS:
        _add_text(f'<an integer of {value.bit_length()} bits>', pieces, budget)  # repr may refuse it
    elif isinstance(value, (str, bytes)):  # bytes: YAML's !!binary
        _add_text(repr(value[:budget[0]]), pieces, budget)
    else:
        _add_text(repr(value), pieces, budget)


def _add_text(text: str, pieces: list[str], budget: list[int]) -> None:
    if budget[0] > 0:
        pieces.append(text)
        budget[0] -= len(text)


def type_name(value: Any) -> str:
    """A YAML-flavoured name for the type of `value`, for messages."""
    if value is None:
        return 'null'
    if isinstance(value, dict):
        return 'a mapping'
    if isinstance(value, list):
        return 'a list'
    return type(value).__name__


def describe_yaml_error(error: yaml.YAMLError) -> str:
    mark = getattr(error, 'problem_mark', None)
    problem = getattr(error, 'problem', None) or str(error)
    where = f'line {mark.line + 1}, column {mark.column + 1}: ' if mark else ''
    return where + _one_line(problem)


def _one_line(text: str) -> str:
    return ' '.join(text.split())
