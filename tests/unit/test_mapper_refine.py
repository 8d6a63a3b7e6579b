"""The mapper's local refinement (codesign/mapping/refine.py): moves keep the loop bounds, and
the climb finds better mappings than sampling alone where the greedy allocation misses them."""

import numpy
import pytest

import codesign.mapping.refine as refine_module
from codesign.arch import load_arch
from codesign.arch.energy import energy_table
from codesign.cost.hardware import hardware_of
from codesign.cost.problem import problem_of
from codesign.frontend import load_model
from codesign.mapping.candidates import generate
from codesign.mapping.refine import _neighbours
from codesign.mapping.search import score, search
from codesign.target import target_for


@pytest.fixture(scope="module")
def eyeriss_conv1():
    arch = load_arch("eyeriss")
    node = load_model("resnet18").graph.compute_nodes[0]
    return problem_of(node, target_for(arch).bits(node)), hardware_of(arch, energy_table(arch))


def test_every_move_keeps_each_loop_bound_and_changes_one_thing(eyeriss_conv1):
    problem, hardware = eyeriss_conv1
    parent = generate(problem, hardware).take([0])
    neighbours = _neighbours(hardware, parent)
    assert len(neighbours) > 10
    bounds = parent.factors[0].prod(axis=0)
    for factors, orders in zip(neighbours.factors, neighbours.orders):
        assert (factors.prod(axis=0) == bounds).all()  # a prime moved, never gained or lost
        factor_change = (factors != parent.factors[0]).any()
        order_change = (orders != parent.orders[0]).any()
        assert factor_change != order_change  # one kind of move at a time
        assert (numpy.sort(orders, axis=1) == numpy.arange(8)).all()  # still a permutation per level


def test_the_climb_beats_sampling_alone_and_never_loses(eyeriss_conv1, monkeypatch):
    problem, hardware = eyeriss_conv1
    refined = search(problem, hardware, "edp")
    monkeypatch.setattr(refine_module, "ROUNDS", 0)
    sampled = search(problem, hardware, "edp")
    assert refined.evaluated > sampled.evaluated
    assert score(refined.evaluation, "edp")[0] < 0.95 * score(sampled.evaluation, "edp")[0]
