"""Where a layer's weights sit on the crossbars, for the crossbar-aware pruner: the same im2col
matrices, bit slices, tiles and reads the cost model counts (codesign/cost/crossbar_cells.py,
crossbar_mapping.py), and the masks a choice of sparsity levels allows.

A crossbar here is one (group, row tile, column tile) of a layer: with a differential encoding
its positive and negative arrays hold the same weights' two signs and prune together. Its
sparsity level L allows each column at most ceil(rows of the read / L) non-zero weights among
the rows of one read (D.U.B.: Discrete levels, Unstructured within a column); a weight's bit
slices sit on adjacent columns, so a weight is kept or pruned in all of them, and an output
whose slices straddle two column tiles obeys the stricter of the two levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import numpy

from codesign.arch.cim import CrossbarConfig
from codesign.cost.crossbar_cells import CellLayout, cell_layout, read_groups
from codesign.cost.crossbar_mapping import required_adc_bits, tile_sizes
from codesign.cost.in_memory import weight_matrices
from codesign.ir import MatMulAttrs, Node


@dataclass(frozen=True)
class LayerCrossbars:
    """One layer's crossbars (module docstring)."""

    name: str
    weight_shape: tuple[int, ...]
    groups: int
    rows: int
    """Matrix rows per group: C*R*S."""
    outputs: int
    """Matrix columns per group before slicing: K / groups."""
    layout: CellLayout
    transposed: bool
    """A MatMul whose stored weight is [K, rows] (transB)."""
    config: CrossbarConfig
    """The macro at this layer's bits."""

    @property
    def reads(self) -> list[tuple[int, int]]:
        return read_groups(self.rows, self.layout.tile_rows, self.layout.rows_per_read)

    @property
    def row_tiles(self) -> int:
        return ceil(self.rows / self.layout.tile_rows)

    @property
    def column_tiles(self) -> int:
        """Column tiles of one array."""
        return ceil(self.outputs * self.layout.slices / self.layout.tile_columns)

    @property
    def crossbars(self) -> int:
        return self.groups * self.row_tiles * self.column_tiles

    def output_tiles(self) -> tuple[numpy.ndarray, numpy.ndarray]:
        """The first and last column tile each output's slices occupy."""
        first_column = numpy.arange(self.outputs) * self.layout.slices
        return first_column // self.layout.tile_columns, (first_column + self.layout.slices - 1) // self.layout.tile_columns

    def active_rows(self) -> numpy.ndarray:
        """Per row tile, the rows one read drives (what a dense crossbar's columns can sum)."""
        return numpy.array([min(rows, self.layout.rows_per_read) for rows in tile_sizes(self.rows, self.layout.tile_rows)])

    def matrices(self, weights: numpy.ndarray) -> numpy.ndarray:
        """[groups, rows, outputs] of a weight tensor shaped like this layer's."""
        if self.transposed:
            return weights.T[None]
        if len(self.weight_shape) == 2:
            return weights[None]
        return weights.reshape(self.groups, self.outputs, -1).transpose(0, 2, 1)

    def weights(self, matrices: numpy.ndarray) -> numpy.ndarray:
        """The weight tensor of [groups, rows, outputs] matrices (matrices' inverse)."""
        if self.transposed:
            return matrices[0].T
        if len(self.weight_shape) == 2:
            return matrices[0]
        return matrices.transpose(0, 2, 1).reshape(self.weight_shape)

    def caps(self, levels: numpy.ndarray) -> numpy.ndarray:
        """[groups, reads, outputs]: the non-zero weights a column may hold in each read, for
        `levels` [groups, row tiles, column tiles]."""
        first, last = self.output_tiles()
        strictest = numpy.maximum(levels[:, :, first], levels[:, :, last])  # [groups, row tiles, outputs]
        reads = self.reads
        read_tiles = numpy.array([start // self.layout.tile_rows for start, _ in reads])
        read_rows = numpy.array([stop - start for start, stop in reads])
        return numpy.ceil(read_rows[None, :, None] / strictest[:, read_tiles, :]).astype(numpy.int64)

    def mask(self, weights: numpy.ndarray, levels: numpy.ndarray) -> numpy.ndarray:
        """Boolean weight-shaped mask keeping, in every column and read, the largest |w| the
        levels allow (ties: the first rows)."""
        magnitudes = numpy.abs(self.matrices(weights))
        caps = self.caps(levels)
        keep = numpy.zeros(magnitudes.shape, dtype=bool)
        for index, (start, stop) in enumerate(self.reads):
            block = magnitudes[:, start:stop]
            ranks = numpy.argsort(numpy.argsort(-block, axis=1, kind="stable"), axis=1, kind="stable")
            keep[:, start:stop] = ranks < caps[:, index][:, None, :]
        return self.weights(keep)

    def pruned_by_step(self, weights: numpy.ndarray, levels: tuple[int, ...]) -> numpy.ndarray:
        """[groups, row tiles, column tiles, len(levels) - 1]: sum of w^2 over the weights that
        going from levels[j] to levels[j + 1] prunes on each crossbar (every other crossbar dense)."""
        squares = self.matrices(weights) ** 2
        first, _ = self.output_tiles()
        result = numpy.zeros((self.groups, self.row_tiles, self.column_tiles, len(levels) - 1))
        for start, stop in self.reads:
            tile = start // self.layout.tile_rows
            ordered = -numpy.sort(-squares[:, start:stop], axis=1)  # largest first, per column
            kept_sums = numpy.concatenate([numpy.zeros_like(ordered[:, :1]), numpy.cumsum(ordered, axis=1)], axis=1)
            caps = [ceil((stop - start) / level) for level in levels]
            for step in range(len(levels) - 1):
                lost = kept_sums[:, caps[step]] - kept_sums[:, caps[step + 1]]  # [groups, outputs]
                numpy.add.at(result[:, tile, :, step], (slice(None), first), lost)
        return result

    def adc_bits_at(self, levels: tuple[int, ...]) -> numpy.ndarray:
        """[row tiles, len(levels)]: the resolution a crossbar of each row tile needs at each
        level (its non-zero rows per read at most the cap), at most the spec's adc_bits."""
        config = self.config
        return numpy.array([[min(config.adc_bits, required_adc_bits(active, config.cell_bits, config.input_bits_per_cycle,
                                                                     ceil(active / level)))
                             for level in levels] for active in self.active_rows()])


def layer_crossbars(node: Node, config: CrossbarConfig) -> LayerCrossbars | None:
    """`node`'s crossbars with the macro at its bits (`config`), or None when its weights are not
    constants the crossbar holds."""
    matrices = weight_matrices(node)
    if matrices is None:
        return None
    groups, rows, outputs = matrices.shape
    transposed = isinstance(node.attrs, MatMulAttrs) and node.attrs.transpose_b
    return LayerCrossbars(node.name, tuple(node.weight.data.shape), groups, rows, outputs, cell_layout(config),
                          transposed, config)
