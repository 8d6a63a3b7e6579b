"""Dataflow targets (Eyeriss-like, Simba-like; kind `compute`): a mapping search per layer shape.

Per-action energies come from the component models (codesign/arch/energy.py); each distinct
layer shape and precision is mapped once (codesign/mapping) and costed by
codesign/cost/dataflow.py at the bits the IR gives the layer (cost/precision.py; a
precision-scalable MAC also gains products per cycle: arch/components/mac.py). Best mappings
are remembered across compiles: a pass that compiles first (fusion) and the compile after it ask
for the same layers on the same hardware.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from codesign.accuracy.quantize import DigitalDot
from codesign.arch.components.mac import BRICK_BITS
from codesign.arch.energy import energy_table
from codesign.arch.schema import Architecture, MemoryLevel, SpatialFanout
from codesign.cost.epilogues import Epilogue
from codesign.cost.hardware import Hardware, hardware_of
from codesign.cost.problem import TENSORS, Problem, problem_of
from codesign.cost.result import LayerCost, whole_cycles
from codesign.cost.vector import vector_cost
from codesign.errors import CodesignError
from codesign.ir import LayerBits, Node
from codesign.mapping.parallel import default_workers, search_all
from codesign.mapping.search import BestMapping, check_objective, search
from codesign.target.bits import supported_bits
from codesign.target.contract import ActionEnergy, Capabilities, MappedLayer, MapperSettings
from codesign.target.registry import register

FUSED_SOURCE = "built-in: the MAC above x its BitBricks used (Bit Fusion, Sharma 2018)"
_MAPPINGS: dict[tuple, BestMapping] = {}
_MAPPINGS_KEPT = 4096


def forget_mappings() -> None:
    """Drop the remembered mappings (benchmarks time cold compiles with it)."""
    _MAPPINGS.clear()


GivenMapping = Callable[[Node, Problem, Hardware], "BestMapping | None"]
_GIVEN: list[GivenMapping] = []


@contextmanager
def given_mappings(provider: GivenMapping) -> Iterator[None]:
    """Within the block, a layer for which `provider(node, problem, hardware)` returns a mapping
    is costed with it instead of searched (`compile --mappings`: codesign/mapping/io.py); such
    mappings are not remembered."""
    _GIVEN.append(provider)
    try:
        yield
    finally:
        _GIVEN.remove(provider)


def _given(node: Node, problem: Problem, hardware: Hardware) -> BestMapping | None:
    for provider in reversed(_GIVEN):
        found = provider(node, problem, hardware)
        if found is not None:
            return found
    return None


@register
class DataflowTarget:
    kind = "compute"

    def __init__(self, arch: Architecture, mapper: MapperSettings) -> None:
        check_objective(mapper.objective)
        self.arch, self.mapper = arch, mapper
        self.energies = energy_table(arch)
        self.hardware = hardware_of(arch, self.energies)
        self.mappings_evaluated = 0
        self._arch_key = arch.model_dump_json()
        unit = arch.compute
        self.capabilities = Capabilities(
            native_bits=LayerBits(unit.operand_bits, unit.operand_bits, unit.operand_bits, unit.accumulator_bits),
            precision_scalable=unit.precision_scalable, fused_schedules=True, associative_search=False,
            placement="mapping search")

    def bits(self, node: Node) -> LayerBits:
        return supported_bits(node, self.capabilities.native_bits, self.arch.name)

    def prepare(self, nodes: Sequence[Node], on_mapped: Callable[[int, int], None] | None = None) -> None:
        """Map the layer shapes not yet remembered, in parallel (codesign/mapping/parallel.py);
        a node whose bits the target cannot run is left for map_layer to report."""
        problems = []
        for node in nodes:
            try:
                problem = problem_of(node, self.bits(node))
            except CodesignError:
                continue
            if self._key(problem) not in _MAPPINGS and _given(node, problem, self.hardware) is None:
                problems.append(problem)
        workers = self.mapper.workers or default_workers()
        found = search_all(problems, self.hardware, self.mapper.objective, self.mapper.seed, workers, on_mapped)
        for problem in problems:  # in the nodes' order, as map_layer would have met them
            if problem.key in found and self._key(problem) not in _MAPPINGS:
                self._remember(self._key(problem), found[problem.key])

    def map_layer(self, node: Node) -> MappedLayer:
        bits = self.bits(node)
        problem = problem_of(node, bits)
        given = _given(node, problem, self.hardware)
        if given is not None:
            self.mappings_evaluated += given.evaluated
            return MappedLayer(layer_cost(node, given, bits), given)
        key = self._key(problem)
        if key not in _MAPPINGS:
            try:
                found = search(problem, self.hardware, self.mapper.objective, self.mapper.seed)
            except CodesignError as error:  # name the layer as the user knows it
                raise CodesignError(str(error).replace(f"layer '{problem.name}'", f"layer '{node.name}'")) from None
            self._remember(key, found)
        best = _MAPPINGS[key]
        return MappedLayer(layer_cost(node, best, bits), best)

    def _key(self, problem: Problem) -> tuple:
        return (self._arch_key, self.mapper.objective, self.mapper.seed, problem.key)

    def _remember(self, key: tuple, found: BestMapping) -> None:
        self.mappings_evaluated += found.evaluated
        if len(_MAPPINGS) >= _MAPPINGS_KEPT:
            _MAPPINGS.clear()
        _MAPPINGS[key] = found

    def cost_op(self, node: Node, epilogue: Epilogue | None = None) -> LayerCost:
        if epilogue is None:  # values at their IR bits (cost/precision.py value_share)
            return vector_cost(node, self.hardware)
        return vector_cost(node, self.hardware, epilogue.host, epilogue.on_chip)

    def area_m2(self) -> dict[str, float]:
        areas = {name: level.area_m2 * self.arch.instances(name) for name, level in self.energies.levels.items()}
        areas[self.arch.compute.name] = self.energies.mac_area_m2 * self.arch.mac_count
        return areas

    def leakage_W(self) -> float:
        memories = sum(level.leakage_W * self.arch.instances(name) for name, level in self.energies.levels.items())
        return memories + self.energies.mac_leakage_W * self.arch.mac_count

    def action_energies(self) -> tuple[ActionEnergy, ...]:
        rows = []
        for item in self.arch.hierarchy:
            if isinstance(item, MemoryLevel):
                level = self.energies.levels[item.name]
                rows += [ActionEnergy(item.name, "read", level.read_J_per_word, f"{item.word_bits}-bit word", level.source),
                         ActionEnergy(item.name, "write", level.write_J_per_word, f"{item.word_bits}-bit word", level.source)]
            elif isinstance(item, SpatialFanout):
                rows.append(ActionEnergy(item.name, "transfer", self.energies.noc_J_per_word[item.name],
                                         "word to one instance below", "built-in: wires (Keckler 2011)"))
        unit = self.arch.compute
        rows.append(ActionEnergy(unit.name, "MAC", self.energies.mac_J,
                                 f"{unit.operand_bits}-bit operands", self.energies.mac_source))
        return tuple(rows) + self._fused_products()

    def _fused_products(self) -> tuple[ActionEnergy, ...]:
        """A precision-scalable unit's narrower products, halving both operands down to 2 bits:
        the multiply, plus its share of the one accumulation per cycle."""
        rows, width = [], self.arch.compute.operand_bits // 2
        while self.capabilities.precision_scalable and width >= BRICK_BITS:
            bits = LayerBits(width, width, width)
            per_cycle = self.hardware.products_per_cycle(bits)
            multiply, accumulate = self.hardware.fused_mac_shares(bits)
            rows.append(ActionEnergy(self.arch.compute.name, "product", self.energies.mac_J * (
                multiply + accumulate / per_cycle), f"{width}-bit operands, {per_cycle} per cycle", FUSED_SOURCE))
            width //= 2
        return tuple(rows)

    def summary(self) -> str:
        arch = self.arch
        scalable = ' at full width, more at fewer bits' if self.capabilities.precision_scalable else ''
        return f'{arch.mac_count} MACs, peak {arch.peak_macs_per_second / 1e9:.4g} GMAC/s{scalable}'

    def notes(self) -> tuple[str, ...]:
        return ()

    def dot_product(self, node: Node) -> DigitalDot:
        bits = self.bits(node)
        return DigitalDot(bits.weight, bits.input, bits.accumulator)


def layer_cost(node: Node, best: BestMapping, bits: LayerBits) -> LayerCost:
    hardware, evaluation = best.hardware, best.evaluation
    breakdown = {level.name: float(evaluation.level_energy_J[0, index]) for index, level in enumerate(hardware.levels)}
    breakdown["mac"] = float(evaluation.mac_J[0])
    for index, fanout in enumerate(hardware.noc_J_per_word):
        breakdown[fanout] = float(evaluation.noc_J[0, index])
    read_J = [level.read_J for level in hardware.levels]
    write_J = [level.write_J for level in hardware.levels]
    by_tensor = {
        tensor: float(sum(evaluation.reads[0, level, index] * read_J[level]
                          + evaluation.writes[0, level, index] * write_J[level]
                          for level in range(len(hardware.levels))) + evaluation.noc_by_tensor_J[0, index])
        for index, tensor in enumerate(TENSORS)
    }
    by_tensor["compute"] = float(evaluation.mac_J[0])
    cycles = whole_cycles(float(evaluation.cycles[0]))  # the model's bandwidth-bound cycles can be fractional
    peak_per_cycle = hardware.mac_count * hardware.products_per_cycle(bits)  # a scalable MAC does more at fewer bits
    return LayerCost(
        name=node.name, op=node.op.value, macs=node.macs, energy_J=float(evaluation.energy_J[0]),
        latency_s=cycles / hardware.clock_Hz, cycles=cycles,
        utilization=node.macs / (cycles * peak_per_cycle), dram_bytes=float(evaluation.dram_bytes[0]),
        energy_breakdown_J=breakdown, energy_by_tensor_J=by_tensor, mapping=best.describe(), bits=bits.as_dict(),
    )
