"""Design spaces: loading, points, apply(), one-line errors, evaluation, Pareto extraction."""

from pathlib import Path

import pytest
import yaml

from codesign.arch import ARCH_SPECS_DIRECTORY
from codesign.dse.evaluate import evaluate_point
from codesign.dse.pareto import flat_row, pareto_by_workload, pareto_front, write_csv
from codesign.search.pareto import hypervolume
from codesign.dse.plots import plot_space
from codesign.dse.space import apply, base_spec, load_space, points
from codesign.errors import CodesignError

SPACES = ARCH_SPECS_DIRECTORY / 'spaces'
TINY = {
    'name': 'tiny', 'base': 'simba', 'workloads': ['digits_cnn'],
    'parameters': [{'path': ['hierarchy', 'global_buffer', 'capacity_bytes'], 'values': [32768, 65536]}],
}


def write_space(directory: Path, **changes) -> Path:
    path = directory / 'space.yaml'
    path.write_text(yaml.safe_dump({**TINY, **changes}))
    return path


@pytest.mark.parametrize('name, count', [('simba_pe_glb', 12), ('crossbar_size_adc', 9), ('fefet_rows_cap', 9),
                                         ('simba_nsga2', 768), ('crossbar_adc_accuracy', 24), ('snn_compression', 20)])
def test_example_spaces_load(name, count):
    space = load_space(SPACES / f'{name}.yaml')
    assert space.grid_size == count
    if space.strategy.kind == 'nsga2':
        with pytest.raises(ValueError, match='no fixed list of points'):
            points(space)
    else:
        assert len(points(space)) == count * len(space.workloads)


def test_grid_and_random_points(tmp_path):
    parameters = [{'path': ['hierarchy', 'pe_array', 'axes', 'x', 'size'], 'values': [2, 4, 8]},
                  {'path': ['hierarchy', 'global_buffer', 'capacity_bytes'],
                   'range': {'start': 16384, 'stop': 131072, 'factor': 2}}]
    grid = load_space(write_space(tmp_path, parameters=parameters))
    assert grid.grid_size == 12 and len(points(grid)) == 12
    assert points(grid)[1]['parameters'] == {'hierarchy.pe_array.axes.x.size': 2,
                                             'hierarchy.global_buffer.capacity_bytes': 32768}
    sampled = load_space(write_space(tmp_path, parameters=parameters, strategy={'kind': 'random', 'samples': 5}))
    drawn = points(sampled)
    assert len(drawn) == 5 and drawn == points(sampled)  # seeded: the same draw twice
    keys = [tuple(point['parameters'].values()) for point in drawn]
    assert len(set(keys)) == 5 and all(point in points(grid) for point in drawn)


def test_arithmetic_range_is_inclusive(tmp_path):
    space = load_space(write_space(tmp_path, parameters=[
        {'path': ['hierarchy', 'global_buffer', 'capacity_bytes'], 'range': {'start': 1024, 'stop': 4096, 'step': 1024}}]))
    assert space.parameters[0].candidates() == [1024, 2048, 3072, 4096]


def test_apply_sets_nested_values_by_component_name(tmp_path):
    space = load_space(write_space(tmp_path))
    _, spec = base_spec(space, tmp_path / 'space.yaml')
    edited = apply(spec, {('hierarchy', 'pe_array', 'axes', 0, 'size'): 7,
                          ('hierarchy', 'global_buffer', 'capacity_bytes'): 1234,
                          ('hierarchy', 'pe_array', 'axes', 'x', 'size'): 9})
    fanout = next(item for item in edited['hierarchy'] if item['name'] == 'pe_array')
    assert [axis['size'] for axis in fanout['axes']] == [7, 9]
    assert next(item for item in edited['hierarchy'] if item['name'] == 'global_buffer')['capacity_bytes'] == 1234
    assert next(item for item in spec['hierarchy'] if item['name'] == 'global_buffer')['capacity_bytes'] == 65536


@pytest.mark.parametrize('changes, fragments', [
    ({'parameters': [{'path': ['hierarchy', 'global_buf', 'capacity_bytes'], 'values': [1]}]},
     ['parameters[0].path', "no item named 'global_buf'", 'global_buffer']),
    ({'parameters': [{'path': ['hierarchy', 'global_buffer', 'capacity'], 'values': [1]}]},
     ['parameters[0].path', "no field 'capacity'"]),
    ({'parameters': [{'path': ['hierarchy', 42, 'size'], 'values': [1]}]}, ['parameters[0].path', 'out of range']),
    ({'parameters': [{'path': ['hierarchy', 'global_buffer', 'capacity_bytes'], 'values': []}]},
     ['parameters[0].values', 'at least 1']),
    ({'parameters': [{'path': ['clock_frequency_Hz'], 'range': {'start': 2e9, 'stop': 1e9, 'step': 1e8}}]},
     ['parameters[0].range.stop', 'empty']),
    ({'parameters': [{'path': ['clock_frequency_Hz'], 'values': [1e9], 'range': {'start': 1, 'stop': 2, 'step': 1}}]},
     ['parameters[0].values', 'exactly one']),
    ({'objectives': ['energy', 'power']}, ['objectives[1]', "'power'"]),
    ({'constraints': {'area_budget_m2': -1.0}}, ['constraints.area_budget_m2', '> 0']),
    ({'strategy': {'kind': 'random', 'samples': 3}}, ['strategy.samples', 'exceeds the 2 combinations']),
    ({'strategy': {'kind': 'random'}}, ['strategy.samples', 'required']),
    ({'base': 'nosuch'}, ['base', "unknown architecture 'nosuch'"]),
    ({'workloads': ['nosuch_net']}, ['workloads[0]', 'zoo']),
    ({'colour': 'red'}, ['colour', 'unknown field']),
    ({'objectives': ['energy', 'accuracy_loss'], 'workloads': ['mobilenet_v3_small']},
     ['workloads[0]', 'labelled test set', 'digits_cnn']),
    ({'constraints': {'accuracy_loss_budget': 1.5}}, ['constraints.accuracy_loss_budget', 'must be <= 1']),
    ({'passes': [{'name': 'fuse-layer'}]}, ['passes[0]', "unknown pass 'fuse-layer'", 'fuse-layers']),
    ({'passes': [{'name': 'fuse-layers', 'options': {'populaton': 8}}]}, ['passes[0]', "no option 'populaton'"]),
    ({'passes': [{'name': 'fuse-layers', 'options': {'population': 'many'}}]}, ['passes[0]', 'not a valid int']),
    ({'parameters': [{'path': ['passes', 'prune', 'sparsity'], 'values': [0.5]}]},
     ['parameters[0].path', '[passes, PASS, OPTION]', 'none']),
    ({'passes': [{'name': 'prune'}], 'parameters': [{'path': ['passes', 'prune', 'sparsity'], 'values': [0.5, 1.5]}]},
     ['parameters[0].path', 'sparsity must be a fraction']),
    ({'passes': [{'name': 'prune'}], 'parameters': [{'path': ['passes', 'prune', 'sparsty'], 'values': [0.5]}]},
     ['parameters[0].path', "no option 'sparsty'"]),
])
def test_bad_spaces_give_one_line_errors(tmp_path, changes, fragments):
    with pytest.raises(CodesignError) as raised:
        load_space(write_space(tmp_path, **changes))
    message = str(raised.value)
    assert 'space.yaml: ' in message and '\n' not in message, message
    for fragment in fragments:
        assert fragment in message, message


def test_missing_space_file(tmp_path):
    with pytest.raises(CodesignError, match='absent.yaml: file not found'):
        load_space(tmp_path / 'absent.yaml')


def test_evaluate_tiny_space(tmp_path):
    path = write_space(tmp_path)
    results = [evaluate_point(point, path) for point in points(load_space(path))]
    for result in results:
        assert result['status'] == 'ok' and result['error'] is None
        assert all(result['metrics'][key] > 0 for key in ('energy_J', 'latency_s', 'edp_Js', 'area_m2'))
    assert results[0]['metrics']['area_m2'] < results[1]['metrics']['area_m2']  # a smaller global buffer


def test_a_point_with_passes_costs_what_compile_reports(tmp_path):
    from codesign.arch import load_arch
    from codesign.flow import compile_model
    from codesign.frontend import load_model
    from codesign.passes import make_pass

    options = {'population': 8, 'generations': 3, 'seed': 0}
    path = write_space(tmp_path, passes=[{'name': 'fuse-layers', 'options': options}])
    point = points(load_space(path))[1]
    fused = evaluate_point(point, path)['metrics']
    plain = evaluate_point(point, write_space(tmp_path))['metrics']
    arch = load_arch('simba').model_copy()  # the point's global buffer is simba's own 64 KiB
    outcome = compile_model(load_model('digits_cnn').graph, arch, [make_pass('fuse-layers', options)])
    assert fused['energy_J'] == pytest.approx(outcome.energy_J, rel=1e-12)
    assert fused['latency_s'] == pytest.approx(outcome.latency_s, rel=1e-12)
    assert fused['energy_J'] < plain['energy_J']  # fusion saves DRAM round trips on digits_cnn


def test_accuracy_budget_measures_the_trained_model_at_each_precision(tmp_path):
    path = write_space(tmp_path, base='crossbar_neurosim', objectives=['energy', 'accuracy_loss'],
                       constraints={'accuracy_loss_budget': 0.02},
                       parameters=[{'path': ['hierarchy', 'neurosim_like', 'adc_bits'], 'values': [3, 8]}])
    clipped, exact = (evaluate_point(point, path) for point in points(load_space(path)))
    assert clipped['status'] == 'infeasible' and 'exceeds constraints.accuracy_loss_budget=0.02' in clipped['error']
    assert clipped['metrics']['accuracy'] < 0.5  # 3-bit conversions of 128-row sums clip most of them
    assert exact['status'] == 'ok' and exact['metrics']['accuracy_loss'] == 0.0  # 8 bits resolve every sum used
    assert exact['metrics']['accuracy'] > 0.97 and exact['metrics']['energy_J'] > 0


def test_area_is_an_objective_and_a_budget_on_compute_in_memory_specs(tmp_path):
    """ISAAC-like chips: 6-bit ADCs take 113 mm^2 of chip, 8-bit ones 130 mm^2 (the survey fit's ADC
    area grows with the converter's energy); a 120 mm^2 budget keeps only the first."""
    from codesign.arch import load_arch
    from codesign.target import target_for

    path = write_space(tmp_path, base='crossbar', objectives=['energy', 'area'],
                       parameters=[{'path': ['hierarchy', 'isaac_like', 'adc_bits'], 'values': [6, 8]}],
                       constraints={'area_budget_m2': 120e-6})
    narrow, wide = (evaluate_point(point, path) for point in points(load_space(path)))
    assert narrow['status'] == 'ok' and 100e-6 < narrow['metrics']['area_m2'] < 120e-6
    assert wide['status'] == 'infeasible' and 'area_budget_m2' in wide['error']
    assert wide['metrics']['area_m2'] == pytest.approx(sum(target_for(load_arch('crossbar')).area_m2().values()))


def test_infeasible_value_and_budget_are_statuses(tmp_path):
    path = write_space(tmp_path, parameters=[
        {'path': ['hierarchy', 'global_buffer', 'capacity_bytes'], 'values': [0, 65536]}],
        constraints={'area_budget_m2': 1e-9})
    zero, too_big = (evaluate_point(point, path) for point in points(load_space(path)))
    assert zero['status'] == 'infeasible' and 'hierarchy[1].capacity_bytes: must be > 0' in zero['error']
    assert too_big['status'] == 'infeasible' and 'area_budget_m2' in too_big['error']


def test_pareto_front_by_hand():
    rows = [{'workload': 'w', 'status': 'ok', 'energy_J': energy, 'latency_s': latency, 'name': name}
            for name, energy, latency in [('a', 1, 5), ('b', 2, 2), ('c', 5, 1), ('d', 3, 3), ('e', 2, 2), ('f', 6, 6)]]
    rows.append({'workload': 'w', 'status': 'infeasible', 'energy_J': None, 'latency_s': None, 'name': 'g'})
    assert [row['name'] for row in pareto_front(rows, ['energy', 'latency'])] == ['a', 'b', 'c', 'e']
    assert [row['name'] for row in pareto_front(rows, ['energy_J'])] == ['a']
    assert [row['name'] for row in pareto_by_workload(rows, ['latency'])] == ['c']


def test_hypervolume_by_hand():
    assert hypervolume([(1, 3), (2, 2), (3, 1)], (4, 4)) == 6.0
    assert hypervolume([(1, 3), (2, 2), (3, 1), (3, 3), (5, 0)], (4, 4)) == 6.0  # dominated, outside
    assert hypervolume([(1, 2, 1), (2, 1, 1)], (3, 3, 3)) == 6.0  # two 4-boxes overlapping in 2
    assert hypervolume([], (1, 1)) == 0.0


def test_csv_and_plots(tmp_path):
    label = 'hierarchy.global_buffer.capacity_bytes'
    results = [(1.0, 3.0), (2.0, 1.0), (3.0, 3.0)]
    rows = [flat_row({'parameters': {label: size}, 'workload': 'w'},
                     {'status': 'ok', 'metrics': {'energy_J': energy, 'latency_s': latency, 'edp_Js': energy * latency,
                                                  'area_m2': 1e-6}, 'error': None})
            for size, (energy, latency) in zip([1024, 2048, 4096], results)]
    write_csv(rows, tmp_path / 'points.csv')
    lines = (tmp_path / 'points.csv').read_text().splitlines()
    assert lines[0] == f'workload,{label},status,energy_J,latency_s,edp_Js,area_m2,error' and len(lines) == 4
    front = pareto_front(rows, ['energy', 'latency'])
    written = plot_space(rows, front, [label], ['energy', 'latency'], tmp_path / 'plots')
    assert [path.name for path in written] == ['pareto_w.png', 'pareto_w.pdf', 'sensitivity_w.png', 'sensitivity_w.pdf']
    assert all(path.stat().st_size > 1000 for path in written)


@pytest.mark.parametrize('changes, fragments', [
    ({'workloads': ['digits_cnn', 'resnet18', 'digits_cnn']}, ["workloads[2]: duplicate of workloads[0] ('digits_cnn')"]),
    ({'parameters': [{'path': ['hierarchy', 'global_buffer', 'capacity_bytes'], 'values': [32768, 65536, 32768]}]},
     ['parameters[0].values[2]: duplicate of values[0] (32768)']),
    ({'parameters': [{'path': ['clock_frequency_Hz'], 'values': [1e9, 2e9, 1000000000]}]},
     ['parameters[0].values[2]: duplicate of values[0] (1000000000)']),
    ({'parameters': [{'path': ['clock_frequency_Hz'], 'range': {'start': 1e17, 'stop': 1.0000000000001e17, 'step': 1}}]},
     ['parameters[0].range.step: is too small to change start=1e+17 in floating point']),
    ({'paramters': TINY['parameters']}, ["paramters: unknown field (did you mean 'parameters'?)"]),
    ({'parameters': [{'path': ['clock_frequency_Hz'], 'range': {'start': 1, 'stop': 4, 'facter': 2}}]},
     ["parameters[0].range.facter: unknown field (did you mean 'factor'?)"]),
    ({'parameters': [{'path': ['clock_frequency_Hz'], 'range': {'start': 'abc', 'stop': 4, 'step': 1}}]},
     ['parameters[0].range.start: input should be a valid integer']),  # not range.start.int
    ({'parameters': [{'path': ['clock_frequency_Hz'], 'range': {'start': 1, 'stop': float('inf'), 'step': 1}}]},
     ['parameters[0].range.stop: input should be a finite number']),
    ({'strategy': {'kind': 'grid', 'seed': -1}}, ['strategy.seed: must be >= 0 (got -1)']),
    ({'strategy': {'kind': 'nsga2', 'population': 10**6}}, ['strategy.population: must be <= 10000']),
    ({'parameters': [{'path': ['clock_frequency_Hz'], 'range': {'start': 1, 'stop': 10_000, 'step': 1}},
                     {'path': ['technology_node_m'], 'range': {'start': 1, 'stop': 100, 'step': 1}}]},
     ['strategy.kind: grid: 1000000 points (designs x workloads) is more than 100000; use kind random']),
])
def test_spaces_that_used_to_fail_late_are_refused_at_load(tmp_path, changes, fragments):
    test_bad_spaces_give_one_line_errors(tmp_path, changes, fragments)


def test_space_warnings_name_the_implausible_values_tried(tmp_path, monkeypatch):
    from codesign.dse.space_warnings import space_warnings

    monkeypatch.chdir(tmp_path)  # messages show paths relative to the working directory

    space_file = write_space(tmp_path, parameters=[
        {'path': ['hierarchy', 'global_buffer', 'capacity_bytes'], 'values': [64, 65536, 1 << 20]}])
    assert space_warnings(load_space(space_file), space_file) == (
        'space.yaml: parameters[0] = 64: hierarchy[1].capacity_bytes: 64 B is outside the plausible 1 KiB - 2 GiB '
        '(a buffer shared by the whole chip: below 1 KiB nearly every layer streams from DRAM; bits or KiB written '
        'as bytes?)',)
    assert space_warnings(load_space(SPACES / 'simba_pe_glb.yaml'), SPACES / 'simba_pe_glb.yaml') == ()


def test_accuracy_is_measured_on_the_graph_after_the_passes(tmp_path):
    """set-precision in a space: the 2-bit graph, not the float one, is what the design runs."""
    plain = write_space(tmp_path, objectives=['energy', 'accuracy_loss'])
    point = points(load_space(plain))[1]
    native = evaluate_point(point, plain)['metrics']
    quantized_space = write_space(tmp_path, objectives=['energy', 'accuracy_loss'],
                                  passes=[{'name': 'set-precision', 'options': {'weights': 2, 'activations': 2}}])
    quantized = evaluate_point(point, quantized_space)['metrics']
    assert native['accuracy_loss'] < 0.01 and quantized['accuracy_loss'] > 0.3


def test_pass_options_vary_per_point_and_a_spiking_network_reports_its_simulated_accuracy(tmp_path):
    """[passes, PASS, OPTION] parameters set the pass' option at each point; on the SNN target the
    accuracy is convert-snn's simulation, not the ANN's."""
    from codesign.arch import load_arch
    from codesign.flow import apply_passes
    from codesign.frontend import load_model
    from codesign.passes import make_pass

    path = write_space(tmp_path, base='snn', objectives=['energy', 'accuracy_loss'],
                       parameters=[{'path': ['passes', 'prune', 'sparsity'], 'values': [0.0, 0.9]}],
                       passes=[{'name': 'prune', 'options': {'sparsity': 0.5}},
                               {'name': 'convert-snn', 'options': {'timesteps': 8}}])
    results = [evaluate_point(point, path) for point in points(load_space(path))]
    assert all(result['status'] == 'ok' for result in results)
    dense, pruned = (result['metrics'] for result in results)
    assert pruned['energy_J'] < dense['energy_J'] and pruned['accuracy'] < dense['accuracy']
    expected = apply_passes(load_model('digits_cnn').graph, load_arch('snn'),
                            [make_pass('prune', {'sparsity': 0.9}), make_pass('convert-snn', {'timesteps': 8})],
                            workload='digits_cnn').results['convert-snn'].summary['accuracy']
    assert pruned['accuracy'] == expected
