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
Not modelled: FeFET programming (weights are stationary; a layer that needs more arrays than the
macro has is charged no rewrite energy or time, only the extra passes), leakage, control logic.
"""

from __future__ import annotations

import math
from itertools import pairwise

from codesign.arch.components.dram import DRAM_ENERGY_PER_BIT_J
from codesign.arch.components.mac import add_energy_J
from codesign.arch.components.scaling import energy_scale
from codesign.arch.components.sram import Sram
from codesign.arch.cim import FEFET_ENERGY_KEYS, FefetArrayConfig
from codesign.cost.attribution import Shares, split_by_tensor
from codesign.cost.result import LayerCost
from codesign.ir.loopnest import LoopNest

BOLTZMANN_J_PER_K = 1.380649e-23
DIGITAL_REFERENCE_NODE_M = 45e-9
"""The node of the adder energies in mac.py (Horowitz 2014)."""
DEFAULT_BIT_DENSITY = 0.5
BREAKDOWN_KEYS = FEFET_ENERGY_KEYS


def fefet_1f1c_default() -> FefetArrayConfig:
    """A 2-bit-cell macro in 28 nm; every number below is cited or marked as our assumption."""
    window_V, lowest_vth_V, cell_bits = 1.0, 0.2, 2
    return FefetArrayConfig(
        rows=128, columns=128, arrays=64,  # assumption: 128x128 arrays, 64 of them (2 Mb of cells)
        cell_bits=cell_bits,  # the published 1F1C macro uses 2-bit FeFET cells (Laleni et al., JXCDC 2024)
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
        technology_node_m=28e-9,  # GlobalFoundries 28 nm HKMG FeFET (Trentzsch et al., IEDM 2016)
        buffer_capacity_bits=256 * 1024 * 8, buffer_width_bits=128,  # assumption: 256 KB buffer
        dram_J_per_bit=DRAM_ENERGY_PER_BIT_J["LPDDR4"],
        dram_bandwidth_B_per_s=12.8e9,  # LPDDR4-3200 x32 channel (JEDEC JESD209-4)
    )


def walden_adc_energy_J(bits: int, fom_J_per_step: float) -> float:
    """One conversion: E = FOM * 2^bits (Walden FOM with ENOB taken as the resolution).

    A local stand-in; swap for the shared ADC model (codesign/arch/components/adc.py) once it lands.
    """
    return fom_J_per_step * 2**bits


def sense_voltage_V(config: FefetArrayConfig, weighted_sum: float) -> float:
    """V_out after charge sharing, for sum(level * input) over the column (levels 0..L-1)."""
    level_step_V = config.read_V / (config.levels - 1)
    total_F = config.sense_capacitance_F + config.rows * config.capacitor_F
    return level_step_V * config.capacitor_F * weighted_sum / total_F


def sensing_margin_V(config: FefetArrayConfig) -> float:
    """Voltage between adjacent sums: every cell on the column loads the sense node."""
    return sense_voltage_V(config, 1)


def mac_column_energy(config: FefetArrayConfig, active_rows: int,
                      density: float = DEFAULT_BIT_DENSITY) -> dict[str, float]:
    """Expected energy of one column for one input-bit cycle, by breakdown key (no digital part)."""
    driven_rows = active_rows * density
    return {
        "cell_charge": driven_rows * density * config.capacitor_F * config.read_V**2,
        "sense_precharge": config.sense_capacitance_F * config.read_V**2,
        "drivers": driven_rows * config.line_capacitance_per_cell_F * config.supply_V**2,
        "adc": walden_adc_energy_J(config.adc_bits, config.adc_fom_J_per_step),
    }


def digital_add_energy_J(config: FefetArrayConfig, bits: int) -> float:
    """One add (shift-and-add or compare) in the digital periphery at the config's node."""
    return add_energy_J(bits) * energy_scale(DIGITAL_REFERENCE_NODE_M, config.technology_node_m)


def buffer_energy_per_bit_J(config: FefetArrayConfig) -> float:
    buffer = Sram(config.buffer_capacity_bits, config.buffer_width_bits, config.technology_node_m)
    return buffer.read().energy_J / config.buffer_width_bits


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


def tops_per_watt(config: FefetArrayConfig, input_bits: int = 1,
                  density: float = DEFAULT_BIT_DENSITY) -> float:
    """Macro efficiency, 2 ops per MAC, cell_bits-wide weights, all rows and columns busy.

    The published figure is for the macro (array, drivers, ADCs), so buffer and DRAM are left out;
    the digital shift-and-add of the input bits is kept.
    """
    column_J = sum(mac_column_energy(config, config.rows, density).values())
    accumulator_bits = config.adc_bits + config.cell_bits + input_bits
    cycle_J = config.columns * (column_J + digital_add_energy_J(config, accumulator_bits))
    operations = 2 * config.rows * config.columns
    return operations / (input_bits * cycle_J) / 1e12


def evaluate_layer(loop_nest: LoopNest, config: FefetArrayConfig, weight_bits: int = 8,
                   input_bits: int = 8, *, density: float = DEFAULT_BIT_DENSITY,
                   name: str = "layer", op: str = "Conv") -> LayerCost:
    """One conv or matmul, im2col-mapped: per group, rows = C*R*S and columns = K x weight slices.

    Tiles of rows x columns spread over the macro's arrays; a layer needing more tiles than arrays
    runs in passes. Each output position (N*P*Q input vectors) takes input_bits cycles per pass.
    Outputs leave at input_bits (the next layer's input precision).
    """
    size = loop_nest.sizes
    reduction, vectors = size["C"] * size["R"] * size["S"], size["N"] * size["P"] * size["Q"]
    slices = math.ceil(weight_bits / config.cell_bits)
    used_columns = size["K"] * slices
    full_tiles, remainder_rows = divmod(reduction, config.rows)
    tile_rows = [config.rows] * full_tiles + ([remainder_rows] if remainder_rows else [])
    row_tiles, column_tiles = len(tile_rows), math.ceil(used_columns / config.columns)
    passes = math.ceil(size["G"] * row_tiles * column_tiles / config.arrays)
    column_cycles = size["G"] * vectors * input_bits * used_columns
    breakdown = {key: 0.0 for key in BREAKDOWN_KEYS}
    for active_rows in tile_rows:
        for key, energy_J in mac_column_energy(config, active_rows, density).items():
            breakdown[key] += column_cycles * energy_J
    # Wide enough for every slice, input bit and row tile summed: ceil(log2(row_tiles)) carry bits.
    accumulator_bits = config.adc_bits + weight_bits + input_bits + (row_tiles - 1).bit_length()
    breakdown["shift_add"] = column_cycles * row_tiles * digital_add_energy_J(config, accumulator_bits)
    shares = tensor_shares(loop_nest, config, weight_bits, input_bits)
    breakdown["buffer"] = sum(shares["buffer"].values()) * buffer_energy_per_bit_J(config)
    dram_bits = sum(shares["dram"].values())
    breakdown["dram"] = dram_bits * config.dram_J_per_bit
    cycles = passes * vectors * input_bits
    latency_s = max(cycles * config.cycle_s, dram_bits / 8 / config.dram_bandwidth_B_per_s)
    cells = config.arrays * config.rows * config.columns
    return LayerCost(
        name=name, op=op, macs=loop_nest.macs, energy_J=sum(breakdown.values()), latency_s=latency_s,
        cycles=cycles, utilization=loop_nest.macs * slices / (cells * passes * vectors),
        dram_bytes=dram_bits / 8, energy_breakdown_J=breakdown,
        energy_by_tensor_J=split_by_tensor(breakdown, shares),
        mapping={"weight_slices": slices, "row_tiles": row_tiles, "column_tiles": column_tiles,
                 "passes": passes},
    )


def tensor_shares(loop_nest: LoopNest, config: FefetArrayConfig, weight_bits: int = 8,
                  input_bits: int = 8) -> Shares:
    """Per component, the bits (or the whole) of each tensor it handles (module docstring):
    the buffer holds every im2col input vector once per column tile and every output once."""
    size = loop_nest.sizes
    vectors = size["G"] * size["N"] * size["P"] * size["Q"]
    column_tiles = math.ceil(size["K"] * math.ceil(weight_bits / config.cell_bits) / config.columns)
    buffer_bits = {"input": vectors * size["C"] * size["R"] * size["S"] * column_tiles * input_bits,
                   "output": vectors * size["K"] * input_bits}
    return {"cell_charge": {"compute": 1.0}, "drivers": {"input": 1.0}, "sense_precharge": {"output": 1.0},
            "adc": {"output": 1.0}, "shift_add": {"output": 1.0}, "buffer": buffer_bits,
            "dram": _layer_dram_bits(loop_nest, weight_bits, input_bits)}


def _layer_dram_bits(loop_nest: LoopNest, weight_bits: int, input_bits: int) -> dict[str, float]:
    """Bits of weights, inputs and outputs: each crosses the DRAM interface once."""
    size = loop_nest.sizes
    weights = loop_nest.weight_elements or size["G"] * size["K"] * size["C"] * size["R"] * size["S"]
    inputs = loop_nest.input_elements or size["N"] * size["G"] * size["C"] * size["P"] * size["Q"]
    outputs = loop_nest.output_elements or size["N"] * size["G"] * size["K"] * size["P"] * size["Q"]
    return {"weight": weights * weight_bits, "input": inputs * input_bits, "output": outputs * input_bits}


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
