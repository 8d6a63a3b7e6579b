"""A chosen mapping as a loop nest, level by level from DRAM inwards, as Timeloop prints mappings.

    dram [ weight:72 input:784 output:5408 ]
    ----------------------------------------
    | for K in [0:2)
    global_buffer [ input:784 output:2704 ]
    ---------------------------------------
    |   for P in [0:2)
    ...
    |       par-for K in [0:4)  (pe_array.y)
    ...
    |             << compute >>

Each memory level: its name, the tensors it keeps with the words of one tile of each (one
instance; narrow values count their share of a word), then its temporal loops outermost first,
then the spatial loops of the fan-out axes right below it. Loops of bound 1 are left out. Where
the mapper pads a dimension (its loops iterate more than its bound, the rest idle) the title says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from codesign.cost.dataflow import inner_products
from codesign.cost.precision import word_shares
from codesign.cost.problem import DIMENSIONS, TENSORS, extent
from codesign.errors import CodesignError


def resolve_layer(query: str, layers: Sequence[str], display: Mapping[str, str] | None = None) -> str:
    """The layer `query` names: exactly, by the short name the compile table shows (`display`:
    shown name -> full name), else by a unique end, else by a unique part of either name."""
    if query in layers:
        return query
    if display and display.get(query) in layers:
        return display[query]
    shown = {full: short for short, full in (display or {}).items()}
    names = {name: (name, shown.get(name, name)) for name in layers}
    for test in (str.endswith, str.__contains__):
        matches = [name for name, texts in names.items() if any(test(text, query) for text in texts)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise CodesignError(f"--show-mapping: '{query}' matches {len(matches)} compute layers "
                                f"({', '.join(shown.get(name, name) for name in matches)}); give more of the name")
    raise CodesignError(f"--show-mapping: no compute layer '{query}' (compute layers: "
                        f"{', '.join(shown.get(name, name) for name in layers) or 'none'}; or 'all')")


def loop_nest(best, layer: str) -> str:
    """`best` (a BestMapping) of `layer` as the text of its loop nest."""
    problem, hardware = best.problem, best.hardware
    factors, orders = best.candidate.factors[0], best.candidate.orders[0]
    inner = inner_products(best.candidate.factors)[0]
    shares = word_shares(problem, hardware).stored
    bounds = " ".join(f"{name}={int(size)}" for name, size in zip(DIMENSIONS, problem.sizes) if size > 1)
    iterations = factors.prod(axis=0)
    padded = ", ".join(f"{name} to {int(count)}" for name, count, size in zip(DIMENSIONS, iterations, problem.sizes)
                       if count > size)
    lines = [f"{layer} ({bounds}) on {hardware.name}" + (f"; loops padded: {padded}" if padded else ""), ""]
    depth = 0
    items = sorted([*((level.slot, index, level) for index, level in enumerate(hardware.levels)),
                    *((axis.slot, None, axis) for axis in hardware.axes)], key=lambda item: item[0])
    for slot, index, item in items:
        if index is not None:  # a memory level
            tiles = " ".join(
                f"{tensor}:{_words(extent(problem, tensor, inner[slot]) * shares[index][TENSORS.index(tensor)])}"
                for tensor in TENSORS if tensor in item.holds)
            header = f"{item.name} [ {tiles} ]"
            lines += [header, "-" * len(header)]
            for dimension in reversed(orders[index]):  # orders run innermost first
                if factors[slot, dimension] > 1:
                    lines.append(f"|{'  ' * depth} for {DIMENSIONS[dimension]} in [0:{int(factors[slot, dimension])})")
                    depth += 1
        else:
            for dimension, factor in enumerate(factors[slot]):
                if factor > 1:
                    lines.append(f"|{'  ' * depth} par-for {DIMENSIONS[dimension]} in [0:{int(factor)})  ({item.name})")
                    depth += 1
    lines.append(f"|{'  ' * depth} << compute >>")
    return "\n".join(lines) + "\n"


def _words(words: float) -> str:
    return f"{int(words)}" if float(words).is_integer() else f"{float(words):g}"
