"""The FeFET associative search's read-back errors, as the cost model's array sees them.

Mapping (codesign/cost/fefet_search.py, evaluate_search): each D-bit pattern bit takes two cells
(b and not-b) on two rows, so a pattern spans 2D rows; an array has `rows` of them, so the pattern
is cut into tiles of rows // 2 bits (the last one the remainder). Each tile's partial distance is
one column's charge, digitised by its ADC; the digital periphery adds the tiles' partial distances.

Error model (codesign.cost.fefet.mac_error_rate, the same function `codesign spice search --mc`
compares its Monte Carlo with): for a tile of t bits, a column of 2t active rows at bit density
0.5 (exactly one row of each pair is driven), the probability p_t that the column output is off by
a level or more. Here one level is one mismatching bit. We turn it into a per-distance perturbation
(our choice): each (query, pattern, tile) partial distance is off by +1 or -1, each with probability
p_t / 2, independently and seeded. Off by one is what the model's Gaussian makes by far the most
likely: on fefet_1f1c's 128-row arrays p_t = 0.034, sigma = 0.24 level, and off by two or more has
probability 2 Q(1.5 / sigma) ~ 2e-10. The result is clipped to 0..t, the range the column can read.
Not modelled: the column ADC's resolution (a 5-bit ADC cannot resolve 0..64 in steps of one; the
cost model charges its energy, the accuracy here assumes the distance is read at one-bit steps).
The per-query distance is the sum over tiles.
Cell states: mac_error_rate reads the macro's multi-level cells (the spec's vth_states_V), as the
`spice search` prediction does; a binary-mode search at the extreme states would err far less.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from codesign.arch.cim import FefetArrayConfig
from codesign.arch.schema import Architecture
from codesign.cost.fefet import mac_error_rate
from codesign.cost.fefet_search import CELLS_PER_PATTERN_BIT
from codesign.errors import CodesignError

@dataclass(frozen=True)
class SearchErrorModel:
    """How a D-bit Hamming distance reads back: tiles of `tile_bits`, each wrong with its probability."""

    tile_bits: tuple[int, ...]
    """Bits per array tile, summing to D."""
    error_probabilities: tuple[float, ...]
    """Per tile: the probability its partial distance reads back off by one (either way)."""
    source: str

    @property
    def dimensions(self) -> int:
        return sum(self.tile_bits)


def exact_search(dimensions: int, tile_bits: int | None = None) -> SearchErrorModel:
    """No errors (p = 0), in one tile unless `tile_bits` says otherwise: the ideal search."""
    return uniform_search_errors(dimensions, 0.0, tile_bits)


def uniform_search_errors(dimensions: int, probability: float, tile_bits: int | None = None) -> SearchErrorModel:
    """Every tile of `tile_bits` (default: one tile of all D) wrong with `probability`: for hand-checked cases."""
    _check_dimensions(dimensions)
    if not 0.0 <= probability <= 1.0:
        raise CodesignError(f"search error probability must be in 0..1 (got {probability})")
    tiles = _tiles(dimensions, tile_bits or dimensions)
    return SearchErrorModel(tiles, (probability,) * len(tiles), f"uniform p={probability}")


def search_error_model(arch: Architecture, dimensions: int) -> SearchErrorModel:
    """The error model of a D-bit search on `arch`'s FeFET macro (module docstring)."""
    _check_dimensions(dimensions)
    config = fefet_config(arch)
    tiles = _tiles(dimensions, config.rows // CELLS_PER_PATTERN_BIT)
    probabilities = tuple(mac_error_rate(config, CELLS_PER_PATTERN_BIT * bits)[1] for bits in tiles)
    return SearchErrorModel(tiles, probabilities, f"codesign.cost.fefet.mac_error_rate on {arch.name}'s "
                                                  f"{config.rows}-row arrays")


def fefet_config(arch: Architecture) -> FefetArrayConfig:
    """`arch`'s FeFET macro; a one-line error naming the shipped specs that have one otherwise.
    Asked of the target (capabilities.associative_search), as search_workload.py does: only the
    target registry branches on spec kinds (tests/unit/test_layering.py)."""
    from codesign.target import target_for

    if not target_for(arch).capabilities.associative_search:
        raise CodesignError(f"the HDC search runs on a FeFET search macro (kind fefet_array: fefet_1f1c, "
                            f"fefet_1f1c_calibrated); '{arch.name}' ends in kind {arch.compute.kind!r}")
    return arch.compute


def read_distances(query_bits: numpy.ndarray, pattern_bits: numpy.ndarray, model: SearchErrorModel,
                   generator: numpy.random.Generator) -> numpy.ndarray:
    """[N, patterns] Hamming distances of bit vectors as the array reads them back under `model`."""
    if query_bits.shape[1] != model.dimensions or pattern_bits.shape[1] != model.dimensions:
        raise CodesignError(f"search: the error model is for {model.dimensions} bits, the vectors have "
                            f"{query_bits.shape[1]} and {pattern_bits.shape[1]}")
    total = numpy.zeros((len(query_bits), len(pattern_bits)), dtype=numpy.int64)
    start = 0
    for bits, probability in zip(model.tile_bits, model.error_probabilities, strict=True):
        exact = _mismatches(query_bits[:, start:start + bits], pattern_bits[:, start:start + bits])
        total += numpy.clip(exact + _level_errors(exact.shape, probability, generator), 0, bits)
        start += bits
    return total


def _mismatches(query_bits: numpy.ndarray, pattern_bits: numpy.ndarray) -> numpy.ndarray:
    """[N, patterns] count of differing bits (XOR then popcount, as the column's charge counts them)."""
    queries = query_bits.astype(numpy.int64)
    patterns = pattern_bits.astype(numpy.int64)
    return queries @ (1 - patterns).T + (1 - queries) @ patterns.T


def _level_errors(shape: tuple[int, ...], probability: float, generator: numpy.random.Generator) -> numpy.ndarray:
    """-1, 0 or +1 per entry: off by one level with `probability`, either way equally likely."""
    wrong = generator.random(shape) < probability
    direction = numpy.where(generator.random(shape) < 0.5, -1, 1)
    return numpy.where(wrong, direction, 0)


def _tiles(dimensions: int, tile_bits: int) -> tuple[int, ...]:
    full, remainder = divmod(dimensions, tile_bits)
    return (tile_bits,) * full + ((remainder,) if remainder else ())


def _check_dimensions(dimensions: int) -> None:
    if dimensions < 1:
        raise CodesignError(f"hypervector dimensions must be at least 1 (got {dimensions})")
