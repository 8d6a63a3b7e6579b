"""Area and leakage of the compute-in-memory targets, by component, from the component models;
the ISAAC-like chip against the component areas and chip area ISAAC published."""

import pytest
import yaml

from codesign.arch import load_arch
from codesign.arch.components import Sram
from codesign.arch.components.adc import Adc
from codesign.arch.components.mac import add_energy_J
from codesign.arch.components.row_driver import RowDriver
from codesign.arch.components.scaling import energy_scale
from codesign.arch.components.shift_add import ShiftAdd
from codesign.cli import main
from codesign.target import target_for

MM2 = 1e-6
ISAAC_IMAS = 168 * 12
"""ISAAC (Shafiee et al., ISCA 2016): 168 tiles of 12 IMAs, each IMA 8 crossbars, 8 ADCs, 8 x 128 DACs."""


def test_isaac_like_arrays_and_dacs_are_the_published_component_areas():
    """Per IMA at 32 nm: memristor arrays 0.0002 mm^2, DACs 0.00017 mm^2 (ISAAC's table)."""
    area = target_for(load_arch("crossbar")).area_m2()
    assert area["array"] == pytest.approx(ISAAC_IMAS * 0.0002 * MM2)
    assert area["dac"] == pytest.approx(ISAAC_IMAS * 0.00017 * MM2)


def test_isaac_like_area_by_component_from_the_models(capsys):
    arch = load_arch("crossbar")
    area = target_for(arch).area_m2()
    adcs = 168 * 96  # one 8-bit ADC per 128-column crossbar
    assert set(area) == {"array", "dac", "adc", "shift_add", "buffer"}
    assert area["adc"] == pytest.approx(adcs * Adc(8, 1.28e9, 32e-9).area_m2)
    assert area["shift_add"] == pytest.approx(adcs * ShiftAdd(16 + 16 + 7, 32e-9).area_m2)
    assert area["buffer"] == pytest.approx(168 * Sram(65536 * 8, 256, 32e-9).area_m2)  # one per tile
    total = sum(area.values())
    with capsys.disabled():
        print(f"\nISAAC-like chip {total / MM2:.1f} mm^2 (published 85.4 mm^2, {total / (85.4 * MM2) - 1:+.0%}): "
              + ", ".join(f"{key} {value / MM2:.3g}" for key, value in area.items())
              + f"; with ISAAC's 1200 um^2 ADC: ADCs {adcs * 1200e-12 / MM2:.3g} mm^2")
    assert max(area, key=area.get) == "adc"  # the survey fit's converter is 5.4 times ISAAC's (adc.py)


def test_fefet_area_by_component():
    arch = load_arch("fefet_1f1c")
    macro = arch.compute
    area = target_for(arch).area_m2()
    assert area["array"] == pytest.approx(64 * 128 * 128 * 0.5e-12)
    assert area["drivers"] == pytest.approx(64 * 128 * RowDriver(1, 28e-9, 1e-15).area_m2)
    assert area["adc"] == pytest.approx(64 * 128 * Adc(5, 1 / macro.conversion_s, 28e-9, "walden",
                                                       fom_J_per_step=4.4e-15).area_m2)
    assert area["buffer"] == pytest.approx(Sram(262144 * 8, 128, 28e-9).area_m2)


@pytest.mark.parametrize(("changes", "component", "grows"), [
    ({"adc_bits": 6}, "adc", False), ({"tiles": 336}, "buffer", True), ({"columns_per_adc": 64}, "adc", True),
    ({"rows": 256, "rows_per_read": 256}, "array", True), ({"input_bits_per_cycle": 2}, "dac", True),
])
def test_crossbar_area_follows_the_design(changes, component, grows):
    arch = load_arch("crossbar")
    changed = arch.model_copy(update={"hierarchy": (*arch.hierarchy[:-1], arch.compute.model_copy(update=changes))})
    before, after = (target_for(spec).area_m2()[component] for spec in (arch, changed))
    assert (after > before) if grows else (after < before)


def test_no_leakage_without_a_source_and_the_specs_leakage_flows(tmp_path):
    """Built-in: 0 (see codesign/cost/crossbar.py). A buffer level with its own leakage and area
    (`energy:` of the level) counts once per tile."""
    assert target_for(load_arch("crossbar")).leakage_W() == 0.0
    assert target_for(load_arch("fefet_1f1c")).leakage_W() == 0.0
    spec = yaml.safe_load((load_arch("crossbar").model_dump_json()))
    spec["hierarchy"][1]["energy"] = {"leakage_W": 1e-3, "area_m2": 0.083e-6, "source": "ISAAC eDRAM"}
    path = tmp_path / "edram.yaml"
    path.write_text(yaml.safe_dump(spec))
    from codesign.arch import load_arch as load

    target = target_for(load(path))
    assert target.leakage_W() == pytest.approx(168 * 1e-3)
    assert target.area_m2()["buffer"] == pytest.approx(168 * 0.083e-6)


def test_walden_adc_model():
    adc = Adc(5, 2e8, 28e-9, "walden", fom_J_per_step=4.4e-15)
    assert adc.convert().energy_J == pytest.approx(4.4e-15 * 32)
    assert adc.convert().latency_s == pytest.approx(5e-9)
    assert adc.leakage_W == 0.0
    wider = Adc(6, 2e8, 28e-9, "walden", fom_J_per_step=4.4e-15)
    assert wider.area_m2 > adc.area_m2 > 0
    with pytest.raises(ValueError, match="walden ADC model needs a positive fom_J_per_step"):
        Adc(5, 2e8, 28e-9, "walden")


def test_row_driver_and_shift_add_models():
    one_bit = RowDriver(1, 32e-9, 0.39e-12)
    assert one_bit.area_m2 == pytest.approx(170e-12 / 1024)  # ISAAC: 170 um^2 per 1024 1-bit DACs
    assert RowDriver(3, 32e-9, 0.39e-12).area_m2 == pytest.approx(4 * one_bit.area_m2)
    assert RowDriver(1, 16e-9, 0.39e-12).area_m2 < one_bit.area_m2
    assert one_bit.drive().energy_J == 0.39e-12
    adder = ShiftAdd(24, 22e-9)
    assert adder.add().energy_J == pytest.approx(add_energy_J(24) * energy_scale(45e-9, 22e-9))
    assert ShiftAdd(16, 32e-9).area_m2 < ShiftAdd(32, 32e-9).area_m2


def test_arch_show_prints_the_area_by_component(capsys):
    assert main(["arch", "show", "crossbar"]) == 0
    out = capsys.readouterr().out
    area_line = next(line for line in out.splitlines() if line.strip().startswith("area"))
    assert all(f"{key} " in area_line for key in ("array", "dac", "adc", "shift_add", "buffer")), area_line
    assert "tile_buffer is one tile's buffer: 168 of them on the chip" in out and "leakage 0 mW" in out
