"""Choices both importers make the same way: names, the technology node, the dataflow label,
the default clock, and which tensors a spec tensor name stands for."""

import re
from collections import Counter

from codesign.arch.importers.model import Fanout, Memory

DEFAULT_CLOCK_HZ = 1e9
"""Timeloop's default global_cycle_seconds is 1 ns; AccelForge writes no clock at all."""
DEFAULT_TECHNOLOGY_NODE_M = 45e-9
"""Accelergy's and hwcomponents' usual default node; only the built-in models read it."""
LONGEST_NAME = 64


def identifier(name: object) -> str:
    """`name` as a spec name: instance ranges dropped, other characters made `_`, no leading digit."""
    text = re.sub(r'\[[^\]]*\]', '', str(name)).strip()
    text = re.sub(r'[^A-Za-z0-9_]', '_', text) or 'component'
    return (text if not text[0].isdigit() else f'_{text}')[:LONGEST_NAME]


def unique_names(hierarchy: list) -> list:
    """`hierarchy` with a name used twice made unique by a suffix (a container and a component may share one)."""
    counts, seen, renamed = Counter(item.name for item in hierarchy), Counter(), []
    for item in hierarchy:
        seen[item.name] += 1
        if counts[item.name] > 1 and seen[item.name] > 1:
            item = type(item)(**{**item.__dict__, 'name': f'{item.name}_{seen[item.name]}'})
        renamed.append(item)
    return renamed


def technology_node_m(text: object) -> float | None:
    """`65nm`, `"45 nm"`, `65e-9` or `45` (nanometres) as metres; None when unreadable."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return text if text < 1e-3 else text * 1e-9
    found = re.fullmatch(r'\s*([0-9]+(?:\.[0-9]+)?)\s*nm\s*', str(text))
    return float(found.group(1)) * 1e-9 if found else None


def dataflow_label(hierarchy: list) -> tuple[str, str]:
    """The spec's dataflow label (the mapper reads holds and unroll, not this) and why it was chosen:
    from the tensors that the memory levels inside the innermost fan-out keep."""
    fanouts = [index for index, item in enumerate(hierarchy) if isinstance(item, Fanout)]
    inner = hierarchy[fanouts[-1] + 1:] if fanouts else []
    held = {tensor for item in inner if isinstance(item, Memory) for tensor in item.holds}
    if held == {'weight', 'input', 'output'}:
        return 'row_stationary', 'every operand has a per-PE buffer, as in Eyeriss'
    if len(held) == 1:
        tensor = next(iter(held))
        return f'{tensor}_stationary', f'only {tensor}s are kept inside the innermost fan-out'
    return 'weight_stationary', 'no single tensor is kept per PE; weight_stationary is a label only'
