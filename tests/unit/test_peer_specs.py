"""The specs of ZigZag's shipped hardware (arch_specs/peers/, benchmarks/bench_peers.py): they
load, carry ZigZag's per-access energies as per-word ones, add no wire or static energy (ZigZag
has neither), run ZigZag's workload precision natively, and compile a small model."""

import pytest

from codesign.arch import ARCH_SPECS_DIRECTORY, load_arch
from codesign.arch.plausible import spec_warnings
from codesign.compiler import compile_graph
from codesign.frontend import load_model
from codesign.target import target_for

PEERS = ARCH_SPECS_DIRECTORY / "peers"
PJ = 1e-12
# ZigZag's numbers (zigzag-dse 3.9.1, inputs/hardware/*.yaml): pJ per access of the port's
# bandwidth_max bits, as (read, write, access bits, word bits here).
ZIGZAG = {
    "zigzag_tpu_like": {
        "mac": 0.04, "array": (32, 32),
        "levels": {"dram": (700, 750, 64, 8), "sram_2MB": (416.16, 378.4, 2048, 8),
                   "rf_128B": (0.095, 0.095, 8, 8), "rf_2B": (0.021, 0.021, 16, 16)}},
    "zigzag_eyeriss_like": {
        "mac": 0.5, "array": (14, 12),
        # rf_16B: ZigZag's 24-bit port reads one 16-bit partial sum per access, so per word the same
        "levels": {"dram": (1000, 1000, 64, 8), "sram_1M": (100, 130, 384, 8), "sram_64KB": (20, 25, 128, 8),
                   "sram_8KB": (10, 15, 128, 16), "rf_64B_A": (1.0, 1.5, 8, 8), "rf_64B_W": (1.0, 1.5, 8, 8),
                   "rf_16B": (1.5, 2.0, 16, 16)}},
}


@pytest.mark.parametrize("name", sorted(ZIGZAG))
def test_peer_spec_has_zigzags_numbers(name):
    arch = load_arch(PEERS / f"{name}.yaml")
    assert arch.name == name and not spec_warnings(arch)
    expected = ZIGZAG[name]
    target = target_for(arch)
    assert target.energies.mac_J == pytest.approx(expected["mac"] * PJ)
    assert [axis.size for fanout in arch.spatial_fanouts for axis in fanout.axes] == list(expected["array"])
    assert {level.name for level in arch.memory_levels} == set(expected["levels"])
    for level in arch.memory_levels:
        read, write, access_bits, word_bits = expected["levels"][level.name]
        assert level.word_bits == word_bits
        energy = target.energies.levels[level.name]
        assert energy.read_J_per_word == pytest.approx(read * PJ * word_bits / access_bits)
        assert energy.write_J_per_word == pytest.approx(write * PJ * word_bits / access_bits)
    assert all(joules == 0 for joules in target.energies.noc_J_per_word.values())
    assert target.leakage_W() == 0
    native = target.capabilities.native_bits  # ZigZag's ONNX defaults: 8-b operands and outputs, 16-b partial sums
    assert (native.weight, native.input, native.output, native.accumulator) == (8, 8, 8, 16)


@pytest.mark.parametrize("name", sorted(ZIGZAG))
def test_peer_spec_compiles(name):
    report = compile_graph(load_model("digits_cnn").graph, load_arch(PEERS / f"{name}.yaml"), "energy")
    compute = [layer for layer in report.layers if layer.op in ("Conv", "Gemm")]
    assert compute and all(layer.energy_J > 0 and layer.cycles >= 1 for layer in compute)
    assert all(layer.energy_breakdown_J.get("array", 0.0) == 0 for layer in compute)
    assert "leakage" not in compute[0].energy_breakdown_J
