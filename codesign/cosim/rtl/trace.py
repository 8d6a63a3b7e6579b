"""What each RTL design gives the measurement flow (codesign/cosim/rtl/measure.py): its sources,
its Verilog parameters for the user's options, and a measurement trace.

A trace is cycle-exact stimulus for a plain testbench (no cocotb: thousands of vectors in a
second) and a checker of what the design answered:
  * inputs[t]: the value of every input port except `clk` during cycle t, applied before rising
    edge t (bit patterns: negative numbers as two's complement of the port width);
  * outputs[t]: every output port's value sampled just after rising edge t (bit patterns);
  * check(outputs) raises AssertionError naming the first disagreement with the golden model,
    and returns the cycle counts it measured (e.g. {'cycles_per_operation': 1.0}).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy

Vector = Mapping[str, int]


@dataclass(frozen=True)
class RtlOptions:
    """What a user chooses for a design (`codesign rtl DESIGN --bits B --rows R --cols C`)."""

    bits: int = 8
    """Operand bits (weights and inputs); the mode's precision for the precision-scalable MAC."""
    rows: int = 4
    """Rows of the systolic PE array."""
    cols: int = 4
    """Columns of the systolic PE array."""
    accumulator_bits: int | None = None
    """Accumulator bits of the MACs; None: the design's default for `bits`."""


@dataclass(frozen=True)
class Trace:
    inputs: tuple[Vector, ...]
    check: Callable[[Sequence[Vector]], dict[str, float]]
    operations: int
    """Operations the trace performs (MACs, products, membrane updates, synaptic events)."""
    operation: str
    """What one operation is, for reports: 'MAC', '2-bit product', 'membrane update', ..."""


@dataclass(frozen=True)
class Design:
    name: str
    """Its name on the command line (`codesign rtl NAME`)."""
    sources: tuple[str, ...]
    """Verilog files in rtl/, the top module's last."""
    top: str
    ports_in: Callable[[RtlOptions], dict[str, int]]
    """Input port name -> width in bits (clk excluded), for these options."""
    ports_out: Callable[[RtlOptions], dict[str, int]]
    """Output port name -> width in bits."""
    parameters: Callable[[RtlOptions], dict[str, int]]
    """Verilog parameter name -> value for these options."""
    trace: Callable[[RtlOptions, numpy.random.Generator, int], Trace]
    """A measurement trace of about `operations` operations."""
    bits_range: tuple[int, int]
    """Smallest and largest supported `bits`."""


def to_unsigned(value: int, width: int) -> int:
    """Two's complement bit pattern of `value` in `width` bits."""
    return int(value) & ((1 << width) - 1)


def to_signed(pattern: int, width: int) -> int:
    """The signed value of a `width`-bit two's complement pattern."""
    pattern = int(pattern) & ((1 << width) - 1)
    return pattern - (1 << width) if pattern >> (width - 1) else pattern
