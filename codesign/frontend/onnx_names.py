"""How names from a model file appear in messages and in the IR.

A model file can name a node "evil\\nname", or give it 100 kB of text: the CLI's promise of
a one-line error holds only if every name is escaped and capped before it is printed.
"""

from __future__ import annotations

_MAX_NAME_CHARS = 80
_MAX_MESSAGE_CHARS = 300


def quoted(name: object) -> str:
    """The name in quotes, control characters escaped as Python's repr does, long names cut."""
    return repr(_capped(str(name)))


def printable(text: object) -> str:
    """`text` with control and other unprintable characters escaped (no quotes, no cap): for
    IR node names, which end up in tables and messages, and for file paths in messages."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() else repr(character)[1:-1] for character in text)


def first_line(error: Exception) -> str:
    """The first line of a third-party error message (e.g. ONNX's checker), unprintables escaped."""
    lines = str(error).strip().splitlines()
    line = printable(lines[0]) if lines else type(error).__name__
    return line if len(line) <= _MAX_MESSAGE_CHARS else line[:_MAX_MESSAGE_CHARS] + "..."


def _capped(name: str) -> str:
    if len(name) <= _MAX_NAME_CHARS:
        return name
    head = _MAX_NAME_CHARS * 2 // 3
    return f"{name[:head]}...{name[-(_MAX_NAME_CHARS - head - 3):]}"
