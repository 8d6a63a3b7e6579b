"""The compute-in-memory specs load, equal the presets their numbers are derived in, and reject
impossible parameters with one line naming the field."""

import pytest
import yaml

from codesign.arch import load_arch
from codesign.cost.crossbar import isaac_like, neurosim_like
from codesign.cost.fefet import fefet_1f1c_default
from codesign.errors import ArchSpecError


@pytest.mark.parametrize(("name", "preset"), [("crossbar", isaac_like), ("crossbar_neurosim", neurosim_like),
                                              ("fefet_1f1c", fefet_1f1c_default)])
def test_specs_equal_their_presets(name, preset):
    assert load_arch(name).compute == preset()


def spec_with(name: str, **changes) -> dict:
    spec = yaml.safe_load(load_arch(name).model_dump_json())
    spec["hierarchy"][-1].update(changes)
    return spec


@pytest.mark.parametrize(("name", "changes", "message"), [
    ("crossbar", {"cell_bits": 32, "weight_bits": 16}, "hierarchy[1].cell_bits: exceeds weight_bits=16 (got 32)"),
    ("crossbar", {"adc_bits": 40}, "hierarchy[1].adc_bits"),
    ("crossbar", {"adc_bits": 0}, "hierarchy[1].adc_bits"),
    ("crossbar", {"crossbar_columns": 4}, "cannot hold the 8 bit slices"),
    ("crossbar", {"rows_per_read": 256}, "rows_per_read: exceeds crossbar_rows=128"),
    ("crossbar", {"adc_model": "magic"}, "hierarchy[1].adc_model"),
    ("fefet_1f1c", {"vth_states_V": [0.2, 0.6]}, "vth_states_V: cell_bits=2 needs 4 states (got 2)"),
    ("fefet_1f1c", {"capacitor_F": -1e-15}, "hierarchy[1].capacitor_F"),
])
def test_impossible_parameters(tmp_path, name, changes, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec_with(name, **changes)))
    with pytest.raises(ArchSpecError) as caught:
        load_arch(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)
