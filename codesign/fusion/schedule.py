"""Schedules: an execution order of the units and its cut into fused groups.

    layer_by_layer(model)            every unit alone (the baseline)
    greedy(model)                    graph order, each group grown while it still fits
    decode(model, keys, cuts)        a genome: random keys -> a topological order, cut bits -> groups
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from codesign.fusion.groups import GroupCost, GroupModel


@dataclass(frozen=True)
class Schedule:
    order: tuple[str, ...]
    groups: tuple[GroupCost, ...]

    @property
    def energy_J(self) -> float:
        return sum(group.energy_J for group in self.groups)

    @property
    def cycles(self) -> float:
        return sum(group.cycles for group in self.groups)

    @property
    def dram_words(self) -> float:
        return sum(group.dram_words for group in self.groups)

    def cuts(self) -> tuple[bool, ...]:
        """Cut bits of this schedule: True after the last unit of each group (but the last)."""
        ends, position = set(), -1
        for group in self.groups[:-1]:
            position += len(group.units)
            ends.add(position)
        return tuple(index in ends for index in range(len(self.order) - 1))


def graph_order(model: GroupModel) -> tuple[str, ...]:
    """The units in graph order, but each after the units it reads from.

    Graph order alone is not always valid: an epilogue joins its host's unit, so a residual
    Add placed with ResNet's second branch convolution reads the shortcut convolution that
    the graph lists after it. Seeding a search with an invalid order would decode to another
    schedule, and the greedy baseline would run a unit before its input exists.
    """
    count = len(model.units)
    return topological_order(model, [position / count for position in range(count)])


def dependencies(model: GroupModel) -> dict[str, set[str]]:
    """Unit -> the units whose outputs it reads."""
    return {name: {model.producer[value] for value in unit.inputs if value in model.producer}
            for name, unit in model.units.items()}


def topological_order(model: GroupModel, keys: Sequence[float]) -> tuple[str, ...]:
    """Kahn's algorithm taking the ready unit with the smallest key: every key vector is valid."""
    names = list(model.units)
    index = {name: position for position, name in enumerate(names)}
    waiting = {name: len(sources) for name, sources in dependencies(model).items()}
    dependents: dict[str, list[str]] = {name: [] for name in names}
    for name, sources in dependencies(model).items():
        for source in sources:
            dependents[source].append(name)
    ready = [(keys[index[name]], index[name], name) for name in names if waiting[name] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, _, name = heapq.heappop(ready)
        order.append(name)
        for dependent in dependents[name]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, (keys[index[dependent]], index[dependent], dependent))
    return tuple(order)


def from_cuts(model: GroupModel, order: Sequence[str], cuts: Sequence[bool]) -> Schedule:
    groups, current = [], [order[0]]
    for name, cut in zip(order[1:], cuts):
        if cut:
            groups.append(model.cost(tuple(current)))
            current = []
        current.append(name)
    groups.append(model.cost(tuple(current)))
    return Schedule(tuple(order), tuple(groups))


def layer_by_layer(model: GroupModel) -> Schedule:
    order = graph_order(model)
    return from_cuts(model, order, [True] * (len(order) - 1))


def greedy(model: GroupModel) -> Schedule:
    """Fuse while it fits: grow each group along the graph order until the next unit would
    make it spill, then start a new one."""
    order = graph_order(model)
    cuts, current = [], [order[0]]
    for name in order[1:]:
        extended = model.cost((*current, name))
        fits = extended.fits and extended.energy_J <= model.cost(tuple(current)).energy_J + \
            model.cost((name,)).energy_J
        cuts.append(not fits)
        current = [*current, name] if fits else [name]
    return from_cuts(model, order, cuts)


def decode(model: GroupModel, keys: Sequence[float], cuts: Sequence[bool]) -> Schedule:
    return from_cuts(model, topological_order(model, keys), cuts)


def keys_for(model: GroupModel, order: Sequence[str]) -> tuple[float, ...]:
    """Random keys that decode to `order` (to seed a search with a known schedule)."""
    rank = {name: position for position, name in enumerate(order)}
    return tuple((rank[name] + 0.5) / len(order) for name in model.units)
