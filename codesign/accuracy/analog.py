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
Signed weights: stored as the spec's weight_encoding says (codesign/cost/crossbar_cells.py, the
function the cost model counts non-zero cells with): `offset`, one array holding
w + 2^(weight_bits-1), the digital periphery subtracting offset x (sum of the inputs), as ISAAC
does (Shafiee et al., ISCA 2016, section 5); `differential`, a positive and a negative array
holding |w|, their converted sums subtracted. Signed inputs, where they occur, are offset.
ADC range: `clip`, unit steps saturating at 2^adc_bits - 1; `scale`, the levels spread over each
crossbar's largest possible sum (its most non-zero cells per column and read at the top levels),
rounding to the nearest level; FeFET: a fixed full scale (the whole column). Converter errors are
the only analog effect modelled: device variation and noise (fefet.mac_error_rate) are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from math import ceil, inf

import numpy

from codesign.arch.cim import CrossbarConfig, FefetArrayConfig
from codesign.cost.crossbar_cells import CellLayout, nonzero_rows_by_crossbar, read_groups, stored_values
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
    """None: adc_range says. A number: its 2^adc_bits levels span 0..full scale uniformly (FeFET)."""
    tile_columns: int
    """Columns of one array: a `scale` ADC's range is its crossbar's."""
    encoding: str = 'offset'
    """The spec's weight_encoding (codesign/cost/crossbar_cells.py)."""
    adc_range: str = 'clip'
    """'clip' (unit steps up to 2^adc_bits - 1, crossbar_mapping's required_adc_bits) or
    'scale' (levels over each crossbar's largest sum); ignored with adc_full_scale."""

    def __post_init__(self) -> None:
        if self.largest_sum >= 2**24:
            raise CodesignError(f"accuracy: column sums up to {self.largest_sum} are too wide for the "
                                "float32 model of the array (at most 2^24 - 1)")

    @property
    def largest_sum(self) -> int:
        """The largest column sum of one read: every row at the top cell and input levels."""
        return self.rows_per_read * (2**self.cell_bits - 1) * (2**self.input_bits_per_cycle - 1)

    @property
    def layout(self) -> CellLayout:
        return CellLayout(self.weight_bits, self.cell_bits, self.encoding, self.tile_rows, self.tile_columns,
                          self.rows_per_read)

    @property
    def scaled(self) -> bool:
        """Whether each crossbar's ADC range follows its contents ('scale')."""
        return self.adc_full_scale is None and self.adc_range == 'scale'

    def column_steps(self, levels: numpy.ndarray) -> numpy.ndarray | None:
        """[polarities, row tiles, columns]: the ADC step of each column on each crossbar of a
        `scale` macro (1.0 where its range fits the levels); None for any other ADC range."""
        if not self.scaled:
            return None
        largest = nonzero_rows_by_crossbar(levels, self.layout) * (2**self.cell_bits - 1) * (2**self.input_bits_per_cycle - 1)
        steps = numpy.maximum(largest / (2**self.adc_bits - 1), 1.0)
        return numpy.repeat(steps, self.tile_columns, axis=2)

    @property
    def range_name(self) -> str:
        """How the ADC's levels are placed, in words: 'clip', 'scale' or 'full column'."""
        return 'full column' if self.adc_full_scale is not None else self.adc_range

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
        if self.scaled:
            return 0.0  # any non-zero sum of a scaled column may round
        wrong = numpy.flatnonzero(self.conversion_errors)
        return float(wrong[0] - 1) if len(wrong) else inf


@dataclass
class ConversionTally:
    """What one layer's column ADCs did over a run: every column sum of every read converted,
    those that saturated at the top code, those that lost low bits to the ADC's step, and the
    effect on the layer's dot products (the numbers behind `compile --accuracy`'s ADC table)."""

    conversions: int = 0
    """Column sums converted (reads x columns, every weight slice and polarity)."""
    clipped: int = 0
    """Sums above the top code of a `clip` ADC: saturated."""
    rounded: int = 0
    """Sums below the top code converted to another value: the step is coarser than one unit."""
    error_squares: float = 0.0
    """Sum of (converted - exact dot product)^2 over the layer's outputs, in integer units."""
    exact_squares: float = 0.0
    """Sum of exact dot product^2 over the same outputs."""

    @property
    def clipped_fraction(self) -> float:
        return self.clipped / self.conversions if self.conversions else 0.0

    @property
    def rounded_fraction(self) -> float:
        return self.rounded / self.conversions if self.conversions else 0.0

    @property
    def relative_error(self) -> float:
        """RMS error of the layer's dot products over their RMS value (0: exact)."""
        return (self.error_squares / self.exact_squares) ** 0.5 if self.exact_squares else 0.0


def crossbar_macro(config: CrossbarConfig, weight_bits: int, input_bits: int) -> AnalogMacro:
    """A crossbar layer with `weight_bits` weights and `input_bits` inputs (the IR's, or the spec's)."""
    return AnalogMacro(weight_bits, min(config.cell_bits, weight_bits), input_bits,
                       min(config.input_bits_per_cycle, input_bits), config.rows, config.rows_per_read,
                       config.adc_bits, None, config.columns, config.weight_encoding, config.adc_range)


def fefet_macro(config: FefetArrayConfig, weight_bits: int, input_bits: int) -> AnalogMacro:
    """A FeFET layer with `weight_bits` weights and `input_bits` inputs (the IR's, or the spec's).
    The ADC spans a full column: every cell of `rows` at the top level (sense_voltage_V's
    denominator holds all rows' capacitors, used or not)."""
    full_scale = config.rows * (config.levels - 1)
    return AnalogMacro(weight_bits, config.cell_bits, input_bits, config.input_bits_per_cycle,
                       config.rows, config.rows, config.adc_bits, float(full_scale), config.columns)


def analog_dot(inputs: numpy.ndarray, weights: numpy.ndarray, macro: AnalogMacro,
               signed_inputs: bool, tally: ConversionTally | None = None) -> numpy.ndarray:
    """inputs [M, rows] @ weights [rows, K] as the macro computes it, in float64.

    `inputs`: integers in 0..2^input_bits - 1, or with `signed_inputs` in
    -(2^(input_bits-1) - 1)..2^(input_bits-1) - 1; `weights`: integers in
    -(2^(weight_bits-1) - 1)..2^(weight_bits-1) - 1. `tally`, when given, counts what the ADCs did.
    """
    levels = numpy.asarray(weights, dtype=numpy.int64)
    arrays = stored_values(levels, macro.layout)  # [polarities, rows, K]
    signs = (1.0, -1.0) if len(arrays) == 2 else (1.0,)
    steps = macro.column_steps(levels)
    input_offset = 2 ** (macro.input_bits - 1) if signed_inputs else 0
    weight_offset = 2 ** (macro.weight_bits - 1) if macro.encoding == 'offset' else 0
    chunks = []
    for start in range(0, len(inputs), CHUNK_ROWS):
        stored_inputs = numpy.asarray(inputs[start:start + CHUNK_ROWS], dtype=numpy.int64) + input_offset
        sums = sum(sign * _stored_dot(stored_inputs, array, macro, None if steps is None else steps[polarity], tally)
                   for polarity, (sign, array) in enumerate(zip(signs, arrays)))
        sums -= weight_offset * stored_inputs.sum(axis=1, keepdims=True).astype(numpy.float64)
        chunks.append(sums)
    result = numpy.concatenate(chunks) - input_offset * levels.sum(axis=0)
    if tally is not None:
        exact = numpy.asarray(inputs, dtype=numpy.float64) @ levels.astype(numpy.float64)
        tally.error_squares += float(numpy.square(result - exact).sum())
        tally.exact_squares += float(numpy.square(exact).sum())
    return result


def _stored_dot(stored_inputs: numpy.ndarray, stored_weights: numpy.ndarray, macro: AnalogMacro,
                steps: numpy.ndarray | None, tally: ConversionTally | None = None) -> numpy.ndarray:
    """The shift-and-added converted sums of unsigned operands: the exact product plus every
    read's conversion error; `steps` [row tiles, columns]: a scaled ADC's step per column."""
    total = stored_inputs.astype(numpy.float64) @ stored_weights.astype(numpy.float64)
    for start, stop in read_groups(len(stored_weights), macro.tile_rows, macro.rows_per_read):
        column_steps = None if steps is None else steps[start // macro.tile_rows]
        total += _conversion_error(stored_inputs[:, start:stop], stored_weights[start:stop], macro, column_steps,
                                   tally)
    return total


def bit_slices(values: numpy.ndarray, bits: int, slice_bits: int) -> numpy.ndarray:
    """[slices, *values.shape]: slice i holds bits i*slice_bits.. of the unsigned `values`."""
    shifts = numpy.arange(0, bits, slice_bits, dtype=values.dtype).reshape(-1, *([1] * values.ndim))
    return (values[None] >> shifts) & (2**slice_bits - 1)


def _conversion_error(stored_inputs: numpy.ndarray, stored_weights: numpy.ndarray,
                      macro: AnalogMacro, column_steps: numpy.ndarray | None,
                      tally: ConversionTally | None = None) -> numpy.ndarray:
    """Sum over input and weight slices of (converted - exact) column sums of one row group,
    each at its place value; [M, K]. Reads and columns whose sums cannot exceed `exact_up_to`
    convert exactly: they are left out when that saves work."""
    vectors, outputs = len(stored_inputs), stored_weights.shape[1]
    cells = bit_slices(stored_weights, macro.layout.stored_bits, macro.cell_bits).transpose(1, 2, 0)
    slices = cells.shape[2]
    cells = cells.reshape(len(stored_weights), outputs * slices).astype(numpy.float32)  # adjacent slices
    if tally is not None:
        tally.conversions += vectors * ceil(macro.input_bits / macro.input_bits_per_cycle) * cells.shape[1]
    live_columns = cells.sum(axis=0) * (2**macro.input_bits_per_cycle - 1) > macro.exact_up_to
    if column_steps is not None:
        column_steps = column_steps[:outputs * slices]
        live_columns &= column_steps > 1.0
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
    if column_steps is None:
        errors = macro.conversion_errors[sums.astype(numpy.int32)]
    else:
        exact = sums.astype(numpy.float64)
        step = column_steps[column_index]
        errors = (numpy.round(numpy.round(exact / step) * step) - exact).astype(numpy.float32)  # nearest level
    if tally is not None:
        _count(tally, sums, errors, macro)
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


def _count(tally: ConversionTally, sums: numpy.ndarray, errors: numpy.ndarray, macro: AnalogMacro) -> None:
    """Adds the clipped and rounded sums among those computed (the rest convert exactly)."""
    clipping = macro.adc_full_scale is None and not macro.scaled
    clipped = sums > 2**macro.adc_bits - 1 if clipping else numpy.zeros(sums.shape, dtype=bool)
    tally.clipped += int(clipped.sum())
    tally.rounded += int(((errors != 0) & ~clipped).sum())


def _selection(live: numpy.ndarray) -> numpy.ndarray | slice:
    """The indices where `live` holds, or all of them when most do (a copy would cost more)."""
    return numpy.flatnonzero(live) if live.mean() < 0.5 else slice(None)
