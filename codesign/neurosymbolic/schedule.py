"""One schedule of an HDC workload on one FeFET macro: its arrays split between the MAC half (the
front end and the encoder: workload.mac_graph) and the search half (the class prototypes), the
writes a half needs when it holds more than its share, and the cost of one query and of a batch.

Split: the spec's `search_arrays`, or (None) every split from 1 to arrays - 1 search arrays is
costed and the one the objective prefers per query of the batch is kept (ties: fewer search arrays).
Each half is costed on its own arrays only: the MAC layers as `codesign compile` costs them on a
macro of the MAC half's arrays (a layer with more tiles than that runs in passes), the search on
the search half's (cost/fefet_search.py, its tiles packed side by side where patterns leave
columns free).
Residency: a half whose tiles fit its arrays is written once, before any query (`load`); its
weights or prototypes are never read from DRAM per query. Spare arrays of a resident MAC half hold
copies of layers' weights (weight replication, as ISAAC does), one copy at a time to the slowest
layer that fits: copies share a layer's output positions out, the same column cycles in all. A half that does not fit is rewritten
for every batch (cost/fefet_program.py): layer by layer for the MAC half (every query of the batch
goes through one layer's weights before the next layer's are written, a layer with more tiles than
arrays in several waves), wave by wave for the search (partial distances kept in the buffer
between waves; their buffer traffic is not charged). Partial residency (some layers kept, others
streamed) is not modelled: one layer that does not fit makes the whole MAC half stream.
Time: both halves resident, every layer and the search have arrays of their own, so queries
stream through them (ISAAC's inter-layer pipeline): B x the slowest stage + the other stages once
(the periphery's vector ops count as stages too). A half that streams forbids that overlap:
its writes, then B x (front end + search). DRAM bandwidth is not shared out between pipelined
halves (resident halves move only the images and answers).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from codesign.arch.cim import FefetArrayConfig
from codesign.arch.schema import Architecture
from codesign.compiler import LayerByLayer, compile_layers
from codesign.cost import fefet
from codesign.cost.fefet_program import NOTHING_WRITTEN, ProgramCost, program_cost, with_stored_weights
from codesign.cost.fefet_search import (CELLS_PER_PATTERN_BIT, answer_index_bits, pattern_tile_rows, search_tiles,
                                       tiles_per_array)
from codesign.cost.in_memory import cim_chip
from codesign.cost.result import CompileReport, LayerCost, MapperStats, clocked
from codesign.errors import CodesignError
from codesign.ir.loopnest import LoopNest
from codesign.neurosymbolic.search_errors import fefet_config
from codesign.neurosymbolic.workload import HdcWorkload
from codesign.target import target_for

OBJECTIVES = ("energy", "latency", "edp")


@dataclass(frozen=True)
class Half:
    """One half of the macro and what it holds."""

    name: str
    arrays: int
    tiles: int
    """Array tiles its weights or prototypes take, all stored at once."""
    capacity: int
    """Tiles its arrays hold at once."""
    program: ProgramCost
    """Writing all of it: once before the queries if resident, every batch otherwise."""

    @property
    def resident(self) -> bool:
        return self.tiles <= self.capacity


@dataclass(frozen=True)
class Totals:
    energy_J: float
    latency_s: float
    off_chip_J: float = 0.0
    """Of energy_J: DRAM traffic (activations, answers, weights fetched for writes)."""


@dataclass(frozen=True)
class HdcSchedule:
    """The workload on one split of one macro (module docstring)."""

    workload: str
    arch: str
    split_source: str
    """'spec' (search_arrays) or the objective the split was chosen for."""
    mac: Half
    search: Half
    report: CompileReport
    """One query alone: the MAC half's layers, the search, and the writes of any half that streams."""
    batch: int
    single_query: Totals
    batch_totals: Totals
    """All `batch` queries, writes of streaming halves included."""

    @property
    def load(self) -> ProgramCost:
        """Writing the resident halves once, before any query (one after the other)."""
        resident = [half.program for half in (self.mac, self.search) if half.resident]
        return sum(resident, NOTHING_WRITTEN)

    @property
    def per_query_in_batch(self) -> Totals:
        totals = self.batch_totals
        return Totals(totals.energy_J / self.batch, totals.latency_s / self.batch, totals.off_chip_J / self.batch)


@dataclass(frozen=True)
class _MacHalf:
    """The MAC half's per-query layers (weights stored) and what writing its weights takes."""

    layers: tuple[LayerCost, ...]
    half: Half


def schedule_hdc(workload: HdcWorkload, arch: Architecture, batch: int = 1, objective: str = "edp",
                 seed: int = 0, on_split: Callable[[int, int], None] | None = None) -> HdcSchedule:
    """The schedule of `batch` queries on `arch`'s macro; `on_split(done, total)` follows a split search."""
    config = fefet_config(arch)
    _check(workload, config, batch, objective)
    splits = [config.search_arrays] if config.search_arrays is not None else list(range(1, config.arrays))
    mac_half = lru_cache(maxsize=None)(lambda arrays: _mac_half(workload, arch, arrays, objective, seed))
    schedules = []
    for done, search_arrays in enumerate(splits, start=1):
        mac = mac_half(config.arrays - search_arrays)
        schedules.append(_schedule(workload, arch, search_arrays, mac, batch, objective))
        if on_split is not None:
            on_split(done, len(splits))
    source = "spec" if config.search_arrays is not None else objective
    best = min(schedules, key=lambda schedule: _score(schedule, objective))
    return replace(best, split_source=source)


def _check(workload: HdcWorkload, config: FefetArrayConfig, batch: int, objective: str) -> None:
    if batch < 1:
        raise CodesignError(f"{workload.label}: a batch must be at least 1 query (got {batch})")
    if objective not in OBJECTIVES:
        raise CodesignError(f"objective '{objective}': expected one of {', '.join(OBJECTIVES)}")
    if config.arrays < 2:
        raise CodesignError(f"{workload.label}: the macro has {config.arrays} array; a MAC half and a search half "
                            f"need at least 2")
    tiles = search_tiles(workload.classes, workload.dimensions, config)
    most = (config.arrays - 1) * tiles_per_array(workload.classes, config)
    if tiles > most:
        tile_bits = config.rows // CELLS_PER_PATTERN_BIT
        raise CodesignError(f"{workload.label}: {workload.classes} prototypes of {workload.dimensions} bits take "
                            f"{tiles} array tiles of {tile_bits} bits; the macro's {config.arrays} arrays of "
                            f"{config.rows} rows hold {most} beside one MAC array: use fewer dimensions, or more "
                            f"or taller arrays")


def _score(schedule: HdcSchedule, objective: str) -> float:
    per_query = schedule.per_query_in_batch
    return {"energy": per_query.energy_J, "latency": per_query.latency_s,
            "edp": per_query.energy_J * per_query.latency_s}[objective]


def _schedule(workload: HdcWorkload, arch: Architecture, search_arrays: int, mac: _MacHalf, batch: int,
              objective: str) -> HdcSchedule:
    search, search_row = _search_half(workload, arch, search_arrays)
    stages = (*mac.layers, search_row)
    streamed = [half for half in (mac.half, search) if not half.resident]
    writes = tuple(_write_row(half, arch) for half in streamed)
    query = Totals(sum(stage.energy_J for stage in stages), sum(stage.latency_s for stage in stages),
                   _off_chip_J(stages, arch))
    written = Totals(sum(half.program.energy_J for half in streamed), sum(half.program.latency_s for half in streamed),
                     sum(half.program.energy_breakdown_J["dram"] for half in streamed))
    if streamed:
        batch_s = written.latency_s + batch * query.latency_s
    else:  # every layer and the search on arrays of their own: queries stream through the stages
        slowest_s = max(stage.latency_s for stage in stages)
        batch_s = batch * slowest_s + (query.latency_s - slowest_s)
    report = _report(workload, arch, objective, (*stages, *writes))
    return HdcSchedule(workload.label, arch.name, objective, mac.half, search, report, batch,
                       Totals(query.energy_J + written.energy_J, query.latency_s + written.latency_s,
                              query.off_chip_J + written.off_chip_J),
                       Totals(batch * query.energy_J + written.energy_J, batch_s,
                              batch * query.off_chip_J + written.off_chip_J))


def _off_chip_J(stages: tuple[LayerCost, ...], arch: Architecture) -> float:
    """The stages' DRAM energy: the macro's 'dram' term and the periphery's DRAM level."""
    dram_keys = {"dram", arch.memory_levels[0].name}
    return sum(energy for stage in stages for key, energy in stage.energy_breakdown_J.items() if key in dram_keys)


@dataclass(frozen=True)
class _Stored:
    """One compute layer's weights as the MAC half stores them."""

    nest: LoopNest
    config: FefetArrayConfig
    tiles: int
    cells: int
    rows: int
    """Rows of its tallest tile."""


def _mac_half(workload: HdcWorkload, arch: Architecture, arrays: int, objective: str, seed: int) -> _MacHalf:
    """The MAC half on `arrays` arrays: its layers per query with their weights stored (copied onto
    spare arrays when they all fit), and writing them."""
    compiled = compile_layers(workload.mac_graph, _with_arrays(arch, arrays), objective, seed,
                              model_name=workload.label, workers=1)
    config, chip = compiled.target.macro, cim_chip(arch)
    stored = {layer.node.name: _stored(compiled, layer.node, config) for layer in compiled.layers
              if layer.node.op.is_compute}
    tiles = sum(item.tiles for item in stored.values())
    replicas = _replicas(list(stored.items()), arrays - tiles) if tiles <= arrays else {}
    layers = []
    for layer in compiled.layers:
        item = stored.get(layer.node.name)
        cost = layer.cost if item is None else clocked(
            with_stored_weights(layer.cost, item.nest, item.config, chip, replicas.get(layer.node.name, 1)),
            arch.clock_frequency_Hz)
        layers.append(cost)
    copies = [(item, replicas.get(name, 1)) for name, item in stored.items()]
    program = _mac_program(copies, arrays, tiles <= arrays, config, chip)
    return _MacHalf(tuple(layers), Half("MAC (front end and encoder)", arrays, tiles, arrays, program))


def _stored(compiled: LayerByLayer, node, config: FefetArrayConfig) -> _Stored:
    target = compiled.target
    layer_config = target.layer_config(target.bits(node))
    nest = node.loop_nest
    rows = min(config.rows, nest.sizes["C"] * nest.sizes["R"] * nest.sizes["S"])
    return _Stored(nest, layer_config, fefet.layer_tiles(nest, layer_config),
                   fefet.weight_cells(nest, layer_config), rows)


def _replicas(stored: list[tuple[str, _Stored]], spare_arrays: int) -> dict[str, int]:
    """Copies of each layer's weights on the spare arrays: one more copy at a time to the slowest
    layer that still fits and has positions to share (ISAAC-style weight replication; greedy)."""
    copies = {name: 1 for name, _ in stored}

    def busy_s(name: str, item: _Stored) -> float:
        return fefet.compute_time_s(item.nest, item.config, 1, copies[name])

    while True:
        fitting = [(busy_s(name, item), name, item) for name, item in stored
                   if item.tiles <= spare_arrays and copies[name] < _positions(item.nest)]
        if not fitting:
            return copies
        _, name, item = max(fitting, key=lambda entry: entry[0])
        copies[name] += 1
        spare_arrays -= item.tiles


def _positions(nest: LoopNest) -> int:
    return nest.sizes["N"] * nest.sizes["P"] * nest.sizes["Q"]


def _mac_program(copies: list[tuple[_Stored, int]], arrays: int, resident: bool, config: FefetArrayConfig,
                 chip) -> ProgramCost:
    """Resident: every copy of every layer written at once, in parallel arrays (one wave of the
    tallest tile), the weights fetched once. Streaming: layer after layer, each in its waves."""
    if not copies:
        return NOTHING_WRITTEN
    stored = [item for item, _ in copies]
    if resident:
        return program_cost(sum(item.cells * count for item, count in copies), 1, max(item.rows for item in stored),
                            sum(item.cells * item.config.cell_bits for item in stored), config, chip)
    return sum((program_cost(item.cells, math.ceil(item.tiles / arrays), item.rows,
                             item.cells * item.config.cell_bits, config, chip) for item in stored), NOTHING_WRITTEN)


def _search_half(workload: HdcWorkload, arch: Architecture, arrays: int) -> tuple[Half, LayerCost]:
    """The search half on `arrays` arrays, and one query's search as a report row."""
    patterns, bits = workload.classes, workload.dimensions
    split_arch = _with_arrays(arch, arrays)
    config, chip = split_arch.compute, cim_chip(arch)
    tiles, capacity = search_tiles(patterns, bits, config), arrays * tiles_per_array(patterns, config)
    waves = 1 if tiles <= capacity else math.ceil(tiles / capacity)
    rows = max(pattern_tile_rows(bits, config))
    program = program_cost(CELLS_PER_PATTERN_BIT * bits * patterns, waves, rows, bits * patterns, config, chip)
    cost = target_for(split_arch).search_cost(patterns, bits, 1, on_chip=True)
    index_bytes = answer_index_bits(patterns) / 8  # only the answer leaves (on_chip)
    row = LayerCost(name=f"search {patterns} prototypes x {bits} bits", op="AssociativeSearch", macs=0,
                    energy_J=cost.energy_J, latency_s=cost.latency_s, cycles=0.0, utilization=0.0,
                    dram_bytes=index_bytes, energy_breakdown_J=dict(cost.energy_breakdown_J))
    return Half("search (prototypes)", arrays, tiles, capacity, program), clocked(row, arch.clock_frequency_Hz)


def _write_row(half: Half, arch: Architecture) -> LayerCost:
    """A streaming half's writes as a report row (what one query alone pays)."""
    program = half.program
    row = LayerCost(name=f"write {half.name}: {program.waves} waves", op="ArrayWrite", macs=0,
                    energy_J=program.energy_J, latency_s=program.latency_s, cycles=0.0, utilization=0.0,
                    dram_bytes=program.dram_bytes,
                    energy_breakdown_J=dict(program.energy_breakdown_J))
    return clocked(row, arch.clock_frequency_Hz)


def _report(workload: HdcWorkload, arch: Architecture, objective: str, layers: tuple[LayerCost, ...]) -> CompileReport:
    target = target_for(arch)
    area = dict(target.area_m2())
    return CompileReport(workload.label, arch.name, objective, arch.clock_frequency_Hz, layers,
                         MapperStats(0, 0.0, "im2col onto the MAC half, associative search on the search half"),
                         sum(area.values()), target.leakage_W(), area)


def _with_arrays(arch: Architecture, arrays: int) -> Architecture:
    """`arch` with its macro cut to `arrays` arrays (one half of a split)."""
    compute = arch.compute.model_copy(update={"arrays": arrays, "search_arrays": None})
    return arch.model_copy(update={"hierarchy": (*arch.hierarchy[:-1], compute)})
