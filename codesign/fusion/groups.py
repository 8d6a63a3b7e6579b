"""The cost of one fused group: consecutive units run depth-first on row bands.

The group's last unit produces its output in T row bands; every unit computes the rows
the next one needs. Halo rows are kept in a line buffer (no recomputation): every tensor
the group touches (its inputs from outside, its intermediates, its outputs) occupies one
band plus its reader's (R - 1) x dilation rows in the staging buffer; each layer's own
mapping works inside those bands (its on-chip costs are taken from the full-layer
mapping, an approximation). A group is valid only if that working set fits; otherwise it
spills, and its cost is the layer-by-layer cost (its intermediates go to DRAM after all).
Bands and weights are counted in words at the values' IR bits (cost/precision.py).

What fusion changes: an intermediate whose readers are all in the group never goes to
DRAM (its producer's DRAM writes and its readers' DRAM reads, refetches included, vanish:
the staging buffer that relayed them keeps the data instead); one also read outside the group is still written to DRAM, but the
readers inside get it on chip. Weights that fit in the outermost on-chip weight level stay
there across bands; the rest of the group's weights are fetched again for every band after
the first (each layer in proportion to its share of the group's weights). Everything else (the per-layer
mappings' on-chip traffic and MACs) is unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from codesign.cost.result import whole_cycles
from codesign.fusion.units import WEIGHTS, Platform, Traffic, Unit

TILE_CHOICES = (1, 2, 4, 7, 8, 14, 16, 28, 32, 56, 64, 112, 128, 224)


@dataclass(frozen=True)
class GroupCost:
    units: tuple[str, ...]
    energy_J: float
    cycles: float
    dram_words: float
    tiles: int
    """Row bands the group runs in (1: whole tensors)."""
    weights_resident: bool
    fits: bool
    """False: no tiling fits the staging buffer; the group costs what its layers cost alone."""
    working_set_words: float


def objective_value(energy_J: float, cycles: float, objective: str) -> float:
    """What a schedule search minimises: energy, latency (cycles) or their product."""
    if objective == "energy":
        return energy_J
    if objective == "latency":
        return cycles
    return energy_J * cycles


class GroupModel:
    """Group costs for one network on one platform, cached by member list."""

    def __init__(self, units: Iterable[Unit], platform: Platform, graph_outputs: Iterable[str],
                 shapes: Mapping[str, tuple[int, ...]], objective: str = "edp"):
        self.units = {unit.name: unit for unit in units}
        self.platform = platform
        self.objective = objective
        self.graph_outputs = frozenset(graph_outputs)
        self.producer = {unit.output: unit.name for unit in self.units.values()}
        self.readers: dict[str, set[str]] = {}
        for unit in self.units.values():
            for value in unit.inputs:
                self.readers.setdefault(value, set()).add(unit.name)
        self.shapes = dict(shapes)
        self.word_shares: dict[str, float] = {}
        """Words per element of each activation at its bits (the staging buffer holds it so)."""
        for unit in self.units.values():
            for name, share in unit.word_shares.items():
                self.word_shares[name] = max(share, self.word_shares.get(name, 0.0))
        self._cache: dict[tuple[str, ...], GroupCost] = {}

    def cost(self, names: tuple[str, ...]) -> GroupCost:
        if names not in self._cache:
            self._cache[names] = self._evaluate(names)
        return self._cache[names]

    @property
    def evaluated_groups(self) -> int:
        return len(self._cache)

    def score(self, energy_J: float, cycles: float) -> float:
        return objective_value(energy_J, cycles, self.objective)

    def _evaluate(self, names: tuple[str, ...]) -> GroupCost:
        members = set(names)
        internal = [unit.output for unit in map(self.units.get, names)
                    if self.readers.get(unit.output, set()) & members]
        if not internal:
            return self._alone(names)
        best = None
        for tiles in self._tile_choices(names, internal):
            candidate = self._tiled(names, members, internal, tiles)
            if candidate is not None and (best is None or self.score(candidate.energy_J, candidate.cycles)
                                          < self.score(best.energy_J, best.cycles)):
                best = candidate
        return best if best is not None else self._alone(names, fits=False)

    def _alone(self, names: tuple[str, ...], fits: bool = True) -> GroupCost:
        units = [self.units[name] for name in names]
        dram_words = sum(t.reads + t.writes for unit in units for t in unit.dram.values())
        cycles = sum(u.cycles for u in units)
        return GroupCost(names, sum(u.energy_J for u in units) + self._static_J(cycles), cycles, dram_words,
                         1, False, fits, 0.0)

    def _static_J(self, cycles: float) -> float:
        return self.platform.leakage_W * cycles / self.platform.clock_Hz

    def _tile_choices(self, names, internal) -> list[int]:
        if not all(self.units[name].row_tileable for name in names):
            return [1]
        rows = min(self.units[self.producer[value]].output_shape[2] for value in internal)
        return [tiles for tiles in TILE_CHOICES if tiles <= rows]

    def _tiled(self, names, members, internal, tiles) -> GroupCost | None:
        touched = dict.fromkeys(value for name in names for value in (*self.units[name].inputs, self.units[name].output))
        working_set = sum(self._band_words(value, members, tiles) for value in touched)
        if working_set > self.platform.staging.capacity_words:
            return None
        weights = sum(self.units[name].weight_words for name in names)
        resident = weights <= self.platform.weight_capacity_words
        refetched_share = 0.0 if resident else (tiles - 1) * (weights - self.platform.weight_capacity_words) / weights
        energy = cycles = dram_words = 0.0
        for name in names:
            unit = self.units[name]
            unit_energy, unit_cycles, unit_words = self._unit(unit, members, refetched_share * unit.weight_words)
            energy, cycles, dram_words = energy + unit_energy, cycles + unit_cycles, dram_words + unit_words
        return GroupCost(names, energy + self._static_J(cycles), cycles, dram_words, tiles, resident, True,
                         working_set)

    def _band_words(self, value: str, members: set[str], tiles: int) -> float:
        shape, share = self.shapes[value], self.word_shares.get(value, 1.0)
        if len(shape) != 4:
            return float(math.prod(shape)) * share
        batch, channels, rows, columns = shape
        window = max((self.units[reader].window_rows for reader in self.readers.get(value, set()) & members), default=0)
        return float(batch * channels * columns * min(rows, -(-rows // tiles) + window)) * share

    def _unit(self, unit: Unit, members: set[str], refetched_weights: float) -> tuple[float, float, float]:
        dram = self.platform.dram
        old_energy = new_energy = kept_words = 0.0
        for value, traffic in unit.dram.items():
            old_energy += traffic.reads * dram.read_J + traffic.writes * dram.write_J
            kept = self._kept(value, traffic, unit, members, refetched_weights)
            new_energy += kept.reads * dram.read_J + kept.writes * dram.write_J
            kept_words += kept.reads + kept.writes
        # The staging buffer already saw every word that went to or came from DRAM in the
        # layer-by-layer mapping; on chip those words stay where they are, so its traffic
        # (and energy, kept as a conservative bound) does not grow.
        cycles = whole_cycles(max(unit.compute_cycles, unit.other_cycles, kept_words / dram.words_per_cycle,
                                  unit.staging_cycles))
        return unit.energy_J - old_energy + new_energy, cycles, kept_words

    def _kept(self, value: str, traffic: Traffic, unit: Unit, members: set[str], refetched_weights: float) -> Traffic:
        """The DRAM traffic of `value` that remains when `unit` runs in a group of `members`."""
        if value == WEIGHTS:
            return Traffic(traffic.reads + refetched_weights, traffic.writes)
        if value == unit.output:
            leaves = value in self.graph_outputs or bool(self.readers.get(value, set()) - members)
            return traffic if leaves else Traffic(0.0, 0.0)
        produced_inside = self.producer.get(value) in members
        return Traffic(0.0, traffic.writes) if produced_inside else traffic
