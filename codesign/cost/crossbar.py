"""The ADC-limited analog crossbar target: parameters, component models, and per-layer cost.

Per-action energies come from component models (codesign/arch/components, crossbar_parts):
CrossbarArray (cell read: the spec's energy), RowDriver (row drive: the spec's), Adc (survey fit or
ZigZag), ShiftAdd (a Horowitz add as wide as the partial sums), Wire (NoC), and the spec's buffer
and DRAM levels (CimChip: Sram and Dram models, or the spec's own numbers). A layer is mapped by
crossbar_mapping.map_layer; its energy is the count of each action times its energy
(Accelergy-style), broken down as
  array      cells read: driven rows x used columns per read, x the energy of one cell read
  dac        row activations (DAC or 1-bit driver), one per driven row per read
  adc        conversions, one per used column per read, at the resolution the layer needs
  shift_add  one shift-and-add per conversion (bit slices of weights and inputs, row tiles)
  buffer     tile buffer: every im2col input read once per output position, every output written once
  noc        every input and output element crosses the network once
  dram       weights loaded once, inputs and outputs streamed once
By tensor (energy_by_tensor_J): array -> compute (the cell reads are the analog multiplies, the
bit line their sum); dac -> input; adc and shift_add -> output (they digitise and accumulate the
partial sums); buffer, noc and dram -> weight, input and output in proportion to the bits each
moves there (tensor_shares).
Not modelled: cell programming (also of the activation operand of attention's products, costed as
if it were weights), control, pooling/activation units, input-bit activity (every row of a
read counts as driven).

Precision: a layer is costed with a copy of the macro whose weight_bits and input_bits are the
layer's (codesign/target/crossbar.py), so weight slices = ceil(weight bits / cell bits), input
cycles = input bits / input bits per read, the partial sums (and shift-and-add width) follow;
outputs are written at the layer's output bits (`output_bits`, default: its input bits).

ADC resolution: each crossbar converts at min(adc_bits, required_adc_bits(...)) for its own reads
(crossbar_mapping.adc_bits_by_crossbar): ADCs are taken to be resolution-configurable per crossbar
(SAR: fewer cycles), so a crossbar whose reads have fewer active or cells that are really non-zero
under the weight encoding (crossbar_cells.py) converts with fewer bits (D.U.B.); the worst column
of a crossbar sets its resolution. A layer's `adc_bits` is its widest crossbar's. Partial sums
wider than adc_bits are clipped or scaled (the spec's adc_range: what the accuracy emulator does;
the energy is the same). Latency does not shrink with fewer bits (the sample rate is the spec's).

Latency: reads of one crossbar are sequential; a read takes the longer of the analog read time and
the conversions of the columns sharing one ADC (min(columns_per_adc, used columns) / sample rate),
the two overlapping through sample-and-hold (ISAAC's 100 ns pipeline stage). All crossbars and
weight copies of a layer read in parallel.

Area (CrossbarParts.area_m2): arrays (cells x cell_area_m2), row drivers (one per row of every
crossbar), ADCs (one per columns_per_adc columns), shift-and-adds (one per ADC: our assumption, so
the digital side keeps up with its converter) and tile buffers (one per tile). Not counted: the
NoC's routers and buses, input/output registers, sample-and-hold, pooling and activation units,
chip-to-chip links.
Leakage: the components' static power, charged over each layer's latency by the compiler. Only a
buffer level whose spec gives `energy: {leakage_W}` has any: the built-in SRAM table, the adder,
driver and array models have no source for it (0), and the ADCs' static share in the survey fit
(Adc.leakage_W, 20% of its energy per sample: hwcomponents-adc's assumption, not a measurement) is
left out on purpose: the conversion energy alone already equals ISAAC's published converter power
(1.54 vs 1.56 pJ per 8-bit conversion at 1.28 GS/s), and a SAR converter between conversions
draws next to nothing. Charged, it would add 30% to ResNet-18 on the ISAAC-like spec and 128% on
the NeuroSim-like one (262,144 mostly idle ADCs: 24 W).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from dataclasses import replace as with_changes
from math import ceil, log2

import numpy

from codesign.arch.components import MemoryModel
from codesign.arch.components.adc import Adc
from codesign.arch.components.cim_arrays import CrossbarArray
from codesign.arch.components.row_driver import RowDriver
from codesign.arch.components.shift_add import ShiftAdd
from codesign.arch.components.wire import Wire
from codesign.arch.cim import CROSSBAR_ENERGY_KEYS, Calibration, CrossbarConfig, calibrated_action_J
from codesign.cost.attribution import Shares, split_by_tensor
from codesign.cost.crossbar_mapping import (
    CrossbarMapping, adc_bits_by_crossbar, conversions_by_crossbar, map_layer, required_adc_bits,
)
from codesign.cost.in_memory import ChipComponent, CimChip
from codesign.cost.result import LayerCost, whole_cycles
from codesign.ir.loopnest import LoopNest

BREAKDOWN_KEYS = CROSSBAR_ENERGY_KEYS

__all__ = ['BREAKDOWN_KEYS', 'CrossbarConfig', 'CrossbarEnergies', 'CrossbarLayerCost', 'CrossbarMapping',
           'CrossbarParts', 'crossbar_energies', 'crossbar_parts', 'evaluate_layer', 'isaac_like', 'map_layer',
           'neurosim_like', 'required_adc_bits', 'to_layer_cost']


def isaac_like() -> CrossbarConfig:
    """ISAAC (A. Shafiee et al., ISCA 2016, 32 nm): figures from its IMA/tile parameter table."""
    crossbars_per_ima, read_cycle_s = 8, 100e-9  # 128 conversions of one 1.28 GS/s ADC per read
    return CrossbarConfig(
        name='isaac_like', rows=128, columns=128, cell_bits=2,
        # memristor arrays 0.0002 mm^2 per IMA of 8 crossbars of 128x128 cells (1.49 F^2 at 32 nm)
        cell_area_m2=0.0002e-6 / (crossbars_per_ima * 128 * 128),
        weight_bits=16, input_bits=16, input_bits_per_cycle=1,  # 16-bit fixed point, 1-bit DACs
        rows_per_read=128, adc_bits=8, columns_per_adc=128, adc_sample_rate_Hz=1.28e9,
        adc_model='murmann', array_read_time_s=read_cycle_s,
        crossbars_per_tile=12 * crossbars_per_ima, tiles=168, replicate_weights=True, supply_V=0.9,
        # memristor arrays 2.4 mW per IMA of 8 crossbars over a 100 ns read of 128x128 cells
        cell_read_energy_J=2.4e-3 / crossbars_per_ima * read_cycle_s / (128 * 128),
        # DACs 4 mW per IMA for 8 x 128 1-bit DACs
        row_drive_energy_J=4e-3 / (crossbars_per_ima * 128) * read_cycle_s,
        noc_distance_m=(85.4e-6) ** 0.5 / 2,  # half the side of the 85.4 mm^2 chip
    )


def neurosim_like() -> CrossbarConfig:
    """DNN+NeuroSim V1.3 defaults (Param.cpp; RRAM 1T1R, 22 nm), chip size our assumption."""
    feature_size_m, bit_line_F_per_m, read_voltage_V, supply_V = 40e-9, 0.2e-15 / 1e-6, 0.5, 0.8
    return CrossbarConfig(
        name='neurosim_like', rows=128, columns=128, cell_bits=2,
        cell_area_m2=4 * feature_size_m * 12 * feature_size_m,  # the 1T1R cell, 4F x 12F
        weight_bits=8, input_bits=8, input_bits_per_cycle=1,  # 8-bit weights/activations, bit-serial
        rows_per_read=128, adc_bits=5, columns_per_adc=8,  # levelOutput 32, numColMuxed 8
        adc_sample_rate_Hz=1e9, adc_model='murmann',  # clkFreq 1 GHz; NeuroSim's MLSA -> survey ADC
        array_read_time_s=10e-9,  # readPulseWidth
        crossbars_per_tile=64, tiles=256, replicate_weights=True,  # NeuroSim sizes the chip per network
        supply_V=supply_V,
        # bit-line charging, as NeuroSim: 0.2 fF/um over a 4F-high 1T1R cell, at the 0.5 V read voltage
        cell_read_energy_J=bit_line_F_per_m * 4 * feature_size_m * read_voltage_V**2,
        # word-line wire over 128 cells 12F wide at VDD (access-transistor gates not counted)
        row_drive_energy_J=bit_line_F_per_m * 128 * 12 * feature_size_m * supply_V**2,
        noc_distance_m=2e-3,  # our assumption
    )


@dataclass(frozen=True)
class CrossbarParts:
    """The component models of a crossbar chip, one instance each (module docstring)."""

    array: CrossbarArray
    row_driver: RowDriver
    adc: Adc
    """At the spec's full resolution; a read needing fewer bits converts with fewer (module docstring)."""
    shift_add: ShiftAdd
    buffer: MemoryModel
    """One tile's buffer (the spec's buffer level)."""
    noc: Wire
    """One bit across noc_distance_m."""
    config: CrossbarConfig

    def on_chip(self) -> dict[str, tuple[ChipComponent, int]]:
        """Breakdown key -> (model, instances on the chip)."""
        config = self.config
        return {'array': (self.array, config.arrays), 'dac': (self.row_driver, config.arrays * config.rows),
                'adc': (self.adc, config.adcs), 'shift_add': (self.shift_add, config.adcs),
                'buffer': (self.buffer, config.tiles)}

    def area_m2(self) -> dict[str, float]:
        """Area by component, all instances."""
        return {key: model.area_m2 * count for key, (model, count) in self.on_chip().items()}

    def leakage_W(self) -> float:
        """Static power of all instances but the ADCs' (module docstring)."""
        return sum(model.leakage_W * count for key, (model, count) in self.on_chip().items() if key != 'adc')


def crossbar_parts(config: CrossbarConfig, chip: CimChip) -> CrossbarParts:
    """The models at `chip`'s node; the shift-and-add as wide as config's weight x input partial
    sums over a crossbar's rows (the layer's bits when config is a layer's copy)."""
    node = chip.technology_node_m
    accumulator_bits = config.weight_bits + config.input_bits + ceil(log2(config.rows))
    return CrossbarParts(
        array=CrossbarArray(config.rows, config.columns, config.cell_area_m2, config.cell_read_energy_J),
        row_driver=RowDriver(config.input_bits_per_cycle, node, config.row_drive_energy_J),
        adc=Adc(config.adc_bits, config.adc_sample_rate_Hz, node, config.adc_model, config.supply_V),
        shift_add=ShiftAdd(accumulator_bits, node), buffer=chip.buffer.model,
        noc=Wire(config.noc_distance_m, 1, node), config=config)


@dataclass(frozen=True)
class CrossbarEnergies:
    """Energy (J) of one action of each component."""

    cell_read_J: float
    row_drive_J: float
    adc_conversion_J: tuple[float, ...]
    """Indexed by resolution: [b] is one b-bit conversion (index 0 unused)."""
    shift_add_J: float
    buffer_per_bit_J: float
    noc_per_bit_J: float
    dram_per_bit_J: float


def crossbar_energies(config: CrossbarConfig, chip: CimChip) -> CrossbarEnergies:
    """Per-action energies from the component models (crossbar_parts) and the spec's levels."""
    parts = crossbar_parts(config, chip)
    adc_energies = tuple(with_changes(parts.adc, bits=bits).convert().energy_J for bits in range(1, config.adc_bits + 1))
    return CrossbarEnergies(
        cell_read_J=parts.array.read_cell().energy_J, row_drive_J=parts.row_driver.drive().energy_J,
        adc_conversion_J=(0.0, *adc_energies), shift_add_J=parts.shift_add.add().energy_J,
        buffer_per_bit_J=chip.buffer.per_bit_J, noc_per_bit_J=parts.noc.transfer().energy_J,
        dram_per_bit_J=chip.dram.per_bit_J,
    )


def calibrated_energies(energies: CrossbarEnergies, calibration: Calibration | None,
                        rows_per_read: int = 0) -> CrossbarEnergies:
    """Each per-action energy as the spec's SPICE calibration makes it: scaled by its factor, each
    ADC resolution by its own (a layer's crossbars convert at different resolutions), plus any
    energy the calibration adds per action (per conversion: fixed, per bit, per row read)."""
    if calibration is None:
        return energies

    def action(key: str, energy_J: float, bits: int | None = None) -> float:
        return calibrated_action_J(calibration, key, energy_J, bits, rows_per_read)
    return CrossbarEnergies(
        cell_read_J=action('array', energies.cell_read_J), row_drive_J=action('dac', energies.row_drive_J),
        adc_conversion_J=(0.0, *(action('adc', energy, bits) for bits, energy in
                                 enumerate(energies.adc_conversion_J) if bits)),
        shift_add_J=action('shift_add', energies.shift_add_J), buffer_per_bit_J=action('buffer', energies.buffer_per_bit_J),
        noc_per_bit_J=action('noc', energies.noc_per_bit_J), dram_per_bit_J=action('dram', energies.dram_per_bit_J),
    )


@dataclass(frozen=True)
class CrossbarLayerCost:
    """One layer on the crossbar target."""

    mapping: CrossbarMapping
    adc_bits: int
    """The widest resolution any of the layer's crossbars converts at."""
    conversions_by_bits: Mapping[int, int]
    """ADC resolution -> conversions at it (all crossbars and copies)."""
    energy_breakdown_J: Mapping[str, float]
    """Keys BREAKDOWN_KEYS; sums to energy_J."""
    tensor_shares: Shares
    """How each component's energy divides among the tensors (module docstring)."""
    energy_J: float
    read_time_s: float
    latency_s: float
    utilization: float
    """Cells read / (cells of the chip x read steps): 1.0 means every cell of every crossbar is
    read in every read step of the layer."""
    dram_bytes: float


def evaluate_layer(loop_nest: LoopNest, config: CrossbarConfig, energies: CrossbarEnergies,
                   nonzero_rows: numpy.ndarray | None = None, available_crossbars: int | None = None,
                   output_bits: int | None = None) -> CrossbarLayerCost:
    """The layer's energy, latency and utilization (module docstring); `nonzero_rows`: per crossbar
    [groups, polarities, row tiles, column tiles per array], the most non-zero cells any of its
    columns has among the rows of one read (None: dense); `output_bits`: the width outputs are
    written at (default config.input_bits)."""
    mapping = map_layer(loop_nest, config, available_crossbars)
    by_bits = _conversions_by_bits(mapping, config, nonzero_rows)
    shares = tensor_shares(loop_nest, config, mapping, output_bits)
    breakdown = _energy_breakdown(energies, mapping, by_bits, shares)
    conversions_per_adc = min(config.columns_per_adc, mapping.used_columns_per_crossbar)
    read_time = max(config.array_read_time_s, conversions_per_adc / config.adc_sample_rate_Hz)
    read_steps = mapping.sequential_reads * mapping.passes
    available = config.arrays if available_crossbars is None else available_crossbars
    chip_cells = available * config.rows * config.columns
    return CrossbarLayerCost(
        mapping=mapping, adc_bits=max(by_bits), conversions_by_bits=by_bits, energy_breakdown_J=breakdown,
        tensor_shares=shares, energy_J=sum(breakdown.values()),
        read_time_s=read_time, latency_s=read_steps * read_time,
        utilization=mapping.cell_reads / (chip_cells * read_steps),
        dram_bytes=sum(shares['dram'].values()) / 8,
    )


def _conversions_by_bits(mapping: CrossbarMapping, config: CrossbarConfig,
                         nonzero_rows: numpy.ndarray | None) -> dict[int, int]:
    """ADC resolution -> the layer's conversions at it: each crossbar's at its own resolution."""
    bits = adc_bits_by_crossbar(mapping, config, nonzero_rows)
    conversions = numpy.broadcast_to(conversions_by_crossbar(mapping, config)[None, None], bits.shape)
    return {int(resolution): int(conversions[bits == resolution].sum()) for resolution in numpy.unique(bits)}


def _energy_breakdown(energies: CrossbarEnergies, mapping: CrossbarMapping, conversions_by_bits: Mapping[int, int],
                      shares: Shares) -> dict[str, float]:
    return {
        'array': mapping.cell_reads * energies.cell_read_J,
        'dac': mapping.row_drives * energies.row_drive_J,
        'adc': sum(count * energies.adc_conversion_J[bits] for bits, count in conversions_by_bits.items()),
        'shift_add': mapping.conversions * energies.shift_add_J,
        'buffer': sum(shares['buffer'].values()) * energies.buffer_per_bit_J,
        'noc': sum(shares['noc'].values()) * energies.noc_per_bit_J,
        'dram': sum(shares['dram'].values()) * energies.dram_per_bit_J,
    }


def tensor_shares(loop_nest: LoopNest, config: CrossbarConfig, mapping: CrossbarMapping,
                  output_bits: int | None = None) -> Shares:
    """Per component, the bits (or the whole) of each tensor it handles: what _energy_breakdown counts."""
    output_bits = config.input_bits if output_bits is None else output_bits
    im2col_inputs = mapping.output_positions * mapping.groups * mapping.rows
    inputs, outputs = loop_nest.input_elements * config.input_bits, loop_nest.output_elements * output_bits
    return {
        'array': {'compute': 1.0}, 'dac': {'input': 1.0}, 'adc': {'output': 1.0}, 'shift_add': {'output': 1.0},
        'buffer': {'input': im2col_inputs * config.input_bits, 'output': outputs},
        'noc': {'input': inputs, 'output': outputs},
        'dram': {'weight': loop_nest.weight_elements * config.weight_bits, 'input': inputs, 'output': outputs},
    }


def to_layer_cost(name: str, op: str, macs: int, result: CrossbarLayerCost, clock_frequency_Hz: float) -> LayerCost:
    """The common LayerCost of the other targets; the mapping and ADC bits go into `mapping`.
    Latency in whole clock cycles."""
    cycles = whole_cycles(result.latency_s * clock_frequency_Hz)
    return LayerCost(
        name=name, op=op, macs=macs, energy_J=result.energy_J, latency_s=cycles / clock_frequency_Hz,
        cycles=cycles, utilization=result.utilization,
        dram_bytes=result.dram_bytes, energy_breakdown_J=dict(result.energy_breakdown_J),
        energy_by_tensor_J=split_by_tensor(result.energy_breakdown_J, result.tensor_shares),
        mapping={**asdict(result.mapping), 'adc_bits': result.adc_bits,
                 'adc_conversions_by_bits': {str(bits): count for bits, count in result.conversions_by_bits.items()}},
    )
