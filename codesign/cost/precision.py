"""How much of a word a value takes at each level, by the bits the IR gives it.

A level lays out words of its `word_bits`. At the target's native precision every value takes
one word of each level it passes through (the cost model counts words). A value of b bits whose
native width is n takes b/n of a word (bit-packed): a 4-bit tensor fits twice the values of an
8-bit one into a level and moves in half the accesses, so its capacity use, access energy,
bandwidth cycles, DRAM bytes and NoC energy all scale by b/n.

Native widths, per level and tensor (`word_shares`):
  weight, input  the compute unit's operand_bits; the layer's weight and input bits.
  output         a level whose word_bits >= accumulator_bits holds partial sums: accumulator_bits,
                 the layer's accumulator bits (Simba's 24-bit accumulation buffer, Eyeriss' 16-bit
                 psum spads and buffer). A narrower level holds requantized final outputs:
                 operand_bits, the layer's output bits (Simba's 8-bit global buffer and DRAM).
  final outputs  the value an output tile has when its reduction is complete, written into the
                 outermost level (DRAM), is the layer's result at its output bits even where the
                 DRAM word could hold a partial sum (Eyeriss); partial sums spilled to DRAM and
                 read back keep the rule above.
Words crossing a fan-out are what the level above reads or writes for them, at its shares.
The IR's bits never exceed the native ones (target/bits.py), so shares are at most 1; a float
graph has every share exactly 1 and costs exactly what it did before precision was modelled.

Ops that are not mapped (cost/vector.py, fused groups) move whole values: `value_share` gives a
value's words per element, its integer width over the operand width (float values, and integers
at least as wide as the native word, e.g. ONNX int64 indices, take one word as before).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from codesign.cost.hardware import Hardware
from codesign.cost.problem import TENSORS, Problem
from codesign.ir import TensorType

OUTPUT = TENSORS.index("output")


@dataclass(frozen=True, eq=False)
class WordShares:
    """How much of a word one value of each tensor takes at each level, at a layer's bits."""

    stored: numpy.ndarray
    """(levels, 3) words per value each level stores and moves, per tensor (TENSORS order)."""
    final_output: numpy.ndarray
    """(levels,) words per final output value written into each level (differs only at DRAM)."""

    @property
    def native(self) -> bool:
        return bool((self.stored == 1.0).all() and (self.final_output == 1.0).all())


def word_shares(problem: Problem, hardware: Hardware) -> WordShares:
    """The shares of a word `problem`'s values take at each level of `hardware` (module docstring)."""
    count = len(hardware.levels)
    bits, operand, accumulator = problem.bits, hardware.operand_bits, hardware.accumulator_bits
    if bits is None or operand is None or accumulator is None:
        return WordShares(numpy.ones((count, len(TENSORS))), numpy.ones(count))
    stored = numpy.empty((count, len(TENSORS)))
    stored[:, TENSORS.index("weight")] = bits.weight / operand
    stored[:, TENSORS.index("input")] = bits.input / operand
    for index, level in enumerate(hardware.levels):
        holds_partial_sums = level.word_bytes * 8 >= accumulator
        stored[index, OUTPUT] = (bits.accumulator or accumulator) / accumulator if holds_partial_sums \
            else bits.output / operand
    final_output = stored[:, OUTPUT].copy()
    final_output[0] = bits.output / operand
    return WordShares(stored, final_output)


def value_share(tensor: TensorType, operand_bits: int | None) -> float:
    """Words per element of a value moved whole (module docstring)."""
    if tensor.numeric != "int" or operand_bits is None:
        return 1.0
    return min(tensor.bits, operand_bits) / operand_bits
