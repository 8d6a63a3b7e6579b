"""The target contract: what every target family (dataflow, crossbar, FeFET, ...) provides.

The compiler, the accuracy emulator, `codesign arch show` and the sweeps look a target up
once (`target_for(arch)`, registry.py) and then talk to it only through this protocol, so
adding a target family is one spec model (the innermost component's `kind:`), one module
here that registers a class implementing `Target`, and a spec file. Nothing outside the
registry branches on the spec's kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from codesign.arch.schema import Architecture
from codesign.cost.epilogues import Epilogue
from codesign.cost.hardware import Hardware
from codesign.cost.result import LayerCost
from codesign.ir import LayerBits, Node


@dataclass(frozen=True)
class MapperSettings:
    """How compute layers are placed: the mapper's objective and seed (dataflow targets search;
    compute-in-memory targets place layers by a fixed rule and ignore both). A pass that costs
    layers (fuse-layers) uses the same settings as the compile after it, or it would choose on
    other numbers than the report's."""

    objective: str = "edp"
    seed: int = 0
    workers: int | None = None
    """Processes that map distinct layer shapes at once (None: CODESIGN_WORKERS, else one per
    core; codesign/mapping/parallel.py). Any count gives the same mappings."""


@dataclass(frozen=True)
class Capabilities:
    """What a target can do; callers ask these instead of inspecting the spec's kind."""

    native_bits: LayerBits
    """The precision a float graph is costed at; also the widest operands the target supports."""
    precision_scalable: bool
    """Narrower operands raise MAC throughput (Bit-Fusion-style units, bit-serial arrays)."""
    fused_schedules: bool
    """Layer fusion (fuse-layers) applies: the target has a staging buffer fused groups share."""
    associative_search: bool
    """The target can cost `--workload search:...` (parallel match against stored patterns)."""
    placement: str
    """How compute layers are placed, for reports ('mapping search', 'im2col onto ...')."""


@dataclass(frozen=True, eq=False)
class MappedLayer:
    """A compute layer's cost and, on targets that search mappings, the mapping that won."""

    cost: LayerCost
    mapping: Any = None
    """The dataflow mapper's BestMapping (fusion builds on it); None where nothing was searched."""


@dataclass(frozen=True)
class ActionEnergy:
    """One row of `codesign arch show`'s per-action energy table."""

    component: str
    action: str
    energy_J: float
    per: str
    """What one action moves or does ('word', 'bit', '8-bit conversion', ...)."""
    source: str
    """Where the number comes from: 'built-in: <model>', 'plug-in', 'calibration', 'spec'."""


class Target(Protocol):
    """One target family, built for one architecture (`Target(arch, mapper)`)."""

    kind: ClassVar[str]
    """The innermost component kind this target implements (`compute`, `crossbar`, ...)."""
    arch: Architecture
    capabilities: Capabilities
    hardware: Hardware
    """The storage and vector unit the ops that are not MACs use (cost/vector.py)."""
    mappings_evaluated: int
    """Mappings the target has evaluated so far (for the mapper statistics)."""

    def prepare(self, nodes: Sequence[Node], on_mapped: Callable[[int, int], None] | None = None) -> None:
        """Called with every compute node of a graph before map_layer is asked for them: a
        target may map them ahead, in parallel (the dataflow mapper does); map_layer then returns
        exactly what it would have without. A target that maps ahead calls `on_mapped(done,
        total)` as it goes (progress for the user)."""

    def map_layer(self, node: Node) -> MappedLayer:
        """A compute node (Conv, Gemm, MatMul) at the bits the IR gives it."""

    def cost_op(self, node: Node, epilogue: Epilogue | None = None) -> LayerCost:
        """A node that is not a compute layer: standalone, or in a compute layer's output stage."""

    def bits(self, node: Node) -> LayerBits:
        """The bits `node` is costed and executed at (the IR's, else the native ones); a
        CodesignError when the target cannot run them."""

    def area_m2(self) -> Mapping[str, float]:
        """Chip area by component (all instances), square metres."""

    def leakage_W(self) -> float:
        """Static power of the whole chip, watts (0 where no source gives it)."""

    def action_energies(self) -> tuple[ActionEnergy, ...]:
        """The per-action energies the cost model uses, with their sources."""

    def summary(self) -> str:
        """One line on the compute fabric for `codesign arch show` (peak throughput, arrays)."""

    def notes(self) -> tuple[str, ...]:
        """Further lines for `codesign arch show` (e.g. a macro's error rates)."""

    # A target whose capabilities say associative_search also has
    #   search_cost(patterns, bits, queries, *, on_chip=False) -> codesign.cost.fefet_search.SearchCost
    #   (on_chip: patterns stored before, queries from the buffer; the neuro-symbolic schedule).

    def dot_product(self, node: Node) -> Any:
        """How the accuracy emulator does `node`'s dot products on this target: a
        codesign.accuracy DigitalDot or AnalogMacro at the node's bits."""
