"""Per-action energies: the cited reference points, sane ratios on the shipped specs, monotonicity."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codesign.arch import load_arch
from codesign.report.arch import format_arch
from codesign.arch.components import (
    Dram,
    Mac,
    RegisterFile,
    Sram,
    Wire,
    area_scale,
    energy_scale,
)
from codesign.arch.components.mac import add_energy_J, multiply_energy_J
from codesign.arch.components.plugins import hwcomponents_available
from codesign.arch.energy import BUILT_IN_SOURCE, energy_table

NM = 1e-9
PJ = 1e-12
KIB_BITS = 1024 * 8

# Eyeriss's normalised energy per access, relative to one MAC (Chen et al., ISCA 2016 / JSSC 2017;
# Sze et al., Proc. IEEE 2017): DRAM 200x, global buffer 6x, PE-to-PE network 2x, register file 1x.
# We accept each of our ratios within a factor of 3 of the published one: the published numbers are
# rounded, measured in one 65 nm process, and our NoC is wires only from the array corner.
EYERISS_PUBLISHED_RATIOS = {'dram': 200, 'global_buffer': 6, 'pe_array': 2, 'filter_spad': 1,
                            'ifmap_spad': 1, 'psum_spad': 1}
# What we get (built-in tables at 65 nm), recorded here and in docs/VALIDATION.md.
EYERISS_MEASURED_RATIOS = {'dram': 122.5, 'global_buffer': 9.84, 'pe_array': 3.14, 'filter_spad': 1.44,
                           'ifmap_spad': 0.594, 'psum_spad': 0.594}
TOLERANCE_FACTOR = 3

nodes_m = st.floats(min_value=3 * NM, max_value=250 * NM)
bits = st.integers(min_value=1, max_value=64)
capacities_bits = st.integers(min_value=8, max_value=64 * 1024 * KIB_BITS)
widths_bits = st.integers(min_value=1, max_value=2048)


def eyeriss_ratios() -> dict[str, float]:
    table = energy_table(load_arch('eyeriss'))
    ratios = {name: level.read_J_per_word / table.mac_J for name, level in table.levels.items()}
    return ratios | {'pe_array': table.noc_J_per_word['pe_array'] / table.mac_J}


# ---- the cited reference points ----

def test_built_in_tables_reproduce_horowitz_at_45nm():
    assert Sram(8 * KIB_BITS, 64, 45 * NM).read().energy_J == pytest.approx(10 * PJ)
    assert Sram(1024 * KIB_BITS, 64, 45 * NM).read().energy_J == pytest.approx(100 * PJ)
    assert Sram(32 * KIB_BITS, 64, 45 * NM).read().energy_J == pytest.approx(20 * PJ, rel=0.05)  # fit: 19.3
    assert multiply_energy_J(8) == pytest.approx(0.2 * PJ) and multiply_energy_J(32) == pytest.approx(3.1 * PJ)
    assert add_energy_J(8) == pytest.approx(0.03 * PJ) and add_energy_J(32) == pytest.approx(0.1 * PJ)
    assert RegisterFile(32 * 32, 32, 45 * NM).read().energy_J == pytest.approx(1 * PJ)


def test_wire_reproduces_keckler_at_40nm():
    # 256 bits over 10 mm: 310 pJ (Keckler et al., IEEE Micro 2011, Table 1).
    assert Wire(10e-3, 256, 40 * NM).transfer().energy_J == pytest.approx(310 * PJ)


def test_lpddr4_is_8_pj_per_bit_and_kinds_are_checked():
    assert Dram(64).read().energy_J == pytest.approx(64 * 8 * PJ)
    with pytest.raises(ValueError, match="unknown DRAM kind 'DDR9'"):
        Dram(64, 'DDR9')


# ---- the shipped specs ----

def test_eyeriss_levels_are_ordered_dram_over_buffer_over_spads():
    levels = energy_table(load_arch('eyeriss')).levels
    spads = max(levels[name].read_J_per_word for name in ('ifmap_spad', 'filter_spad', 'psum_spad'))
    assert levels['dram'].read_J_per_word > 10 * levels['global_buffer'].read_J_per_word
    assert levels['global_buffer'].read_J_per_word > 5 * spads


@pytest.mark.parametrize('component', sorted(EYERISS_PUBLISHED_RATIOS))
def test_eyeriss_ratios_within_a_factor_of_3_of_published(component):
    ratio = eyeriss_ratios()[component]
    published = EYERISS_PUBLISHED_RATIOS[component]
    assert published / TOLERANCE_FACTOR <= ratio <= published * TOLERANCE_FACTOR
    assert ratio == pytest.approx(EYERISS_MEASURED_RATIOS[component], rel=0.01)  # docs/VALIDATION.md is current


def test_simba_mac_is_a_fraction_of_the_chips_energy_per_op():
    # Zimmer et al., VLSI 2019: 0.11 pJ/op for the whole chiplet (buffers, network, control) at
    # 0.42 V in 16 nm; one MAC is 2 ops. The MAC alone must be well below it, but not negligible.
    mac_J_per_op = energy_table(load_arch('simba')).mac_J / 2
    assert 0.1 < mac_J_per_op / (0.11 * PJ) < 1


@pytest.mark.parametrize('name', ['eyeriss', 'simba'])
def test_every_value_is_positive_and_finite(name):
    arch = load_arch(name)
    table = energy_table(arch)
    values = [table.mac_J, table.mac_area_m2, *table.noc_J_per_word.values()]
    for level in arch.memory_levels:
        energy = table.levels[level.name]
        values += [energy.read_J_per_word, energy.write_J_per_word]
        if level.technology != 'dram':  # DRAM is off-chip: no die area
            values.append(energy.area_m2)
        assert math.isfinite(energy.leakage_W) and energy.leakage_W >= 0  # 0: not modelled by built-ins
    assert all(math.isfinite(value) and value > 0 for value in values)
    assert set(table.noc_J_per_word) == {fanout.name for fanout in arch.spatial_fanouts}


@pytest.mark.skipif(hwcomponents_available(), reason='hwcomponents installed: the plug-ins are used')
def test_source_names_the_built_in_tables():
    assert energy_table(load_arch('eyeriss')).source == BUILT_IN_SOURCE


def test_arch_show_prints_the_energies():
    text = format_arch(load_arch('eyeriss'))
    assert 'per-action energy (65 nm; [source]):' in text
    assert 'global_buffer read     10.3 pJ per 16-bit word  [built-in: SRAM fit through Horowitz 2014]' in text
    assert 'pe_array transfer' in text and 'mac MAC' in text and 'area 2.747 mm^2' in text


# ---- monotonicity ----

@given(capacities_bits, capacities_bits, widths_bits, nodes_m)
def test_sram_energy_grows_with_capacity(first, second, width, node):
    small, large = sorted((first, second))
    for model in (Sram, RegisterFile):
        assert model(small, width, node).read().energy_J <= model(large, width, node).read().energy_J


@given(capacities_bits, widths_bits, widths_bits, nodes_m)
def test_sram_energy_grows_with_width(capacity, first, second, node):
    narrow, wide = sorted((first, second))
    for model in (Sram, RegisterFile):
        assert model(capacity, narrow, node).read().energy_J <= model(capacity, wide, node).read().energy_J


@given(capacities_bits, widths_bits, nodes_m)
def test_register_file_is_cheaper_than_sram_of_the_same_size(capacity, width, node):
    assert RegisterFile(capacity, width, node).read().energy_J < Sram(capacity, width, node).read().energy_J


@given(bits, bits, bits, nodes_m)
def test_mac_energy_grows_with_bits(first, second, accumulator, node):
    narrow, wide = sorted((first, second))
    assert Mac(narrow, accumulator, node).compute().energy_J <= Mac(wide, accumulator, node).compute().energy_J
    assert Mac(accumulator, narrow, node).compute().energy_J <= Mac(accumulator, wide, node).compute().energy_J


@given(nodes_m, nodes_m)
def test_smaller_nodes_use_less_energy_and_area(first, second):
    small, large = sorted((first, second))
    assert energy_scale(large, small) <= 1 and area_scale(large, small) <= 1
    assert Mac(8, 24, small).compute().energy_J <= Mac(8, 24, large).compute().energy_J
    assert Sram(8 * KIB_BITS, 64, small).read().energy_J <= Sram(8 * KIB_BITS, 64, large).read().energy_J
    assert Wire(1e-3, 16, small).transfer().energy_J <= Wire(1e-3, 16, large).transfer().energy_J


@given(nodes_m, nodes_m)
def test_scaling_there_and_back_is_the_identity(first, second):
    assert energy_scale(first, second) * energy_scale(second, first) == pytest.approx(1)
    assert area_scale(first, second) * area_scale(second, first) == pytest.approx(1)
