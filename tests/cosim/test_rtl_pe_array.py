"""The weight-stationary systolic GEMM tile (rtl/gemm_tile.v) against its numpy golden model,
on Icarus (several array shapes and widths) and Verilator (one), plus a planted-bug check."""

import subprocess
from pathlib import Path

import pytest

from codesign.cosim.rtl.cocotb_runner import run_cocotb
from codesign.cosim.rtl.golden_gemm import PE_ARRAY_DESIGN, accumulator_bits
from codesign.cosim.rtl.tools import require_tool, rtl_source, tool_environment

BENCH = Path(__file__).resolve().parents[2] / "sim" / "rtl" / "gemm_tile_bench.py"

# (rows, cols, operand bits, accumulator bits): the default accumulator never wraps; the
# narrow ones make the extreme-value tiles wrap.
DEFAULT = (4, 4, 8, accumulator_bits(8, 4))
ICARUS_ONLY = [(8, 8, 4, 8), (3, 5, 16, 31), (1, 2, 2, 3)]


def run_bench(simulator, rows, cols, bits, accumulator, **environment):
    parameters = {"ROWS": rows, "COLS": cols, "OPERAND_BITS": bits, "ACCUMULATOR_BITS": accumulator,
                  "COUNT_BITS": 8}
    extra_env = {"GEMM_ROWS": str(rows), "GEMM_COLS": str(cols), "GEMM_OPERAND_BITS": str(bits),
                 "GEMM_ACCUMULATOR_BITS": str(accumulator), "GEMM_COUNT_BITS": "8", **environment}
    return run_cocotb(list(PE_ARRAY_DESIGN.sources), PE_ARRAY_DESIGN.top, parameters, BENCH, simulator,
                      extra_env=extra_env)


@pytest.mark.parametrize(("simulator", "shape"), [("icarus", DEFAULT), ("verilator", DEFAULT)]
                         + [("icarus", shape) for shape in ICARUS_ONLY])
def test_gemm_tile_matches_the_golden_model(simulator, shape):
    results = run_bench(simulator, *shape)
    assert results.ok, f"{simulator} {shape}: {results.failed}"
    assert len(results.passed) == 5


def test_a_planted_bug_in_the_golden_model_is_caught():
    results = run_bench("icarus", *DEFAULT, CODESIGN_RTL_PLANTED_BUG="1")
    assert not results.ok
    assert any("extreme" in name for name, _ in results.failed), results.failed


def test_the_verilog_is_lint_clean_for_verilator():
    sources = [str(rtl_source(name)) for name in PE_ARRAY_DESIGN.sources]
    for rows, cols, bits, accumulator in [DEFAULT, *ICARUS_ONLY]:
        command = [require_tool("verilator", "Verilator"), "--lint-only", "-Wall", "--top-module", "gemm_tile",
                   f"-GROWS={rows}", f"-GCOLS={cols}", f"-GOPERAND_BITS={bits}",
                   f"-GACCUMULATOR_BITS={accumulator}", *sources]
        lint = subprocess.run(command, capture_output=True, text=True, env=tool_environment())
        assert lint.returncode == 0 and "%Warning" not in lint.stderr, lint.stderr
