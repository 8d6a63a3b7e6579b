"""Mapping in parallel (codesign/mapping/parallel.py) and the vectorized candidate generation:
the same mappings as one process, one candidate at a time."""

import json

import numpy
import pytest

from codesign.arch import load_arch
from codesign.arch.energy import energy_table
from codesign.compiler import compile_graph
from codesign.cost.dataflow import capacity_use, inner_products
from codesign.cost.hardware import hardware_of
from codesign.cost.problem import DIMENSIONS, problem_of
from codesign.errors import CodesignError
from codesign.frontend import load_model
from codesign.mapping import candidates as candidates_module
from codesign.mapping.parallel import WORKERS_VARIABLE, default_workers, search_all
from codesign.mapping.search import search
from codesign.report.compile import compile_json
from codesign.target.dataflow import forget_mappings
from tests.unit.dataflow_fixtures import architecture, hardware, memory, problem
from tests.unit.test_bad_input import assert_one_line_error
from tests.unit.test_bad_input import run as run_cli


@pytest.mark.parametrize("arch_name", ["eyeriss", "simba"])
def test_parallel_compile_gives_the_serial_report_bit_for_bit(arch_name):
    graph, arch = load_model("digits_cnn").graph, load_arch(arch_name)
    reports = []
    for workers in (1, 2):
        forget_mappings()  # nothing remembered: both compiles search every layer
        reports.append(compile_json(compile_graph(graph, arch, workers=workers)))
    for report in reports:  # timings differ
        report["mapper"].pop("seconds"), report["mapper"].pop("mappings_per_second")
    assert reports[0] == reports[1]
    assert reports[0]["mapper"]["mappings_evaluated"] > 0


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_each_distinct_shape_once(workers):
    from codesign.compiler import compile_layers

    graph, arch = load_model("digits_cnn").graph, load_arch("eyeriss")
    forget_mappings()
    seen = []
    compile_layers(graph, arch, workers=workers, on_mapped=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]  # two convs and two Gemms, no shape repeated
    seen.clear()
    compile_layers(graph, arch, workers=workers, on_mapped=lambda done, total: seen.append((done, total)))
    assert seen == []  # every shape remembered: nothing searched ahead


def test_search_all_equals_searching_one_by_one():
    arch = load_arch("eyeriss")
    target_hardware = hardware_of(arch, energy_table(arch))
    problems = [problem_of(node) for node in load_model("digits_cnn").graph.compute_nodes]
    found = search_all(problems + problems[:1], target_hardware, "energy", 3, workers=2)
    assert set(found) == {item.key for item in problems}
    for item in problems:
        alone = search(item, target_hardware, "energy", 3)
        assert (found[item.key].candidate.factors == alone.candidate.factors).all()
        assert found[item.key].evaluation.energy_J[0] == alone.evaluation.energy_J[0]
        assert found[item.key].evaluated == alone.evaluated


def test_an_unmappable_layer_is_left_for_the_serial_error():
    roomy = hardware(architecture(memory("buffer", 64), memory("spad", 4)))
    cramped = hardware(architecture(memory("buffer", 64), memory("spad", 2)))  # not one word of each tensor
    layers = [problem(K=2, C=2), problem(name="other", K=4, C=4, P=4)]
    assert set(search_all(layers, roomy, "edp", 0, 2)) == {layer.key for layer in layers}
    assert search_all(layers, cramped, "edp", 0, 2) == {}
    with pytest.raises(CodesignError, match="level 'spad'"):
        search(layers[1], cramped)


def test_workers_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(WORKERS_VARIABLE, "3")
    assert default_workers() == 3
    for text in ("0", "two", "-1", ""):
        monkeypatch.setenv(WORKERS_VARIABLE, text)
        with pytest.raises(CodesignError, match=WORKERS_VARIABLE):
            default_workers()
    monkeypatch.delenv(WORKERS_VARIABLE)
    assert default_workers() >= 1


def _greedy_one_row(problem_, hardware_, spatial, dims, primes):
    """The allocation written the plain way: one candidate, one loop at a time."""
    factors = numpy.ones((hardware_.slot_count, len(DIMENSIONS)), dtype=numpy.int64)
    for index, axis in enumerate(hardware_.axes):
        factors[axis.slot] = spatial[index]
    capacities = numpy.array([level.capacity_words for level in hardware_.levels])
    position = 0
    for level in reversed(hardware_.levels[1:]):
        while position < len(dims):
            trial = factors.copy()
            trial[level.slot, dims[position]] *= primes[position]
            if not (capacity_use(problem_, hardware_, inner_products(trial[None]))[0] <= capacities).all():
                break
            factors, position = trial, position + 1
    for dimension, prime in zip(dims[position:], primes[position:]):
        factors[hardware_.levels[0].slot, dimension] *= prime
    return factors


@pytest.mark.parametrize("arch_name, layer", [("eyeriss", 3), ("simba", 5), ("eyeriss", 20)])
def test_vectorized_allocation_deals_loops_as_the_plain_greedy_does(arch_name, layer):
    arch = load_arch(arch_name)
    target_hardware = hardware_of(arch, energy_table(arch))
    item = problem_of(load_model("resnet18").graph.compute_nodes[layer])
    generated = candidates_module.generate(item, target_hardware, seed=5, random_orderings=4)
    options = candidates_module.spatial_options(item, target_hardware)
    per_option = len(generated) // len(options)
    rows = numpy.random.default_rng(0).choice(len(generated), 60, replace=False)
    for row in rows:
        option = options[row // per_option]
        residual = tuple(int(size) for size in -(-item.sizes // option.prod(axis=0)))
        dims, primes, stationary = candidates_module._loops(residual)
        ordering = row % per_option
        if ordering < len(stationary):
            permutation = stationary[ordering]
        else:  # the option's seeded generator, as generate draws it
            random = numpy.random.default_rng(candidates_module._option_seed(5, option))
            permutation = [random.permutation(len(dims)) for _ in range(ordering - len(stationary) + 1)][-1]
        expected = _greedy_one_row(item, target_hardware, option, dims[permutation], primes[permutation])
        assert (generated.factors[row] == expected).all(), row


def test_the_jobs_option_changes_nothing_in_the_report(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv(WORKERS_VARIABLE, raising=False)  # restored after the test: --jobs sets it
    documents = []
    for jobs in ("1", "2"):
        forget_mappings()
        code = run_cli(capsys, "compile", "digits_cnn", "--arch", "simba", "--jobs", jobs,
                       "--json", str(tmp_path / f"{jobs}.json"))[0]
        assert code == 0
        document = json.loads((tmp_path / f"{jobs}.json").read_text())
        document["mapper"].pop("seconds"), document["mapper"].pop("mappings_per_second")
        documents.append(document)
    assert documents[0] == documents[1]
    assert_one_line_error(*run_cli(capsys, "compile", "digits_cnn", "--arch", "simba", "--jobs", "0")[::2], "--jobs")
