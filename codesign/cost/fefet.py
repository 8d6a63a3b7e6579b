"""The 1FeFET-1C charge-domain compute-in-memory array: configuration, column physics, layer cost.

A cell is a ferroelectric FET in series with a capacitor C_cell between a row's input line and
its column's sense node (REFERENCES.md section 4; arXiv 2410.15296 and the authors' patent).
One compute cycle of a column has four phases:
  precharge  the sense node (bit line + ADC input, C_sense) is reset; the cell capacitors are empty;
  charge     each row whose input bit is 1 drives its input line to V_read; a cell's capacitor
             charges only if its FeFET conducts, to the fraction level/(L-1) of V_read for a cell
             holding one of L = 2^cell_bits Vth states (binary: ON = weight 1 charges fully);
  share      the column's cell capacitors are connected to the sense node and share their charge:
             V_out = (V_read / (L-1)) * C_cell * sum(level * input) / (C_sense + rows * C_cell);
  convert    the column ADC digitizes V_out (SAR: one comparator cycle per bit).
Multi-bit weights are bit-sliced over ceil(weight_bits / cell_bits) columns, multi-bit inputs
are applied bit-serially (input_bits cycles); a digital shift-and-add combines the partial sums.

Energy of one column cycle, each a C*V^2 term of a switched capacitance (charging C from 0 to
f*V from a source at V draws f*C*V^2 from it) plus the conversion:
  cell_charge      rows_with_input_1 * weight_fraction * C_cell * V_read^2
  sense_precharge  C_sense * V_read^2 (bound: the sense node is brought back to its reference
                   every cycle; a ground reset costs less, an ADC sampling precharge about this)
  drivers          rows_with_input_1 * C_line_per_cell * V_supply^2 (this column's share of the
                   input/word line the row drivers swing)
  adc              Walden figure of merit: FOM * 2^adc_bits
Activity: a bit density d (default 0.5, random data) is the probability that an input bit is 1
and the mean weight level as a fraction of full scale, so the expected charged fraction is d*d.
By tensor (energy_by_tensor_J): cell_charge -> compute (charging a cell's capacitor is the
multiply, sharing the charge the sum); drivers -> input; sense_precharge, adc and shift_add ->
output (the column's sum is sensed, digitised and accumulated); buffer and dram -> weight, input
and output in proportion to the bits each moves there.
Not modelled in a plain compile: FeFET programming (weights are stationary; a layer that needs more
arrays than the macro has is charged no rewrite energy or time, only the extra passes); the
neuro-symbolic schedule charges writes (fefet_program.py, codesign/neurosymbolic/schedule.py).
Not modelled at all: control logic.

Component models (codesign/arch/components, fefet_parts): FefetArray (cell charge, sense
precharge: C V^2), RowDriver (a binary line driver; its energy per cell pitch of a driven line is
C_line V_supply^2), Adc ('walden': FOM x 2^bits), ShiftAdd (a Horowitz add at the chip's node),
and the spec's buffer and DRAM levels (CimChip). Precision: a layer is costed with a copy of the
macro whose weight_bits and input_bits are the layer's (codesign/target/fefet.py); outputs are
written at `output_bits` (default: the input bits).
Area (FefetParts.area_m2): arrays (cells x cell_area_m2, the capacitor stacked over the FeFET),
row drivers (one per row of every array), column ADCs and shift-and-adds (one per column of every
array), the buffer. Leakage: none of these models has a source for it (non-volatile cells, a
Walden-FOM converter whose FOM is its whole power, built-in SRAM and adder tables): 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from codesign.arch.components import MemoryModel
from codesign.arch.components.adc import Adc
from codesign.arch.components.cim_arrays import FefetArray
from codesign.arch.components.row_driver import RowDriver
from codesign.arch.components.shift_add import ShiftAdd
from codesign.arch.cim import FEFET_ENERGY_KEYS, FefetArrayConfig
from codesign.cost.attribution import Shares, split_by_tensor
from codesign.cost.in_memory import ChipComponent, CimChip
from codesign.cost.result import LayerCost
from codesign.ir.loopnest import LoopNest

BOLTZMANN_J_PER_K = 1.380649e-23
DEFAULT_BIT_DENSITY = 0.5
BREAKDOWN_KEYS = FEFET_ENERGY_KEYS


def fefet_1f1c_default() -> FefetArrayConfig:
    """A 2-bit-cell macro in 28 nm; every number below is cited or marked as our assumption."""
    window_V, lowest_vth_V, cell_bits = 1.0, 0.2, 2
    return FefetArrayConfig(
        rows=128, columns=128, arrays=64,  # assumption: 128x128 arrays, 64 of them (2 Mb of cells)
        cell_bits=cell_bits,  # the published 1F1C macro uses 2-bit FeFET cells (Laleni et al., JXCDC 2024)
        # assumption: 0.5 um^2, about two 28 nm FeFETs, the capacitor stacked over the FeFET in the
        # metal layers (as charge-domain CIM stacks its metal-fringe capacitors over the bitcell).
        cell_area_m2=0.5e-12,
        weight_bits=8, input_bits=8,  # assumption: 8-bit weights (4 slices) and inputs (8 cycles)
        # ~1 fF: the metal-fringe capacitors of charge-domain CIM are 1.2 fF (Valavi et al., JSSC 2019).
        capacitor_F=1e-15,
        # assumption: ~0.1 fF of bit-line wire per cell over 128 rows plus ~7 fF of ADC input.
        sense_capacitance_F=20e-15,
        # assumption: a 28 nm FeFET gate (~0.2 fF) plus line wire per cell pitch.
        line_capacitance_per_cell_F=0.3e-15,
        supply_V=0.9,  # 28 nm core supply
        read_V=0.8,  # assumption: below the supply so the FeFET passes it as a switch
        # ~1 V memory window of HfO2 FeFETs in 28 nm HKMG (Trentzsch et al., IEDM 2016); the
        # 2^cell_bits states equally spaced across it (assumption).
        vth_states_V=tuple(lowest_vth_V + window_V * index / (2**cell_bits - 1)
                           for index in range(2**cell_bits)),
        vth_sigma_V=0.05,  # assumption: tens of mV device-to-device; the SPICE issue calibrates it
        capacitor_mismatch_sigma=0.005,  # ~0.5% for 1 fF MOM capacitors (Omran et al., TCAS-I 2016)
        adc_bits=5,  # assumption: a 5-bit column SAR ADC
        # 4.4 fJ/step, the Walden-FOM record of a 10-bit SAR (van Elzakker et al., ISSCC 2008) that
        # stood for years in Murmann's ADC Performance Survey; low-resolution ADCs rarely reach it.
        adc_fom_J_per_step=4.4e-15,
        # assumption: 1 + 2 + 1 ns plus 1 ns per SAR bit: a 9 ns cycle (~110 MHz), at the slow end
        # of the 0.1-1 GHz of FeFET charge-domain CiM simulated by Yin et al. (arXiv 2102.01442).
        precharge_s=1e-9, charge_s=2e-9, share_s=1e-9, adc_bit_time_s=1e-9,
        temperature_K=300.0,
    )


@dataclass(frozen=True)
class FefetParts:
    """The component models of a FeFET macro, one instance each (module docstring)."""

    array: FefetArray
    row_driver: RowDriver
    """Its drive() is one cell pitch of a driven line: what one column's share costs."""
    adc: Adc
    shift_add: ShiftAdd
    """As wide as a converted sum shifted by the native weight and input bits."""
    buffer: MemoryModel
    config: FefetArrayConfig
    technology_node_m: float

    def on_chip(self) -> dict[str, tuple[ChipComponent, int]]:
        """Component -> (model, instances on the chip)."""
        config = self.config
        return {'array': (self.array, config.arrays), 'drivers': (self.row_driver, config.arrays * config.rows),
                'adc': (self.adc, config.adcs), 'shift_add': (self.shift_add, config.adcs), 'buffer': (self.buffer, 1)}

    def area_m2(self) -> dict[str, float]:
        """Area by component, all instances."""
        return {key: model.area_m2 * count for key, (model, count) in self.on_chip().items()}

    def leakage_W(self) -> float:
        """Static power of all instances."""
        return sum(model.leakage_W * count for model, count in self.on_chip().values())

    def digital_add_J(self, bits: int) -> float:
        """One add (shift-and-add or compare) of `bits`-wide values in the digital periphery."""
        return ShiftAdd(bits, self.technology_node_m).add().energy_J


def fefet_parts(config: FefetArrayConfig, chip: CimChip) -> FefetParts:
    """The models at `chip`'s node (module docstring); the column ADC samples once per conversion."""
    node = chip.technology_node_m
    return FefetParts(
        array=FefetArray(config.rows, config.columns, config.cell_area_m2, config.capacitor_F,
                         config.sense_capacitance_F, config.read_V),
        row_driver=RowDriver(1, node, config.line_capacitance_per_cell_F * config.supply_V**2),
        adc=Adc(config.adc_bits, 1 / config.conversion_s, node, 'walden', fom_J_per_step=config.adc_fom_J_per_step),
        shift_add=ShiftAdd(config.adc_bits + config.weight_bits + config.input_bits, node),
        buffer=chip.buffer.model, config=config, technology_node_m=node)


def sense_voltage_V(config: FefetArrayConfig, weighted_sum: float) -> float:
    """V_out after charge sharing, for sum(level * input) over the column (levels 0..L-1)."""
    level_step_V = config.read_V / (config.levels - 1)
    total_F = config.sense_capacitance_F + config.rows * config.capacitor_F
    return level_step_V * config.capacitor_F * weighted_sum / total_F


def sensing_margin_V(config: FefetArrayConfig) -> float:
    """Voltage between adjacent sums: every cell on the column loads the sense node."""
    return sense_voltage_V(config, 1)


def mac_column_energy(parts: FefetParts, active_rows: int,
                      density: float = DEFAULT_BIT_DENSITY) -> dict[str, float]:
    """Expected energy of one column for one input-bit cycle, by breakdown key (no digital part)."""
    driven_rows = active_rows * density
    return {
        "cell_charge": driven_rows * density * parts.array.charge_cell().energy_J,
        "sense_precharge": parts.array.precharge_column().energy_J,
        "drivers": driven_rows * parts.row_driver.drive().energy_J,
        "adc": parts.adc.convert().energy_J,
    }


def mac_error_rate(config: FefetArrayConfig, active_rows: int,
                   density: float = DEFAULT_BIT_DENSITY) -> tuple[float, float]:
    """(probability one cell is mis-read, probability one column output is off by a level or more).

    Cell: Gaussian Vth spread sigma around equally spaced states, read against references midway
    between them: P = 2 (1 - 1/L) Q(spacing / (2 sigma)); binary: Q(window / (2 sigma)).
    A mis-read moves a driven cell's charge by one level. Output, in units of one level
    (the sensing margin): variance = driven cells x (P + E[level^2] sigma_C^2) + (kT/C_total)
    / margin^2, and the output is wrong when |noise| > 1/2 level: 2 Q(1 / (2 sigma_out)),
    a Gaussian approximation (central limit) of the sum of independent cell errors.
    """
    spacing_V = min(high - low for low, high in pairwise(config.vth_states_V))
    cell_error = 2 * (1 - 1 / config.levels) * _gaussian_tail(spacing_V / 2, config.vth_sigma_V)
    total_F = config.sense_capacitance_F + config.rows * config.capacitor_F
    thermal_V2 = BOLTZMANN_J_PER_K * config.temperature_K / total_F
    variance = (active_rows * density * (cell_error + _mean_square_level(config, density)
                                          * config.capacitor_mismatch_sigma**2)
                + thermal_V2 / sensing_margin_V(config)**2)
    return cell_error, 2 * _gaussian_tail(0.5, math.sqrt(variance))


def tops_per_watt(parts: FefetParts, input_bits: int = 1,
                  density: float = DEFAULT_BIT_DENSITY) -> float:
    """Macro efficiency, 2 ops per MAC, cell_bits-wide weights, all rows and columns busy.

    The published figure is for the macro (array, drivers, ADCs), so buffer and DRAM are left out;
    the digital shift-and-add of the input bits is kept.
    """
    config = parts.config
    column_J = sum(mac_column_energy(parts, config.rows, density).values())
    accumulator_bits = config.adc_bits + config.cell_bits + input_bits
    cycle_J = config.columns * (column_J + parts.digital_add_J(accumulator_bits))
    operations = 2 * config.rows * config.columns
    return operations / (input_bits * cycle_J) / 1e12


def evaluate_layer(loop_nest: LoopNest, config: FefetArrayConfig, chip: CimChip, *,
                   output_bits: int | None = None, density: float = DEFAULT_BIT_DENSITY,
                   name: str = "layer", op: str = "Conv") -> LayerCost:
    """One conv or matmul, im2col-mapped: per group, rows = C*R*S and columns = K x weight slices.

    `config`: the macro at the layer's weight and input bits (module docstring). Tiles of rows x
    columns spread over the macro's arrays; a layer needing more tiles than arrays runs in passes.
    Each output position (N*P*Q input vectors) takes input_bits cycles per pass. Outputs leave at
    `output_bits` (default: the input bits).
    """
    parts = fefet_parts(config, chip)
    weight_bits, input_bits = config.weight_bits, config.input_bits
    size = loop_nest.sizes
    reduction, vectors = size["C"] * size["R"] * size["S"], size["N"] * size["P"] * size["Q"]
    slices = math.ceil(weight_bits / config.cell_bits)
    used_columns = size["K"] * slices
    full_tiles, remainder_rows = divmod(reduction, config.rows)
    tile_rows = [config.rows] * full_tiles + ([remainder_rows] if remainder_rows else [])
    row_tiles, column_tiles = len(tile_rows), math.ceil(used_columns / config.columns)
    passes = math.ceil(layer_tiles(loop_nest, config) / config.arrays)
    column_cycles = size["G"] * vectors * input_bits * used_columns
    breakdown = {key: 0.0 for key in BREAKDOWN_KEYS}
    for active_rows in tile_rows:
        for key, energy_J in mac_column_energy(parts, active_rows, density).items():
            breakdown[key] += column_cycles * energy_J
    # Wide enough for every slice, input bit and row tile summed: ceil(log2(row_tiles)) carry bits.
    accumulator_bits = config.adc_bits + weight_bits + input_bits + (row_tiles - 1).bit_length()
    breakdown["shift_add"] = column_cycles * row_tiles * parts.digital_add_J(accumulator_bits)
    shares = tensor_shares(loop_nest, config, output_bits)
    breakdown["buffer"] = sum(shares["buffer"].values()) * chip.buffer.per_bit_J
    dram_bits = sum(shares["dram"].values())
    breakdown["dram"] = dram_bits * chip.dram.per_bit_J
    cycles = passes * vectors * input_bits
    latency_s = max(compute_time_s(loop_nest, config, passes), dram_bits / 8 / chip.dram_bandwidth_B_per_s)
    cells = config.arrays * config.rows * config.columns
    return LayerCost(
        name=name, op=op, macs=loop_nest.macs, energy_J=sum(breakdown.values()), latency_s=latency_s,
        cycles=cycles, utilization=loop_nest.macs * slices / (cells * passes * vectors),
        dram_bytes=dram_bits / 8, energy_breakdown_J=breakdown,
        energy_by_tensor_J=split_by_tensor(breakdown, shares),
        mapping={"weight_slices": slices, "row_tiles": row_tiles, "column_tiles": column_tiles,
                 "passes": passes},
    )


def compute_time_s(loop_nest: LoopNest, config: FefetArrayConfig, passes: int, replicas: int = 1) -> float:
    """The arrays' busy time: each pass takes input_bits cycles per output position (N*P*Q);
    `replicas` copies of the weights on other arrays share the positions out."""
    size = loop_nest.sizes
    positions = math.ceil(size["N"] * size["P"] * size["Q"] / replicas)
    return passes * positions * config.input_bits * config.cycle_s


def layer_tiles(loop_nest: LoopNest, config: FefetArrayConfig) -> int:
    """Arrays the layer's weights fill when all are stored at once: groups x row tiles x column tiles."""
    size = loop_nest.sizes
    row_tiles = math.ceil(size["C"] * size["R"] * size["S"] / config.rows)
    column_tiles = math.ceil(size["K"] * math.ceil(config.weight_bits / config.cell_bits) / config.columns)
    return size["G"] * row_tiles * column_tiles


def weight_cells(loop_nest: LoopNest, config: FefetArrayConfig) -> int:
    """Cells the layer's weights take: every weight in ceil(weight_bits / cell_bits) slices."""
    size = loop_nest.sizes
    weights = size["G"] * size["K"] * size["C"] * size["R"] * size["S"]
    return weights * math.ceil(config.weight_bits / config.cell_bits)


def tensor_shares(loop_nest: LoopNest, config: FefetArrayConfig, output_bits: int | None = None) -> Shares:
    """Per component, the bits (or the whole) of each tensor it handles (module docstring):
    the buffer holds every im2col input vector once per column tile and every output once."""
    output_bits = config.input_bits if output_bits is None else output_bits
    size = loop_nest.sizes
    vectors = size["G"] * size["N"] * size["P"] * size["Q"]
    column_tiles = math.ceil(size["K"] * math.ceil(config.weight_bits / config.cell_bits) / config.columns)
    buffer_bits = {"input": vectors * size["C"] * size["R"] * size["S"] * column_tiles * config.input_bits,
                   "output": vectors * size["K"] * output_bits}
    return {"cell_charge": {"compute": 1.0}, "drivers": {"input": 1.0}, "sense_precharge": {"output": 1.0},
            "adc": {"output": 1.0}, "shift_add": {"output": 1.0}, "buffer": buffer_bits,
            "dram": _layer_dram_bits(loop_nest, config.weight_bits, config.input_bits, output_bits)}


def _layer_dram_bits(loop_nest: LoopNest, weight_bits: int, input_bits: int, output_bits: int) -> dict[str, float]:
    """Bits of weights, inputs and outputs: each crosses the DRAM interface once."""
    size = loop_nest.sizes
    weights = loop_nest.weight_elements or size["G"] * size["K"] * size["C"] * size["R"] * size["S"]
    inputs = loop_nest.input_elements or size["N"] * size["G"] * size["C"] * size["P"] * size["Q"]
    outputs = loop_nest.output_elements or size["N"] * size["G"] * size["K"] * size["P"] * size["Q"]
    return {"weight": weights * weight_bits, "input": inputs * input_bits, "output": outputs * output_bits}


def _mean_square_level(config: FefetArrayConfig, density: float) -> float:
    """E[level^2] for a level whose cell_bits bits are each 1 with probability `density`."""
    bit_weights = [2**bit for bit in range(config.cell_bits)]
    variance = density * (1 - density) * sum(weight**2 for weight in bit_weights)
    return variance + (density * sum(bit_weights))**2


def _gaussian_tail(threshold: float, sigma: float) -> float:
    """P(X > threshold) for X ~ N(0, sigma^2); 0 when there is no spread."""
    if sigma == 0:
        return 0.0
    return 0.5 * math.erfc(threshold / (sigma * math.sqrt(2)))
