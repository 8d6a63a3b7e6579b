"""How one Conv/Gemm/MatMul layer is laid out on analog crossbars, and how many reads it takes.

im2col unrolling (ISAAC, Shafiee et al., ISCA 2016; NeuroSim's "conventional mapping"): each group
of the loop nest is a weight matrix of C*R*S rows (one per input of a receptive field) and K
outputs; each stored weight is split into bit slices on adjacent columns (crossbar_cells.py: the
weight_encoding sets the stored bits and whether a second, negative array doubles the columns),
so a group needs K * slices columns per array. Each array is cut into crossbar-sized tiles:
ceil(rows / the crossbar's rows) row tiles x ceil(columns / its columns) column tiles, per group.

One read of a crossbar drives up to rows_per_read of its rows with one input slice
(input_bits_per_cycle bits of every input) and converts every used column once. An output position
(N*P*Q of them) needs, on every crossbar, ceil(input_bits / input_bits_per_cycle) input slices x
ceil(rows in the crossbar / rows_per_read) row groups reads.

Replication: with `replicate_weights`, idle crossbars hold copies of the layer's weights and share
its output positions, up to one copy per position. In layer-by-layer execution every layer gets the
whole chip; a pipelined schedule (ISAAC) would pass each layer its share as `available_crossbars`.
Too few crossbars for one copy: the layer runs in ceil(needed / available) passes (the cost of
rewriting the cells between passes is not modelled).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, log2
from typing import TYPE_CHECKING

import numpy

from codesign.cost.crossbar_cells import cell_layout

if TYPE_CHECKING:
    from codesign.arch.cim import CrossbarConfig
    from codesign.ir.loopnest import LoopNest


@dataclass(frozen=True)
class CrossbarMapping:
    """One layer's weights on crossbars: counts per layer, before replication unless named so."""

    rows: int
    """Matrix rows per group: C*R*S."""
    columns: int
    """Matrix columns per group and array: K * weight slices."""
    groups: int
    weight_slices: int
    polarities: int
    """Arrays per weight column: 2 with a differential encoding, else 1."""
    row_tiles: int
    column_tiles: int
    """Column tiles of all arrays: polarities x ceil(columns / crossbar columns)."""
    crossbars: int
    """Crossbars holding one copy of the weights: groups x row_tiles x column_tiles."""
    replication: int
    """Copies of the weights working in parallel (1 without replication)."""
    passes: int
    """Times the crossbars are reloaded because the chip holds fewer than `crossbars` (1 if it fits)."""
    row_utilization: float
    """Rows holding weights / rows of the crossbars used."""
    column_utilization: float
    """Columns holding weight slices / columns of the crossbars used."""
    output_positions: int
    """N*P*Q: input vectors streamed through every crossbar."""
    input_cycles: int
    """Input slices per input vector (bit-serial streaming: input_bits / input_bits_per_cycle)."""
    reads: int
    """Crossbar reads of the whole layer (all crossbars, all copies together)."""
    conversions: int
    """ADC conversions: one per used column per read."""
    row_drives: int
    """Row (DAC/driver) activations: one per driven row per read."""
    cell_reads: int
    """Cells read: driven rows x used columns, summed over reads."""
    max_active_rows: int
    """The most rows one read drives: what sets the ADC resolution."""
    sequential_reads: int
    """Reads one crossbar does one after another: the layer's length in read steps."""
    used_columns_per_crossbar: int
    """The most columns any crossbar uses (what its ADCs must convert per read)."""

    @property
    def cell_utilization(self) -> float:
        """Cells holding weight slices / cells of the crossbars used."""
        return self.row_utilization * self.column_utilization


def required_adc_bits(active_rows: int, cell_bits: int, input_bits_per_cycle: int,
                      nonzero_rows: int | None = None) -> int:
    """Bits that resolve every partial sum of one read exactly.

    A column sums active_rows products of a (2^cell_bits - 1)-level cell and a
    (2^input_bits_per_cycle - 1)-level input: ceil(log2(max sum + 1)) bits. Rows whose weight slice
    is zero add nothing, so with at most `nonzero_rows` non-zero cells per column only those count
    (Ibrayev et al., D.U.B., arXiv 2403.13082: each halving of non-zero rows saves one bit).
    """
    contributing_rows = active_rows if nonzero_rows is None else min(active_rows, nonzero_rows)
    largest_sum = contributing_rows * (2**cell_bits - 1) * (2**input_bits_per_cycle - 1)
    return ceil(log2(largest_sum + 1))


def map_layer(loop_nest: LoopNest, config: CrossbarConfig, available_crossbars: int | None = None) -> CrossbarMapping:
    """Lay the layer's weights on crossbars and count its reads (module docstring)."""
    size = loop_nest.sizes
    layout = cell_layout(config)
    matrix_rows, groups, slices, polarities = size['C'] * size['R'] * size['S'], size['G'], layout.slices, layout.polarities
    matrix_columns = size['K'] * slices
    row_tiles, column_tiles = ceil(matrix_rows / config.rows), polarities * ceil(matrix_columns / config.columns)
    crossbars = groups * row_tiles * column_tiles
    available = config.arrays if available_crossbars is None else available_crossbars
    positions = size['N'] * size['P'] * size['Q']
    input_cycles = ceil(config.input_bits / config.input_bits_per_cycle)
    # Row groups of every row tile, summed: the last tile may hold fewer rows.
    row_groups = sum(ceil(tile_rows / config.rows_per_read) for tile_rows in tile_sizes(matrix_rows, config.rows))
    replication = _replication(crossbars, available, positions, config.replicate_weights)
    vectors = positions * input_cycles  # input slices through each copy of the weights, all copies together
    max_row_groups = ceil(min(matrix_rows, config.rows) / config.rows_per_read)
    return CrossbarMapping(
        rows=matrix_rows, columns=matrix_columns, groups=groups, weight_slices=slices, polarities=polarities,
        row_tiles=row_tiles, column_tiles=column_tiles, crossbars=crossbars, replication=replication,
        passes=ceil(crossbars / available),
        row_utilization=matrix_rows / (row_tiles * config.rows),
        column_utilization=matrix_columns * polarities / (column_tiles * config.columns),
        output_positions=positions, input_cycles=input_cycles,
        reads=vectors * groups * row_groups * column_tiles,
        conversions=vectors * groups * row_groups * matrix_columns * polarities,
        row_drives=vectors * groups * matrix_rows * column_tiles,
        cell_reads=vectors * groups * matrix_rows * matrix_columns * polarities,
        max_active_rows=min(matrix_rows, config.rows, config.rows_per_read),
        sequential_reads=ceil(positions / replication) * input_cycles * max_row_groups,
        used_columns_per_crossbar=min(matrix_columns, config.columns),
    )


def adc_bits_by_crossbar(mapping: CrossbarMapping, config: CrossbarConfig,
                         nonzero_rows: numpy.ndarray | None = None) -> numpy.ndarray:
    """[groups, polarities, row tiles, column tiles per array]: the resolution each crossbar's
    conversions use, min(adc_bits, what its reads need); `nonzero_rows`, the same shape (from
    crossbar_cells.nonzero_rows_by_crossbar), or None for dense weights. Its columns share one ADC
    configuration, so the column with the most non-zero cells sets it (D.U.B.'s 'balanced')."""
    row_tiles = tile_sizes(mapping.rows, config.rows)
    active = numpy.array([min(rows, config.rows_per_read) for rows in row_tiles])
    shape = (mapping.groups, mapping.polarities, len(row_tiles), mapping.column_tiles // mapping.polarities)
    contributing = numpy.broadcast_to(active[None, None, :, None], shape)
    if nonzero_rows is not None:
        contributing = numpy.minimum(contributing, nonzero_rows)
    largest_sums = contributing * (2**config.cell_bits - 1) * (2**config.input_bits_per_cycle - 1)
    needed = numpy.ceil(numpy.log2(largest_sums + 1.0)).astype(numpy.int64)
    return numpy.minimum(needed, config.adc_bits)


def conversions_by_crossbar(mapping: CrossbarMapping, config: CrossbarConfig) -> numpy.ndarray:
    """[row tiles, column tiles per array]: conversions of one crossbar of each position (of every
    group and array alike): input vectors x its row groups x its used columns."""
    vectors = mapping.output_positions * mapping.input_cycles
    row_groups = numpy.array([ceil(rows / config.rows_per_read) for rows in tile_sizes(mapping.rows, config.rows)])
    columns = numpy.array(tile_sizes(mapping.columns, config.columns))
    return vectors * row_groups[:, None] * columns[None, :]


def tile_sizes(total: int, tile: int) -> list[int]:
    """The sizes of the tiles that cut `total` into pieces of at most `tile`."""
    full, rest = divmod(total, tile)
    return [tile] * full + ([rest] if rest else [])


def _replication(crossbars: int, available: int, positions: int, replicate: bool) -> int:
    if not replicate:
        return 1
    return max(1, min(available // crossbars, positions))
