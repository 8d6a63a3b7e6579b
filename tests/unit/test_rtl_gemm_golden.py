"""The golden model of the systolic GEMM tile (codesign/cosim/rtl/golden_gemm.py) on
hand-checked cases, without a simulator."""

import numpy
import pytest

from codesign.cosim.rtl.golden_gemm import (PE_ARRAY_DESIGN, accumulator_bits, gemm_reference, gemm_tile_cycles,
                                            pack_row, pad, unpack_row, weight_load_order, wrap_signed)
from codesign.cosim.rtl.trace import RtlOptions
from codesign.errors import CodesignError


@pytest.fixture(autouse=True)
def no_planted_bug(monkeypatch):
    monkeypatch.delenv("CODESIGN_RTL_PLANTED_BUG", raising=False)


def test_a_small_product_by_hand():
    x = [[1, 2], [-3, 4]]
    w = [[5, -6, 7], [8, 9, -10]]
    # [1*5 + 2*8, 1*-6 + 2*9, 1*7 + 2*-10], [-3*5 + 4*8, -3*-6 + 4*9, -3*7 + 4*-10]
    assert gemm_reference(x, w, 16).tolist() == [[21, 12, -13], [17, 54, -61]]


def test_sums_wrap_to_the_accumulator_width():
    assert wrap_signed([7, 8, -8, -9, 16], 4).tolist() == [7, -8, -8, 7, 0]
    # 4-bit operands: (-8)*(-8) * 2 rows = 128, which wraps to -128 in 8 bits and fits in 9.
    x, w = [[-8, -8]], [[-8], [-8]]
    assert gemm_reference(x, w, 8).tolist() == [[-128]]
    assert gemm_reference(x, w, 9).tolist() == [[128]]
    assert gemm_reference([[7]], [[7]], 5).tolist() == [[49 - 64]]


def test_the_default_accumulator_never_wraps_on_extremes():
    for bits, rows in [(2, 1), (4, 3), (8, 4), (8, 8), (16, 8)]:
        low = -(1 << (bits - 1))
        width = accumulator_bits(bits, rows)
        assert gemm_reference([[low] * rows], [[low]] * rows, width).tolist() == [[rows * low * low]]
    assert accumulator_bits(8, 4) == 18 and accumulator_bits(8, 8) == 19 and accumulator_bits(4, 1) == 8


def test_the_tile_cycles_closed_form():
    assert gemm_tile_cycles(4, 4, 16) == 27  # 4 load + 16 + 4 + 4 - 1
    assert gemm_tile_cycles(8, 8, 1) == 24
    assert gemm_tile_cycles(1, 1, 1) == 3
    assert gemm_tile_cycles(4, 4, 0) == 5
    with pytest.raises(ValueError):
        gemm_tile_cycles(0, 4, 1)


def test_buses_pack_element_i_at_bits_i_times_width():
    assert pack_row([1, -1, 2], 4) == 0x2F1
    assert unpack_row(0x2F1, 3, 4) == [1, -1, 2]
    assert weight_load_order(pad([[1, 2]], 2, 3))[0].tolist() == [0, 0, 0]  # the last row goes first
    assert pad([[1, 2]], 2, 3).tolist() == [[1, 2, 0], [0, 0, 0]]


def test_the_planted_bug_changes_only_wrapping_sums(monkeypatch):
    monkeypatch.setenv("CODESIGN_RTL_PLANTED_BUG", "1")
    assert gemm_reference([[3]], [[4]], 8).tolist() == [[12]]
    assert gemm_reference([[-8, -8]], [[-8], [-8]], 9).tolist() == [[-128]]  # should be 128


def test_the_design_describes_the_ports_and_parameters():
    options = RtlOptions(bits=8, rows=4, cols=4)
    assert PE_ARRAY_DESIGN.name == "pe-array" and PE_ARRAY_DESIGN.sources[-1] == "gemm_tile.v"
    assert PE_ARRAY_DESIGN.parameters(options) == {"ROWS": 4, "COLS": 4, "OPERAND_BITS": 8, "ACCUMULATOR_BITS": 18,
                                                   "COUNT_BITS": 8}
    assert PE_ARRAY_DESIGN.ports_in(options)["activation_row"] == 32
    assert PE_ARRAY_DESIGN.ports_out(options)["result_row"] == 72
    with pytest.raises(CodesignError, match="supported: 2..16"):
        PE_ARRAY_DESIGN.parameters(RtlOptions(bits=17))


def test_a_chosen_accumulator_width_reaches_the_parameters_and_ports():
    narrow = RtlOptions(bits=8, rows=4, cols=2, accumulator_bits=12)
    assert PE_ARRAY_DESIGN.parameters(narrow)["ACCUMULATOR_BITS"] == 12
    assert PE_ARRAY_DESIGN.ports_out(narrow)["result_row"] == 24
    with pytest.raises(CodesignError, match="1-bit accumulator is not supported"):
        PE_ARRAY_DESIGN.parameters(RtlOptions(accumulator_bits=1))


def test_the_trace_runs_full_tiles_on_the_closed_form_schedule():
    options = RtlOptions(bits=4, rows=2, cols=3)
    trace = PE_ARRAY_DESIGN.trace(options, numpy.random.default_rng(0), 200)
    tiles = trace.operations // (16 * 2 * 3)
    assert trace.operation == "MAC" and tiles == 2
    starts = [cycle for cycle, vector in enumerate(trace.inputs) if vector["start"]]
    assert starts == [2, 2 + gemm_tile_cycles(2, 3, 16) + 1]
    assert sum(vector["in_valid"] for vector in trace.inputs) == 32
    assert sum(vector["weight_valid"] for vector in trace.inputs) == 4
    ports = PE_ARRAY_DESIGN.ports_in(options)
    assert all(0 <= vector[name] < 1 << width for vector in trace.inputs for name, width in ports.items())


def test_the_trace_check_rejects_missing_results():
    options = RtlOptions(bits=4, rows=2, cols=2)
    trace = PE_ARRAY_DESIGN.trace(options, numpy.random.default_rng(0), 64)
    quiet = {"busy": 0, "done": 0, "weight_ready": 0, "in_ready": 0, "result_row": 0, "out_valid": 0}
    silent = [quiet] * len(trace.inputs)
    with pytest.raises(AssertionError, match="0 result rows came out"):
        trace.check(silent)
