"""A compute layer as the mapper sees it: eight loop bounds and how tensors index them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from codesign.ir import DIMENSION_NAMES, LayerBits, LoopNest, Node

DIMENSIONS = DIMENSION_NAMES  # N G K C P Q R S
INDEX = {name: index for index, name in enumerate(DIMENSIONS)}
TENSORS = ("weight", "input", "output")


def _mask(*names: str) -> numpy.ndarray:
    mask = numpy.zeros(len(DIMENSIONS), dtype=bool)
    mask[[INDEX[name] for name in names]] = True
    return mask


@dataclass(frozen=True, eq=False)
class Problem:
    """Loop bounds (in DIMENSIONS order) plus the convolution window and the bits of one layer."""

    name: str
    sizes: numpy.ndarray
    strides: tuple[int, int] = (1, 1)
    dilations: tuple[int, int] = (1, 1)
    transposed: bool = False
    bits: LayerBits | None = None
    """The widths the layer is costed at (cost/precision.py); None: the target's native ones."""

    @property
    def macs(self) -> int:
        return int(numpy.prod(self.sizes))

    @property
    def key(self) -> tuple:
        """Identical layers share a key, so a network maps each distinct shape and precision once."""
        return (tuple(int(size) for size in self.sizes), self.strides, self.dilations, self.transposed, self.bits)

    def relevant(self, tensor: str) -> numpy.ndarray:
        """Which dimensions index `tensor` (a loop over the others reuses it)."""
        if tensor == "weight":
            return _mask("G", "K", "C", "R", "S")
        window = ("R", "S")
        if tensor == "input":
            return _mask("N", "G", "C", "P", "Q", *(() if self.transposed else window))
        return _mask("N", "G", "K", "P", "Q", *(window if self.transposed else ()))


def problem_of(node: Node, bits: LayerBits | None = None) -> Problem:
    """`node`'s loop nest, costed at `bits` (the target resolves them: target/bits.py)."""
    nest: LoopNest = node.loop_nest
    sizes = numpy.array([nest[name] for name in DIMENSIONS], dtype=numpy.int64)
    transposed = bool(getattr(node.attrs, "transposed", False))
    return Problem(node.name, sizes, nest.strides, nest.dilations, transposed, bits)


def extent(problem: Problem, tensor: str, dims: numpy.ndarray) -> numpy.ndarray:
    """Elements of `tensor` touched by a tile with loop bounds `dims` (..., 8).

    Windows are honoured: an input tile of P output rows and R filter rows spans
    (P - 1) * stride + (R - 1) * dilation + 1 input rows (for ConvTranspose the output
    tile spans them instead).
    """
    n, g, k, c, p, q, r, s = (dims[..., index] for index in range(len(DIMENSIONS)))
    if tensor == "weight":
        return g * k * c * r * s
    windowed = (tensor == "input") != problem.transposed
    if windowed:
        rows = (p - 1) * problem.strides[0] + (r - 1) * problem.dilations[0] + 1
        columns = (q - 1) * problem.strides[1] + (s - 1) * problem.dilations[1] + 1
    else:
        rows, columns = p, q
    channels = c if tensor == "input" else k
    return n * g * channels * rows * columns
