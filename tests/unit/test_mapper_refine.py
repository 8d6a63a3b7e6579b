"""The mapper's local refinement (codesign/mapping/refine.py): moves keep the loop bounds, the
climbs find better mappings than sampling alone where the greedy allocation misses them, and
climbs run side by side find what they find one after another."""

import numpy
import pytest

import codesign.mapping.refine as refine_module
from codesign.arch import load_arch
from codesign.arch.energy import energy_table
from codesign.cost.dataflow import evaluate
from codesign.cost.hardware import hardware_of
from codesign.cost.problem import problem_of
from codesign.frontend import load_model
from codesign.mapping.candidates import generate
from codesign.mapping.refine import Climb, _moves, climb
from codesign.mapping.search import score, search
from codesign.target import target_for


@pytest.fixture(scope="module")
def eyeriss_conv1():
    arch = load_arch("eyeriss")
    node = load_model("resnet18").graph.compute_nodes[0]
    return problem_of(node, target_for(arch).bits(node)), hardware_of(arch, energy_table(arch))


@pytest.mark.parametrize("exchanges", [False, True])
def test_every_move_keeps_each_loop_bound_and_changes_one_thing(eyeriss_conv1, exchanges):
    problem, hardware = eyeriss_conv1
    parent = generate(problem, hardware).take([0])
    factors, orders = _moves(hardware, parent.factors[0], parent.orders[0], exchanges)
    assert len(factors) > 10
    bounds = parent.factors[0].prod(axis=0)
    levels = [level.slot for level in hardware.levels]
    for moved, reordered in zip(factors, orders):
        assert (moved.prod(axis=0) == bounds).all()  # factors moved or traded, never gained or lost
        changed_slots = numpy.flatnonzero((moved != parent.factors[0]).any(axis=1))
        order_change = (reordered != parent.orders[0]).any()
        assert (len(changed_slots) > 0) != order_change  # one kind of move at a time
        assert len(changed_slots) in (0, 2) and set(changed_slots) <= set(levels)  # between two levels
        assert (numpy.sort(reordered, axis=1) == numpy.arange(8)).all()  # still a permutation per level
    plain = _moves(hardware, parent.factors[0], parent.orders[0], False)[0]
    assert (len(factors) > len(plain)) == exchanges  # trades add moves


def test_the_climb_beats_sampling_alone_and_never_loses(eyeriss_conv1, monkeypatch):
    problem, hardware = eyeriss_conv1
    refined = search(problem, hardware, "edp")
    monkeypatch.setattr(refine_module, "ROUNDS", 0)
    sampled = search(problem, hardware, "edp")
    assert refined.evaluated > sampled.evaluated
    assert score(refined.evaluation, "edp")[0] < 0.95 * score(sampled.evaluation, "edp")[0]


def test_climbs_side_by_side_find_what_they_find_alone(eyeriss_conv1):
    problem, hardware = eyeriss_conv1
    candidates = generate(problem, hardware)
    evaluation = evaluate(problem, hardware, candidates)
    keys = score(evaluation, "edp")
    ranking = numpy.lexsort((evaluation.energy_J, keys))
    starts = [Climb(candidates.take(ranking[first:first + 3]),
                    (float(keys[ranking[first]]), float(evaluation.energy_J[ranking[first]])),
                    exchanges=bool(first % 2), kept=3) for first in (0, 40, 400)]
    score_of = lambda evaluated: score(evaluated, "edp")  # noqa: E731
    together = climb(problem, hardware, starts, score_of)
    for start, joint in zip(starts, together):
        (alone,) = climb(problem, hardware, [start], score_of)
        assert alone.key == joint.key and alone.evaluated == joint.evaluated
        assert (alone.best.factors == joint.best.factors).all() and (alone.best.orders == joint.best.orders).all()
        assert joint.key <= start.key  # a climb never ends worse than it started
