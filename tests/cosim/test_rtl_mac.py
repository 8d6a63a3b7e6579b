"""The MAC units in rtl/ (mac.v, scalable_mac.v, bitserial_mac.v) against their golden models
(codesign/cosim/rtl/golden_mac.py), through the cocotb benches in sim/rtl/ on Icarus and
Verilator: random and corner vectors, overflow with saturation and wrap-around, bubbles,
back-pressure and reset mid-stream. A planted bug in the golden model must make a bench fail.

Accumulators are 2 x operand bits + 4 wide here, so that the overflow benches cross their range
in a few dozen MACs."""

import json
from pathlib import Path

import pytest

from codesign.cosim.rtl.cocotb_runner import run_cocotb
from codesign.cosim.rtl.golden_mac import PLANTED_BUG_VARIABLE

BENCHES = Path(__file__).resolve().parents[2] / "sim" / "rtl"
PARAMETERS_VARIABLE = "CODESIGN_RTL_PARAMETERS"


def _mac(bits: int, saturate: int) -> tuple[str, dict[str, int]]:
    return "mac", {"OPERAND_BITS": bits, "ACCUMULATOR_BITS": 2 * bits + 4, "SATURATE": saturate}


def _scalable(unit_bits: int, saturate: int) -> tuple[str, dict[str, int]]:
    return "scalable_mac", {"UNIT_BITS": unit_bits, "ACCUMULATOR_BITS": 2 * unit_bits + 4, "SATURATE": saturate}


def _bitserial(bits: int, saturate: int) -> tuple[str, dict[str, int]]:
    return "bitserial_mac", {"OPERAND_BITS": bits, "ACCUMULATOR_BITS": 2 * bits + 4, "SATURATE": saturate}


# Icarus builds in a fraction of a second: several parameter sets. Verilator: one per module.
ICARUS_SETS = [_mac(2, 1), _mac(2, 0), _mac(8, 1), _mac(8, 0), _mac(16, 1), _mac(16, 0),
               _scalable(8, 1), _scalable(4, 0), _scalable(16, 0), _bitserial(8, 1)]
VERILATOR_SETS = [_mac(8, 1), _scalable(8, 0), _bitserial(8, 0)]
CASES = [("icarus", top, parameters) for top, parameters in ICARUS_SETS] + \
        [("verilator", top, parameters) for top, parameters in VERILATOR_SETS]


def _run(simulator: str, top: str, parameters: dict[str, int], planted_bug: bool = False, testcase: str | None = None):
    environment = {PARAMETERS_VARIABLE: json.dumps(parameters)}
    if planted_bug:
        environment[PLANTED_BUG_VARIABLE] = "1"
    return run_cocotb(["saturating_add.v", f"{top}.v"], top, parameters, BENCHES / f"{top}_bench.py", simulator,
                      extra_env=environment, testcase=testcase)


@pytest.mark.parametrize("simulator, top, parameters", CASES,
                         ids=[f"{simulator}-{top}-" + "-".join(str(value) for value in parameters.values())
                              for simulator, top, parameters in CASES])
def test_bench_passes(simulator, top, parameters):
    results = _run(simulator, top, parameters)
    assert results.ok, f"{top} {parameters} on {simulator}: " + "; ".join(
        f"{name}: {message}" for name, message in results.failed)
    assert len(results.passed) == 4


@pytest.mark.parametrize("top, parameters", [_mac(8, 1), _scalable(8, 1), _bitserial(8, 1)],
                         ids=["mac", "scalable_mac", "bitserial_mac"])
def test_planted_bug_in_the_golden_model_fails_the_bench(top, parameters):
    """The planted bug swaps saturation and wrap-around in the golden model: the overflow bench
    must disagree with the design (the same build as test_bench_passes, so only the run costs)."""
    results = _run("icarus", top, parameters, planted_bug=True, testcase="overflow")
    assert not results.ok
    assert [name for name, _ in results.failed] == ["overflow"]
    assert "mismatches" in results.failed[0][1]
