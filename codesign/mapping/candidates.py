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

import itertools
import math

import numpy

from codesign.cost.dataflow import ORDERS, Candidates, capacity_use, inner_products
from codesign.cost.hardware import Axis, Hardware
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
    spatial, loop_dims, loop_primes = [], [], []
    for option in spatial_options(problem, hardware):
        residual = -(-problem.sizes // option.prod(axis=0))
        dims, primes = _orderings(residual, _option_seed(seed, option), random_orderings)
        spatial.append(numpy.repeat(option[None], len(dims), axis=0))
        loop_dims.append(dims)
        loop_primes.append(primes)
    width = max(dims.shape[1] for dims in loop_dims)
    loop_dims = numpy.concatenate([_pad(dims, width, 0) for dims in loop_dims])
    loop_primes = numpy.concatenate([_pad(primes, width, 1) for primes in loop_primes])
    return _allocate(problem, hardware, numpy.concatenate(spatial), loop_dims, loop_primes)


def spatial_options(problem: Problem, hardware: Hardware) -> list[numpy.ndarray]:
    """(axes, 8) unrolling factors per option, the largest total unrolling first."""
    options = [(numpy.ones((len(hardware.axes), len(DIMENSIONS)), dtype=numpy.int64), problem.sizes.copy())]
    for index, axis in enumerate(hardware.axes):
        extended = []
        for factors, remaining in options:
            for choice in _axis_choices(axis, remaining):
                new_factors = factors.copy()
                new_factors[index] = choice
                extended.append((new_factors, -(-remaining // choice)))
        options = extended
    options.sort(key=lambda item: (-int(item[0].prod()), item[0].tobytes()))
    return [factors for factors, _ in options[:MAX_SPATIAL_OPTIONS]]


def _axis_choices(axis: Axis, remaining: numpy.ndarray) -> list[numpy.ndarray]:
    """Ways to unroll one or two allowed dimensions across `axis`, the largest first."""
    singles = {int(dimension): _factor_choices(int(remaining[dimension]), axis.size)
               for dimension in numpy.flatnonzero(axis.allowed) if remaining[dimension] > 1}
    choices = [{}]
    choices += [{dimension: factor} for dimension, factors in singles.items() for factor in factors]
    for (first, first_factors), (second, second_factors) in itertools.combinations(singles.items(), 2):
        choices += [{first: a, second: b} for a in first_factors for b in second_factors if a * b <= axis.size]
    choices.sort(key=lambda choice: (-math.prod(choice.values()), sorted(choice.items())))
    rows = []
    for choice in choices[:CHOICES_PER_AXIS]:
        row = numpy.ones(len(DIMENSIONS), dtype=numpy.int64)
        for dimension, factor in choice.items():
            row[dimension] = factor
        rows.append(row)
    return rows


def _factor_choices(size: int, limit: int) -> list[int]:
    """Divisors of `size` up to `limit`, plus the even split when `size` exceeds it (7 of 13 on 12)."""
    divisors = [factor for factor in range(2, min(size, limit) + 1) if size % factor == 0]
    if size > limit:
        divisors.append(-(-size // -(-size // limit)))
    return sorted(set(divisors))


def _option_seed(seed: int, option: numpy.ndarray) -> list[int]:
    return [seed, *option.ravel().tolist()]


def _orderings(residual: numpy.ndarray, seed: list[int], count: int) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(orderings, loops) dimension index and prime of every temporal loop, innermost first."""
    dims = numpy.array([d for d, size in enumerate(residual) for _ in prime_factors(int(size))], dtype=numpy.int64)
    primes = numpy.array([p for size in residual for p in prime_factors(int(size))], dtype=numpy.int64)
    rows = []
    for order in ORDERS:  # stationary orders: all loops of a dimension together
        rank = numpy.argsort(order)[dims]
        rows.append(numpy.argsort(rank, kind="stable"))
    random = numpy.random.default_rng(seed)
    rows += [random.permutation(len(dims)) for _ in range(count)]
    permutations = numpy.array(rows, dtype=numpy.int64).reshape(len(rows), len(dims))
    return dims[permutations], primes[permutations]


def _pad(array: numpy.ndarray, width: int, value: int) -> numpy.ndarray:
    return numpy.pad(array, ((0, 0), (0, width - array.shape[1])), constant_values=value)


def _allocate(problem, hardware, spatial, loop_dims, loop_primes) -> Candidates:
    """Deal the ordered loops to the memory levels, innermost level first, while all fit."""
    count, loop_count = loop_dims.shape
    rows = numpy.arange(count)
    factors = numpy.ones((count, hardware.slot_count, len(DIMENSIONS)), dtype=numpy.int64)
    for index, axis in enumerate(hardware.axes):
        factors[:, axis.slot, :] = spatial[:, index, :]
    capacities = numpy.array([level.capacity_words for level in hardware.levels])
    level_of_loop = numpy.zeros((count, loop_count), dtype=numpy.int64)
    pointer = numpy.zeros(count, dtype=numpy.int64)
    for level_index in reversed(range(1, len(hardware.levels))):
        slot = hardware.levels[level_index].slot
        open_rows = numpy.ones(count, dtype=bool)
        for _ in range(loop_count):
            active = rows[open_rows & (pointer < loop_count)]
            if len(active) == 0:
                break
            trial = factors[active].copy()
            dims = loop_dims[active, pointer[active]]
            trial[numpy.arange(len(active)), slot, dims] *= loop_primes[active, pointer[active]]
            fits = (capacity_use(problem, hardware, inner_products(trial)) <= capacities).all(axis=1)
            accepted = active[fits]
            factors[accepted] = trial[fits]
            level_of_loop[accepted, pointer[accepted]] = level_index
            pointer[accepted] += 1
            open_rows[active[~fits]] = False
    outermost = hardware.levels[0].slot
    for position in range(loop_count):  # DRAM takes every loop left over
        left = rows[pointer <= position]
        factors[left, outermost, loop_dims[left, position]] *= loop_primes[left, position]
    return Candidates(factors, _level_orders(hardware, loop_dims, level_of_loop))


def _level_orders(hardware, loop_dims, level_of_loop) -> numpy.ndarray:
    """Each level's loop order: its dimensions by first appearance in the ordering."""
    count, loop_count = loop_dims.shape
    first = numpy.full((count, len(hardware.levels), len(DIMENSIONS)), loop_count, dtype=numpy.int64)
    positions = numpy.broadcast_to(numpy.arange(loop_count), (count, loop_count))
    for position in reversed(range(loop_count)):
        first[numpy.arange(count), level_of_loop[:, position], loop_dims[:, position]] = positions[:, position]
    return numpy.argsort(first, axis=2, kind="stable")


def minimal_candidate(problem: Problem, hardware: Hardware) -> Candidates:
    """Everything looped at the outermost level: the smallest tiles any mapping can have."""
    factors = numpy.ones((1, hardware.slot_count, len(DIMENSIONS)), dtype=numpy.int64)
    factors[0, hardware.levels[0].slot, :] = problem.sizes
    orders = numpy.broadcast_to(ORDERS[0], (1, len(hardware.levels), len(DIMENSIONS))).copy()
    return Candidates(factors, orders)
