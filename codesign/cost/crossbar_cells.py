"""What a crossbar's cells hold: one function for the cost model and the accuracy emulator alike.

A layer group's weights (a [rows, K] matrix of integer levels, im2col order) become cells as the
spec's `weight_encoding` says (codesign/arch/cim.py):
  offset        one array; each weight stored as w + 2^(weight_bits-1), unsigned, so a zero
                weight is a non-zero cell (its top slice holds the offset);
  differential  a positive and a negative array; |w| in weight_bits - 1 bits on the array of
                w's sign, zero on the other: a zero weight is two zero cells.
Each stored value is cut into ceil(bits / cell_bits) slices on adjacent columns, lowest first.
The arrays are cut into crossbars of tile_rows x tile_columns; a read sums rows_per_read rows of
a crossbar (row groups never span two crossbars).

`nonzero_rows_by_crossbar` gives, for every crossbar, the most non-zero cells any of its columns
holds among the rows of one read: the sum range its ADC must resolve (required_adc_bits), the
range a `scale` ADC spreads its levels over, and what the crossbar-aware pruner bounds.
codesign/target/crossbar.py costs it; codesign/accuracy/analog.py converts with it; the weights
are quantized for both by `weight_levels`, as codesign/accuracy/quantize.py quantizes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import TYPE_CHECKING

import numpy

if TYPE_CHECKING:
    from codesign.arch.cim import CrossbarConfig

ENCODINGS = ('offset', 'differential')


@dataclass(frozen=True)
class CellLayout:
    """How one layer's weights sit on the crossbars."""

    weight_bits: int
    cell_bits: int
    encoding: str
    """'offset' or 'differential' (module docstring)."""
    tile_rows: int
    tile_columns: int
    rows_per_read: int

    @property
    def polarities(self) -> int:
        """Arrays per weight column: 2 for a differential encoding."""
        return 2 if self.encoding == 'differential' else 1

    @property
    def stored_bits(self) -> int:
        """Bits of one stored value: the weight's, or its magnitude's."""
        return max(1, self.weight_bits - 1) if self.encoding == 'differential' else self.weight_bits

    @property
    def slices(self) -> int:
        return ceil(self.stored_bits / self.cell_bits)


def cell_layout(config: CrossbarConfig) -> CellLayout:
    """The layout of a crossbar macro (or of a layer's copy of it, at the layer's bits)."""
    return CellLayout(config.weight_bits, config.cell_bits, config.weight_encoding, config.rows, config.columns,
                      config.rows_per_read)


def weight_levels(weights: numpy.ndarray, bits: int, largest: float | None = None) -> numpy.ndarray:
    """Symmetric integer levels -(2^(bits-1) - 1)..2^(bits-1) - 1 of `weights` at one scale,
    largest / (2^(bits-1) - 1) (`largest`: the whole tensor's max |w|, default `weights`'), rounded to
    nearest in float32 up to 24 bits (int64): the accuracy emulator's weight quantization."""
    largest_level = 2 ** (bits - 1) - 1
    largest = float(numpy.abs(weights).max(initial=0.0)) if largest is None else largest
    if largest == 0.0 or largest_level == 0:
        return numpy.zeros(numpy.shape(weights), dtype=numpy.int64)
    values = numpy.asarray(weights, dtype=numpy.float32 if bits <= 24 else numpy.float64)
    return numpy.clip(numpy.round(values / (largest / largest_level)), -largest_level, largest_level).astype(numpy.int64)


def stored_values(levels: numpy.ndarray, layout: CellLayout) -> numpy.ndarray:
    """[polarities, rows, K] unsigned values the arrays hold for signed `levels` [rows, K]."""
    levels = numpy.asarray(levels, dtype=numpy.int64)
    if layout.encoding == 'differential':
        return numpy.stack([numpy.maximum(levels, 0), numpy.maximum(-levels, 0)])
    return (levels + 2 ** (layout.weight_bits - 1))[None]


def cell_values(levels: numpy.ndarray, layout: CellLayout) -> numpy.ndarray:
    """[polarities, rows, K * slices] cell levels: each weight's slices on adjacent columns, lowest first."""
    stored = stored_values(levels, layout)
    shifts = numpy.arange(layout.slices, dtype=numpy.int64) * layout.cell_bits
    cells = (stored[..., None] >> shifts) & (2**layout.cell_bits - 1)
    return cells.reshape(*stored.shape[:2], -1)


def nonzero_rows_by_crossbar(levels: numpy.ndarray, layout: CellLayout) -> numpy.ndarray:
    """[polarities, row tiles, column tiles]: per crossbar, the most non-zero cells one column
    holds among the rows of one read (module docstring)."""
    nonzero = cell_values(levels, layout) != 0
    polarities, rows, columns = nonzero.shape
    per_read = numpy.stack([nonzero[:, start:stop].sum(axis=1)
                            for start, stop in read_groups(rows, layout.tile_rows, layout.rows_per_read)], axis=1)
    row_tile_of_read = [start // layout.tile_rows
                        for start, _ in read_groups(rows, layout.tile_rows, layout.rows_per_read)]
    row_tiles, column_tiles = ceil(rows / layout.tile_rows), ceil(columns / layout.tile_columns)
    padded = numpy.zeros((polarities, per_read.shape[1], column_tiles * layout.tile_columns), dtype=numpy.int64)
    padded[:, :, :columns] = per_read
    by_column_tile = padded.reshape(polarities, per_read.shape[1], column_tiles, layout.tile_columns).max(axis=3)
    result = numpy.zeros((polarities, row_tiles, column_tiles), dtype=numpy.int64)
    numpy.maximum.at(result, (slice(None), numpy.asarray(row_tile_of_read)), by_column_tile)
    return result


def read_groups(rows: int, tile_rows: int, rows_per_read: int) -> list[tuple[int, int]]:
    """(start, stop) of the rows each read sums: tiles of tile_rows, read rows_per_read at a time."""
    return [(start, min(start + rows_per_read, tile_start + tile_rows, rows))
            for tile_start in range(0, rows, tile_rows)
            for start in range(tile_start, min(tile_start + tile_rows, rows), rows_per_read)]
