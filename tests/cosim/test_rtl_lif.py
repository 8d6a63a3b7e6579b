"""The LIF neuron and the accumulate-only synapse unit (rtl/) against their golden models, on
Icarus (several parameter sets) and Verilator (one each), and a planted bug the benches catch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codesign.cosim.rtl.cocotb_runner import run_cocotb
from codesign.cosim.rtl.golden_lif import PLANTED_BUG_VARIABLE

BENCHES = Path(__file__).resolve().parents[2] / "sim" / "rtl"

# (MEMBRANE_BITS, CURRENT_BITS, LEAK_SHIFT, RESET_TO_ZERO). Saturation is reachable only when
# LEAK_SHIFT + CURRENT_BITS > MEMBRANE_BITS (or with no leak), so most sets allow it.
LIF_ICARUS = [(12, 8, 0, 0), (8, 8, 1, 1), (12, 8, 4, 0), (6, 2, 0, 1)]
LIF_VERILATOR = (10, 8, 4, 0)
# (WEIGHT_BITS, CURRENT_BITS)
SYNAPSE_ICARUS = [(8, 12), (4, 4)]
SYNAPSE_VERILATOR = (8, 16)


def _lif(parameters: tuple[int, int, int, int], simulator: str, planted_bug: bool = False):
    names = ("MEMBRANE_BITS", "CURRENT_BITS", "LEAK_SHIFT", "RESET_TO_ZERO")
    values = dict(zip(names, parameters))
    return run_cocotb(["lif_neuron.v"], "lif_neuron", values, BENCHES / "lif_bench.py", simulator,
                      extra_env=_environment(values, planted_bug))


def _synapse(parameters: tuple[int, int], simulator: str, planted_bug: bool = False):
    values = dict(zip(("WEIGHT_BITS", "CURRENT_BITS"), parameters))
    return run_cocotb(["synapse_accumulator.v"], "synapse_accumulator", values, BENCHES / "synapse_bench.py",
                      simulator, extra_env=_environment(values, planted_bug))


def _environment(parameters: dict[str, int], planted_bug: bool) -> dict[str, str]:
    return {"CODESIGN_RTL_PARAMETERS": json.dumps(parameters), "CODESIGN_RTL_SEED": "7",
            PLANTED_BUG_VARIABLE: "1" if planted_bug else "0"}


CASES = [*[("icarus", case) for case in LIF_ICARUS], ("verilator", LIF_VERILATOR)]


@pytest.mark.parametrize(("simulator", "parameters"), CASES, ids=[f"{sim}-{'-'.join(map(str, p))}" for sim, p in CASES])
def test_lif_neuron_matches_the_snn_targets_update(simulator, parameters):
    results = _lif(parameters, simulator)
    assert results.ok, results.failed
    assert set(results.passed) == {"random_stream", "corners"}


SYNAPSE_CASES = [*[("icarus", case) for case in SYNAPSE_ICARUS], ("verilator", SYNAPSE_VERILATOR)]


@pytest.mark.parametrize(("simulator", "parameters"), SYNAPSE_CASES,
                         ids=[f"{sim}-{'-'.join(map(str, p))}" for sim, p in SYNAPSE_CASES])
def test_synapse_accumulator_matches_the_saturating_running_sum(simulator, parameters):
    results = _synapse(parameters, simulator)
    assert results.ok, results.failed
    assert set(results.passed) == {"random_events", "corners"}


def test_the_benches_catch_a_golden_model_that_wraps_instead_of_saturating():
    lif = _lif(LIF_ICARUS[0], "icarus", planted_bug=True)
    synapse = _synapse(SYNAPSE_ICARUS[0], "icarus", planted_bug=True)
    assert not lif.ok and "corners" in dict(lif.failed), lif
    assert not synapse.ok and "corners" in dict(synapse.failed), synapse
