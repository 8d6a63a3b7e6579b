"""What the importers hand to emit.py: a converted architecture as frozen data, with every item
the source held that the spec cannot say and every value the spec needs that the source lacked."""

from dataclasses import dataclass

DIMENSIONS = ('N', 'K', 'C', 'P', 'Q', 'R', 'S')
"""The spec's loop dimensions a converted fan-out may unroll (G, groups, has no counterpart)."""
TENSORS = ('weight', 'input', 'output')


@dataclass(frozen=True)
class Energies:
    """Numbers for a component's `energy:` block, SI units, in the order written."""

    values: tuple[tuple[str, float], ...]
    source: str


@dataclass(frozen=True)
class Memory:
    name: str
    technology: str
    capacity_bytes: int | None
    word_bits: int
    width_bits: int
    holds: tuple[str, ...]
    bandwidth_bytes_per_second: float | None
    energies: Energies | None


@dataclass(frozen=True)
class Axis:
    name: str
    size: int
    unroll: tuple[str, ...]


@dataclass(frozen=True)
class Fanout:
    name: str
    axes: tuple[Axis, ...]


@dataclass(frozen=True)
class Compute:
    name: str
    operand_bits: int
    accumulator_bits: int
    energies: Energies | None


@dataclass(frozen=True)
class Converted:
    """An architecture in the spec's terms, outermost component first."""

    name: str
    description: str
    sources: tuple[str, ...]
    technology_node_m: float
    clock_frequency_Hz: float
    dataflow: str
    hierarchy: tuple[Memory | Fanout | Compute, ...]
    not_converted: tuple[str, ...]
    choices: tuple[str, ...]


@dataclass(frozen=True)
class ImportResult:
    """The spec's YAML text, and the lists its header comment repeats."""

    name: str
    spec_text: str
    not_converted: tuple[str, ...]
    choices: tuple[str, ...]
