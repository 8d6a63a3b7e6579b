"""Checking the bits a graph asks of a target against what the target supports."""

from __future__ import annotations

from codesign.errors import CodesignError
from codesign.ir import LayerBits, Node, layer_bits


def supported_bits(node: Node, native: LayerBits, arch_name: str) -> LayerBits:
    """`node`'s bits on a target whose widest operands are `native`; a one-line error naming the
    layer and what the target supports when the IR asks for more (or for nothing)."""
    bits = layer_bits(node, native)
    for role in ("weight", "input", "output", "accumulator"):
        asked, widest = getattr(bits, role), getattr(native, role)
        if asked is None or widest is None:
            continue
        if asked < 1:
            raise CodesignError(f"layer '{node.name}': {role} bits must be at least 1 (got {asked})")
        if asked > widest:
            raise CodesignError(f"layer '{node.name}': {role} bits {asked} exceed what {arch_name} supports "
                                f"(at most {widest}-bit {role}s)")
    return bits
