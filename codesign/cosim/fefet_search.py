"""Associative (Hamming-distance) search on one 1FeFET-1C column in ngspice.

The mapping of codesign/cost/fefet_search.py: a D-bit stored pattern b occupies 2D rows, bit k in
row 2k (weight b_k) and its complement in row 2k+1 (weight not b_k); the query drives row 2k with
not q_k and row 2k+1 with q_k. A cell charges only where its weight and its input are both 1, i.e.
b_k & !q_k or !b_k & q_k: exactly one cell of each mismatched pair, none of a matched pair. The
match line (the column's sense node) therefore holds
    V_ml = V_read * C_cell * distance / (C_sense + 2D * C_cell),
codesign.cost.fefet.sense_voltage_V with rows = 2D and each charged cell at the top level.
The column netlist (PTM 45 nm FeFETs and switches, bit line, capacitor mismatch and Vth variation
of column_parasitics), its measurement and its Vth model are fefet_column.py's, called unchanged:
the match line carries the same offset, gain error and uneven steps as the MAC column.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy

from codesign.arch.cim import FefetArrayConfig
from codesign.cosim.column_parasitics import ColumnNonIdealities, draw_column
from codesign.cosim.fefet_column import (
    ColumnMonteCarlo,
    analytical_sense_V,
    drawn_case,
    monte_carlo,
    simulate_columns,
)
from codesign.errors import CodesignError


def search_config(config: FefetArrayConfig, bits: int) -> FefetArrayConfig:
    """The config of a column holding one `bits`-bit pattern: 2 * bits rows."""
    return config.model_copy(update={"rows": 2 * bits})


def search_rows(pattern: Sequence[int], query: Sequence[int]) -> tuple[list[int], list[int]]:
    """(cell weights, row inputs) of the 2D rows: [b0, !b0, b1, !b1, ...] and [!q0, q0, !q1, q1, ...]."""
    if len(pattern) != len(query):
        raise CodesignError(f"fefet search: pattern has {len(pattern)} bits, query {len(query)}")
    weights, inputs = [], []
    for stored, asked in zip(pattern, query, strict=True):
        weights += [int(bool(stored)), int(not stored)]
        inputs += [int(not asked), int(bool(asked))]
    return weights, inputs


def query_at_distance(pattern: Sequence[int], distance: int, generator: numpy.random.Generator) -> list[int]:
    """The pattern with `distance` of its bits (chosen at random) flipped."""
    if not 0 <= distance <= len(pattern):
        raise CodesignError(f"fefet search: distance {distance} outside 0..{len(pattern)}")
    flipped = set(generator.permutation(len(pattern))[:distance].tolist())
    return [int(bool(bit)) ^ (index in flipped) for index, bit in enumerate(pattern)]


def analytical_match_V(config: FefetArrayConfig, bits: int, distance: int) -> float:
    """The charge-sharing model's match-line voltage (rows = 2 * bits; a charged cell at V_read)."""
    return analytical_sense_V(search_config(config, bits), distance)


def search_sweep(config: FefetArrayConfig, bits: int, distances: Sequence[int], seed: int = 0,
                 time_limit_s: float = 60.0, nonideal: ColumnNonIdealities | None = None) -> list[tuple[int, float]]:
    """(distance, simulated match-line voltage) for one random stored pattern and a query per distance.

    One drawn column (capacitor mismatch, Vth variation: `nonideal`, by default the spec's figures
    drawn from `seed`) holds the pattern throughout, as a written array would.
    """
    column = search_config(config, bits)
    nonideal = nonideal or ColumnNonIdealities.from_config(column, seed=seed)
    draw = draw_column(nonideal, column, 2 * bits)
    generator = numpy.random.default_rng(seed)
    pattern = generator.integers(0, 2, bits).tolist()
    cases = [drawn_case(column, draw, *search_rows(pattern, query_at_distance(pattern, distance, generator)))
             for distance in distances]
    results = simulate_columns(column, cases, f"fefet search D={bits}", time_limit_s, nonideal)
    return [(int(distance), result.sense_V) for distance, result in zip(distances, results, strict=True)]


def search_monte_carlo(config: FefetArrayConfig, bits: int, runs: int, predicted: float,
                       sigma_V: float | None = None, seed: int = 0, method: str = "auto",
                       progress=None) -> ColumnMonteCarlo:
    """How often a search reads back a wrong Hamming distance under Vth variation, with its interval.

    One random stored pattern (seeded) and a query at distance bits // 2: the match line is the
    column of 2D rows that fefet_column.monte_carlo samples (its read-back, its estimators).
    """
    generator = numpy.random.default_rng(seed)
    pattern = generator.integers(0, 2, bits).tolist()
    weights, inputs = search_rows(pattern, query_at_distance(pattern, bits // 2, generator))
    return monte_carlo(search_config(config, bits), weights, inputs, runs, predicted, seed, sigma_V, method,
                       progress)
