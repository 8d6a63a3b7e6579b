"""Which crossbars to make sparser, in what order, and how far: the crossbar-aware pruner's search.

A move takes one crossbar from one allowed level to the next (levels=1/2/4/8/16: the non-zero
rows per read a column may keep, halved each step). Each move is worth the ADC energy it saves
on the target (the crossbar's conversions x the energy of a conversion at the resolution it
needs before minus after, from the target's own cost model) per unit of the damage it does:
the weights it prunes, each weighing its layer's mean Hessian diagonal x w^2 (Optimal Brain
Damage, LeCun et al. 1990, with Hutchinson's per-layer traces). A step that saves nothing by
itself (e.g. 128 to 64 rows when the ADC already clips at fewer bits) is merged with the next,
until each crossbar's moves are in decreasing order of worth; all moves are then sorted, and a
bisection over the length of that order finds the longest prefix whose fine-tuned model stays
within the accuracy budget (as assign-precision's bisection does over layers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy

from codesign.cost.crossbar_mapping import conversions_by_crossbar, map_layer
from codesign.passes.prune_layout import LayerCrossbars


@dataclass(frozen=True)
class Move:
    layer: int
    """Index into the pruned layers."""
    crossbar: tuple[int, int, int]
    """(group, row tile, column tile)."""
    to_step: int
    """The crossbar's level index after the move."""
    saving_J: float
    damage: float

    @property
    def worth(self) -> float:
        if self.damage <= 0:
            return numpy.inf if self.saving_J > 0 else 0.0
        return self.saving_J / self.damage


def ordered_moves(layers: list[LayerCrossbars], nodes: dict, weights: dict[str, numpy.ndarray],
                  curvature: dict[str, float], adc_energies: Callable[[LayerCrossbars], tuple[float, ...]],
                  levels: tuple[int, ...]) -> list[Move]:
    """Every crossbar's moves, most worth first (module docstring)."""
    moves: list[Move] = []
    for index, layer in enumerate(layers):
        mapping = map_layer(nodes[layer.name].loop_nest, layer.config)
        conversions = conversions_by_crossbar(mapping, layer.config) * layer.layout.polarities
        energy = numpy.asarray(adc_energies(layer))
        step_energy = energy[layer.adc_bits_at(levels)]  # [row tiles, levels]
        savings = (step_energy[:, :-1] - step_energy[:, 1:])[:, None, :] * conversions[:, :, None]
        damages = layer.pruned_by_step(weights[layer.name], levels) * max(curvature.get(layer.name, 0.0), 1e-12)
        for group in range(layer.groups):
            for row_tile in range(layer.row_tiles):
                for column_tile in range(layer.column_tiles):
                    moves += _pooled(index, (group, row_tile, column_tile), savings[row_tile, column_tile],
                                     damages[group, row_tile, column_tile])
    return sorted(moves, key=lambda move: (-move.worth, move.to_step))


def _pooled(layer: int, crossbar: tuple[int, int, int], savings: numpy.ndarray, damages: numpy.ndarray) -> list[Move]:
    """One crossbar's steps as moves whose worth never rises (adjacent steps merged)."""
    moves: list[Move] = []
    for step, (saving, damage) in enumerate(zip(savings, damages)):
        move = Move(layer, crossbar, step + 1, float(saving), float(damage))
        while moves and moves[-1].worth <= move.worth:
            previous = moves.pop()
            move = Move(layer, crossbar, move.to_step, previous.saving_J + move.saving_J, previous.damage + move.damage)
        moves.append(move)
    return moves


def levels_after(moves: list[Move], layers: list[LayerCrossbars], levels: tuple[int, ...]) -> dict[str, numpy.ndarray]:
    """Layer name -> [groups, row tiles, column tiles] level of each crossbar once `moves` are made."""
    steps = [numpy.zeros((layer.groups, layer.row_tiles, layer.column_tiles), dtype=numpy.int64) for layer in layers]
    for move in moves:
        group, row_tile, column_tile = move.crossbar
        current = steps[move.layer][group, row_tile, column_tile]
        steps[move.layer][group, row_tile, column_tile] = max(current, move.to_step)
    allowed = numpy.asarray(levels)
    return {layer.name: allowed[step] for layer, step in zip(layers, steps)}


def longest_prefix(count: int, meets: Callable[[int], bool]) -> tuple[int, bool]:
    """The largest n in 0..count with meets(n), assuming it holds for every smaller n when it
    holds for n; (n, True), or (0, False) when even meets(0) fails. About log2(count) + 2 calls."""
    if meets(count):
        return count, True
    if not meets(0):
        return 0, False
    low, high = 0, count - 1
    while low < high:
        middle = (low + high + 1) // 2
        if meets(middle):
            low = middle
        else:
            high = middle - 1
    return low, True
