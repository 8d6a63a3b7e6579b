"""The compute-in-memory specs load, equal the presets their numbers are derived in, say each
thing once (the macro repeats nothing the spec already has), and reject impossible parameters
with one line naming the field."""

import pytest
import yaml

from codesign.arch import load_arch
from codesign.arch.cim import CrossbarConfig, FefetArrayConfig
from codesign.arch.components import Dram, Sram
from codesign.arch.schema import Architecture, MemoryLevel
from codesign.cost.crossbar import isaac_like, neurosim_like
from codesign.cost.fefet import fefet_1f1c_default
from codesign.cost.in_memory import cim_chip
from codesign.errors import ArchSpecError, CodesignError
from codesign.target import target_for


@pytest.mark.parametrize(("name", "preset"), [("crossbar", isaac_like), ("crossbar_neurosim", neurosim_like),
                                              ("fefet_1f1c", fefet_1f1c_default)])
def test_specs_equal_their_presets(name, preset):
    assert load_arch(name).compute == preset()


def test_the_macros_repeat_nothing_the_spec_has():
    said_elsewhere = set(Architecture.model_fields) | set(MemoryLevel.model_fields)
    for macro in (CrossbarConfig, FefetArrayConfig):
        assert set(macro.model_fields) & said_elsewhere == {"kind", "name"}, macro.__name__
        assert not [field for field in macro.model_fields if "dram" in field or "buffer" in field]


def test_both_macros_name_the_same_things_alike():
    shared = {"rows", "columns", "cell_bits", "cell_area_m2", "weight_bits", "input_bits", "adc_bits", "supply_V",
              "calibration"}
    assert shared <= set(CrossbarConfig.model_fields) & set(FefetArrayConfig.model_fields)
    for preset in (isaac_like(), fefet_1f1c_default()):
        assert preset.arrays > 0 and preset.adcs > 0 and preset.input_bits_per_cycle >= 1


@pytest.mark.parametrize(("name", "bandwidth"), [("crossbar", 25.6e9), ("crossbar_neurosim", 25.6e9),
                                                 ("fefet_1f1c", 12.8e9)])
def test_dram_and_buffer_come_from_the_spec_levels(name, bandwidth):
    """DRAM: 8 pJ/bit LPDDR4 and the level's bandwidth; the buffer: the Sram model of the level."""
    chip = cim_chip(load_arch(name))
    assert chip.dram.per_bit_J == pytest.approx(8e-12, rel=1e-15)
    assert chip.dram_bandwidth_B_per_s == bandwidth
    level = chip.buffer.spec
    sram = Sram(level.capacity_bytes * 8, level.width_bits, load_arch(name).technology_node_m)
    assert chip.buffer.per_bit_J == sram.read().energy_J / level.width_bits
    assert isinstance(chip.dram.model, Dram) and chip.dram.model.width_bits == chip.dram.spec.width_bits


def test_the_buffer_energies_are_those_the_cost_models_had():
    """Before the buffers became spec levels: Sram(64 KiB, 256 b, 32 nm) for ISAAC's tile buffer,
    Sram(256 KiB, 128 b, 28 nm) for the FeFET macro's."""
    assert cim_chip(load_arch("crossbar")).buffer.per_bit_J == Sram(65536 * 8, 256, 32e-9).read().energy_J / 256
    assert cim_chip(load_arch("fefet_1f1c")).buffer.per_bit_J == Sram(262144 * 8, 128, 28e-9).read().energy_J / 128


def spec_with(name: str, **changes) -> dict:
    spec = yaml.safe_load(load_arch(name).model_dump_json())
    spec["hierarchy"][-1].update(changes)
    return spec


@pytest.mark.parametrize(("name", "changes", "message"), [
    ("crossbar", {"cell_bits": 32, "weight_bits": 16}, "hierarchy[2].cell_bits: exceeds weight_bits=16 (got 32)"),
    ("crossbar", {"adc_bits": 40}, "hierarchy[2].adc_bits"),
    ("crossbar", {"adc_bits": 0}, "hierarchy[2].adc_bits"),
    ("crossbar", {"columns": 4}, "cannot hold the 8 bit slices"),
    ("crossbar", {"rows_per_read": 256}, "rows_per_read: exceeds rows=128"),
    ("crossbar", {"adc_model": "magic"}, "hierarchy[2].adc_model"),
    ("crossbar", {"technology_node_m": 32e-9}, "hierarchy[2].technology_node_m: unknown field"),
    ("crossbar", {"cell_area_m2": 0.0}, "hierarchy[2].cell_area_m2"),
    ("fefet_1f1c", {"vth_states_V": [0.2, 0.6]}, "vth_states_V: cell_bits=2 needs 4 states (got 2)"),
    ("fefet_1f1c", {"capacitor_F": -1e-15}, "hierarchy[2].capacitor_F"),
    ("fefet_1f1c", {"weight_bits": 1}, "hierarchy[2].cell_bits: exceeds weight_bits=1 (got 2)"),
    ("fefet_1f1c", {"dram_J_per_bit": 8e-12}, "hierarchy[2].dram_J_per_bit: unknown field"),
])
def test_impossible_parameters(tmp_path, name, changes, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec_with(name, **changes)))
    with pytest.raises(ArchSpecError) as caught:
        load_arch(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("name", ["crossbar", "fefet_1f1c"])
def test_a_macro_without_its_buffer_level_is_one_line_error(name):
    arch = load_arch(name)
    spec = {**arch.model_dump(), "hierarchy": [arch.hierarchy[0].model_dump(), arch.compute.model_dump()]}
    with pytest.raises(CodesignError) as caught:
        target_for(Architecture.model_validate(spec))
    assert "hierarchy is DRAM, one on-chip buffer level, then the macro (got memory, " in str(caught.value)
    assert "\n" not in str(caught.value)
