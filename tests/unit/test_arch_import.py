"""`codesign arch import` (codesign/arch/importers/): the published Timeloop/Accelergy and AccelForge
examples in tests/fixtures/arch_import/ convert to specs the loader accepts, with the sources'
numbers in SI units, every unconverted item listed, and a small model compiling on the result."""

from pathlib import Path

import pytest

from codesign.arch import load_arch
from codesign.arch.importers import import_architecture
from codesign.arch.importers.expressions import NotANumber, number
from codesign.compiler import compile_graph
from codesign.errors import ArchSpecError
from codesign.frontend import load_model
from tests.unit.test_bad_input import assert_one_line_error, run
from tests.unit.test_spec_fuzz import BOMB

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arch_import"
PJ, UM2 = 1e-12, 1e-12
EYERISS = [FIXTURES / name for name in ("timeloop_eyeriss_like_arch.yaml", "timeloop_eyeriss_like_ERT.yaml",
                                        "timeloop_eyeriss_like_ART.yaml")]
SIMBA = [FIXTURES / name for name in ("timeloop_simba_like_arch.yaml", "timeloop_simba_like_ERT.yaml",
                                      "timeloop_simba_like_ART.yaml")]


def imported(tmp_path, paths, **options):
    result = import_architecture(paths, **options)
    path = tmp_path / f"{result.name}.yaml"
    path.write_text(result.spec_text)
    return result, load_arch(path)


def test_timeloop_eyeriss_numbers_come_from_the_ert_and_art(tmp_path):
    result, arch = imported(tmp_path, EYERISS)
    dram, glb = arch.component("DRAM"), arch.component("shared_glb")
    assert dram.capacity_bytes is None and dram.energy.read_J == pytest.approx(512.0 * PJ)  # per 64-bit access
    assert (glb.capacity_bytes, glb.word_bits, glb.width_bits) == (16384 * 64 // 8, 8, 64)
    assert glb.energy.read_J == pytest.approx(18.183829 * PJ) and glb.energy.write_J == pytest.approx(14.137929 * PJ)
    assert glb.energy.area_m2 == pytest.approx(217363.36892 * UM2)
    assert glb.energy.leakage_W == pytest.approx(0.005652 * PJ / 1e-9)  # leak is pJ per 1 ns cycle
    assert glb.bandwidth_bytes_per_second == pytest.approx(16 * 1 * 1e9)  # 16 8-bit words a cycle at 1 GHz
    assert [str(tensor) for tensor in glb.holds] == ["input", "output"]  # keep: [Inputs, Outputs]
    assert arch.compute.energy.mac_J == pytest.approx(0.207692 * PJ)
    assert (arch.compute.operand_bits, arch.compute.accumulator_bits) == (8, 16)
    assert arch.component("psum_spad").capacity_bytes == 16 * 16 // 8 and arch.mac_count == 14 * 12
    assert [str(d) for d in arch.component("PE_column").axes[0].unroll] == ["Q", "K"]  # factors N,C,P,R,S = 1
    assert arch.technology_node_m == pytest.approx(65e-9) and arch.clock_frequency_Hz == pytest.approx(1e9)
    assert str(arch.dataflow) == "row_stationary"
    listed = "\n".join(result.not_converted)
    for item in ("n_banks=32", "update_fifo_depth=2", "!Parallel", "temporal constraint", "inter_PE_spatial"):
        assert item in listed
    assert result.spec_text.startswith("# Imported by `codesign arch import`") and "# Not converted" in result.spec_text


def test_timeloop_simba_keeps_its_levels_and_lists_the_nothing_node(tmp_path):
    result, arch = imported(tmp_path, SIMBA, name="simba_timeloop", clock_hz=2e8)
    accumulator = arch.component("PEAccuBuffer")
    assert (accumulator.capacity_bytes, accumulator.word_bits, accumulator.width_bits) == (128 * 24 // 8, 24, 24)
    assert accumulator.energy.read_J == pytest.approx(3.091057 * PJ)
    assert arch.component("PEWeightRegs").energy.read_J == pytest.approx(0.259899 * PJ)
    assert arch.compute.energy.mac_J == pytest.approx(0.315 * PJ) and arch.mac_count == 16 * 4 * 4
    assert arch.name == "simba_timeloop" and arch.clock_frequency_Hz == 2e8
    assert str(arch.dataflow) == "weight_stationary"
    assert any("!Nothing" in item for item in result.not_converted)


def test_constraints_file_and_v03_tree(tmp_path):
    _, arch = imported(tmp_path, [EYERISS[0], FIXTURES / "timeloop_eyeriss_like_constraints.yaml"])
    assert [str(t) for t in arch.component("shared_glb").holds] == ["input", "output"]
    assert arch.component("shared_glb").energy is None  # no ERT: built-in models, and listed
    result, old = imported(tmp_path, [FIXTURES / "timeloop_v03_eyeriss_like_arch.yaml"])
    assert old.mac_count == 168 and old.instances("DummyBuffer") == 14 and old.compute.operand_bits == 16
    assert any("no Accelergy ERT" in item for item in result.not_converted)


def test_accelforge_tpu_energies_are_per_bit_actions(tmp_path):
    result, arch = imported(tmp_path, [FIXTURES / "accelforge_tpu_v4i.yaml"])
    memory = arch.component("MainMemory")  # 7.03e-12 J per 1-bit action, 8-bit words
    assert memory.energy.read_J == pytest.approx(7.03e-12 * 8)
    assert memory.bandwidth_bytes_per_second == pytest.approx(614e9)
    glb = arch.component("GlobalBuffer")
    assert glb.capacity_bytes == 128 * 1024 * 1024 and glb.energy.area_m2 == pytest.approx(112e-6)
    assert arch.compute.energy.mac_J == pytest.approx(0.084e-12) and arch.mac_count == 4 * 128 * 128
    assert any("ScalarUnit" in item for item in result.not_converted)


@pytest.mark.parametrize("name", ["accelforge_eyeriss.yaml", "accelforge_simba.yaml"])
def test_accelforge_examples_convert(tmp_path, name):
    result, arch = imported(tmp_path, [FIXTURES / name])
    assert arch.compute.energy is None and any("no energies in the file" in item for item in result.not_converted)
    assert any("clock 1 GHz" in choice for choice in result.choices)


def test_a_model_compiles_on_imported_specs(tmp_path):
    graph = load_model("digits_cnn").graph
    for paths in (EYERISS, [FIXTURES / "accelforge_tpu_v4i.yaml"]):
        _, arch = imported(tmp_path, paths)
        report = compile_graph(graph, arch, objective="edp", model_name="digits_cnn")
        assert report.energy_J > 0 and report.latency_s > 0


def test_cli_writes_refuses_to_overwrite_and_errors_in_one_line(capsys, tmp_path):
    output = tmp_path / "eyeriss_import.yaml"
    code, out, _ = run(capsys, "arch", "import", *map(str, EYERISS), "-o", str(output))
    assert code == 0 and "not converted: shared_glb: attributes n_banks=32" in out and output.exists()
    assert load_arch(output).component("DRAM").energy.read_J == pytest.approx(512e-12)
    code, _, err = run(capsys, "arch", "import", *map(str, EYERISS), "-o", str(output))
    assert_one_line_error(code, err, "already exists")
    assert run(capsys, "arch", "import", *map(str, EYERISS), "-o", str(output), "--force")[0] == 0
    for content, fragment in [("x: [1\n", "not valid YAML"), ("x: 1\n", "not a Timeloop architecture"),
                              ("arch:\n  nodes: [!include other.yaml]\n", "unsupported tag !include"),
                              ("{% set a = 1 %}\narch: {}\n", "Jinja2")]:
        bad = tmp_path / "bad.yaml"
        bad.write_text(content)
        assert_one_line_error(*run(capsys, "arch", "import", str(bad), "-o", str(tmp_path / "x.yaml"))[::2], fragment)
    assert_one_line_error(*run(capsys, "arch", "import", str(tmp_path / "absent.yaml"), "-o",
                               str(tmp_path / "x.yaml"))[::2], "file not found")


def test_missing_ert_entry_is_an_error(tmp_path):
    ert = tmp_path / "ERT.yaml"
    ert.write_text("ERT:\n  version: '0.4'\n  tables:\n  - name: system.DRAM[1..1]\n"
                   "    actions: [{name: read, energy: 1}, {name: write, energy: 1}]\n")
    with pytest.raises(ArchSpecError, match="no ERT entry for component 'shared_glb'"):
        import_architecture([EYERISS[0], ert])


@pytest.mark.parametrize("content, fragment", [
    ("arch: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 64 levels deep"),
    (BOMB + "arch: *l8\n", "aliases expand the document"),
    ("arch:\n  nodes: [!Memory {name: M, size: " + "9" * 5000 + "}]\n", "too large"),
    ("arch:\n  nodes: [!Memory {name: D, size: inf}, !Memory {name: M, size: 1e300}, !Compute {name: C}]\n",
     "size must be between 1 and"),
])
def test_hostile_yaml_is_one_line(capsys, tmp_path, content, fragment):
    path = tmp_path / "hostile.yaml"
    path.write_text(content)
    assert_one_line_error(*run(capsys, "arch", "import", str(path), "-o", str(tmp_path / "x.yaml"))[::2], fragment)


def test_expressions_are_arithmetic_only():
    assert number("1024 * 1024") == 1048576 and number("8 * 614e9") == pytest.approx(4.912e12)
    for hostile in ("10**10**10", "__import__('os').system('true')", "weight.bits_per_value if weight else 0"):
        with pytest.raises(NotANumber):
            number(hostile)
