"""How one Conv/Gemm/MatMul layer is laid out on analog crossbars, and how many reads it takes.

im2col unrolling (ISAAC, Shafiee et al., ISCA 2016; NeuroSim's "conventional mapping"): each group
of the loop nest is a weight matrix of C*R*S rows (one per input of a receptive field) and K
outputs; each weight is split into ceil(weight_bits / cell_bits) bit slices on adjacent columns,
so a group needs K * slices columns. The matrix is cut into crossbar-sized tiles:
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

if TYPE_CHECKING:
    from codesign.arch.cim import CrossbarConfig
    from codesign.ir.loopnest import LoopNest


@dataclass(frozen=True)
class CrossbarMapping:
    """One layer's weights on crossbars: counts per layer, before replication unless named so."""

    rows: int
    """Matrix rows per group: C*R*S."""
    columns: int
    """Matrix columns per group: K * weight slices."""
    groups: int
    weight_slices: int
    row_tiles: int
    column_tiles: int
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
    matrix_rows, groups = size['C'] * size['R'] * size['S'], size['G']
    slices = ceil(config.weight_bits / config.cell_bits)
    matrix_columns = size['K'] * slices
    row_tiles, column_tiles = ceil(matrix_rows / config.rows), ceil(matrix_columns / config.columns)
    crossbars = groups * row_tiles * column_tiles
    available = config.arrays if available_crossbars is None else available_crossbars
    positions = size['N'] * size['P'] * size['Q']
    input_cycles = ceil(config.input_bits / config.input_bits_per_cycle)
    # Row groups of every row tile, summed: the last tile may hold fewer rows.
    row_groups = sum(ceil(tile_rows / config.rows_per_read) for tile_rows in _tile_sizes(matrix_rows, config.rows))
    replication = _replication(crossbars, available, positions, config.replicate_weights)
    vectors = positions * input_cycles  # input slices through each copy of the weights, all copies together
    max_row_groups = ceil(min(matrix_rows, config.rows) / config.rows_per_read)
    return CrossbarMapping(
        rows=matrix_rows, columns=matrix_columns, groups=groups, weight_slices=slices,
        row_tiles=row_tiles, column_tiles=column_tiles, crossbars=crossbars, replication=replication,
        passes=ceil(crossbars / available),
        row_utilization=matrix_rows / (row_tiles * config.rows),
        column_utilization=matrix_columns / (column_tiles * config.columns),
        output_positions=positions, input_cycles=input_cycles,
        reads=vectors * groups * row_groups * column_tiles,
        conversions=vectors * groups * row_groups * matrix_columns,
        row_drives=vectors * groups * matrix_rows * column_tiles,
        cell_reads=vectors * groups * matrix_rows * matrix_columns,
        max_active_rows=min(matrix_rows, config.rows, config.rows_per_read),
        sequential_reads=ceil(positions / replication) * input_cycles * max_row_groups,
        used_columns_per_crossbar=min(matrix_columns, config.columns),
    )


def _tile_sizes(total: int, tile: int) -> list[int]:
    """The sizes of the tiles that cut `total` into pieces of at most `tile`."""
    full, rest = divmod(total, tile)
    return [tile] * full + ([rest] if rest else [])


def _replication(crossbars: int, available: int, positions: int, replicate: bool) -> int:
    if not replicate:
        return 1
    return max(1, min(available // crossbars, positions))
