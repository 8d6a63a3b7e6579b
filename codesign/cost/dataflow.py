"""Analytical cost of dataflow mappings, evaluated for many candidates at once (numpy).

A candidate is a factor for each loop dimension in each slot (hardware.py) plus a loop
order for each memory level. For a tensor T held by a child level C below a parent P:

  tile(T, C)   = the extent of T over the loops at C and below (windows included)
  fills(T, C)  = how often C's tile is (re)loaded: the product of the temporal loops
                 above C, minus the innermost run of loops that do not index T (or are 1):
                 across those the tile stays put (reuse)
  P reads      = fills x extent of T over C's tile times the fan-outs between P and C
                 (multicast: children needing the same data share one read) x P's copies
  C writes     = fills x tile(T, C) x C's copies
Outputs are partial sums: each fill is later written back to P, and every fill after the
first visit of a tile reloads it first. The MAC unit is the last child: it reads its
operands and updates its partial sum every cycle, with no storage of its own.
Energy = sum of accesses x energy per word + MACs x energy per MAC + words crossing each
fan-out x its wire energy. Cycles = the larger of the compute cycles (the product of all
temporal loops, plus a systolic array's load, fill and drain per stationary tile: hardware.py
SystolicArray) and each level's traffic over its bandwidth (DRAM: reads plus writes on
one interface; on-chip levels: separate read and write ports, so the busier one counts).

Precision (the layer's bits, Problem.bits): a value narrower than its native width takes that
share of a word at each level (cost/precision.py: operands against operand_bits; outputs as
partial sums against accumulator_bits in levels whose words hold them, else as final outputs
against operand_bits; final outputs written to DRAM at the output bits). Every access count,
capacity use, DRAM byte and fan-out crossing above is in those words. Any MAC costs the same at
any width, except a precision-scalable one (arch/components/mac.py): it does p narrow products
per cycle, p steps of one output's reduction summed before one accumulator update, so an output
whose temporal reduction takes r steps needs ceil(r / p) cycles and partial-sum updates, and
each product costs only the multiplier bits it uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

from codesign.cost.hardware import Hardware, Level
from codesign.cost.precision import OUTPUT, WordShares, word_shares
from codesign.cost.problem import DIMENSIONS, INDEX, TENSORS, Problem, extent


def _order(names: str) -> list[int]:
    return [INDEX[name] for name in names]


# Loop orders within one level, innermost first. Each keeps one tensor stationary by
# putting the loops that do not index it innermost.
ORDERS = numpy.array([
    _order("NPQSRCKG"),  # weight stationary
    _order("SRCQPNKG"),  # output stationary
    _order("KSRCQPNG"),  # input stationary
    _order("QPNKSRCG"),  # weight stationary, output channels next
    _order("CSRKQPNG"),  # output stationary, filters next
    _order("KNQPSRCG"),  # input stationary, pixels next
], dtype=numpy.int64)
ORDER_NAMES = tuple("".join(DIMENSIONS[index] for index in order) for order in ORDERS)


@dataclass(frozen=True, eq=False)
class Candidates:
    factors: numpy.ndarray
    """(M, slots, 8) integer factors."""
    orders: numpy.ndarray
    """(M, levels, 8) each level's loop order: dimension indices, innermost first."""

    def __len__(self) -> int:
        return len(self.factors)

    def take(self, rows) -> Candidates:
        return Candidates(self.factors[rows], self.orders[rows])


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Per-candidate results; arrays have the candidates on their first axis."""

    reads: numpy.ndarray
    """(M, levels, 3) words read from each level, per tensor (TENSORS order); narrow values count
    their share of a word (cost/precision.py)."""
    writes: numpy.ndarray
    """(M, levels, 3) words written into each level, per tensor."""
    noc_J: numpy.ndarray
    """(M, fan-outs) energy of words crossing each fan-out."""
    noc_by_tensor_J: numpy.ndarray
    """(M, 3) the same energy by tensor."""
    mac_J: numpy.ndarray
    compute_cycles: numpy.ndarray
    """(M,) cycles each MAC computes: its temporal iterations (precision-scalable units at fewer
    bits: each output's reduction steps in groups of the products they do per cycle)."""
    level_cycles: numpy.ndarray
    """(M, levels) cycles each level's busiest port needs for its traffic."""
    cycles: numpy.ndarray
    level_energy_J: numpy.ndarray
    """(M, levels) access energy of each level."""
    energy_J: numpy.ndarray
    dram_bytes: numpy.ndarray


def inner_products(factors: numpy.ndarray) -> numpy.ndarray:
    """(M, slots + 1, 8): the product of each dimension's factors from a slot inwards."""
    count, slots, dimensions = factors.shape
    inner = numpy.ones((count, slots + 1, dimensions), dtype=factors.dtype)
    inner[:, :slots] = factors
    for slot in reversed(range(slots)):  # a few slots: faster than cumprod over a reversed view
        inner[:, slot] *= inner[:, slot + 1]
    return inner


def capacity_use(problem: Problem, hardware: Hardware, inner: numpy.ndarray) -> numpy.ndarray:
    """(M, levels) words each level must hold: the tiles of every tensor it keeps, at their bits."""
    shares = word_shares(problem, hardware).stored
    return numpy.stack([level_use(problem, level, shares[index], inner[:, level.slot, :])
                        for index, level in enumerate(hardware.levels)], axis=1)


def level_use(problem: Problem, level: Level, shares: numpy.ndarray, tile: numpy.ndarray) -> numpy.ndarray:
    """(...) words `level` must hold for tiles of loop bounds `tile` (..., 8); `shares`: its row of
    WordShares.stored."""
    return sum(_scaled(extent(problem, tensor, tile), shares[TENSORS.index(tensor)]) for tensor in level.holds)


def _scaled(words: numpy.ndarray, share: float) -> numpy.ndarray:
    """`words` of full-width values as words of values taking `share` of one (exact at 1)."""
    return words if share == 1.0 else words * share


def feasible(problem: Problem, hardware: Hardware, candidates: Candidates) -> numpy.ndarray:
    """Which candidates fit the fan-out sizes and every level's capacity."""
    factors = candidates.factors
    fits = numpy.ones(len(factors), dtype=bool)
    for axis in hardware.axes:
        fits &= factors[:, axis.slot, :].prod(axis=1) <= axis.size
        fits &= (factors[:, axis.slot, ~axis.allowed] == 1).all(axis=1)
    capacities = numpy.array([level.capacity_words for level in hardware.levels])
    use = capacity_use(problem, hardware, inner_products(factors))
    return fits & (use <= capacities).all(axis=1)


def evaluate(problem: Problem, hardware: Hardware, candidates: Candidates) -> Evaluation:
    factors, orders = candidates.factors, candidates.orders
    count, level_count = len(factors), len(hardware.levels)
    inner = inner_products(factors)
    loops = _loop_sequence(problem, hardware, factors, orders)
    axis_products = numpy.stack([factors[:, axis.slot, :].prod(axis=1) for axis in hardware.axes], axis=1) \
        if hardware.axes else numpy.ones((count, 0), dtype=numpy.int64)
    temporal_total = numpy.prod([factors[:, level.slot, :].prod(axis=1) for level in hardware.levels], axis=0)
    reads = numpy.zeros((count, level_count, 3))
    writes = numpy.zeros((count, level_count, 3))
    fanouts = list(hardware.noc_J_per_word)
    noc = numpy.zeros((count, len(fanouts)))
    noc_by_tensor = numpy.zeros((count, 3))
    context = _Context(problem, hardware, factors, inner, loops, axis_products, temporal_total, orders,
                       hardware.products_per_cycle(problem.bits))
    shares = word_shares(problem, hardware)
    for tensor_index, tensor in enumerate(TENSORS):
        chain = hardware.chain(tensor)
        for parent, child in zip(chain, [*chain[1:], None]):
            parent_index = hardware.levels.index(parent)
            moved = _at_bits(context.transfer(tensor, parent, child), shares, tensor_index, parent_index,
                             None if child is None else hardware.levels.index(child))
            reads[:, parent_index, tensor_index] += moved.parent_reads
            writes[:, parent_index, tensor_index] += moved.parent_writes
            if child is not None:
                child_index = hardware.levels.index(child)
                reads[:, child_index, tensor_index] += moved.child_reads
                writes[:, child_index, tensor_index] += moved.child_writes
            child_slot = child.slot if child is not None else hardware.slot_count
            for fanout in hardware.fanouts_between(parent.slot, child_slot):
                energy = moved.crossing_words * hardware.noc_J_per_word[fanout]
                noc[:, fanouts.index(fanout)] += energy
                noc_by_tensor[:, tensor_index] += energy
    return _totals(problem, hardware, reads, writes, noc, noc_by_tensor, temporal_total, context)


@dataclass(frozen=True, eq=False)
class _Transfer:
    parent_reads: numpy.ndarray
    parent_writes: numpy.ndarray
    child_reads: numpy.ndarray
    child_writes: numpy.ndarray
    crossing_words: numpy.ndarray
    """Words that cross the fan-outs between parent and child (after multicast)."""
    final_writes: numpy.ndarray | int = 0
    """Of parent_writes, the final output values (a tile's last write back, its reduction done)."""


def _at_bits(moved: _Transfer, shares: WordShares, tensor: int, parent: int, child: int | None) -> _Transfer:
    """`moved` counted in words of the values' bits (cost/precision.py): the parent's share for
    its traffic and for what crosses the fan-outs, the child's for its own."""
    if shares.native:
        return moved
    parent_share = shares.stored[parent, tensor]
    child_share = shares.stored[child, tensor] if child is not None else 1.0
    final_share = shares.final_output[parent] if tensor == OUTPUT else parent_share
    final = moved.final_writes if final_share != parent_share else 0  # at DRAM: the output bits
    return _Transfer(
        parent_reads=moved.parent_reads * parent_share,
        parent_writes=(moved.parent_writes - final) * parent_share + final * final_share,
        child_reads=moved.child_reads * child_share, child_writes=moved.child_writes * child_share,
        crossing_words=(moved.crossing_words - final) * parent_share + final * final_share,
    )


@dataclass(frozen=True, eq=False)
class _Context:
    problem: Problem
    hardware: Hardware
    factors: numpy.ndarray
    inner: numpy.ndarray
    loops: tuple[numpy.ndarray, numpy.ndarray]
    axis_products: numpy.ndarray
    temporal_total: numpy.ndarray
    orders: numpy.ndarray
    products_per_cycle: int
    """Products one MAC does per cycle at the layer's bits (1 unless precision-scalable)."""

    def mac_cycles(self) -> numpy.ndarray:
        """(M,) cycles each MAC works: one per temporal iteration, or per fused group of them."""
        return self.temporal_total if self.products_per_cycle == 1 else self.visits("output", None)[0]

    def copies_above(self, slot: int) -> numpy.ndarray:
        """Instances in use of whatever sits at `slot`: the fan-out factors above it."""
        columns = [index for index, axis in enumerate(self.hardware.axes) if axis.slot < slot]
        return self.axis_products[:, columns].prod(axis=1)

    def spread_between(self, outer_slot: int, inner_slot: int) -> numpy.ndarray:
        """(M, 8) the fan-out factors strictly between two slots, per dimension."""
        spread = numpy.ones((len(self.factors), len(DIMENSIONS)), dtype=numpy.int64)
        for axis in self.hardware.axes:
            if outer_slot < axis.slot < inner_slot:
                spread *= self.factors[:, axis.slot, :]
        return spread

    def visits(self, tensor: str, child: Level | None) -> tuple[numpy.ndarray, numpy.ndarray]:
        """(fills, distinct tiles) of `tensor` at `child` over the whole layer."""
        factors, orders_relevant = self.loops
        levels_above = len(self.hardware.levels) if child is None else self.hardware.levels.index(child)
        start = (len(self.hardware.levels) - levels_above) * len(DIMENSIONS)
        loops = factors[:, start:]
        relevant = orders_relevant[tensor][:, start:]
        distinct = numpy.where(relevant, loops, 1).prod(axis=1)
        if child is None:  # the MAC keeps nothing: every temporal iteration reads again
            fills = loops.prod(axis=1)
            if tensor == "output" and self.products_per_cycle > 1:  # fused products: one update per cycle
                fills = distinct * -(-(fills // distinct) // self.products_per_cycle)
            return fills, distinct
        stops = relevant & (loops > 1)
        reused = numpy.where(numpy.cumsum(stops, axis=1) == 0, loops, 1).prod(axis=1)
        return loops.prod(axis=1) // reused, distinct

    def transfer(self, tensor: str, parent: Level, child: Level | None) -> _Transfer:
        child_slot = child.slot if child is not None else self.hardware.slot_count
        child_tile = self.inner[:, child.slot, :] if child is not None else 1
        spread = self.spread_between(parent.slot, child_slot)
        shared = extent(self.problem, tensor, child_tile * spread)
        own = extent(self.problem, tensor, child_tile * numpy.ones_like(spread))
        parent_copies, child_copies = self.copies_above(parent.slot), self.copies_above(child_slot)
        fills, distinct = self.visits(tensor, child)
        if tensor != "output":
            moved = fills * shared * parent_copies
            return _Transfer(moved, 0, 0, fills * own * child_copies, moved)
        reloads = numpy.maximum(fills - distinct, 0)
        return _Transfer(
            parent_reads=reloads * shared * parent_copies, parent_writes=fills * shared * parent_copies,
            child_reads=fills * own * child_copies, child_writes=reloads * own * child_copies,
            crossing_words=(fills + reloads) * shared * parent_copies,
            final_writes=(fills - reloads) * shared * parent_copies,
        )


def _loop_sequence(problem: Problem, hardware: Hardware, factors: numpy.ndarray, orders: numpy.ndarray):
    """Temporal loops of all levels, innermost level first and each level's loops in order,
    plus for each tensor whether each loop indexes it."""
    permutations = orders  # (M, levels, 8)
    blocks, relevance = [], {tensor: [] for tensor in TENSORS}
    for level_index in reversed(range(len(hardware.levels))):
        order = permutations[:, level_index, :]
        blocks.append(numpy.take_along_axis(factors[:, hardware.levels[level_index].slot, :], order, axis=1))
        for tensor in TENSORS:
            relevance[tensor].append(problem.relevant(tensor)[order])
    return numpy.concatenate(blocks, axis=1), {t: numpy.concatenate(r, axis=1) for t, r in relevance.items()}


def _systolic_cycles(hardware: Hardware, context: _Context) -> numpy.ndarray | float:
    """Cycles systolic arrays spend beyond streaming: per refill of the tile their PEs keep
    (the most refilled tensor of that level), a load plus a pipeline fill and drain."""
    extra: numpy.ndarray | float = 0.0
    for array in hardware.systolic:
        level = hardware.level(array.level)
        passes = numpy.max([context.visits(tensor, level)[0] for tensor in level.holds], axis=0)
        extra = extra + passes * array.cycles_per_pass
    return extra


def _totals(problem, hardware, reads, writes, noc, noc_by_tensor, temporal_total, context) -> Evaluation:
    read_J = numpy.array([level.read_J for level in hardware.levels])
    write_J = numpy.array([level.write_J for level in hardware.levels])
    level_energy = reads.sum(axis=2) * read_J + writes.sum(axis=2) * write_J
    compute_cycles = context.mac_cycles()
    fused = hardware.fused_mac_shares(problem.bits)
    if fused is None:
        mac_energy = numpy.full(len(reads), problem.macs * hardware.mac_J)
    else:  # each product's multiplier bits, one accumulation per cycle
        multiply, accumulate = fused
        mac_energy = problem.macs * hardware.mac_J * (multiply + accumulate * compute_cycles / temporal_total)
    energy = level_energy.sum(axis=1) + mac_energy + noc.sum(axis=1)
    level_cycles = numpy.zeros(level_energy.shape)
    for index, level in enumerate(hardware.levels):
        level_reads, level_writes = reads[:, index].sum(axis=1), writes[:, index].sum(axis=1)
        busiest = level_reads + level_writes if level.shared_port else numpy.maximum(level_reads, level_writes)
        level_cycles[:, index] = busiest / context.copies_above(level.slot) / level.words_per_cycle
    cycles = numpy.maximum(compute_cycles + _systolic_cycles(hardware, context), level_cycles.max(axis=1))
    dram = hardware.levels[0]
    dram_bytes = (reads[:, 0].sum(axis=1) + writes[:, 0].sum(axis=1)) * dram.word_bytes
    return Evaluation(reads, writes, noc, noc_by_tensor, mac_energy, compute_cycles, level_cycles, cycles,
                      level_energy, energy, dram_bytes)
