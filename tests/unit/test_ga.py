"""The GA wrapper on synthetic problems: convergence, reproducibility, elitism, early
stopping, the NSGA-II front, the evaluation cache and the progress callback."""

import random
from collections import Counter

import pytest

from codesign.search.ga import GaSettings, Genome, minimize


def keys_plus_bits(genomes):
    return [(sum(genome.keys) + sum(genome.bits),) for genome in genomes]


def inversions(genomes):
    """How far the order the keys decode to (ascending key) is from 0, 1, 2, ..."""
    fitnesses = []
    for genome in genomes:
        order = sorted(range(len(genome.keys)), key=genome.keys.__getitem__)
        fitnesses.append((sum(first > second for index, first in enumerate(order)
                              for second in order[index + 1:]),))
    return fitnesses


def set_and_unset(genomes):
    return [(sum(genome.bits), len(genome.bits) - sum(genome.bits)) for genome in genomes]


class Counting:
    """An evaluate callback that records every genome it is asked about."""

    def __init__(self, fitness):
        self.fitness, self.seen, self.batches = fitness, Counter(), 0

    def __call__(self, genomes):
        self.seen.update(genomes)
        self.batches += 1
        return self.fitness(genomes)


def test_reaches_near_zero_on_keys_plus_bits():
    result = minimize(8, 7, keys_plus_bits, GaSettings(population=40, generations=80))
    assert result.best_fitness[0] < 0.5
    assert not any(result.best.bits)
    assert keys_plus_bits([result.best]) == [result.best_fitness]
    assert all(0.0 <= key < 1.0 for key in result.best.keys)
    assert result.pareto == ((result.best, result.best_fitness),)


def test_sorting_improves_over_the_generations():
    result = minimize(10, 0, inversions, GaSettings(population=40, generations=40))
    bests = [stats.best[0] for stats in result.history]
    assert bests == sorted(bests, reverse=True)  # the best so far never gets worse
    assert bests[-1] <= 2 and bests[-1] < bests[0]
    assert result.history[-1].mean[0] < result.history[0].mean[0] / 2


def test_same_seed_same_run_and_global_random_untouched():
    settings = GaSettings(population=16, generations=10, seed=3)
    random.seed(1234)
    state = random.getstate()
    first = minimize(6, 5, keys_plus_bits, settings)
    assert random.getstate() == state
    assert minimize(6, 5, keys_plus_bits, settings) == first
    other = minimize(6, 5, keys_plus_bits, GaSettings(population=16, generations=10, seed=4))
    assert other.best != first.best and other.history != first.history


def test_global_random_restored_when_evaluate_raises():
    state = random.getstate()

    def failing(genomes):
        raise RuntimeError("cost model failed")

    with pytest.raises(RuntimeError):
        minimize(4, 3, failing)
    assert random.getstate() == state


@pytest.mark.parametrize("generations", [0, 1, 5])
def test_never_worse_than_the_best_initial_genome(generations):
    good = Genome(keys=(0.01,) * 12, bits=(False,) * 11)
    poor = Genome(keys=(0.9,) * 12, bits=(True,) * 11)
    result = minimize(12, 11, keys_plus_bits, GaSettings(population=8, generations=generations),
                      initial=[poor, good])
    assert result.best_fitness <= keys_plus_bits([good])[0]
    assert result.history[0].best == keys_plus_bits([good])[0]


def test_early_stopping_on_a_flat_fitness():
    result = minimize(5, 4, lambda genomes: [(1.0,)] * len(genomes),
                      GaSettings(population=10, generations=100, patience=3))
    assert result.stopped_early
    assert len(result.history) == 4  # generation 0, then three without progress
    assert not minimize(5, 4, keys_plus_bits, GaSettings(population=10, generations=3)).stopped_early


def test_nsga2_returns_a_non_dominated_front():
    result = minimize(1, 10, set_and_unset, GaSettings(population=24, generations=20), objectives=2)
    fitnesses = [fitness for _, fitness in result.pareto]
    assert len(fitnesses) >= 6
    assert len(set(fitnesses)) == len(fitnesses)
    for first in fitnesses:
        for second in fitnesses:
            assert not (all(a <= b for a, b in zip(first, second)) and first != second)
    assert set_and_unset([genome for genome, _ in result.pareto]) == fitnesses
    assert result.best_fitness == min(fitnesses)
    assert result.history[-1].best == (0.0, 0.0)  # per-objective minima: all unset, all set


def test_no_genome_is_evaluated_twice():
    counting = Counting(keys_plus_bits)
    # Duplicates in the initial population, and few bits, so variation keeps producing
    # genomes seen before (mutations that flip nothing, crossovers of equal parents).
    twin = Genome(keys=(0.5,), bits=(True, False, True))
    result = minimize(1, 3, counting, GaSettings(population=20, generations=15, patience=100),
                      initial=[twin, twin, twin])
    assert max(counting.seen.values()) == 1
    assert result.evaluations == len(counting.seen) == result.history[-1].evaluations
    assert counting.batches <= len(result.history)


def test_on_generation_called_once_per_generation_with_cumulative_evaluations():
    counting = Counting(inversions)
    reports = []
    result = minimize(6, 0, counting, GaSettings(population=12, generations=7, patience=100),
                      on_generation=reports.append)
    assert [stats.generation for stats in reports] == list(range(8))
    assert tuple(reports) == result.history
    evaluations = [stats.evaluations for stats in reports]
    assert evaluations[0] == 12 and evaluations == sorted(evaluations)
    assert evaluations[-1] == len(counting.seen)


def test_bad_requests_are_refused():
    with pytest.raises(ValueError, match="initial genome"):
        minimize(3, 2, keys_plus_bits, initial=[Genome((0.5,) * 2, (False,) * 2)])
    with pytest.raises(ValueError, match="expected 1 objectives"):
        minimize(3, 2, lambda genomes: [(1.0, 2.0)] * len(genomes), GaSettings(population=4, generations=1))
    with pytest.raises(ValueError, match="objectives must be"):
        minimize(3, 2, keys_plus_bits, objectives=0)


def test_nsga2_reports_its_front_every_generation():
    result = minimize(0, 12, set_and_unset, GaSettings(population=12, generations=5, seed=2), objectives=2)
    fronts = [stats.front for stats in result.history]
    assert len(fronts) == len(result.history) and all(fronts)
    assert sorted(fronts[-1]) == sorted(fitness for _, fitness in result.pareto)
    single = minimize(0, 12, keys_plus_bits, GaSettings(population=12, generations=2, seed=2))
    assert all(stats.front == () for stats in single.history)
