"""The RTL designs `codesign rtl` knows, by command-line name."""

from __future__ import annotations

from codesign.cosim.rtl.trace import Design
from codesign.errors import CodesignError


def designs() -> dict[str, Design]:
    from codesign.cosim.rtl.golden_gemm import PE_ARRAY_DESIGN
    from codesign.cosim.rtl.golden_lif import LIF_DESIGN, SYNAPSE_DESIGN
    from codesign.cosim.rtl.golden_mac import BITSERIAL_MAC_DESIGN, MAC_DESIGN, SCALABLE_MAC_DESIGN

    found = (MAC_DESIGN, SCALABLE_MAC_DESIGN, BITSERIAL_MAC_DESIGN, PE_ARRAY_DESIGN, LIF_DESIGN, SYNAPSE_DESIGN)
    return {design.name: design for design in found}


DESIGN_NAMES = ("mac", "scalable-mac", "bitserial-mac", "pe-array", "lif", "synapse")


def design_named(name: str) -> Design:
    known = designs()
    if name not in known:
        raise CodesignError(f"unknown RTL design {name!r} (choose from {', '.join(known)})")
    return known[name]


def plot_bits(design: Design) -> tuple[int, ...]:
    """Operand widths `--plot` measures: powers of two and the widths between 8 and 16 by 4."""
    low, high = design.bits_range
    if design.name == "scalable-mac":
        return tuple(bits for bits in (2, 4, 8, 16) if low <= bits <= high)
    return tuple(bits for bits in (2, 4, 8, 12, 16) if low <= bits <= high)
