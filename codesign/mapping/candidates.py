"""Candidate mappings: spatial unrollings enumerated, temporal loops allocated greedily.

Like ZigZag's LOMA: each candidate starts from one way to unroll loops across the
fan-outs (enumerated from the axes' unroll lists) and one ordering of the remaining
temporal loops (one loop per prime factor, innermost first: six orders that keep one
tensor stationary, plus seeded random ones). The loops are then dealt out bottom-up:
the innermost memory level takes loops from the front of the ordering for as long as
every level still fits, then the next level, and DRAM takes the rest.

The orderings depend only on the layer, the spatial unrolling and the seed, never on
capacities; and every unrolling of a smaller array is also one of a larger array (until
the option limits below cut the list). So a larger buffer or array never makes the
best-found DRAM traffic or cycles worse.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy

from codesign.cost.dataflow import ORDERS, Candidates, inner_products, level_use
from codesign.cost.precision import word_shares
from codesign.cost.hardware import Hardware
from codesign.cost.problem import DIMENSIONS, Problem

CHOICES_PER_AXIS = 16
MAX_SPATIAL_OPTIONS = 256
RANDOM_ORDERINGS = 32


def prime_factors(number: int) -> list[int]:
    factors, divisor = [], 2
    while divisor * divisor <= number:
        while number % divisor == 0:
            factors.append(divisor)
            number //= divisor
        divisor += 1
    return factors + ([number] if number > 1 else [])


def generate(problem: Problem, hardware: Hardware, seed: int = 0,
             random_orderings: int = RANDOM_ORDERINGS) -> Candidates:
    """Candidates for each spatial unrolling: the stationary orderings and `random_orderings`
    seeded random ones, each dealt out to the levels."""
    options = spatial_options(problem, hardware)
    loops = [_loops(tuple(int(size) for size in -(-problem.sizes // option.prod(axis=0)))) for option in options]
    per_option = len(ORDERS) + random_orderings
    width = max(len(dims) for dims, _, _ in loops)
    count = len(options) * per_option
    loop_dims = numpy.zeros((count, width), dtype=numpy.int64)  # padding: factor-1 loops
    loop_primes = numpy.ones((count, width), dtype=numpy.int64)
    for index, (option, (dims, primes, stationary)) in enumerate(zip(options, loops)):
        random = numpy.random.default_rng(_option_seed(seed, option))
        # rng.permuted row by row draws exactly what one rng.permutation call per row would
        shuffled = random.permuted(numpy.tile(numpy.arange(len(dims)), (random_orderings, 1)), axis=1)
        permutations = numpy.concatenate([stationary, shuffled])
        rows = slice(index * per_option, (index + 1) * per_option)
        loop_dims[rows, :len(dims)] = dims[permutations]
        loop_primes[rows, :len(dims)] = primes[permutations]
    spatial = numpy.repeat(numpy.stack(options), per_option, axis=0)
    return _allocate(problem, hardware, spatial, loop_dims, loop_primes)


def spatial_options(problem: Problem, hardware: Hardware) -> list[numpy.ndarray]:
    """(axes, 8) unrolling factors per option, the largest total unrolling first (ties: by the
    factors' bytes, so the order never depends on how the options were built)."""
    factors = numpy.ones((1, len(hardware.axes), len(DIMENSIONS)), dtype=numpy.int64)
    remaining = problem.sizes[None].copy()
    for index, axis in enumerate(hardware.axes):
        allowed = numpy.flatnonzero(axis.allowed)
        keys, inverse = numpy.unique(remaining[:, allowed], axis=0, return_inverse=True)
        grown_factors, grown_remaining = [], []
        for key_index, key in enumerate(keys):  # options that leave the same sizes to this axis
            members = numpy.flatnonzero(inverse.ravel() == key_index)
            choices = _axis_choices(axis.size, tuple(allowed.tolist()), tuple(key.tolist()))
            grown = numpy.repeat(factors[members], len(choices), axis=0)
            grown[:, index] = numpy.tile(choices, (len(members), 1))
            grown_factors.append(grown)
            grown_remaining.append(-(-numpy.repeat(remaining[members], len(choices), axis=0) // grown[:, index]))
        factors, remaining = numpy.concatenate(grown_factors), numpy.concatenate(grown_remaining)
    if not hardware.axes:
        return [factors[0]]
    flat = numpy.ascontiguousarray(factors.reshape(len(factors), -1))
    as_bytes = flat.view(numpy.dtype((numpy.void, flat.shape[1] * flat.itemsize))).ravel()
    by_bytes = numpy.argsort(as_bytes, kind="stable")  # void compares like bytes.__lt__
    ranked = by_bytes[numpy.argsort(-flat[by_bytes].prod(axis=1), kind="stable")]
    return list(factors[ranked[:MAX_SPATIAL_OPTIONS]])


@functools.lru_cache(maxsize=65536)
def _axis_choices(size: int, allowed: tuple[int, ...], remaining: tuple[int, ...]) -> numpy.ndarray:
    """(choices, 8) ways to unroll one or two allowed dimensions across an axis of `size` instances,
    the largest first; `remaining`: the allowed dimensions' sizes left to unroll."""
    singles = {dimension: _factor_choices(left, size) for dimension, left in zip(allowed, remaining) if left > 1}
    choices = [{}]
    choices += [{dimension: factor} for dimension, factors in singles.items() for factor in factors]
    for (first, first_factors), (second, second_factors) in itertools.combinations(singles.items(), 2):
        choices += [{first: a, second: b} for a in first_factors for b in second_factors if a * b <= size]
    choices.sort(key=lambda choice: (-math.prod(choice.values()), sorted(choice.items())))
    rows = numpy.ones((min(len(choices), CHOICES_PER_AXIS), len(DIMENSIONS)), dtype=numpy.int64)
    for row, choice in zip(rows, choices):
        for dimension, factor in choice.items():
            row[dimension] = factor
    rows.flags.writeable = False  # cached: shared between calls
    return rows


def _factor_choices(size: int, limit: int) -> list[int]:
    """Divisors of `size` up to `limit`, plus the even split when `size` exceeds it (7 of 13 on 12)."""
    divisors = [factor for factor in range(2, min(size, limit) + 1) if size % factor == 0]
    if size > limit:
        divisors.append(-(-size // -(-size // limit)))
    return sorted(set(divisors))


def _option_seed(seed: int, option: numpy.ndarray) -> list[int]:
    return [seed, *option.ravel().tolist()]


@functools.lru_cache(maxsize=4096)
def _loops(residual: tuple[int, ...]) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """The temporal loops left after a spatial unrolling (dimension index and prime of each, one
    per prime factor) and the stationary orderings of them (all loops of a dimension together,
    innermost first, one row per ORDERS entry)."""
    dims = numpy.array([d for d, size in enumerate(residual) for _ in prime_factors(size)], dtype=numpy.int64)
    primes = numpy.array([p for size in residual for p in prime_factors(size)], dtype=numpy.int64)
    stationary = [numpy.argsort(numpy.argsort(order)[dims], kind="stable") for order in ORDERS]
    stationary = numpy.array(stationary, dtype=numpy.int64).reshape(len(ORDERS), len(dims))
    for array in (dims, primes, stationary):
        array.flags.writeable = False  # cached: shared between calls
    return dims, primes, stationary


def _allocate(problem, hardware, spatial, loop_dims, loop_primes) -> Candidates:
    """Deal the ordered loops to the memory levels, innermost level first, while all fit."""
    count, loop_count = loop_dims.shape
    factors = numpy.ones((count, hardware.slot_count, len(DIMENSIONS)), dtype=numpy.int64)
    for index, axis in enumerate(hardware.axes):
        factors[:, axis.slot, :] = spatial[:, index, :]
    inner = inner_products(factors)
    prefix = numpy.ones((count, loop_count + 1, len(DIMENSIONS)), dtype=numpy.int64)
    prefix[:, 1:] = numpy.cumprod(_one_hot(loop_dims, loop_primes), axis=1)  # the first k loops' product
    flat_prefix, row_start = prefix.reshape(-1, len(DIMENSIONS)), numpy.arange(count) * (loop_count + 1)
    ends = numpy.zeros((len(hardware.levels), count), dtype=numpy.int64)  # where each level's loops end
    pointer = numpy.zeros(count, dtype=numpy.int64)
    for level_index in reversed(range(1, len(hardware.levels))):
        slot = hardware.levels[level_index].slot
        taken = _run_lengths(problem, hardware, level_index, inner, prefix, pointer)
        product = flat_prefix.take(row_start + pointer + taken, axis=0) // flat_prefix.take(row_start + pointer, axis=0)
        factors[:, slot, :] = product
        inner[:, :slot + 1, :] *= product[:, None, :]
        pointer += taken
        ends[level_index] = pointer
    # DRAM takes every loop left over: what the spatial and on-chip factors leave of each bound
    factors[:, hardware.levels[0].slot, :] = prefix[:, -1] // flat_prefix.take(row_start + pointer, axis=0)
    # a loop's level: the innermost dealt first, so count the levels whose run ended at or before it
    level_of_loop = len(hardware.levels) - 1 - (numpy.arange(loop_count) >= ends[1:, :, None]).sum(axis=0)
    return Candidates(factors, _level_orders(hardware, loop_dims, level_of_loop))


def _run_lengths(problem, hardware, level_index, inner, prefix, pointer) -> numpy.ndarray:
    """How many loops from `pointer` on the level takes: as many as keep every level fitting.

    Tiles only grow with more loops, so whether k loops fit is monotone in k: a binary search
    per row finds the most (the loops from `pointer` to `pointer + k` multiply the tiles by
    prefix[pointer + k] / prefix[pointer])."""
    count, loop_count = len(prefix), prefix.shape[1] - 1
    slot = hardware.levels[level_index].slot
    shares = word_shares(problem, hardware).stored
    affected = [index for index, level in enumerate(hardware.levels)
                if level.slot <= slot and numpy.isfinite(level.capacity_words)]  # DRAM holds anything
    fits_below = numpy.ones(count, dtype=bool)
    for index, level in enumerate(hardware.levels):
        if level.slot > slot:  # below: tiles unchanged by this level's loops
            fits_below &= level_use(problem, level, shares[index], inner[:, level.slot, :]) <= level.capacity_words
    fitting = numpy.zeros(count, dtype=numpy.int64)  # loops known to fit (0: none need to)
    failing = loop_count - pointer + 1  # loops known not to fit (one past the last there is)
    failing[~fits_below] = 1
    flat_prefix = prefix.reshape(-1, len(DIMENSIONS))  # row m, k loops: m * (loop_count + 1) + k
    flat_inner, inner_start = inner.reshape(-1, len(DIMENSIONS)), numpy.arange(count) * inner.shape[1]
    active = numpy.flatnonzero(failing - fitting > 1)
    while len(active):
        trial = (fitting[active] + failing[active]) // 2
        trial[fitting[active] == 0] = 1  # most levels take few loops: try one first
        start = active * (loop_count + 1) + pointer[active]
        run = flat_prefix.take(start + trial, axis=0) // flat_prefix.take(start, axis=0)
        fits = numpy.ones(len(active), dtype=bool)
        for index in affected:
            level = hardware.levels[index]
            tiles = flat_inner.take(inner_start[active] + level.slot, axis=0)
            use = level_use(problem, level, shares[index], tiles * run)
            fits &= use <= level.capacity_words
        fitting[active[fits]] = trial[fits]
        failing[active[~fits]] = trial[~fits]
        active = active[failing[active] - fitting[active] > 1]
    return fitting


_DIMENSION_INDICES = numpy.arange(len(DIMENSIONS))


def _one_hot(dims: numpy.ndarray, primes: numpy.ndarray) -> numpy.ndarray:
    """(M, K, 8): each loop as a factor per dimension (its prime at its dimension, else 1)."""
    return numpy.where(dims[..., None] == _DIMENSION_INDICES, primes[..., None], 1)


def _level_orders(hardware, loop_dims, level_of_loop) -> numpy.ndarray:
    """Each level's loop order: its dimensions by first appearance in the ordering."""
    count, loop_count = loop_dims.shape
    first = numpy.full((count, len(hardware.levels) * len(DIMENSIONS)), loop_count, dtype=numpy.int64)
    slots = level_of_loop * len(DIMENSIONS) + loop_dims
    numpy.minimum.at(first, (numpy.arange(count)[:, None], slots), numpy.arange(loop_count)[None, :])
    first = first.reshape(count, len(hardware.levels), len(DIMENSIONS))
    return numpy.argsort(first, axis=2, kind="stable")


def minimal_candidate(problem: Problem, hardware: Hardware) -> Candidates:
    """Everything looped at the outermost level: the smallest tiles any mapping can have."""
    factors = numpy.ones((1, hardware.slot_count, len(DIMENSIONS)), dtype=numpy.int64)
    factors[0, hardware.levels[0].slot, :] = problem.sizes
    orders = numpy.broadcast_to(ORDERS[0], (1, len(hardware.levels), len(DIMENSIONS))).copy()
    return Candidates(factors, orders)
