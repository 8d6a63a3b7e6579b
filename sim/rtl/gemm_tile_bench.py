"""cocotb bench of rtl/gemm_tile.v against codesign.cosim.rtl.golden_gemm.

Parameters come from the environment (run_cocotb's extra_env): GEMM_ROWS, GEMM_COLS,
GEMM_OPERAND_BITS, GEMM_ACCUMULATOR_BITS, GEMM_COUNT_BITS, GEMM_SEED.

Every cycle the bench drives its inputs at the falling edge, then reads the handshakes in the
ReadOnly phase before the rising edge, so it knows exactly which rows each edge takes. Cycle
counts run from the edge that samples `start` to the edge after which `done` reads 1; with
stalls, the bench counts stall cycles by its own rule (LOAD: weight_valid low; STREAM: in_valid
low while rows remain, or out_valid with out_ready low) and expects formula + stalls.
"""

from __future__ import annotations

import os
import zlib

import cocotb
import numpy
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from codesign.cosim.rtl.golden_gemm import (gemm_reference, gemm_tile_cycles, pack_row, pad, unpack_row,
                                            weight_load_order)

ROWS = int(os.environ.get("GEMM_ROWS", "4"))
COLS = int(os.environ.get("GEMM_COLS", "4"))
BITS = int(os.environ.get("GEMM_OPERAND_BITS", "8"))
ACCUMULATOR = int(os.environ.get("GEMM_ACCUMULATOR_BITS", str(2 * BITS + 2)))
COUNT_BITS = int(os.environ.get("GEMM_COUNT_BITS", "8"))
SEED = int(os.environ.get("GEMM_SEED", "1"))
LOW, HIGH = -(1 << (BITS - 1)), (1 << (BITS - 1)) - 1
MAX_M = (1 << COUNT_BITS) - 1


def generator(name: str) -> numpy.random.Generator:
    return numpy.random.default_rng([SEED, zlib.crc32(name.encode())])


def random_matrix(rng, rows: int, cols: int) -> numpy.ndarray:
    return rng.integers(LOW, HIGH + 1, size=(rows, cols))


def garbage(rng, width: int) -> int:
    return int.from_bytes(rng.bytes((width + 7) // 8), "little") & ((1 << width) - 1)


def bit(signal) -> int:
    return int(signal.value)


def drive_idle(dut, rst: int = 0) -> None:
    dut.rst.value = rst
    dut.start.value = 0
    dut.m_count.value = 0
    dut.weight_row.value = 0
    dut.weight_valid.value = 0
    dut.activation_row.value = 0
    dut.in_valid.value = 0
    dut.out_ready.value = 1


async def next_cycle(dut) -> None:
    """From a falling edge (or ReadOnly) to the next falling edge, through one rising edge."""
    await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)


async def begin(dut) -> None:
    """Start the clock and reset; ends at a falling edge, idle."""
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    await FallingEdge(dut.clk)
    await reset(dut, generator("begin"))


async def reset(dut, rng, cycles: int = 2) -> None:
    """rst high for `cycles` edges (with garbage and a start on the other inputs: reset wins);
    ends at a falling edge, idle, after checking every output is quiet."""
    for _ in range(cycles):
        dut.rst.value = 1
        dut.start.value = 1
        dut.m_count.value = garbage(rng, COUNT_BITS)
        dut.weight_row.value = garbage(rng, COLS * BITS)
        dut.weight_valid.value = 1
        dut.activation_row.value = garbage(rng, ROWS * BITS)
        dut.in_valid.value = 1
        dut.out_ready.value = int(rng.integers(2))
        await next_cycle(dut)
    drive_idle(dut)
    await ReadOnly()
    quiet = {name: bit(getattr(dut, name)) for name in ("busy", "done", "weight_ready", "in_ready", "out_valid")}
    assert not any(quiet.values()), f"after reset: {quiet}"
    await FallingEdge(dut.clk)


async def run_tile(dut, x, w, rng, weight_rate: float = 1.0, in_rate: float = 1.0, out_rate: float = 1.0,
                   poke_start: bool = False, abort_after: int | None = None):
    """Run one tile from a falling edge (idle design) to the falling edge after `done`.
    Returns (result rows, cycles, stall cycles), or None when stopped after `abort_after` cycles."""
    m = len(x)
    x_rows = pad(x, m, ROWS) if m else numpy.zeros((0, ROWS), dtype=numpy.int64)
    weights = weight_load_order(pad(w, ROWS, COLS))
    limit = 30 * gemm_tile_cycles(ROWS, COLS, m) + 200

    drive_idle(dut)
    dut.start.value = 1
    dut.m_count.value = m
    await ReadOnly()
    assert not bit(dut.busy), "start sent while busy"
    await next_cycle(dut)

    cycles, stalls, weights_sent, rows_sent, results = 0, 0, 0, 0, []
    while not bit(dut.done):
        if abort_after is not None and cycles >= abort_after:
            return None
        loading = weights_sent < ROWS
        weight_valid = loading and rng.random() < weight_rate
        in_valid = rows_sent < m and rng.random() < in_rate
        out_ready = rng.random() < out_rate
        # Outside their handshakes the data buses carry garbage, and valids may be high.
        dut.weight_valid.value = int(weight_valid or (not loading and rng.random() < 0.3))
        dut.weight_row.value = pack_row(weights[weights_sent], BITS) if loading else garbage(rng, COLS * BITS)
        dut.in_valid.value = int(in_valid)
        dut.activation_row.value = pack_row(x_rows[rows_sent], BITS) if in_valid else garbage(rng, ROWS * BITS)
        dut.out_ready.value = int(out_ready)
        dut.start.value = int(poke_start and rng.random() < 0.2)
        dut.m_count.value = garbage(rng, COUNT_BITS)
        await ReadOnly()

        assert bit(dut.busy), f"busy fell before done (cycle {cycles})"
        assert bit(dut.weight_ready) == int(loading), f"weight_ready wrong in cycle {cycles}"
        out_valid, in_ready = bit(dut.out_valid), bit(dut.in_ready)
        if loading:
            assert not in_ready and not out_valid, f"handshake open during LOAD (cycle {cycles})"
            stalls += not weight_valid
            weights_sent += weight_valid
        else:
            expected_ready = int(rows_sent < m and (not out_valid or out_ready))
            assert in_ready == expected_ready, f"in_ready={in_ready}, expected {expected_ready} (cycle {cycles})"
            stalls += (rows_sent < m and not in_valid) or (out_valid and not out_ready)
            rows_sent += in_valid and in_ready
            if out_valid and out_ready:
                results.append(unpack_row(dut.result_row.value.to_unsigned(), COLS, ACCUMULATOR))
        await next_cycle(dut)
        cycles += 1
        assert cycles < limit, f"no done after {cycles} cycles ({len(results)} of {m} rows out)"
    drive_idle(dut)
    return results, cycles, stalls


def check_results(results, x, w, label: str) -> None:
    m = len(x)
    expected = gemm_reference(pad(x, m, ROWS), pad(w, ROWS, COLS), ACCUMULATOR) if m else numpy.zeros((0, COLS))
    assert len(results) == m, f"{label}: {len(results)} result rows, expected {m}"
    for row, (got, want) in enumerate(zip(results, expected.tolist())):
        assert got == want, f"{label}: result row {row} is {got}, expected {want}"


async def run_and_check(dut, x, w, rng, label: str, **rates):
    results, cycles, stalls = await run_tile(dut, x, w, rng, **rates)
    check_results(results, x, w, label)
    expected = gemm_tile_cycles(ROWS, COLS, len(x)) + stalls
    assert cycles == expected, f"{label}: {cycles} cycles, expected {expected} ({stalls} stalls)"
    return cycles, stalls


@cocotb.test()
async def random_tiles_take_the_closed_form_cycles(dut):
    """Tiles of several shapes (K < ROWS, N < COLS, M = 1 .. 2^COUNT_BITS - 1), back to back."""
    await begin(dut)
    rng = generator("random")
    shapes = [(ROWS, COLS, 1), (1, 1, 1), (max(1, ROWS - 1), max(1, COLS - 2), 7), (ROWS, COLS, 20),
              (1, COLS, 3), (ROWS, 1, 2), (max(1, ROWS // 2), COLS, 5), (ROWS, COLS, MAX_M)]
    for k, n, m in shapes:
        x, w = random_matrix(rng, m, k), random_matrix(rng, k, n)
        await run_and_check(dut, x, w, rng, f"K={k} N={n} M={m}")


@cocotb.test()
async def extreme_values_wrap_like_the_accumulator(dut):
    """All-minimum, all-maximum and alternating operands (largest sums; they wrap when
    ACCUMULATOR_BITS is narrow)."""
    await begin(dut)
    rng = generator("extreme")
    patterns = {"min": lambda r, c: numpy.full((r, c), LOW), "max": lambda r, c: numpy.full((r, c), HIGH),
                "alternating": lambda r, c: numpy.where((numpy.indices((r, c)).sum(axis=0) % 2) == 0, LOW, HIGH)}
    x = numpy.concatenate([patterns[name](1, ROWS) for name in ("min", "max", "alternating")]
                          + [numpy.zeros((1, ROWS), dtype=numpy.int64)])
    for name, make in patterns.items():
        await run_and_check(dut, x, make(ROWS, COLS), rng, f"W {name}")


@cocotb.test()
async def back_pressure_only_adds_stall_cycles(dut):
    """Random gaps in weight_valid and in_valid and random out_ready lows, garbage on idle buses,
    start pulses while busy: results stay right and cycles = formula + stall cycles."""
    await begin(dut)
    rng = generator("back-pressure")
    total_stalls = 0
    for tile in range(6):
        k, n, m = int(rng.integers(1, ROWS + 1)), int(rng.integers(1, COLS + 1)), int(rng.integers(1, 24))
        x, w = random_matrix(rng, m, k), random_matrix(rng, k, n)
        rates = {"weight_rate": float(rng.uniform(0.4, 1.0)), "in_rate": float(rng.uniform(0.3, 1.0)),
                 "out_rate": float(rng.uniform(0.2, 1.0)), "poke_start": True}
        _, stalls = await run_and_check(dut, x, w, rng, f"tile {tile} K={k} N={n} M={m} {rates}", **rates)
        total_stalls += stalls
    assert total_stalls > 20, f"the bench stalled the array only {total_stalls} times"


@cocotb.test()
async def reset_mid_stream_then_a_fresh_tile_works(dut):
    """rst in LOAD, at the start of STREAM, mid-stream and in the last cycle; then full tiles."""
    await begin(dut)
    rng = generator("reset")
    m = 9
    full = gemm_tile_cycles(ROWS, COLS, m)
    for abort_after in sorted({0, ROWS // 2, ROWS + 1, ROWS + m // 2, full - 2, full - 1}):
        x, w = random_matrix(rng, m, ROWS), random_matrix(rng, ROWS, COLS)
        stopped = await run_tile(dut, x, w, rng, out_rate=0.7, in_rate=0.8, abort_after=abort_after)
        assert stopped is None, f"the tile finished before cycle {abort_after}"
        await reset(dut, rng, cycles=1 + abort_after % 2)
        x, w = random_matrix(rng, m, ROWS), random_matrix(rng, ROWS, COLS)
        await run_and_check(dut, x, w, rng, f"after reset at cycle {abort_after}")


@cocotb.test()
async def an_empty_tile_only_loads(dut):
    """m_count = 0: the weights load, no row comes out, done after ROWS + 1 cycles."""
    await begin(dut)
    rng = generator("empty")
    await run_and_check(dut, numpy.zeros((0, ROWS), dtype=numpy.int64), random_matrix(rng, ROWS, COLS), rng, "M=0")
    x, w = random_matrix(rng, 3, ROWS), random_matrix(rng, ROWS, COLS)
    await run_and_check(dut, x, w, rng, "after M=0")
