"""The systolic array's RTL and the dataflow cost model agree on cycles (issue 16, part 5): for a
GEMM tile that fits the array, rtl/gemm_tile.v's measured cycles equal the model's on
arch_specs/systolic_4x4.yaml (its `systolic: true` fan-out adds load, fill and drain)."""

import pytest

from codesign.cosim.rtl.agreement import model_gemm_cycles, rtl_gemm_cycles
from codesign.cosim.rtl.golden_gemm import gemm_tile_cycles

SHAPES = [  # (m, k, n, rows, cols)
    (1, 4, 4, 4, 4), (16, 4, 4, 4, 4), (5, 3, 2, 4, 4), (9, 1, 4, 4, 4),
    (7, 8, 8, 8, 8), (12, 5, 3, 8, 8), (3, 2, 2, 2, 3),
]


@pytest.mark.parametrize(("m", "k", "n", "rows", "cols"), SHAPES)
def test_model_cycles_equal_the_rtl_simulation(m, k, n, rows, cols):
    measured = rtl_gemm_cycles(m, k, n, rows, cols)
    assert model_gemm_cycles(m, k, n, rows, cols) == measured == gemm_tile_cycles(rows, cols, m)


def test_without_the_systolic_term_the_model_would_miss_load_fill_and_drain():
    from codesign.cosim.rtl.agreement import systolic_arch

    arch = systolic_arch(4, 4)
    assert arch.component("pe_array").systolic_pass_cycles == 4 + 4 + 4 - 1
    assert model_gemm_cycles(16, 4, 4, 4, 4) - 16 == arch.component("pe_array").systolic_pass_cycles
