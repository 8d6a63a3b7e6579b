"""The ADC-limited analog crossbar target: parameters, per-action energies, and per-layer cost.

A layer is mapped by crossbar_mapping.map_layer; its energy is the count of each action times its
energy (Accelergy-style), broken down as
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
if it were weights), leakage, control, pooling/activation units, input-bit activity (every row of a
read counts as driven).

ADC resolution: a layer converts at min(adc_bits, required_adc_bits(...)): ADCs are taken to be
resolution-configurable (SAR: fewer cycles), so a layer whose reads have fewer active or non-zero
rows converts with fewer bits (D.U.B.). Partial sums wider than adc_bits are clipped (ISAAC
recovers one bit with its weight-flip encoding, NeuroSim accepts the precision loss).

Latency: reads of one crossbar are sequential; a read takes the longer of the analog read time and
the conversions of the columns sharing one ADC (min(columns_per_adc, used columns) / sample rate),
the two overlapping through sample-and-hold (ISAAC's 100 ns pipeline stage). All crossbars and
weight copies of a layer read in parallel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from math import ceil, log2

from codesign.arch.components.adc import Adc
from codesign.arch.components.dram import DRAM_ENERGY_PER_BIT_J
from codesign.arch.components.mac import ENERGY_REFERENCE_NODE_M, add_energy_J
from codesign.arch.components.scaling import energy_scale
from codesign.arch.components.sram import Sram
from codesign.arch.components.wire import Wire
from codesign.arch.cim import CROSSBAR_ENERGY_KEYS, CrossbarConfig
from codesign.cost.attribution import Shares, split_by_tensor
from codesign.cost.crossbar_mapping import CrossbarMapping, map_layer, required_adc_bits
from codesign.cost.result import LayerCost, whole_cycles
from codesign.ir.loopnest import LoopNest

BREAKDOWN_KEYS = CROSSBAR_ENERGY_KEYS

__all__ = ['BREAKDOWN_KEYS', 'CrossbarConfig', 'CrossbarEnergies', 'CrossbarLayerCost', 'CrossbarMapping',
           'crossbar_energies', 'evaluate_layer', 'isaac_like', 'map_layer', 'neurosim_like',
           'required_adc_bits', 'to_layer_cost']


def isaac_like() -> CrossbarConfig:
    """ISAAC (A. Shafiee et al., ISCA 2016, 32 nm): figures from its IMA/tile parameter table."""
    crossbars_per_ima, read_cycle_s = 8, 100e-9  # 128 conversions of one 1.28 GS/s ADC per read
    return CrossbarConfig(
        name='isaac_like', crossbar_rows=128, crossbar_columns=128, cell_bits=2,
        weight_bits=16, input_bits=16, input_bits_per_cycle=1,  # 16-bit fixed point, 1-bit DACs
        rows_per_read=128, adc_bits=8, columns_per_adc=128, adc_sample_rate_Hz=1.28e9,
        adc_model='murmann', array_read_time_s=read_cycle_s,
        crossbars_per_tile=12 * crossbars_per_ima, tiles=168, replicate_weights=True,
        technology_node_m=32e-9, supply_V=0.9,
        # memristor arrays 2.4 mW per IMA of 8 crossbars over a 100 ns read of 128x128 cells
        cell_read_energy_J=2.4e-3 / crossbars_per_ima * read_cycle_s / (128 * 128),
        # DACs 4 mW per IMA for 8 x 128 1-bit DACs
        row_drive_energy_J=4e-3 / (crossbars_per_ima * 128) * read_cycle_s,
        buffer_capacity_bytes=64 * 1024, buffer_width_bits=256,  # 64 KB eDRAM per tile (as SRAM)
        noc_distance_m=(85.4e-6) ** 0.5 / 2,  # half the side of the 85.4 mm^2 chip
        dram_energy_per_bit_J=DRAM_ENERGY_PER_BIT_J['LPDDR4'], clock_frequency_Hz=1.28e9,
    )


def neurosim_like() -> CrossbarConfig:
    """DNN+NeuroSim V1.3 defaults (Param.cpp; RRAM 1T1R, 22 nm), chip size our assumption."""
    feature_size_m, bit_line_F_per_m, read_voltage_V, supply_V = 40e-9, 0.2e-15 / 1e-6, 0.5, 0.8
    return CrossbarConfig(
        name='neurosim_like', crossbar_rows=128, crossbar_columns=128, cell_bits=2,
        weight_bits=8, input_bits=8, input_bits_per_cycle=1,  # 8-bit weights/activations, bit-serial
        rows_per_read=128, adc_bits=5, columns_per_adc=8,  # levelOutput 32, numColMuxed 8
        adc_sample_rate_Hz=1e9, adc_model='murmann',  # clkFreq 1 GHz; NeuroSim's MLSA -> survey ADC
        array_read_time_s=10e-9,  # readPulseWidth
        crossbars_per_tile=64, tiles=256, replicate_weights=True,  # NeuroSim sizes the chip per network
        technology_node_m=22e-9, supply_V=supply_V,
        # bit-line charging, as NeuroSim: 0.2 fF/um over a 4F-high 1T1R cell, at the 0.5 V read voltage
        cell_read_energy_J=bit_line_F_per_m * 4 * feature_size_m * read_voltage_V**2,
        # word-line wire over 128 cells 12F wide at VDD (access-transistor gates not counted)
        row_drive_energy_J=bit_line_F_per_m * 128 * 12 * feature_size_m * supply_V**2,
        buffer_capacity_bytes=64 * 1024, buffer_width_bits=128, noc_distance_m=2e-3,  # our assumptions
        dram_energy_per_bit_J=DRAM_ENERGY_PER_BIT_J['LPDDR4'], clock_frequency_Hz=1e9,
    )


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


def crossbar_energies(config: CrossbarConfig) -> CrossbarEnergies:
    """Per-action energies from the component models at the config's node."""
    node = config.technology_node_m
    adc_energies = tuple(
        Adc(bits, config.adc_sample_rate_Hz, node, config.adc_model, config.supply_V).convert().energy_J
        for bits in range(1, config.adc_bits + 1))
    # full-precision accumulator: weight x input products summed over a crossbar's rows
    accumulator_bits = config.weight_bits + config.input_bits + ceil(log2(config.crossbar_rows))
    buffer = Sram(config.buffer_capacity_bytes * 8, config.buffer_width_bits, node)
    return CrossbarEnergies(
        cell_read_J=config.cell_read_energy_J, row_drive_J=config.row_drive_energy_J,
        adc_conversion_J=(0.0, *adc_energies),
        shift_add_J=add_energy_J(accumulator_bits) * energy_scale(ENERGY_REFERENCE_NODE_M, node),
        buffer_per_bit_J=buffer.read().energy_J / config.buffer_width_bits,
        noc_per_bit_J=Wire(config.noc_distance_m, 1, node).transfer().energy_J,
        dram_per_bit_J=config.dram_energy_per_bit_J,
    )


@dataclass(frozen=True)
class CrossbarLayerCost:
    """One layer on the crossbar target."""

    mapping: CrossbarMapping
    adc_bits: int
    """Resolution the layer's conversions use."""
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
                   nonzero_rows: int | None = None, available_crossbars: int | None = None) -> CrossbarLayerCost:
    """The layer's energy, latency and utilization (module docstring); `nonzero_rows`: the most
    non-zero weight slices any column has among the rows of one read."""
    mapping = map_layer(loop_nest, config, available_crossbars)
    needed_bits = required_adc_bits(mapping.max_active_rows, config.cell_bits, config.input_bits_per_cycle, nonzero_rows)
    adc_bits = min(config.adc_bits, needed_bits)
    breakdown = _energy_breakdown(loop_nest, config, energies, mapping, adc_bits)
    conversions_per_adc = min(config.columns_per_adc, mapping.used_columns_per_crossbar)
    read_time = max(config.array_read_time_s, conversions_per_adc / config.adc_sample_rate_Hz)
    read_steps = mapping.sequential_reads * mapping.passes
    available = config.crossbars if available_crossbars is None else available_crossbars
    chip_cells = available * config.crossbar_rows * config.crossbar_columns
    return CrossbarLayerCost(
        mapping=mapping, adc_bits=adc_bits, energy_breakdown_J=breakdown,
        tensor_shares=tensor_shares(loop_nest, config, mapping), energy_J=sum(breakdown.values()),
        read_time_s=read_time, latency_s=read_steps * read_time,
        utilization=mapping.cell_reads / (chip_cells * read_steps),
        dram_bytes=_dram_bits(loop_nest, config) / 8,
    )


def _energy_breakdown(loop_nest: LoopNest, config: CrossbarConfig, energies: CrossbarEnergies,
                      mapping: CrossbarMapping, adc_bits: int) -> dict[str, float]:
    im2col_inputs = mapping.output_positions * mapping.groups * mapping.rows
    buffer_bits = config.input_bits * (im2col_inputs + loop_nest.output_elements)
    network_bits = config.input_bits * (loop_nest.input_elements + loop_nest.output_elements)
    return {
        'array': mapping.cell_reads * energies.cell_read_J,
        'dac': mapping.row_drives * energies.row_drive_J,
        'adc': mapping.conversions * energies.adc_conversion_J[adc_bits],
        'shift_add': mapping.conversions * energies.shift_add_J,
        'buffer': buffer_bits * energies.buffer_per_bit_J,
        'noc': network_bits * energies.noc_per_bit_J,
        'dram': _dram_bits(loop_nest, config) * energies.dram_per_bit_J,
    }


def tensor_shares(loop_nest: LoopNest, config: CrossbarConfig, mapping: CrossbarMapping) -> Shares:
    """Per component, the bits (or the whole) of each tensor it handles, as _energy_breakdown counts them."""
    im2col_inputs = mapping.output_positions * mapping.groups * mapping.rows
    inputs, outputs = loop_nest.input_elements * config.input_bits, loop_nest.output_elements * config.input_bits
    return {
        'array': {'compute': 1.0}, 'dac': {'input': 1.0}, 'adc': {'output': 1.0}, 'shift_add': {'output': 1.0},
        'buffer': {'input': im2col_inputs * config.input_bits, 'output': outputs},
        'noc': {'input': inputs, 'output': outputs},
        'dram': {'weight': loop_nest.weight_elements * config.weight_bits, 'input': inputs, 'output': outputs},
    }


def _dram_bits(loop_nest: LoopNest, config: CrossbarConfig) -> int:
    activations = loop_nest.input_elements + loop_nest.output_elements
    return loop_nest.weight_elements * config.weight_bits + activations * config.input_bits


def to_layer_cost(name: str, op: str, macs: int, result: CrossbarLayerCost, clock_frequency_Hz: float) -> LayerCost:
    """The common LayerCost of the other targets; the mapping and ADC bits go into `mapping`.
    Latency in whole clock cycles."""
    cycles = whole_cycles(result.latency_s * clock_frequency_Hz)
    return LayerCost(
        name=name, op=op, macs=macs, energy_J=result.energy_J, latency_s=cycles / clock_frequency_Hz,
        cycles=cycles, utilization=result.utilization,
        dram_bytes=result.dram_bytes, energy_breakdown_J=dict(result.energy_breakdown_J),
        energy_by_tensor_J=split_by_tensor(result.energy_breakdown_J, result.tensor_shares),
        mapping={**asdict(result.mapping), 'adc_bits': result.adc_bits},
    )
