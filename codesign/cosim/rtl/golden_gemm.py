"""Golden model of rtl/gemm_tile.v (a weight-stationary systolic GEMM tile) and its measurement
Design.

The tile computes Y[M x N] = X[M x K] @ W[K x N] on signed integers with sums wrapping to
ACCUMULATOR_BITS; K <= ROWS and N <= COLS, the rest of the array computing on zeros. With no
stalls it takes exactly `gemm_tile_cycles(rows, cols, m)` cycles from the edge that samples
`start` to the edge after which `done` reads 1:

    2*rows + cols + m - 1  =  rows (weight load) + m + rows + cols - 1 (stream, fill, drain)

independent of K and N (m >= 1; m = 0 only loads the weights: rows + 1).

CODESIGN_RTL_PLANTED_BUG=1 plants a bug in the golden model (sums wrap one bit too early) so
a test can show that the benches catch a wrong model.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy

from codesign.cosim.rtl.trace import Design, RtlOptions, Trace, Vector, to_signed, to_unsigned
from codesign.errors import CodesignError

OPERAND_BITS_RANGE = (2, 16)
COUNT_BITS = 8
"""Width of gemm_tile's m_count port in the Design: tiles of up to 255 input rows."""
TRACE_ROWS_PER_TILE = 16
"""M of each tile in the measurement trace."""


def planted_bug() -> bool:
    return os.environ.get("CODESIGN_RTL_PLANTED_BUG") == "1"


def accumulator_bits(operand_bits: int, rows: int) -> int:
    """Accumulator width that never wraps for K <= rows: |x*w| <= 2^(2b-2), so a sum of `rows`
    products needs 2b - 1 + ceil(log2 rows) magnitude bits plus the sign."""
    return 2 * operand_bits + math.ceil(math.log2(rows))


def wrap_signed(values, bits: int) -> numpy.ndarray:
    """Integers reduced to `bits`-bit two's complement (what a wrapping register holds)."""
    array = numpy.asarray(values, dtype=object)
    half = 1 << (bits - 1)
    return (array + half) % (1 << bits) - half


def gemm_reference(x, w, accumulator_bits: int) -> numpy.ndarray:
    """Y = X @ W in exact integers, wrapped to `accumulator_bits` (an int64 array when it fits,
    else Python ints)."""
    x_array = numpy.asarray(x, dtype=object)
    w_array = numpy.asarray(w, dtype=object)
    if x_array.ndim != 2 or w_array.ndim != 2 or x_array.shape[1] != w_array.shape[0]:
        raise ValueError(f"cannot multiply X {x_array.shape} by W {w_array.shape}")
    bits = accumulator_bits - 1 if planted_bug() else accumulator_bits
    product = wrap_signed(x_array @ w_array if x_array.size and w_array.size
                          else numpy.zeros((x_array.shape[0], w_array.shape[1]), dtype=object), bits)
    return product.astype(numpy.int64) if accumulator_bits <= 64 else product


def gemm_tile_cycles(rows: int, cols: int, m: int) -> int:
    """Cycles of one tile on gemm_tile with no stalls: from the rising edge that samples `start`
    to the rising edge after which `done` reads 1."""
    if rows < 1 or cols < 1 or m < 0:
        raise ValueError(f"no tile of {m} rows on a {rows}x{cols} array")
    if m == 0:
        return rows + 1
    return 2 * rows + cols + m - 1


def pad(matrix, rows: int, cols: int) -> numpy.ndarray:
    """`matrix` in the top-left corner of a rows x cols array of zeros."""
    array = numpy.asarray(matrix, dtype=numpy.int64)
    if array.shape[0] > rows or array.shape[1] > cols:
        raise ValueError(f"a {array.shape[0]}x{array.shape[1]} matrix does not fit in {rows}x{cols}")
    padded = numpy.zeros((rows, cols), dtype=numpy.int64)
    padded[:array.shape[0], :array.shape[1]] = array
    return padded


def pack_row(values: Sequence[int], width: int) -> int:
    """A flattened bus: element i in bits [i*width +: width], two's complement."""
    pattern = 0
    for index, value in enumerate(values):
        pattern |= to_unsigned(int(value), width) << (index * width)
    return pattern


def unpack_row(pattern: int, count: int, width: int) -> list[int]:
    return [to_signed(int(pattern) >> (index * width), width) for index in range(count)]


def weight_load_order(w_padded) -> list:
    """The rows of a ROWS x COLS weight matrix in the order gemm_tile takes them (last row
    first: they shift down the columns)."""
    return list(numpy.asarray(w_padded)[::-1])


# --- the measurement Design -------------------------------------------------------------------

ACCUMULATOR_BITS_RANGE = (2, 64)


def _accumulator(options: RtlOptions) -> int:
    """The user's accumulator width, or by default the one that never wraps."""
    chosen = getattr(options, "accumulator_bits", None)
    return accumulator_bits(options.bits, options.rows) if chosen is None else int(chosen)


def _check_options(options: RtlOptions) -> None:
    low, high = OPERAND_BITS_RANGE
    if not low <= options.bits <= high:
        raise CodesignError(f"pe-array: {options.bits}-bit operands are not supported (supported: {low}..{high})")
    if options.rows < 1 or options.cols < 1:
        raise CodesignError(f"pe-array: a {options.rows}x{options.cols} array is not supported (rows, cols >= 1)")
    low, high = ACCUMULATOR_BITS_RANGE
    if not low <= _accumulator(options) <= high:
        raise CodesignError(f"pe-array: a {_accumulator(options)}-bit accumulator is not supported "
                            f"(supported: {low}..{high})")


def _parameters(options: RtlOptions) -> dict[str, int]:
    _check_options(options)
    return {"ROWS": options.rows, "COLS": options.cols, "OPERAND_BITS": options.bits,
            "ACCUMULATOR_BITS": _accumulator(options), "COUNT_BITS": COUNT_BITS}


def _ports_in(options: RtlOptions) -> dict[str, int]:
    return {"rst": 1, "start": 1, "m_count": COUNT_BITS, "weight_row": options.cols * options.bits,
            "weight_valid": 1, "activation_row": options.rows * options.bits, "in_valid": 1, "out_ready": 1}


def _ports_out(options: RtlOptions) -> dict[str, int]:
    return {"busy": 1, "done": 1, "weight_ready": 1, "in_ready": 1,
            "result_row": options.cols * _accumulator(options), "out_valid": 1}


def _trace(options: RtlOptions, rng: numpy.random.Generator, operations: int) -> Trace:
    """Random full tiles (K = rows, N = cols, M = 16) back to back with no stalls: each `start`
    comes the cycle after the previous `done`, on the schedule the closed form predicts."""
    _check_options(options)
    rows, cols, bits, m = options.rows, options.cols, options.bits, TRACE_ROWS_PER_TILE
    accumulator = _accumulator(options)
    macs_per_tile = m * rows * cols
    tiles = max(1, round(operations / macs_per_tile))
    tile_cycles = gemm_tile_cycles(rows, cols, m)
    low, high = -(1 << (bits - 1)), 1 << (bits - 1)

    idle = {"rst": 0, "start": 0, "m_count": 0, "weight_row": 0, "weight_valid": 0,
            "activation_row": 0, "in_valid": 0, "out_ready": 1}
    inputs: list[Vector] = [{**idle, "rst": 1}, {**idle, "rst": 1}]
    starts, expected = [], []
    for _ in range(tiles):
        x = rng.integers(low, high, size=(m, rows))
        w = rng.integers(low, high, size=(rows, cols))
        expected.append(gemm_reference(x, w, accumulator))
        start = len(inputs)
        starts.append(start)
        inputs.append({**idle, "start": 1, "m_count": m})
        for weights in weight_load_order(w):
            inputs.append({**idle, "weight_row": pack_row(weights, bits), "weight_valid": 1})
        for activations in x:
            inputs.append({**idle, "activation_row": pack_row(activations, bits), "in_valid": 1})
        inputs.extend(dict(idle) for _ in range(start + tile_cycles + 1 - len(inputs)))
    inputs.append(dict(idle))

    def check(outputs: Sequence[Vector]) -> dict[str, float]:
        if len(outputs) < len(inputs):
            raise AssertionError(f"pe-array: {len(outputs)} output samples for {len(inputs)} input cycles")
        shown = [(cycle, unpack_row(sample["result_row"], cols, accumulator))
                 for cycle, sample in enumerate(outputs) if int(sample["out_valid"]) & 1]
        wanted = [(tile, row, [int(value) for value in y[row]])
                  for tile, y in enumerate(expected) for row in range(m)]
        for (cycle, got), (tile, row, want) in zip(shown, wanted):
            if got != want:
                raise AssertionError(f"pe-array tile {tile} result row {row} (cycle {cycle}): "
                                     f"got {got}, expected {want}")
        if len(shown) != len(wanted):
            raise AssertionError(f"pe-array: {len(shown)} result rows came out, expected {len(wanted)}")
        dones = [cycle for cycle, sample in enumerate(outputs) if int(sample["done"]) & 1]
        if len(dones) != tiles:
            raise AssertionError(f"pe-array: done pulsed {len(dones)} times for {tiles} tiles")
        measured = sorted({done - start for start, done in zip(starts, dones)})
        if len(measured) != 1:
            raise AssertionError(f"pe-array: tiles took different cycle counts {measured}")
        return {"tile_cycles": float(measured[0]), "cycles_per_operation": measured[0] / macs_per_tile,
                "formula_cycles": float(tile_cycles)}

    return Trace(inputs=tuple(inputs), check=check, operations=tiles * macs_per_tile, operation="MAC")


PE_ARRAY_DESIGN = Design(
    name="pe-array",
    sources=("systolic_pe.v", "systolic_array.v", "gemm_tile.v"),
    top="gemm_tile",
    ports_in=_ports_in,
    ports_out=_ports_out,
    parameters=_parameters,
    trace=_trace,
    bits_range=OPERAND_BITS_RANGE,
)
