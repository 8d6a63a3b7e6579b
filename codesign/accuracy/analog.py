"""Functional models of the dot products of the compute-in-memory macros, on integers.

Both macros follow their cost models (codesign/cost/crossbar_mapping.py, codesign/cost/fefet.py):
  * im2col: a layer group's matrix has rows = C*R*S inputs and K outputs; each weight is split
    into ceil(weight_bits / cell_bits) slices of cell_bits bits on adjacent columns, the lowest
    slice first; inputs are streamed input_bits_per_cycle bits at a time, lowest bits first;
  * one read sums a group of rows of every column: on the crossbar the rows of a tile of
    `rows` are read rows_per_read at a time; on the FeFET array a column sums all the
    rows of its tile (rows cells) in one cycle;
  * every column's sum of one read goes through the column ADC, then a digital shift-and-add
    combines input slices, weight slices and row groups exactly.
Signed weights: the cost models count K x slices columns, no second array for negative weights,
so weights are stored with an offset (w + 2^(weight_bits-1), unsigned) and the digital periphery
subtracts offset x (sum of the inputs), as ISAAC does (Shafiee et al., ISCA 2016, section 5).
Signed inputs, where they occur, are offset the same way. Converter errors are the only analog
effect modelled: device variation and noise (fefet.mac_error_rate) are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from math import inf

import numpy

from codesign.arch.cim import CrossbarConfig, FefetArrayConfig
from codesign.errors import CodesignError

CHUNK_ROWS = 2048
"""Input vectors processed together: bounds the memory of the bit-sliced partial sums."""


@dataclass(frozen=True)
class AnalogMacro:
    """What a macro's dot product depends on."""

    weight_bits: int
    cell_bits: int
    input_bits: int
    input_bits_per_cycle: int
    tile_rows: int
    """Rows of one array: row groups never span two arrays."""
    rows_per_read: int
    adc_bits: int
    adc_full_scale: float | None
    """None: the ADC resolves unit steps and clips at 2^adc_bits - 1 (crossbar_mapping's
    required_adc_bits). A number: its 2^adc_bits levels span 0..full scale uniformly (FeFET)."""

    def __post_init__(self) -> None:
        if self.largest_sum >= 2**24:
            raise CodesignError(f"accuracy: column sums up to {self.largest_sum} are too wide for the "
                                "float32 model of the array (at most 2^24 - 1)")

    @property
    def largest_sum(self) -> int:
        """The largest column sum of one read: every row at the top cell and input levels."""
        return self.rows_per_read * (2**self.cell_bits - 1) * (2**self.input_bits_per_cycle - 1)

    @cached_property
    def conversion_errors(self) -> numpy.ndarray:
        """Converted minus exact value of every possible column sum 0..largest_sum (float32):
        the ADC's output decoded to an integer sum by the digital periphery."""
        sums = numpy.arange(self.largest_sum + 1, dtype=numpy.float64)
        if self.adc_full_scale is None:
            converted = numpy.minimum(sums, 2**self.adc_bits - 1)  # clipped at the top code
        else:
            step = self.adc_full_scale / (2**self.adc_bits - 1)
            converted = numpy.round(numpy.round(sums / step) * step)  # nearest level
        return (converted - sums).astype(numpy.float32)

    @cached_property
    def exact_up_to(self) -> float:
        """Column sums up to this value convert without error: reads and columns whose sums
        cannot exceed it need not be computed."""
        wrong = numpy.flatnonzero(self.conversion_errors)
        return float(wrong[0] - 1) if len(wrong) else inf


def crossbar_macro(config: CrossbarConfig, weight_bits: int, input_bits: int) -> AnalogMacro:
    """A crossbar layer with `weight_bits` weights and `input_bits` inputs (the IR's, or the spec's)."""
    return AnalogMacro(weight_bits, config.cell_bits, input_bits, min(config.input_bits_per_cycle, input_bits),
                       config.rows, config.rows_per_read, config.adc_bits, None)


def fefet_macro(config: FefetArrayConfig, weight_bits: int, input_bits: int) -> AnalogMacro:
    """A FeFET layer with `weight_bits` weights and `input_bits` inputs (the IR's, or the spec's).
    The ADC spans a full column: every cell of `rows` at the top level (sense_voltage_V's
    denominator holds all rows' capacitors, used or not)."""
    full_scale = config.rows * (config.levels - 1)
    return AnalogMacro(weight_bits, config.cell_bits, input_bits, config.input_bits_per_cycle,
                       config.rows, config.rows, config.adc_bits, float(full_scale))


def analog_dot(inputs: numpy.ndarray, weights: numpy.ndarray, macro: AnalogMacro,
               signed_inputs: bool) -> numpy.ndarray:
    """inputs [M, rows] @ weights [rows, K] as the macro computes it, in float64.

    `inputs`: integers in 0..2^input_bits - 1, or with `signed_inputs` in
    -(2^(input_bits-1) - 1)..2^(input_bits-1) - 1; `weights`: integers in
    -(2^(weight_bits-1) - 1)..2^(weight_bits-1) - 1.
    """
    input_offset = 2 ** (macro.input_bits - 1) if signed_inputs else 0
    weight_offset = 2 ** (macro.weight_bits - 1)
    stored_weights = numpy.asarray(weights, dtype=numpy.int64) + weight_offset
    chunks = []
    for start in range(0, len(inputs), CHUNK_ROWS):
        stored_inputs = numpy.asarray(inputs[start:start + CHUNK_ROWS], dtype=numpy.int64) + input_offset
        sums = _stored_dot(stored_inputs, stored_weights, macro)
        sums -= weight_offset * stored_inputs.sum(axis=1, keepdims=True).astype(numpy.float64)
        chunks.append(sums)
    correction = input_offset * (stored_weights.sum(axis=0) - len(stored_weights) * weight_offset)
    return numpy.concatenate(chunks) - correction


def _stored_dot(stored_inputs: numpy.ndarray, stored_weights: numpy.ndarray, macro: AnalogMacro) -> numpy.ndarray:
    """The shift-and-added converted sums of unsigned operands: the exact product plus every
    read's conversion error."""
    total = stored_inputs.astype(numpy.float64) @ stored_weights.astype(numpy.float64)
    for start, stop in row_groups(len(stored_weights), macro.tile_rows, macro.rows_per_read):
        total += _conversion_error(stored_inputs[:, start:stop], stored_weights[start:stop], macro)
    return total


def row_groups(rows: int, tile_rows: int, rows_per_read: int) -> list[tuple[int, int]]:
    """(start, stop) of the rows each read sums: tiles of tile_rows, read rows_per_read at a time."""
    return [(start, min(start + rows_per_read, tile_start + tile_rows, rows))
            for tile_start in range(0, rows, tile_rows)
            for start in range(tile_start, min(tile_start + tile_rows, rows), rows_per_read)]


def bit_slices(values: numpy.ndarray, bits: int, slice_bits: int) -> numpy.ndarray:
    """[slices, *values.shape]: slice i holds bits i*slice_bits.. of the unsigned `values`."""
    shifts = numpy.arange(0, bits, slice_bits, dtype=values.dtype).reshape(-1, *([1] * values.ndim))
    return (values[None] >> shifts) & (2**slice_bits - 1)


def _conversion_error(stored_inputs: numpy.ndarray, stored_weights: numpy.ndarray,
                      macro: AnalogMacro) -> numpy.ndarray:
    """Sum over input and weight slices of (converted - exact) column sums of one row group,
    each at its place value; [M, K]. Reads and columns whose sums cannot exceed `exact_up_to`
    convert exactly: they are left out when that saves work."""
    vectors, outputs = len(stored_inputs), stored_weights.shape[1]
    cells = bit_slices(stored_weights, macro.weight_bits, macro.cell_bits).transpose(1, 2, 0)
    slices = cells.shape[2]
    cells = cells.reshape(len(stored_weights), outputs * slices).astype(numpy.float32)  # adjacent slices
    live_columns = cells.sum(axis=0) * (2**macro.input_bits_per_cycle - 1) > macro.exact_up_to
    if not live_columns.any():
        return numpy.zeros((vectors, outputs))
    narrow = stored_inputs.astype(numpy.int32 if macro.input_bits < 31 else numpy.int64)
    inputs = bit_slices(narrow, macro.input_bits, macro.input_bits_per_cycle)
    cycles = len(inputs)
    reads = inputs.reshape(cycles * vectors, -1).astype(numpy.float32)  # one per (cycle, vector)
    live_reads = reads.sum(axis=1) * cells.max() > macro.exact_up_to
    if not live_reads.any():
        return numpy.zeros((vectors, outputs))
    read_index, column_index = _selection(live_reads), _selection(live_columns)
    sums = reads[read_index] @ cells[:, column_index]  # integers below 2^24: exact
    errors = macro.conversion_errors[sums.astype(numpy.int32)]
    if isinstance(column_index, numpy.ndarray):
        errors, dense = numpy.zeros((len(errors), outputs * slices), dtype=numpy.float32), errors
        errors[:, column_index] = dense
    slice_place = 2.0 ** (macro.cell_bits * numpy.arange(slices))
    exact_type = numpy.float32 if macro.largest_sum * slice_place.sum() < 2**24 else numpy.float64
    read_errors = errors.reshape(-1, slices).astype(exact_type, copy=False) @ slice_place.astype(exact_type)
    read_place = 2.0 ** (macro.input_bits_per_cycle * (numpy.arange(cycles * vectors)[read_index] // vectors))
    per_read = numpy.zeros((cycles * vectors, outputs))
    per_read[read_index] = read_errors.reshape(-1, outputs) * read_place[:, None]
    return per_read.reshape(cycles, vectors, outputs).sum(axis=0)


def _selection(live: numpy.ndarray) -> numpy.ndarray | slice:
    """The indices where `live` holds, or all of them when most do (a copy would cost more)."""
    return numpy.flatnonzero(live) if live.mean() < 0.5 else slice(None)
