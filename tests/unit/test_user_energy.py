"""Per-action energies, area and leakage a spec supplies: used by the cost model, marked in
`arch show`, and bad values refused with one line naming the file and field."""

import json

import pytest

from codesign.arch import ARCH_SPECS_DIRECTORY, load_arch
from codesign.compiler import compile_graph
from codesign.frontend import load_model
from codesign.target import target_for
from tests.unit.test_bad_input import assert_one_line_error, run

SIMBA = (ARCH_SPECS_DIRECTORY / "simba.yaml").read_text()
GLOBAL_BUFFER_HOLDS = "    holds: [input, output]          # weights go from DRAM straight to the PE weight buffers\n"


def simba_with(tmp_path, energy: str, compute_energy: str = ""):
    """simba.yaml copied, its global buffer (and optionally its MAC) given `energy:` lines."""
    assert GLOBAL_BUFFER_HOLDS in SIMBA
    text = SIMBA.replace(GLOBAL_BUFFER_HOLDS, GLOBAL_BUFFER_HOLDS + f"    energy: {energy}\n")
    if compute_energy:
        text = text.replace("    accumulator_bits: 24\n", f"    accumulator_bits: 24\n    energy: {compute_energy}\n")
    path = tmp_path / "mine.yaml"
    path.write_text(text.replace("name: simba\n", "name: mine\n", 1))
    return path


def test_supplied_numbers_replace_the_built_in_ones(tmp_path):
    base = target_for(load_arch("simba"))
    mine = target_for(load_arch(simba_with(tmp_path, "{read_J: 32.0e-12, area_m2: 1.0e-6, source: CACTI 7}",
                                           "{mac_J: 0.1e-12}")))
    assert mine.energies.levels["global_buffer"].read_J_per_word == pytest.approx(1e-12)  # 256-bit access, 8-bit words
    assert mine.energies.levels["global_buffer"].write_J_per_word == base.energies.levels["global_buffer"].write_J_per_word
    assert mine.area_m2()["global_buffer"] == pytest.approx(1e-6) and mine.energies.mac_J == pytest.approx(1e-13)
    rows = {(row.component, row.action): row.source for row in mine.action_energies()}
    assert rows[("global_buffer", "read")].startswith("CACTI 7; the rest built-in")
    assert rows[("mac", "MAC")] == "spec; the rest built-in: Horowitz 2014 multiply + add"
    graph = load_model("digits_cnn").graph
    assert compile_graph(graph, load_arch(simba_with(tmp_path, "{read_J: 32.0e-12}"))).energy_J > \
        compile_graph(graph, load_arch("simba")).energy_J


def test_leakage_is_its_own_energy_entry(tmp_path):
    arch = load_arch(simba_with(tmp_path, "{leakage_W: 0.5}"))
    report = compile_graph(load_model("digits_cnn").graph, arch)
    assert report.leakage_W == pytest.approx(0.5)
    for layer in report.layers:
        assert layer.energy_breakdown_J["leakage"] == pytest.approx(0.5 * layer.latency_s)
        assert sum(layer.energy_by_tensor_J.values()) == pytest.approx(layer.energy_J)


def test_arch_show_marks_the_source(capsys, tmp_path):
    code, out, err = run(capsys, "arch", "show", str(simba_with(tmp_path, "{read_J: 1.0e-12, leakage_W: 0.001}")))
    assert code == 0, err
    assert "[spec; the rest built-in: SRAM fit through Horowitz 2014]" in out and "leakage 1 mW" in out


@pytest.mark.parametrize("energy, expected", [
    ("{read_J: -1.0e-12}", "hierarchy[1].energy.read_J: must be >= 0"),
    ("{read: 1.0e-12}", "hierarchy[1].energy.read: unknown field (did you mean 'read_J'?)"),
    ("{read_J: 5 pJ}", "hierarchy[1].energy.read_J"),
    ("{leakage_W: .inf}", "hierarchy[1].energy.leakage_W"),
])
def test_bad_supplied_numbers(capsys, tmp_path, energy, expected):
    assert_one_line_error(*run(capsys, "arch", "show", str(simba_with(tmp_path, energy)))[::2], "mine.yaml", expected)


def test_the_report_carries_area_and_leakage(capsys, tmp_path):
    report = tmp_path / "r.json"
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", str(simba_with(tmp_path, "{leakage_W: 0.25}")),
                       "--json", str(report))
    assert code == 0, err
    total = json.loads(report.read_text())["total"]
    assert total["leakage_W"] == 0.25 and total["area_m2"] == pytest.approx(sum(target_for(load_arch("simba")).area_m2().values()))


def test_fused_groups_pay_leakage_over_their_own_cycles(tmp_path):
    from codesign.flow import compile_model
    from codesign.passes import make_pass

    leaky = load_arch(simba_with(tmp_path, "{leakage_W: 0.5}"))
    graph = load_model("digits_cnn").graph
    fuse = make_pass("fuse-layers", {"population": 8, "generations": 3})
    outcome = compile_model(graph, leaky, [fuse])
    quiet = compile_model(graph, load_arch("simba"), [fuse])
    assert outcome.fusion.baseline.energy_J == pytest.approx(outcome.compiled.report.energy_J, rel=1e-9)
    static = 0.5 * outcome.fusion.chosen.cycles / leaky.clock_frequency_Hz
    assert outcome.fusion.chosen.cycles == quiet.fusion.chosen.cycles
    assert outcome.fusion.chosen.energy_J == pytest.approx(quiet.fusion.chosen.energy_J + static, rel=1e-9)


def rows_key_of(rows, component):
    return next(per for (name, _, per) in rows if name == component)


def test_arch_show_marks_calibrated_terms():
    rows = {(row.component, row.action, row.per): row for row in target_for(load_arch("crossbar_calibrated")).action_energies()}
    plain = {(row.component, row.action, row.per): row for row in target_for(load_arch("crossbar")).action_energies()}
    eight_bit = ("adc", "conversion", "8-bit conversion")
    assert rows[eight_bit].source.startswith("SPICE calibration (scaled and added)")
    assert rows[eight_bit].energy_J > plain[eight_bit].energy_J
    cell = ("array", "cell read", "cell on a driven row")
    assert rows[cell].source.startswith("calibration x") and plain[cell].source == "spec"
    assert rows[("shift_add", "add", rows_key_of(rows, "shift_add"))].source == plain[("shift_add", "add",
                                                                                       rows_key_of(plain, "shift_add"))].source
