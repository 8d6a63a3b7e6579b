"""Associative search on the 1FeFET-1C array, and the GPU it is compared against.

Search (the symbolic half of neuro-symbolic AI, REFERENCES.md section 4): find, for each query,
the stored pattern nearest in Hamming distance. Mapping, our choice:
  - one D-bit pattern per column, each bit in two cells on two rows, storing b and not-b
    (binary mode: the extreme Vth states), so a column of 2D rows holds one pattern;
  - the query is broadcast on the rows: bit q drives the row of the not-b cell and not-q the row
    of the b cell, so a cell charges exactly where q != b (XOR) and the column's shared charge is
    proportional to the Hamming distance; every stored pattern is compared in one cycle;
  - winner-take-all sense: each column ADC digitizes its distance and a digital comparator tree
    picks the minimum (an analog WTA or a threshold comparator would be cheaper; this reuses the
    column periphery). Patterns longer than an array's rows add tile partial distances digitally.
Activity: exactly one row of each pair is driven; random patterns mismatch half the bits, so the
column energy is that of a MAC column at bit density 0.5 (driven rows/2, charged rows/4).
Patterns are written once (programming not modelled); queries are answered one after another.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from codesign.arch.components.dram import DRAM_ENERGY_PER_BIT_J
from codesign.cost.fefet import BREAKDOWN_KEYS, DEFAULT_BIT_DENSITY, FefetArrayConfig, fefet_parts, mac_column_energy
from codesign.cost.in_memory import CimChip

CELLS_PER_PATTERN_BIT = 2
"""The bit and its complement, so that charge counts mismatches (XOR) rather than AND."""


@dataclass(frozen=True)
class SearchCost:
    """Energy and latency of answering `queries` nearest-pattern searches."""

    queries: int
    energy_J: float
    latency_s: float
    energy_breakdown_J: Mapping[str, float]
    """Sums to energy_J."""

    @property
    def energy_per_search_J(self) -> float:
        return self.energy_J / self.queries

    @property
    def latency_per_search_s(self) -> float:
        return self.latency_s / self.queries


def evaluate_search(patterns: int, bits: int, queries: int, config: FefetArrayConfig, chip: CimChip, *,
                    on_chip: bool = False) -> SearchCost:
    """`queries` searches among `patterns` stored patterns of `bits` bits each. `on_chip`: the
    patterns are already in the arrays (their writing is costed apart: fefet_program.py) and the
    queries come from the on-chip buffer (an encoder on the macro wrote them): only the answers'
    indices go to DRAM. Otherwise the patterns and queries are read from DRAM."""
    parts = fefet_parts(config, chip)
    tile_rows = pattern_tile_rows(bits, config)
    passes = math.ceil(search_tiles(patterns, bits, config) / config.arrays)
    breakdown = {key: 0.0 for key in BREAKDOWN_KEYS}
    for active_rows in tile_rows:
        for key, energy_J in mac_column_energy(parts, active_rows, DEFAULT_BIT_DENSITY).items():
            breakdown[key] += queries * patterns * energy_J
    distance_bits = bits.bit_length()
    # Per query: add the tiles' partial distances of every pattern, then patterns - 1 compares.
    digital_operations = patterns * (len(tile_rows) - 1) + patterns - 1
    breakdown["shift_add"] = queries * digital_operations * parts.digital_add_J(distance_bits)
    index_bits = answer_index_bits(patterns)
    breakdown["buffer"] = queries * (bits + index_bits) * chip.buffer.per_bit_J
    dram_bits = queries * index_bits if on_chip else patterns * bits + queries * (bits + index_bits)
    breakdown["dram"] = dram_bits * chip.dram.per_bit_J
    latency_s = max(queries * passes * config.cycle_s, dram_bits / 8 / chip.dram_bandwidth_B_per_s)
    return SearchCost(queries, sum(breakdown.values()), latency_s, breakdown)


def answer_index_bits(patterns: int) -> int:
    """Bits of one answer: the index of the nearest of `patterns` patterns."""
    return max(1, (patterns - 1).bit_length())


def pattern_tile_rows(bits: int, config: FefetArrayConfig) -> list[int]:
    """Rows of each array tile of one pattern (2 cells per bit, `rows` per array, the last the rest)."""
    full_tiles, remainder_rows = divmod(CELLS_PER_PATTERN_BIT * bits, config.rows)
    return [config.rows] * full_tiles + ([remainder_rows] if remainder_rows else [])


def search_tiles(patterns: int, bits: int, config: FefetArrayConfig) -> int:
    """Array tiles the patterns take: row tiles of a pattern x groups of `columns` patterns."""
    return len(pattern_tile_rows(bits, config)) * math.ceil(patterns / config.columns)


def tiles_per_array(patterns: int, config: FefetArrayConfig) -> int:
    """Tiles one array holds at once: fewer patterns than columns leave room for other row tiles
    side by side (each queried in a cycle of its own, its part of the query on the rows)."""
    return config.columns // min(patterns, config.columns)


@dataclass(frozen=True)
class GpuReference:
    """A GPU running the same search as a bit-packed XOR + popcount kernel on its integer units.

    Roofline: the kernel takes max(DRAM time, ALU time) plus one kernel launch; patterns are read
    from DRAM once per query batch (they then sit in L2 / shared memory) and the queries once.
    Per 32-bit word of each (query, pattern) pair: one XOR, one popcount, one add; per pair one
    compare for the arg-min. Binary tensor cores (XOR/AND + popcount MMA) are not used: the
    reference is a plain CUDA kernel, as a framework implementation would be.
    Energy: DRAM bytes x energy per byte + operations x energy per operation; no idle power.
    """

    name: str
    int32_ops_per_s: float
    """XOR, add and compare throughput of the whole chip."""
    popcount_per_s: float
    """Population-count throughput of the whole chip."""
    memory_bandwidth_B_per_s: float
    dram_J_per_byte: float
    op_J: float
    """Energy of one integer instruction, issue and operand delivery included."""
    kernel_launch_s: float
    """Fixed latency of launching one kernel."""

    def search_cost(self, patterns: int, bits: int, queries: int) -> SearchCost:
        words = math.ceil(bits / 32)
        pairs = patterns * queries
        popcounts = pairs * words
        alu_ops = 2 * pairs * words + pairs  # XOR and add per word, compare per pair
        dram_bytes = (patterns * bits + queries * bits) / 8 + queries * 4  # int32 winner indices
        compute_s = alu_ops / self.int32_ops_per_s + popcounts / self.popcount_per_s
        latency_s = max(compute_s, dram_bytes / self.memory_bandwidth_B_per_s) + self.kernel_launch_s
        breakdown = {"dram": dram_bytes * self.dram_J_per_byte,
                     "compute": (alu_ops + popcounts) * self.op_J}
        return SearchCost(queries, sum(breakdown.values()), latency_s, breakdown)


# NVIDIA A100 SXM4 40 GB. 108 SMs at 1.41 GHz boost, 1555 GB/s HBM2, 400 W TDP (NVIDIA A100 Tensor
# Core GPU Architecture whitepaper, 2020). Per SM per clock, compute capability 8.0: 64 32-bit
# integer add / bitwise / compare, 16 population counts (CUDA C++ Programming Guide, "Arithmetic
# Instructions" throughput table). DRAM: HBM2 3.9 pJ/bit (O'Connor et al., MICRO 2017, as in
# arch/components/dram.py). Energy per operation: TDP / peak integer rate = 41 pJ, the board's
# power spread over its busiest integer throughput (our derivation; it folds instruction issue,
# register file and static power into each op, as a wall-power measurement would).
# Kernel launch: ~5 us (assumption: the usual few-microsecond CUDA launch overhead).
A100_SMS, A100_CLOCK_HZ, A100_TDP_W = 108, 1.41e9, 400.0
A100_INT32_OPS_PER_S = A100_SMS * 64 * A100_CLOCK_HZ
NVIDIA_A100 = GpuReference(
    name="NVIDIA A100 SXM4 40GB",
    int32_ops_per_s=A100_INT32_OPS_PER_S,
    popcount_per_s=A100_SMS * 16 * A100_CLOCK_HZ,
    memory_bandwidth_B_per_s=1555e9,
    dram_J_per_byte=DRAM_ENERGY_PER_BIT_J["HBM2"] * 8,
    op_J=A100_TDP_W / A100_INT32_OPS_PER_S,
    kernel_launch_s=5e-6,
)
