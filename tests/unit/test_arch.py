"""Architecture specs: the shipped specs, composition by reference, and one-line errors."""

import copy
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codesign.report.arch import format_arch
from codesign.arch import (
    ARCH_SPECS_DIRECTORY,
    Architecture,
    ComputeUnit,
    MemoryLevel,
    SpatialAxis,
    SpatialFanout,
    Tensor,
    list_arch,
    load_arch,
)
from codesign.arch.cim import CrossbarConfig, FefetArrayConfig
from codesign.arch.loader import load_data
from codesign.arch.plausible import PLAUSIBLE, spec_warnings
from codesign.arch.yaml_files import read_yaml
from codesign.errors import ArchSpecError, UnknownNameError

KIB = 1024


# ---- the shipped specs carry the published numbers ----

def test_eyeriss_has_published_sizes():
    eyeriss = load_arch('eyeriss')
    assert eyeriss.mac_count == 168  # 12 x 14 PEs
    assert [axis.size for axis in eyeriss.component('pe_array').axes] == [12, 14]
    assert eyeriss.technology_node_m == pytest.approx(65e-9)
    assert eyeriss.clock_frequency_Hz == pytest.approx(200e6)
    assert eyeriss.dataflow == 'row_stationary'
    glb_parts = ('global_buffer', 'filter_buffer')  # the 108 KB GLB: 100 KB ifmap/psum + 8 KB filter
    assert sum(eyeriss.component(name).capacity_bytes for name in glb_parts) == 108 * KIB
    spads = ('ifmap_spad', 'filter_spad', 'psum_spad')
    spad_words = {name: eyeriss.component(name).capacity_bytes * 8 // eyeriss.component(name).word_bits
                  for name in spads}
    assert spad_words == {'ifmap_spad': 12, 'filter_spad': 224, 'psum_spad': 24}
    assert eyeriss.instances('filter_spad') == 168
    assert eyeriss.compute.operand_bits == 16


def test_simba_has_published_sizes():
    simba = load_arch('simba')
    assert simba.mac_count == 16 * 8 * 8
    assert simba.instances('weight_buffer') == 16
    assert simba.technology_node_m == pytest.approx(16e-9)
    assert simba.dataflow == 'weight_stationary'
    capacities = {level.name: level.capacity_bytes for level in simba.memory_levels}
    assert capacities['weight_buffer'] == 32 * KIB
    assert capacities['input_buffer'] == 8 * KIB
    assert capacities['accumulation_buffer'] == 3 * KIB
    assert capacities['global_buffer'] == 64 * KIB
    assert simba.component('accumulation_buffer').word_bits == 24
    assert (simba.compute.operand_bits, simba.compute.accumulator_bits) == (8, 24)


def test_shipped_specs_share_the_dram_by_reference():
    eyeriss, simba = load_arch('eyeriss'), load_arch('simba')
    assert eyeriss.hierarchy[0].bandwidth_bytes_per_second == simba.hierarchy[0].bandwidth_bytes_per_second
    assert (eyeriss.hierarchy[0].word_bits, simba.hierarchy[0].word_bits) == (16, 8)  # eyeriss overrides
    assert set(simba.hierarchy[0].holds) == set(Tensor)


def test_load_by_path_equals_load_by_name():
    assert load_arch(ARCH_SPECS_DIRECTORY / 'simba.yaml') == load_arch('simba')
    assert hash(load_arch('simba')) == hash(load_arch('simba'))  # frozen, usable as a cache key


def test_list_arch_finds_the_shipped_specs_but_not_components():
    infos = {info.name: info for info in list_arch()}
    assert {'eyeriss', 'simba'} <= set(infos)
    assert 'lpddr4_dram' not in infos
    assert infos['simba'].path == ARCH_SPECS_DIRECTORY / 'simba.yaml'
    assert 'Simba' in infos['simba'].description


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(UnknownNameError, match=r"unknown architecture 'tpu'; available: .*eyeriss.*simba"):
        load_arch('tpu')


def test_format_arch_has_one_line_per_component():
    eyeriss = load_arch('eyeriss')
    text = format_arch(eyeriss)
    hierarchy = text.split('hierarchy, outermost first')[1].split('per-action energy')[0]
    for component in eyeriss.hierarchy:
        assert sum(line.split()[:1] == [component.name] for line in hierarchy.splitlines()[1:]) == 1
    assert '168 MACs' in text and '100 KiB' in text


@pytest.mark.parametrize('model', [Architecture, MemoryLevel, SpatialFanout, SpatialAxis, ComputeUnit,
                                   CrossbarConfig, FefetArrayConfig])
def test_every_field_is_documented(model):
    undocumented = [name for name, info in model.model_fields.items() if not info.description]
    assert not undocumented


# ---- composition by reference ----

def tiny_spec() -> dict:
    return {
        'name': 'tiny',
        'description': 'a small valid spec for tests',
        'technology_node_m': 28e-9,
        'clock_frequency_Hz': 1e9,
        'dataflow': 'weight_stationary',
        'hierarchy': [
            {'kind': 'memory', 'name': 'dram', 'technology': 'dram', 'capacity_bytes': None, 'word_bits': 8,
             'width_bits': 64, 'bandwidth_bytes_per_second': 1e10, 'holds': ['weight', 'input', 'output']},
            {'kind': 'memory', 'name': 'buffer', 'technology': 'sram', 'capacity_bytes': 1024, 'word_bits': 8,
             'width_bits': 64},
            {'kind': 'spatial', 'name': 'array', 'axes': [{'name': 'x', 'size': 4, 'unroll': ['K', 'C']}]},
            {'kind': 'compute', 'name': 'mac', 'operand_bits': 8, 'accumulator_bits': 8},
        ],
    }


def write(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def test_tiny_spec_is_valid(tmp_path):
    tiny = load_arch(write(tmp_path / 'tiny.yaml', tiny_spec()))
    assert tiny.mac_count == 4
    assert tiny.component('buffer').bandwidth_at(tiny.clock_frequency_Hz) == pytest.approx(8e9)


def test_reference_with_override(tmp_path):
    write(tmp_path / 'parts' / 'buffer.yaml', tiny_spec()['hierarchy'][1])
    spec = tiny_spec()
    spec['hierarchy'][1] = {'ref': 'parts/buffer.yaml', 'override': {'capacity_bytes': 2048, 'name': 'big_buffer'}}
    arch = load_arch(write(tmp_path / 'spec.yaml', spec))
    buffer = arch.hierarchy[1]
    assert (buffer.name, buffer.capacity_bytes) == ('big_buffer', 2048)  # overridden
    assert (buffer.technology, buffer.width_bits) == ('sram', 64)  # from the referenced file


def test_references_resolve_relative_to_the_referencing_file(tmp_path):
    write(tmp_path / 'parts' / 'base_buffer.yaml', tiny_spec()['hierarchy'][1])
    write(tmp_path / 'parts' / 'buffer.yaml', {'ref': 'base_buffer.yaml', 'override': {'word_bits': 16}})
    spec = tiny_spec()
    spec['hierarchy'][1] = {'ref': 'parts/buffer.yaml'}
    assert load_arch(write(tmp_path / 'spec.yaml', spec)).hierarchy[1].word_bits == 16


def test_extends_merges_over_a_base_spec(tmp_path):
    write(tmp_path / 'base.yaml', tiny_spec())
    child_spec = {'extends': 'base.yaml', 'name': 'child', 'clock_frequency_Hz': 5e8}
    child = load_arch(write(tmp_path / 'child.yaml', child_spec))
    assert (child.name, child.clock_frequency_Hz, child.mac_count) == ('child', 5e8, 4)


# ---- bad input: one line naming the file, the field path and the value ----

def mutated(change) -> dict:
    spec = tiny_spec()
    change(spec)
    return spec


def with_component(index: int, component: dict) -> dict:
    spec = tiny_spec()
    spec['hierarchy'][index] = component
    return spec


DIMENSION_CHOICES = "'N', 'K', 'C', 'P', 'Q', 'R', 'S' or 'G'"


BAD_SPECS = {
    'missing field': (mutated(lambda spec: spec['hierarchy'][1].pop('capacity_bytes')),
                      'hierarchy[1].capacity_bytes: required field is missing'),
    'wrong type': (mutated(lambda spec: spec.update(clock_frequency_Hz='fast')),
                   "clock_frequency_Hz: input should be a valid number (got 'fast')"),
    'negative size': (mutated(lambda spec: spec['hierarchy'][1].update(capacity_bytes=-5)),
                      'hierarchy[1].capacity_bytes: must be > 0 (got -5)'),
    'zero axis size': (mutated(lambda spec: spec['hierarchy'][2]['axes'][0].update(size=0)),
                       'hierarchy[2].axes[0].size: must be > 0 (got 0)'),
    'unknown kind': (mutated(lambda spec: spec['hierarchy'][1].update(kind='systolic')),
                     "hierarchy[1].kind: unknown component kind (got 'systolic'; allowed: memory, spatial, compute, "
                     "crossbar, fefet_array, snn_cores)"),
    'missing kind': (mutated(lambda spec: spec['hierarchy'][1].pop('kind')),
                     'hierarchy[1].kind: required field is missing'),
    'unknown field': (mutated(lambda spec: spec['hierarchy'][1].update(colour='red')),
                      "hierarchy[1].colour: unknown field (got 'red'; allowed: kind, name, technology, capacity_bytes"),
    'misspelled field': (mutated(lambda spec: spec['hierarchy'][1].update(capacty_bytes=spec['hierarchy'][1].pop(
                         'capacity_bytes'))), "hierarchy[1].capacty_bytes: unknown field (did you mean 'capacity_bytes'?)"),
    'misspelled top-level field': (mutated(lambda spec: spec.update(hierachy=spec.pop('hierarchy'))),
                                   "hierachy: unknown field (did you mean 'hierarchy'?)"),
    'misspelled kind': (mutated(lambda spec: spec['hierarchy'][1].update(knd=spec['hierarchy'][1].pop('kind'))),
                        "hierarchy[1].knd: unknown field (did you mean 'kind'?)"),
    'partial sums narrower than the accumulator': (
        mutated(lambda spec: spec['hierarchy'][3].update(accumulator_bits=24)),
        "hierarchy[1].word_bits: the innermost level holding outputs exchanges the partial sums of its adder with "
        "'mac', so its words need at least accumulator_bits=24 bits (got 8)"),
    'operands wider than their words': (
        mutated(lambda spec: spec['hierarchy'][3].update(operand_bits=16, accumulator_bits=8)),
        "hierarchy[1].word_bits: the innermost level holding weights exchanges its operands with 'mac', so its words "
        "need at least operand_bits=16 bits (got 8)"),
    'infinite capacity': (mutated(lambda spec: spec['hierarchy'][1].update(capacity_bytes=float('inf'))),
                          'hierarchy[1].capacity_bytes: input should be a valid integer (got inf)'),
    'absurd capacity': (mutated(lambda spec: spec['hierarchy'][1].update(capacity_bytes=10**40)),
                        f'hierarchy[1].capacity_bytes: must be <= 1125899906842624 (got {10**40})'),
    'absurd bandwidth': (mutated(lambda spec: spec['hierarchy'][0].update(bandwidth_bytes_per_second=1e300)),
                         'hierarchy[0].bandwidth_bytes_per_second: must be <= 1e+30 (got 1e+300)'),
    'vanishing clock': (mutated(lambda spec: spec.update(clock_frequency_Hz=1e-300)),
                        'clock_frequency_Hz: must be at least 1e-30 (got 1e-300)'),
    'absurd fan-out': (mutated(lambda spec: spec['hierarchy'][2]['axes'].extend(
                           [{'name': f'a{index}', 'size': 2**20, 'unroll': ['K']} for index in range(3)])),
                       'hierarchy[2].axes: the fan-outs down to here make more than 1099511627776 (2^40) copies'),
    'bad unroll dimension': (mutated(lambda spec: spec['hierarchy'][2]['axes'][0].update(unroll=['K', 'X'])),
                             f"hierarchy[2].axes[0].unroll[1]: input should be {DIMENSION_CHOICES} (got 'X')"),
    'outermost does not hold all': (mutated(lambda spec: spec['hierarchy'][0].update(holds=['weight'])),
                                    'hierarchy[0].holds: the outermost level must hold weight, input and output'),
    'outermost not memory': (mutated(lambda spec: spec['hierarchy'].insert(0, {**spec['hierarchy'][2], 'name': 'o'})),
                             "hierarchy[0].kind: the outermost component must be a memory level (got 'spatial')"),
    'compute not last': (mutated(lambda spec: spec['hierarchy'].append(spec['hierarchy'][1] | {'name': 'late'})),
                         "hierarchy[4].kind: the innermost component must be compute, crossbar, fefet_array or snn_cores (got 'memory')"),
    'inner level unbounded': (mutated(lambda spec: spec['hierarchy'][1].update(capacity_bytes=None)),
                              'hierarchy[1].capacity_bytes: only the outermost level may be unbounded (got null)'),
    'duplicate name': (mutated(lambda spec: spec['hierarchy'][2].update(name='buffer')),
                       "hierarchy[2].name: duplicate name, also hierarchy[1] (got 'buffer')"),
    'width not a multiple of word': (mutated(lambda spec: spec['hierarchy'][1].update(width_bits=12)),
                                     'hierarchy[1].width_bits: must be a multiple of word_bits=8 (got 12)'),
    'empty hierarchy': (mutated(lambda spec: spec.update(hierarchy=[])), 'hierarchy: must list at least'),
}


@pytest.mark.parametrize('case', BAD_SPECS, ids=list(BAD_SPECS))
def test_bad_spec_gives_one_line_naming_file_and_field(tmp_path, case):
    spec, expected = BAD_SPECS[case]
    message = load_error(write(tmp_path / 'bad.yaml', spec))
    assert message.startswith('bad.yaml: ') or message.startswith(f'{tmp_path / "bad.yaml"}: ')
    assert expected in message


def load_error(path) -> str:
    with pytest.raises(ArchSpecError) as caught:
        load_arch(path)
    message = str(caught.value)
    assert '\n' not in message
    return message


@pytest.mark.parametrize('text, expected', [
    ('name: [unclosed\n', 'not valid YAML: line 2'),
    ('- a\n- b\n', 'expected a mapping with name, hierarchy, ... (got a list)'),
    ('', 'expected a mapping with name, hierarchy, ... (got null)'),
    ('name: a\nname: b\n', "not valid YAML: line 2, column 1: duplicate key 'name'"),
])
def test_unreadable_spec_gives_one_line(tmp_path, text, expected):
    message = load_error(write(tmp_path / 'bad.yaml', text))
    assert 'bad.yaml: ' in message and expected in message


def test_missing_file(tmp_path):
    assert load_error(tmp_path / 'nowhere.yaml').endswith('nowhere.yaml: file not found')


def test_reference_to_missing_file_names_both_files(tmp_path):
    spec = with_component(1, {'ref': 'parts/gone.yaml'})
    message = load_error(write(tmp_path / 'bad.yaml', spec))
    assert 'bad.yaml: hierarchy[1].ref: referenced file not found: ' in message
    assert message.endswith('parts/gone.yaml (nor among the shipped files in arch_specs/)')


def test_reference_cycle(tmp_path):
    write(tmp_path / 'a.yaml', {'ref': 'b.yaml'})
    write(tmp_path / 'b.yaml', {'ref': 'a.yaml'})
    spec = with_component(1, {'ref': 'a.yaml'})
    message = load_error(write(tmp_path / 'bad.yaml', spec))
    assert 'b.yaml: hierarchy[1].ref: reference cycle: ' in message
    assert re.search(r'a\.yaml -> \S*b\.yaml -> \S*a\.yaml$', message)


def test_extends_cycle(tmp_path):
    write(tmp_path / 'self.yaml', {'extends': 'self.yaml', 'name': 'loop'})
    assert 'extends: reference cycle: ' in load_error(tmp_path / 'self.yaml')


def test_error_in_referenced_file_names_it(tmp_path):
    write(tmp_path / 'parts' / 'buffer.yaml', tiny_spec()['hierarchy'][1] | {'capacity_bytes': -5})
    spec = with_component(1, {'ref': 'parts/buffer.yaml'})
    message = load_error(write(tmp_path / 'bad.yaml', spec))
    assert 'bad.yaml: hierarchy[1].capacity_bytes: must be > 0 (got -5)' in message
    assert message.endswith('parts/buffer.yaml)')


def test_unknown_key_next_to_ref(tmp_path):
    spec = with_component(1, {'ref': 'parts/buffer.yaml', 'name': 'x'})
    assert 'hierarchy[1].name: unknown field next to ref' in load_error(write(tmp_path / 'bad.yaml', spec))


# ---- robustness: any mutation of a valid spec loads or raises ArchSpecError ----

SIMBA_SOURCE = ARCH_SPECS_DIRECTORY / 'simba.yaml'
SIMBA_DATA = read_yaml(SIMBA_SOURCE)
SPEC_WORDS = ['memory', 'spatial', 'compute', 'dram', 'weight', 'K', 'components/lpddr4_dram.yaml', 'simba.yaml', '']
SCALARS = (st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats()
           | st.text(max_size=12) | st.sampled_from(SPEC_WORDS))
VALUES = st.recursive(
    SCALARS,
    lambda children: (st.lists(children, max_size=3)
                      | st.dictionaries(st.text(max_size=6) | st.sampled_from(['ref', 'extends', 'override', 'kind']),
                                        children, max_size=3)),
    max_leaves=6,
)


def locations(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from locations(child, prefix + (key,))


ALL_LOCATIONS = list(locations(SIMBA_DATA))[1:]


def mutate(data, location, value, delete: bool):
    parent = data
    for key in location[:-1]:
        parent = parent[key]
    if delete:
        del parent[location[-1]]
    else:
        parent[location[-1]] = value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_LOCATIONS), VALUES, st.booleans()), min_size=1, max_size=3))
def test_mutated_spec_loads_or_raises_arch_spec_error(mutations):
    data = copy.deepcopy(SIMBA_DATA)
    for location, value, delete in mutations:
        try:
            mutate(data, location, value, delete)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this location
    try:
        load_data(data, SIMBA_SOURCE)
    except ArchSpecError as error:
        assert '\n' not in str(error) and 'simba.yaml' in str(error)


# ---- a spec copied out of arch_specs/ still finds the shipped files it names ----

def test_every_shipped_spec_loads_when_copied_elsewhere(tmp_path):
    # The README's advice: copy a shipped spec, change it, pass the file to --arch.
    for shipped in sorted(ARCH_SPECS_DIRECTORY.glob('*.yaml')):
        copied = tmp_path / shipped.name
        copied.write_bytes(shipped.read_bytes())
        assert load_arch(copied) == load_arch(shipped.stem), shipped.name


@pytest.mark.parametrize('target', ['simba', 'simba.yaml'])
def test_extends_names_a_shipped_spec(tmp_path, target):
    child = load_arch(write(tmp_path / 'my.yaml', {'extends': target, 'name': 'mine', 'clock_frequency_Hz': 1e9}))
    assert (child.name, child.clock_frequency_Hz, child.mac_count) == ('mine', 1e9, load_arch('simba').mac_count)


def test_a_file_beside_the_spec_wins_over_the_shipped_one(tmp_path):
    write(tmp_path / 'simba.yaml', tiny_spec())
    write(tmp_path / 'components' / 'lpddr4_dram.yaml', tiny_spec()['hierarchy'][0] | {'word_bits': 32,
                                                                                        'width_bits': 64})
    assert load_arch(write(tmp_path / 'my.yaml', {'extends': 'simba', 'name': 'mine'})).mac_count == 4
    spec = with_component(0, {'ref': 'components/lpddr4_dram.yaml'})
    assert load_arch(write(tmp_path / 'spec.yaml', spec)).hierarchy[0].word_bits == 32


# ---- implausible values: legal, but warned about ----

def test_shipped_specs_have_no_implausible_values():
    for info in list_arch():
        assert spec_warnings(load_arch(info.path)) == (), info.name


def test_implausible_values_are_named_with_the_likely_slip(tmp_path):
    spec = tiny_spec()
    spec['clock_frequency_Hz'] = 2000  # MHz written as Hz
    spec['hierarchy'][1]['capacity_bytes'] = 64  # a global buffer: above every fan-out
    warnings = spec_warnings(load_arch(write(tmp_path / 'slip.yaml', spec)))
    assert warnings == (
        'clock_frequency_Hz: 2 kHz is outside the plausible 1 MHz - 10 GHz (a clock in MHz or GHz written as Hz?)',
        'hierarchy[1].capacity_bytes: 64 B is outside the plausible 1 KiB - 2 GiB (a buffer shared by the whole '
        'chip: below 1 KiB nearly every layer streams from DRAM; bits or KiB written as bytes?)')


def test_a_small_buffer_below_a_fan_out_is_plausible(tmp_path):
    spec = tiny_spec()
    spec['hierarchy'].insert(3, {'kind': 'memory', 'name': 'spad', 'technology': 'regfile', 'capacity_bytes': 24,
                                 'word_bits': 8, 'width_bits': 8})
    assert spec_warnings(load_arch(write(tmp_path / 'spad.yaml', spec))) == ()


def test_every_plausible_range_names_a_spec_field():
    fields = {name for model in (Architecture, MemoryLevel, ComputeUnit, CrossbarConfig, FefetArrayConfig)
              for name in model.model_fields}
    assert set(PLAUSIBLE) <= fields
    assert all(rule.low < rule.high for rule in PLAUSIBLE.values())


def test_arch_show_prints_each_warning_once_on_stderr(capsys, tmp_path):
    from codesign.cli import main

    spec = tiny_spec()
    spec['clock_frequency_Hz'] = 2000
    assert main(['arch', 'show', str(write(tmp_path / 'slip.yaml', spec))]) == 0
    captured = capsys.readouterr()
    assert captured.err.count('\n') == 1
    assert captured.err.startswith('codesign: warning: ') and 'slip.yaml: clock_frequency_Hz: 2 kHz' in captured.err
    assert 'tiny: a small valid spec' in captured.out
