"""The architecture spec schema: pydantic models of an accelerator's storage and compute.

A spec is a Timeloop-style hierarchy, outermost first: memory levels, spatial fan-outs that
replicate everything below them, and one compute unit last. Each component has a `kind:`;
adding a kind (crossbar tile, ADC, ...) is one model class added to `Component`.
Units are SI (metres, hertz, bytes per second); sizes in bits or bytes say so in the name.
"""

from enum import StrEnum
from math import prod
from typing import Annotated, Literal, Union, get_args

from pydantic import Field, model_validator

from codesign.arch.rtl_calibration import MacCalibration
from codesign.arch.user_energy import ComputeEnergy, MemoryEnergy
from codesign.arch.cim import CrossbarConfig, FefetArrayConfig
from codesign.arch.snn import SnnCores
from codesign.arch.schema_base import ByteCount, FieldError, Name, PositiveCount, PositiveQuantity, SpecModel

MOST_INSTANCES = 2**40
"""Copies of one component (the product of the fan-outs above it): 10^12, a million times the largest chips."""
OperandBits = Annotated[int, Field(strict=True, gt=0, le=64)]
AccumulatorBits = Annotated[int, Field(strict=True, gt=0, le=128)]

class Tensor(StrEnum):
    """The operands of a convolution or matrix multiply, as storage levels see them."""

    WEIGHT = 'weight'
    INPUT = 'input'
    OUTPUT = 'output'  # partial sums while accumulating, final outputs after


ALL_TENSORS = frozenset(Tensor)


class LoopDimension(StrEnum):
    """Loop dimensions of a convolution; a matmul uses N, K and C."""

    N = 'N'  # batch
    K = 'K'  # output channels
    C = 'C'  # input channels
    P = 'P'  # output rows
    Q = 'Q'  # output columns
    R = 'R'  # filter rows
    S = 'S'  # filter columns
    G = 'G'  # groups


class MemoryTechnology(StrEnum):
    """Storage technology; it selects the energy-per-access model."""

    DRAM = 'dram'
    SRAM = 'sram'
    REGFILE = 'regfile'


class Dataflow(StrEnum):
    """The dataflow the hardware was designed for (a label; the mapper reads holds/unroll)."""

    ROW_STATIONARY = 'row_stationary'  # Eyeriss: 1-D convolution rows stay in the PE
    WEIGHT_STATIONARY = 'weight_stationary'
    OUTPUT_STATIONARY = 'output_stationary'
    INPUT_STATIONARY = 'input_stationary'
    NO_LOCAL_REUSE = 'no_local_reuse'
    IN_MEMORY = 'in_memory'  # compute-in-memory macros: weights stay in the array


class MemoryLevel(SpecModel):
    """A storage level: off-chip DRAM, a global buffer, or a per-PE scratchpad."""

    kind: Literal['memory']
    """Component kind."""
    name: Name
    """Unique name of the level, used by mappings and reports."""
    technology: MemoryTechnology
    """Storage technology: dram, sram or regfile."""
    capacity_bytes: ByteCount | None
    """Capacity of one instance in bytes; null (unbounded) only for the outermost level."""
    word_bits: PositiveCount
    """Bits of one stored value as this level lays out data. The innermost level holding a tensor
    needs at least the compute unit's operand_bits (weights, inputs) or accumulator_bits (outputs)."""
    width_bits: PositiveCount
    """Bits moved by one access (port width, DRAM transfer); a multiple of word_bits."""
    bandwidth_bytes_per_second: PositiveQuantity | None = None
    """Sustained bandwidth of one instance; null means one width_bits access per clock cycle."""
    holds: tuple[Tensor, ...] = Field(default=tuple(Tensor), min_length=1)
    """Tensors this level may keep; the others bypass it."""
    energy: MemoryEnergy | None = None
    """Per-action energies, area and leakage of your own (codesign/arch/user_energy.py), in place
    of the built-in model's; fields left out keep the built-in values."""

    @model_validator(mode='after')
    def _check_widths(self) -> 'MemoryLevel':
        if self.width_bits % self.word_bits:
            raise FieldError(('width_bits',),
                             f'must be a multiple of word_bits={self.word_bits} (got {self.width_bits})')
        if len(set(self.holds)) != len(self.holds):
            raise FieldError(('holds',), f'lists a tensor twice (got {[str(tensor) for tensor in self.holds]})')
        return self

    def bandwidth_at(self, clock_frequency_Hz: float) -> float:
        """Bandwidth of one instance in bytes per second when clocked at `clock_frequency_Hz`."""
        if self.bandwidth_bytes_per_second is not None:
            return self.bandwidth_bytes_per_second
        return self.width_bits / 8 * clock_frequency_Hz


class SpatialAxis(SpecModel):
    """One axis of a spatial fan-out, e.g. the rows of a PE array."""

    name: Name
    """Axis name, unique within its fan-out (e.g. x, y, lane)."""
    size: PositiveCount
    """Number of instances along this axis."""
    unroll: tuple[LoopDimension, ...] = Field(min_length=1)
    """Loop dimensions a mapping may spread across this axis."""


class SpatialFanout(SpecModel):
    """A spatial fan-out (PE array, vector lanes): everything below it is replicated."""

    kind: Literal['spatial']
    """Component kind."""
    name: Name
    """Unique name of the fan-out, used by mappings and reports."""
    axes: tuple[SpatialAxis, ...] = Field(min_length=1)
    """Axes of the fan-out; the number of copies is the product of their sizes."""
    systolic: Annotated[bool, Field(strict=True)] = False
    """Whether operands pass from PE to PE, skewed, as in a weight-stationary systolic array
    (rtl/gemm_tile.v): two axes, rows (the reduction: inputs enter along them, partial sums flow
    down them) then columns. Each time the tile held by the first memory level below is refilled,
    the array loads it one row per cycle (rows cycles) and then fills and drains its pipeline
    (rows + columns - 1 cycles) around the streaming cycles. false: a broadcast array, no such term."""

    @property
    def systolic_pass_cycles(self) -> int:
        """Cycles a systolic array spends per stationary tile beyond streaming: load plus fill and drain."""
        rows, columns = self.axes[0].size, self.axes[-1].size
        return rows + (rows + columns - 1)

    @model_validator(mode='after')
    def _check_axes(self) -> 'SpatialFanout':
        if self.systolic and len(self.axes) != 2:
            raise FieldError(('axes',), f'a systolic fan-out has two axes, rows then columns (got {len(self.axes)})')
        seen: set[str] = set()
        for index, axis in enumerate(self.axes):
            if axis.name in seen:
                raise FieldError(('axes', index, 'name'), f'duplicate axis name (got {axis.name!r})')
            seen.add(axis.name)
            if len(set(axis.unroll)) != len(axis.unroll):
                raise FieldError(('axes', index, 'unroll'),
                                 f'lists a dimension twice (got {[str(dimension) for dimension in axis.unroll]})')
        return self

    @property
    def fanout(self) -> int:
        """Copies of the components below, per instance of this fan-out."""
        return prod(axis.size for axis in self.axes)


class ComputeUnit(SpecModel):
    """The multiply-accumulate unit; each instance does one MAC per clock cycle."""

    kind: Literal['compute']
    """Component kind."""
    name: Name
    """Unique name of the unit, used by mappings and reports."""
    operand_bits: OperandBits
    """Bits of each multiplier operand (weights and inputs), at most 64."""
    accumulator_bits: AccumulatorBits
    """Bits of the adder and of the partial sums it produces, at most 128."""
    precision_scalable: Annotated[bool, Field(strict=True)] = False
    """Whether the MAC splits into narrower multipliers, Bit-Fusion style (Sharma et al., ISCA 2018):
    true: a unit built for operand_bits does (operand_bits/w) x (operand_bits/i) products per cycle
    for w-bit weights and i-bit inputs (each rounded up to a power of two of at least 2), each at
    the energy of the bits it uses (codesign/arch/components/mac.py). false: narrower operands
    only save storage and data movement; every product takes a full-width MAC and cycle."""
    calibration: MacCalibration | None = None
    """Energy and area per MAC fitted to RTL measurements (`codesign calibrate mac`), usually
    `{ref: calibration/mac_rtl.yaml}`; in place of the built-in model's, scaled to this node."""
    energy: ComputeEnergy | None = None
    """Per-MAC energy, area and leakage of your own (codesign/arch/user_energy.py), in place of
    the built-in model's (or the calibration's); fields left out keep those values."""


Component = Annotated[Union[MemoryLevel, SpatialFanout, ComputeUnit, CrossbarConfig, FefetArrayConfig, SnnCores],
                      Field(discriminator='kind')]
INNERMOST_KINDS = (ComputeUnit, CrossbarConfig, FefetArrayConfig, SnnCores)
"""A spec ends in one of these: a digital MAC array (dataflow target), a compute-in-memory macro
or neuromorphic cores."""
# The `kind:` tags, read from the union so that a new kind needs no second edit.
COMPONENT_KINDS = tuple(get_args(model.model_fields['kind'].annotation)[0]
                        for model in get_args(get_args(Component)[0]))


class Architecture(SpecModel):
    """An accelerator: its technology, clock, dataflow and storage/compute hierarchy."""

    name: Name
    """Short name of the architecture (the spec file's stem by convention)."""
    description: str
    """One line saying what this is and where its numbers come from."""
    technology_node_m: PositiveQuantity
    """Process technology node in metres (65e-9 for 65 nm)."""
    clock_frequency_Hz: PositiveQuantity
    """Clock frequency of the compute fabric in hertz."""
    dataflow: Dataflow
    """The dataflow the hardware was designed for."""
    hierarchy: tuple[Component, ...]
    """Components from the outermost (DRAM) to the innermost (compute), in order."""

    @model_validator(mode='after')
    def _check_hierarchy(self) -> 'Architecture':
        _check_unique_names(self.hierarchy)
        _check_outermost(self.hierarchy)
        _check_compute_last(self.hierarchy)
        _check_instances(self.hierarchy)
        _check_word_widths(self.hierarchy)
        _check_systolic(self.hierarchy)
        return self

    @property
    def memory_levels(self) -> tuple[MemoryLevel, ...]:
        return tuple(item for item in self.hierarchy if isinstance(item, MemoryLevel))

    @property
    def spatial_fanouts(self) -> tuple[SpatialFanout, ...]:
        return tuple(item for item in self.hierarchy if isinstance(item, SpatialFanout))

    @property
    def compute(self) -> ComputeUnit | CrossbarConfig | FefetArrayConfig | SnnCores:
        return self.hierarchy[-1]

    def component(self, name: str) -> MemoryLevel | SpatialFanout | ComputeUnit:
        """The component called `name`; KeyError if there is none."""
        for item in self.hierarchy:
            if item.name == name:
                return item
        raise KeyError(name)

    def instances(self, name: str) -> int:
        """How many copies of component `name` exist: the product of the fan-outs above it."""
        copies = 1
        for item in self.hierarchy:
            if item.name == name:
                return copies
            if isinstance(item, SpatialFanout):
                copies *= item.fanout
        raise KeyError(name)

    @property
    def mac_count(self) -> int:
        """Number of MAC units, i.e. MACs per clock cycle at full utilisation."""
        return self.instances(self.compute.name)

    @property
    def peak_macs_per_second(self) -> float:
        return self.mac_count * self.clock_frequency_Hz


def _check_unique_names(hierarchy: tuple[Component, ...]) -> None:
    first_index: dict[str, int] = {}
    for index, item in enumerate(hierarchy):
        if item.name in first_index:
            raise FieldError(('hierarchy', index, 'name'),
                             f'duplicate name, also hierarchy[{first_index[item.name]}] (got {item.name!r})')
        first_index[item.name] = index


def _check_outermost(hierarchy: tuple[Component, ...]) -> None:
    # Every tensor starts and ends in the outermost level, so it must be able to hold all three.
    if not hierarchy:
        raise FieldError(('hierarchy',), 'must list at least a memory level and a compute unit (got [])')
    outermost = hierarchy[0]
    if not isinstance(outermost, MemoryLevel):
        raise FieldError(('hierarchy', 0, 'kind'),
                         f'the outermost component must be a memory level (got {outermost.kind!r})')
    if set(outermost.holds) != ALL_TENSORS:
        raise FieldError(('hierarchy', 0, 'holds'),
                         'the outermost level must hold weight, input and output '
                         f'(got {[str(tensor) for tensor in outermost.holds]})')
    for index, item in enumerate(hierarchy[1:], start=1):
        if isinstance(item, MemoryLevel) and item.capacity_bytes is None:
            raise FieldError(('hierarchy', index, 'capacity_bytes'),
                             'only the outermost level may be unbounded (got null)')


def _check_compute_last(hierarchy: tuple[Component, ...]) -> None:
    last_index = len(hierarchy) - 1
    if not isinstance(hierarchy[-1], INNERMOST_KINDS):
        raise FieldError(('hierarchy', last_index, 'kind'),
                         f'the innermost component must be compute, crossbar, fefet_array or snn_cores '
                         f'(got {hierarchy[-1].kind!r})')
    for index, item in enumerate(hierarchy[:-1]):
        if isinstance(item, INNERMOST_KINDS):
            raise FieldError(('hierarchy', index, 'kind'), f"only the last component may be {item.kind!r}")


def _check_instances(hierarchy: tuple[Component, ...]) -> None:
    # Stops at the first fan-out past the bound: a long list of big fan-outs multiplies to any size.
    copies = 1
    for index, item in enumerate(hierarchy):
        if isinstance(item, SpatialFanout):
            copies *= item.fanout
            if copies > MOST_INSTANCES:
                raise FieldError(('hierarchy', index, 'axes'), f'the fan-outs down to here make more than '
                                 f'{MOST_INSTANCES} (2^40) copies of what lies below')


def _check_word_widths(hierarchy: tuple[Component, ...]) -> None:
    # The level nearest the MACs that holds a tensor exchanges every value of it with them:
    # operands at operand_bits, partial sums at accumulator_bits. A narrower word cannot hold one
    # (outer levels may keep narrower, requantized values: Simba's 8-bit global buffer).
    compute = hierarchy[-1]
    if not isinstance(compute, ComputeUnit):
        return  # compute-in-memory macros hold weights and accumulate inside the macro
    needs = ((Tensor.WEIGHT, 'operand_bits', 'its operands'), (Tensor.INPUT, 'operand_bits', 'its operands'),
             (Tensor.OUTPUT, 'accumulator_bits', 'the partial sums of its adder'))
    for tensor, width_field, what in needs:
        index, level = next((index, item) for index, item in reversed(list(enumerate(hierarchy)))
                            if isinstance(item, MemoryLevel) and tensor in item.holds)
        bits = getattr(compute, width_field)
        if level.word_bits < bits:
            raise FieldError(('hierarchy', index, 'word_bits'),
                             f'the innermost level holding {tensor}s exchanges {what} with {compute.name!r}, '
                             f'so its words need at least {width_field}={bits} bits (got {level.word_bits})')


def _check_systolic(hierarchy: tuple[Component, ...]) -> None:
    for index, item in enumerate(hierarchy):
        if isinstance(item, SpatialFanout) and item.systolic and not any(
                isinstance(below, MemoryLevel) for below in hierarchy[index + 1:]):
            raise FieldError(('hierarchy', index, 'systolic'),
                             'a systolic fan-out needs a memory level below it (the tile its PEs keep)')
