"""Short, unique display names for layers: the ONNX block path shortened.

`/features/features.3/conv/conv.1/Conv` reads `features.3.conv.1`: the path's components are
joined with dots, a component that repeats its parent's name with an index (`features` then
`features.3`) replaces the parent, and the trailing op type is dropped. The op comes back
(`features.4.block.2.Mul`) only where two layers would otherwise share a name or the path names
a block holding other layers (`features.1.Add`), and an index
(`#2`) only where even that is not enough. The JSON report keeps the full names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

_OP_COMPONENT = re.compile(r"[A-Z][A-Za-z0-9]*(_\d+)?")
"""An exporter's node-name tail that names the op type: 'Conv', 'Add_1', 'GlobalAveragePool'."""


def _split(name: str, op: str | None = None) -> tuple[str, str]:
    """(shortened block path, op tail) of `name`; either may be ''."""
    parts = [part for part in re.split(r"[/:]", name) if part]
    if not parts:
        return name, ""
    tail = ""
    if len(parts) > 1 or "/" in name:
        last = parts[-1]
        if _OP_COMPONENT.fullmatch(last) or (op and last.lower().split("_")[0] == op.lower()):
            tail, parts = last, parts[:-1]
    path: list[str] = []
    for part in parts:
        if path and part.startswith(path[-1] + "."):  # features / features.3 -> features.3
            path[-1] = part
        elif path and part == path[-1]:
            continue
        else:
            path.append(part)
    joined = ".".join(path)
    if tail and re.fullmatch(r"[\d.]*", joined):  # '/0/Conv' of a Sequential reads '0.Conv', not '0'
        return f"{joined}.{tail}" if joined else "", tail
    return joined, tail


def short_name(name: str, op: str | None = None) -> str:
    """One name shortened on its own (unique only among names that differ in their block path)."""
    path, tail = _split(name, op)
    return path or tail or name


def display_names(names: Sequence[str], ops: Sequence[str | None] | None = None) -> list[str]:
    """Short names for `names` (in order), unique whenever `names` are: the block path, then the
    op where two paths coincide, then '#k' (k-th such layer) where even that is not enough."""
    ops = list(ops) if ops is not None else [None] * len(names)
    split = [_split(name, op) for name, op in zip(names, ops)]
    shown = [path or tail or name for name, (path, tail) in zip(names, split)]
    counts = Counter(shown)
    enclosing = {".".join(parts[:end]) for parts in (text.split(".") for text in shown)
                 for end in range(1, len(parts))}
    # the op comes back where two layers share a path, or where the path names a whole block
    # that holds other layers (features.1 of features.1.block.0.0 reads features.1.Add)
    shown = [f"{path}.{tail}" if (counts[text] > 1 or text in enclosing) and path and tail else text
             for text, (path, tail) in zip(shown, split)]
    counts, seen = Counter(shown), Counter()
    result: list[str] = []
    taken = set(shown)
    for text in shown:
        if counts[text] > 1:
            seen[text] += 1
            candidate = f"{text}#{seen[text]}"
            while candidate in taken:  # a real name that reads 'x#1'
                seen[text] += 1
                candidate = f"{text}#{seen[text]}"
            taken.add(candidate)
            text = candidate
        result.append(text)
    return result
