"""Per-action energies, area and leakage a user supplies for a component, instead of the
built-in models (from their own CACTI or PDK runs, as Accelergy's energy reference tables do).

A spec writes them under the component's `energy:`; any field left out comes from the built-in
model (or plug-in), and `codesign arch show` marks each number's source. Field names carry
their units (joules, square metres, watts), so a value without units is an unknown field.
"""

from codesign.arch.schema_base import NonNegativeQuantity, SpecModel


class MemoryEnergy(SpecModel):
    """A memory level's own numbers, per instance."""

    read_J: NonNegativeQuantity | None = None
    """One full-width (width_bits) read, joules."""
    write_J: NonNegativeQuantity | None = None
    """One full-width (width_bits) write, joules."""
    area_m2: NonNegativeQuantity | None = None
    """Area of one instance, square metres."""
    leakage_W: NonNegativeQuantity | None = None
    """Static power of one instance, watts."""
    source: str = 'spec'
    """Where the numbers come from (shown by `codesign arch show`), e.g. 'CACTI 7, 22 nm'."""


class ComputeEnergy(SpecModel):
    """A compute unit's own numbers, per MAC unit."""

    mac_J: NonNegativeQuantity | None = None
    """One multiply-accumulate at the unit's native operand and accumulator widths, joules;
    other widths scale it as the built-in model scales (codesign/arch/components/mac.py)."""
    area_m2: NonNegativeQuantity | None = None
    """Area of one MAC unit, square metres."""
    leakage_W: NonNegativeQuantity | None = None
    """Static power of one MAC unit, watts."""
    source: str = 'spec'
    """Where the numbers come from (shown by `codesign arch show`)."""
