"""A genetic algorithm over random keys plus cut bits, with DEAP behind a small wrapper.

The layer-fusion scheduler encodes a schedule as one random key per graph node (the
caller decodes the keys with a priority-driven topological sort, so every key vector is
a valid order) and one cut bit per position (start a new fused group after it). This
module knows nothing about graphs: it minimises a batch-evaluated fitness over such
genomes, either one objective (tournament selection with elitism) or several (NSGA-II,
returning the Pareto front of everything evaluated).

Operators fit the two parts: keys take bounded simulated-binary crossover and clipped
Gaussian mutation (children stay near their parents, and inside [0, 1) without the pile-up
of ties at the bounds that blend crossover plus clipping gives); bits take two-point
crossover (keeps runs of cuts, i.e. whole fused groups, together) and bit flips with a
per-bit probability of 1/length (one flip per mutation on average).

DEAP draws from Python's global `random`. A run seeds it from `GaSettings.seed` and
restores the caller's state afterwards: the same seed gives the same run (provided the
evaluate callback is itself deterministic) and the caller's random stream is untouched.
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deap import base, creator, tools

MAX_OBJECTIVES = 5
# DEAP keeps fitness classes in its global `creator` namespace: create them once, at
# import, under names no other DEAP user will pick. Weights of -1: all objectives minimised.
for _count in range(1, MAX_OBJECTIVES + 1):
    if not hasattr(creator, f"CodesignMin{_count}"):
        creator.create(f"CodesignMin{_count}", base.Fitness, weights=(-1.0,) * _count)

TOURNAMENT_SIZE = 3
SBX_ETA = 15.0
"""Simulated-binary crossover spread: larger keeps children closer to their parents."""
KEY_SIGMA = 0.1
"""Gaussian key mutation: moves a node a few places in the priority order, not across it."""
_BELOW_ONE = math.nextafter(1.0, 0.0)


@dataclass(frozen=True)
class Genome:
    keys: tuple[float, ...]
    bits: tuple[bool, ...]


@dataclass(frozen=True)
class GaSettings:
    population: int = 64
    generations: int = 100
    """Generations bred after the initial population (generation 0)."""
    seed: int = 0
    crossover_probability: float = 0.9
    mutation_probability: float = 0.3
    elite: int = 2
    """Best individuals copied unchanged into the next generation (single objective;
    NSGA-II's survivor selection is elitist by construction)."""
    patience: int = 25
    """Stop after this many generations without progress: a strictly better best (single
    objective) or any change to the Pareto front (several objectives)."""


@dataclass(frozen=True)
class GenerationStats:
    generation: int
    best: tuple[float, ...]
    """Per-objective minima over everything evaluated so far."""
    mean: tuple[float, ...]
    """Per-objective means over the current population."""
    evaluations: int
    """Cumulative number of distinct genomes evaluated."""
    front: tuple[tuple[float, ...], ...] = ()
    """Several objectives: the fitnesses of the Pareto front of everything evaluated so far (its
    hypervolume per generation shows convergence). One objective: empty (`best` says it all)."""


@dataclass(frozen=True)
class GaResult:
    best: Genome
    """Single objective: the lowest fitness. Several: the front member lowest in the first
    objective (ties broken by the next); pick another trade-off from `pareto`."""
    best_fitness: tuple[float, ...]
    history: tuple[GenerationStats, ...]
    pareto: tuple[tuple[Genome, tuple[float, ...]], ...]
    """Non-dominated (genome, fitness) pairs, one per distinct fitness, sorted by the first
    objective. Single objective: just the best."""
    evaluations: int
    stopped_early: bool


Evaluate = Callable[[list[Genome]], list[tuple[float, ...]]]


def minimize(key_count: int, bit_count: int, evaluate: Evaluate,
             settings: GaSettings = GaSettings(), objectives: int = 1,
             initial: Sequence[Genome] = (),
             on_generation: Callable[[GenerationStats], None] | None = None) -> GaResult:
    """Minimise `evaluate` over genomes of `key_count` keys and `bit_count` bits.

    `evaluate` gets every not-yet-seen genome of a generation in one batch (so the caller
    can cache and parallelise) and returns one fitness tuple of `objectives` values per
    genome. No genome is evaluated twice. `initial` genomes seed the first population.
    """
    _check(key_count, bit_count, settings, objectives, initial)
    saved_state = random.getstate()
    random.seed(settings.seed)
    try:
        return _Run(key_count, bit_count, evaluate, settings, objectives, on_generation).run(initial)
    finally:
        random.setstate(saved_state)


class _Individual:
    """What DEAP's selection and hall-of-fame code needs (a `fitness`), around the genome's
    two parts as lists that DEAP's in-place variation operators can change."""

    __slots__ = ("bits", "fitness", "keys")

    def __init__(self, keys: Sequence[float], bits: Sequence[bool], fitness: base.Fitness):
        self.keys, self.bits, self.fitness = list(keys), list(bits), fitness

    def genome(self) -> Genome:
        return Genome(tuple(self.keys), tuple(self.bits))


class _Run:
    def __init__(self, key_count: int, bit_count: int, evaluate: Evaluate, settings: GaSettings,
                 objectives: int, on_generation: Callable[[GenerationStats], None] | None):
        self.key_count, self.bit_count, self.settings = key_count, bit_count, settings
        self.evaluate_batch, self.objectives, self.on_generation = evaluate, objectives, on_generation
        self.fitness_class = getattr(creator, f"CodesignMin{objectives}")
        self.cache: dict[Genome, tuple[float, ...]] = {}
        # Equal fitness counts as a twin, so the front keeps one genome per trade-off point
        # (with one objective, it holds exactly the first genome found with the lowest fitness).
        self.front = tools.ParetoFront(similar=lambda first, second: True)
        self.minima = (math.inf,) * objectives
        self.history: list[GenerationStats] = []

    def run(self, initial: Sequence[Genome]) -> GaResult:
        population = [self.individual(genome.keys, genome.bits) for genome in initial]
        population += [self.individual([random.random() for _ in range(self.key_count)],
                                       [random.random() < 0.5 for _ in range(self.bit_count)])
                       for _ in range(self.settings.population - len(population))]
        self.evaluate(population)
        self.report(0, population)
        stale, stopped_early = 0, False
        for generation in range(1, self.settings.generations + 1):
            if stale >= self.settings.patience:
                stopped_early = True
                break
            if self.objectives == 1:
                elite = tools.selBest(population, self.settings.elite)
                offspring = self.vary(tools.selTournament(
                    population, len(population) - len(elite), TOURNAMENT_SIZE))
                progress = self.evaluate(offspring)
                population = elite + offspring
            else:
                # Parents at random: NSGA-II's (mu + lambda) survivor selection supplies the
                # pressure (DEAP's crowded tournament needs a population divisible by four).
                offspring = self.vary(tools.selRandom(population, len(population)))
                progress = self.evaluate(offspring)
                population = tools.selNSGA2(population + offspring, len(population))
            self.report(generation, population)
            stale = 0 if progress else stale + 1
        pareto = tuple((member.genome(), self.cache[member.genome()]) for member in self.front)
        return GaResult(best=pareto[0][0], best_fitness=pareto[0][1], history=tuple(self.history),
                        pareto=pareto, evaluations=len(self.cache), stopped_early=stopped_early)

    def individual(self, keys: Sequence[float], bits: Sequence[bool]) -> _Individual:
        return _Individual(keys, bits, self.fitness_class())

    def vary(self, parents: list[_Individual]) -> list[_Individual]:
        offspring = [copy.deepcopy(parent) for parent in parents]
        for first, second in zip(offspring[::2], offspring[1::2]):
            if random.random() < self.settings.crossover_probability:
                _mate(first, second)
                del first.fitness.values, second.fitness.values
        for individual in offspring:
            if random.random() < self.settings.mutation_probability:
                _mutate(individual)
                del individual.fitness.values
        return offspring

    def evaluate(self, population: list[_Individual]) -> bool:
        """Sets every missing fitness, asking the caller only about genomes never seen.
        Returns whether the Pareto front (with one objective: the best) changed."""
        pending = [individual for individual in population if not individual.fitness.valid]
        unseen = list(dict.fromkeys(genome for genome in (ind.genome() for ind in pending)
                                    if genome not in self.cache))
        if unseen:
            fitnesses = list(self.evaluate_batch(unseen))
            if len(fitnesses) != len(unseen):
                raise ValueError(f"evaluate returned {len(fitnesses)} fitnesses for {len(unseen)} genomes")
            for genome, fitness in zip(unseen, fitnesses):
                fitness = tuple(float(value) for value in fitness)
                if len(fitness) != self.objectives:
                    raise ValueError(f"evaluate returned {fitness}, expected {self.objectives} objectives")
                self.cache[genome] = fitness
                self.minima = tuple(map(min, self.minima, fitness))
        for individual in pending:
            individual.fitness.values = self.cache[individual.genome()]
        before = [member.genome() for member in self.front]
        self.front.update(pending)
        return [member.genome() for member in self.front] != before

    def report(self, generation: int, population: list[_Individual]) -> None:
        columns = zip(*(individual.fitness.values for individual in population))
        front = tuple(tuple(member.fitness.values) for member in self.front) if self.objectives > 1 else ()
        stats = GenerationStats(generation, self.minima,
                                tuple(sum(column) / len(population) for column in columns),
                                len(self.cache), front)
        self.history.append(stats)
        if self.on_generation is not None:
            self.on_generation(stats)


def _mate(first: _Individual, second: _Individual) -> None:
    tools.cxSimulatedBinaryBounded(first.keys, second.keys, eta=SBX_ETA, low=0.0, up=1.0)
    _clip(first.keys)
    _clip(second.keys)
    if len(first.bits) >= 2:  # two cut points need at least two bits
        tools.cxTwoPoint(first.bits, second.bits)


def _mutate(individual: _Individual) -> None:
    if individual.keys:
        tools.mutGaussian(individual.keys, mu=0.0, sigma=KEY_SIGMA, indpb=1.0 / len(individual.keys))
        _clip(individual.keys)
    if individual.bits:
        tools.mutFlipBit(individual.bits, indpb=1.0 / len(individual.bits))


def _clip(keys: list[float]) -> None:
    keys[:] = [min(max(key, 0.0), _BELOW_ONE) for key in keys]


def _check(key_count: int, bit_count: int, settings: GaSettings, objectives: int,
           initial: Sequence[Genome]) -> None:
    if key_count < 0 or bit_count < 0 or key_count + bit_count == 0:
        raise ValueError(f"a genome needs keys or bits, got {key_count} keys and {bit_count} bits")
    if not 1 <= objectives <= MAX_OBJECTIVES:
        raise ValueError(f"objectives must be between 1 and {MAX_OBJECTIVES}, got {objectives}")
    if settings.population < 2 or settings.generations < 0 or settings.patience < 1:
        raise ValueError(f"need population >= 2, generations >= 0 and patience >= 1: {settings}")
    if not 0 <= settings.elite < settings.population:
        raise ValueError(f"elite must be in [0, population), got {settings.elite}")
    if len(initial) > settings.population:
        raise ValueError(f"{len(initial)} initial genomes do not fit a population of {settings.population}")
    for genome in initial:
        if len(genome.keys) != key_count or len(genome.bits) != bit_count:
            raise ValueError(f"initial genome has {len(genome.keys)} keys and {len(genome.bits)} bits, "
                             f"expected {key_count} and {bit_count}")
