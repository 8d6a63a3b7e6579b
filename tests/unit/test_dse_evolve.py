"""The NSGA-II sweep strategy: decoding, fitness over workloads, search quality, resumption."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from onnx import helper

from codesign.dse.evolve import PENALTY, convergence, evolve, fitness, indices
from codesign.dse.pareto import pareto_front
from codesign.dse.space import Space, load_space
from codesign.dse.sweep import STORE, run_sweep
from codesign.errors import CodesignError
from codesign.search.ga import Genome
from tests.onnx_builders import model, random_constant, save

REPO_ROOT = Path(__file__).resolve().parents[2]
SIDE = list(range(21))


def analytic_space(**strategy) -> Space:
    """Two parameters of 21 values each: 441 designs. Only the strategy and the parameters'
    values matter to evolve(); the paths are never applied."""
    return Space.model_validate({
        'name': 'analytic', 'base': 'simba', 'workloads': ['a', 'b'], 'objectives': ['energy', 'latency'],
        'parameters': [{'path': ['x'], 'values': SIDE}, {'path': ['y'], 'values': SIDE}],
        'strategy': {'kind': 'nsga2', **strategy}})


def analytic_records(points: list[dict]) -> list[dict]:
    """A known trade-off: energy x^2 + y, latency (20 - x)^2 + y; the front is y = 0, any x.
    Odd x with y = 20 is infeasible, to check that penalties never reach the front."""
    records = []
    for point in points:
        x, y = point['parameters']['x'], point['parameters']['y']
        if y == 20 and x % 2:
            records.append({'status': 'infeasible', 'metrics': {}})
            continue
        share = 0.25 if point['workload'] == 'a' else 0.75  # the workloads split the cost
        records.append({'status': 'ok', 'metrics': {'energy_J': share * (x * x + y),
                                                    'latency_s': share * ((20 - x) ** 2 + y)}})
    return records


def test_keys_decode_to_every_value_evenly():
    candidates = [[10, 20, 30], ['a', 'b']]
    assert indices(Genome((0.0, 0.0), ()), candidates) == (0, 0)
    assert indices(Genome((0.34, 0.5), ()), candidates) == (1, 1)
    assert indices(Genome((0.999999, 0.49), ()), candidates) == (2, 0)


def test_fitness_sums_additive_metrics_and_takes_the_worst_area():
    records = [{'status': 'ok', 'metrics': {'energy_J': 1.0, 'area_m2': 2.0}},
               {'status': 'ok', 'metrics': {'energy_J': 3.0, 'area_m2': 2.0}}]
    assert fitness(records, ['energy_J', 'area_m2']) == (4.0, 2.0)
    records[1] = {'status': 'infeasible', 'metrics': {}}
    assert fitness(records, ['energy_J', 'area_m2']) == (PENALTY, PENALTY)


def test_nsga2_finds_most_of_a_known_front_with_a_fraction_of_the_grid():
    seen: list[dict] = []

    def evaluate(points):
        seen.extend(points)
        return analytic_records(points)

    evolution = evolve(analytic_space(population=24, generations=25, seed=3), evaluate)
    designs = {(point['parameters']['x'], point['parameters']['y']) for point in seen}
    assert len(seen) == 2 * len(designs) == 2 * evolution.designs  # each design once, on both workloads
    assert evolution.designs < 441 / 3  # about 105 of the 441 designs
    found = {x for x, y in designs if y == 0}
    assert found == set(SIDE), f'front members found: {sorted(found)} of 21'
    rows = [{'x': x, 'y': y, 'workload': 'all', 'energy_J': x * x + y, 'latency_s': (20 - x) ** 2 + y}
            for x, y in designs if not (y == 20 and x % 2)]
    assert all(row['y'] == 0 for row in pareto_front(rows, ['energy', 'latency']))
    history = convergence(evolution)
    assert len(history) == 26 and history[-1]['hypervolume_fraction'] == pytest.approx(1.0) and history[-1]['front'] == 21
    assert all(earlier['hypervolume_fraction'] <= later['hypervolume_fraction'] + 1e-12 and earlier['designs'] <= later['designs']
               for earlier, later in zip(history, history[1:]))
    assert history[0]['designs'] <= 24 and history[0]['hypervolume_fraction'] < 0.99


def test_nsga2_is_deterministic_and_stops_early_when_asked():
    def run(**strategy):
        seen = []
        evolution = evolve(analytic_space(**strategy),
                           lambda points: seen.extend(points) or analytic_records(points))
        return evolution, [point['parameters'] for point in seen]

    assert run(population=8, generations=4, seed=1) == run(population=8, generations=4, seed=1)
    assert run(population=8, generations=4, seed=1)[1] != run(population=8, generations=4, seed=2)[1]
    evolution, _ = run(population=8, generations=200, patience=3)
    assert evolution.stopped_early and evolution.generations < 200


@pytest.mark.parametrize('strategy, fragment', [
    ({'kind': 'grid', 'population': 8}, 'strategy.population: is only allowed for kind nsga2'),
    ({'kind': 'nsga2', 'population': 2}, 'strategy.population'),
    ({'kind': 'nsga2', 'generations': 0}, 'strategy.generations'),
    ({'kind': 'nsga2', 'samples': 5}, 'strategy.samples'),
])
def test_bad_nsga2_settings_are_one_line_errors(tmp_path, strategy, fragment):
    path = tmp_path / 'space.yaml'
    path.write_text(yaml.safe_dump({'name': 'bad', 'base': 'simba', 'workloads': ['digits_cnn'], 'strategy': strategy,
                                    'parameters': [{'path': ['hierarchy', 'global_buffer', 'capacity_bytes'],
                                                    'values': [32768]}]}))
    with pytest.raises(CodesignError) as error:
        load_space(path)
    message = str(error.value)
    assert '\n' not in message and str(path) in message and fragment in message


def one_layer_model(path: Path) -> Path:
    """A 3x3 convolution, 16 -> 16 channels on 14x14: cheap to map (about 0.3 s per design)."""
    conv = helper.make_node('Conv', ['x', 'w'], ['y'], name='conv', pads=[1, 1, 1, 1])
    layer = model([conv], [('x', [1, 16, 14, 14])], [('y', [1, 16, 14, 14])], [random_constant('w', (16, 16, 3, 3))])
    return save(layer, path.parent, path.name)


EVOLVING_SPACE = """
name: evolving
base: simba
parameters:
  - path: [hierarchy, pe_array, axes, x, size]
    values: [1, 2, 4, 8]
  - path: [hierarchy, pe_array, axes, y, size]
    values: [1, 2, 4, 8]
  - path: [hierarchy, global_buffer, capacity_bytes]
    range: {start: 1024, stop: 131072, factor: 2}
workloads: [layer.onnx]
objectives: [energy, latency]
strategy: {kind: nsga2, population: 8, generations: 3, seed: 1}
"""


def stored_designs(directory: Path) -> list[tuple]:
    import sqlite3

    connection = sqlite3.connect(directory / STORE)
    try:
        return sorted(connection.execute('SELECT parameters, status FROM points'))
    finally:
        connection.close()


def test_nsga2_sweep_stores_every_design_once_and_resumes_without_work(tmp_path):
    one_layer_model(tmp_path / 'layer.onnx')
    (tmp_path / 'space.yaml').write_text(EVOLVING_SPACE)
    first = run_sweep(tmp_path / 'space.yaml', tmp_path / 'out', workers=1)
    assert first.evolution.generations == 3 and first.summary.evaluated == first.evolution.designs
    assert first.summary.skipped == 0 and first.points == first.evolution.designs
    infeasible = [design for design in stored_designs(tmp_path / 'out') if design[1] == 'infeasible']
    assert first.summary.infeasible == len(infeasible)  # 1 KB buffers cannot hold some tiles
    again = run_sweep(tmp_path / 'space.yaml', tmp_path / 'out', workers=2)
    assert (again.summary.evaluated, again.summary.skipped) == (0, first.evolution.designs)
    assert (tmp_path / 'out' / 'pareto.csv').read_text().count('\n') == first.pareto + 1
    assert (tmp_path / 'out' / 'search.csv').read_text().count('\n') == 3 + 2  # header, generations 0..3
    assert (tmp_path / 'out' / 'convergence.png').stat().st_size > 10_000


KILLED_SWEEP = """
import sys
sys.path.insert(0, {repo!r})
from pathlib import Path
from codesign.dse.sweep import run_sweep

run_sweep(Path(sys.argv[1]), Path(sys.argv[2]), workers=2)
"""


def test_a_killed_nsga2_sweep_resumes_to_the_same_designs(tmp_path):
    one_layer_model(tmp_path / 'layer.onnx')
    (tmp_path / 'space.yaml').write_text(EVOLVING_SPACE)
    reference = run_sweep(tmp_path / 'space.yaml', tmp_path / 'reference', workers=2)
    script = tmp_path / 'sweep.py'
    script.write_text(textwrap.dedent(KILLED_SWEEP.format(repo=str(REPO_ROOT))))
    command = [sys.executable, str(script), str(tmp_path / 'space.yaml'), str(tmp_path / 'killed')]
    sweep = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_stored_safely(tmp_path / 'killed')) < 4:
        time.sleep(0.05)
    os.killpg(sweep.pid, signal.SIGKILL)
    sweep.wait()
    stored = len(_stored_safely(tmp_path / 'killed'))
    assert 4 <= stored < reference.points
    subprocess.run(command, check=True, timeout=120)
    assert stored_designs(tmp_path / 'killed') == stored_designs(tmp_path / 'reference')


def _stored_safely(directory: Path) -> list:
    import sqlite3

    try:
        return stored_designs(directory)
    except sqlite3.OperationalError:
        return []  # not created yet
