"""The hwcomponents adapter against a fake with hwcomponents' real interface (no hwcomponents needed).

hwcomponents needs Python >= 3.12, so the project's 3.11 venv cannot import it. The fakes below copy
the interface read in the installed sources of hwcomponents 1.0.114, hwcomponents-cacti 1.0.40 and
hwcomponents-library 1.0.58 (and checked by running energy_table with them on Python 3.12.1):
- `hwcomponents.get_model(component_name, component_attributes, required_actions=(), ...)` returns an
  initialised ComponentModel, or raises (EstimatorError, RuntimeError, import errors of plug-ins);
- a model's `area` (m^2) and `leak_power` (W) are properties;
- an action returns `hwcomponents.ActionCost(energy, latency, throughput)`: an object with
  attributes, which cannot be unpacked like a tuple;
- component names and attributes: 'LPDDR4' (width), 'SRAM' (tech_node in metres, width, size in
  bits; -cacti 1.0.40 fails on width + depth without size), 'IntMAC' (tech_node in metres,
  adder_width, multiplier_width).
"""

import sys
import types

import pytest

from codesign.arch import load_arch
from codesign.arch.components.action import ActionCost
from codesign.arch.components.plugins import PluginModel, plugin_mac, plugin_memory


class FakeActionCost:
    """hwcomponents.model.ActionCost: attributes only, no tuple unpacking."""

    def __init__(self, energy: float, latency: float, throughput: float):
        self.energy = energy
        self.latency = latency
        self.throughput = throughput


class FakeModel:
    """A ComponentModel as get_model returns it: area and leak_power properties, action methods."""

    def __init__(self, component_name: str, attributes: dict):
        self.component_name = component_name
        self.attributes = attributes

    @property
    def area(self) -> float:
        return 2e-9

    @property
    def leak_power(self) -> float:
        return 3e-6

    def read(self) -> FakeActionCost:
        return FakeActionCost(energy=5e-12, latency=1e-9, throughput=1e9)

    def write(self) -> FakeActionCost:
        return FakeActionCost(energy=7e-12, latency=1e-9, throughput=1e9)

    def compute(self) -> FakeActionCost:
        return FakeActionCost(energy=1e-12, latency=1e-9, throughput=1e9)


@pytest.fixture
def fake_hwcomponents(monkeypatch):
    """Installs a fake `hwcomponents` module; returns the list of get_model calls it received."""
    calls = []

    def get_model(component_name, component_attributes, required_actions=(), models=None):
        calls.append((component_name, dict(component_attributes), list(required_actions)))
        return FakeModel(component_name, component_attributes)

    monkeypatch.setitem(sys.modules, 'hwcomponents', types.SimpleNamespace(get_model=get_model))
    return calls


def test_plugin_model_adapts_the_hwcomponents_interface():
    model = PluginModel(FakeModel('SRAM', {}))
    assert model.area_m2 == 2e-9 and model.leakage_W == 3e-6
    assert model.read() == ActionCost(5e-12, 1e-9)
    assert model.write() == ActionCost(7e-12, 1e-9)
    assert model.compute() == ActionCost(1e-12, 1e-9)


def test_queries_use_the_plugin_names_and_units(fake_hwcomponents):
    arch = load_arch('eyeriss')
    levels = {level.name: level for level in arch.memory_levels}
    node = arch.technology_node_m
    assert plugin_memory(levels['dram'], node) is not None
    assert plugin_memory(levels['global_buffer'], node) is not None
    assert plugin_memory(levels['psum_spad'], node) is None  # register files: built-in only
    assert plugin_mac(arch.compute, node) is not None
    assert fake_hwcomponents == [
        ('LPDDR4', {'width': 64}, ['read', 'write']),
        ('SRAM', {'tech_node': 65e-9, 'width': 64, 'size': 102400 * 8}, ['read', 'write']),
        ('IntMAC', {'tech_node': 65e-9, 'multiplier_width': 16, 'adder_width': 16}, ['compute']),
    ]


def test_a_failing_plugin_falls_back_to_the_built_in_tables(monkeypatch):
    def get_model(component_name, component_attributes, required_actions=(), models=None):
        raise RuntimeError(f'Can not find an model model for {component_name.lower()}(...)')

    monkeypatch.setitem(sys.modules, 'hwcomponents', types.SimpleNamespace(get_model=get_model))
    arch = load_arch('eyeriss')
    assert all(plugin_memory(level, arch.technology_node_m) is None for level in arch.memory_levels)
    assert plugin_mac(arch.compute, arch.technology_node_m) is None


def test_a_model_whose_action_fails_falls_back(monkeypatch):
    class Broken(FakeModel):
        def read(self):
            raise OSError('CACTI failed with exit code 1')

    monkeypatch.setitem(sys.modules, 'hwcomponents', types.SimpleNamespace(
        get_model=lambda name, attributes, required_actions=(), models=None: Broken(name, attributes)))
    arch = load_arch('eyeriss')
    glb = next(level for level in arch.memory_levels if level.name == 'global_buffer')
    assert plugin_memory(glb, arch.technology_node_m) is None
