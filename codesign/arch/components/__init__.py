"""Component models: energy (J) and area (m^2) per action, with technology-node scaling.

Each model follows the hwcomponents contract: parameters at construction, then `area_m2`,
`leakage_W`, and one method per action returning an ActionCost(energy_J, latency_s).

    Mac(operand_bits, accumulator_bits, node)       compute()      mac.py   Horowitz 2014, Aladdin
    Sram(capacity_bits, width_bits, node)           read(), write()  sram.py  Horowitz 2014 (CACTI-like fit)
    RegisterFile(capacity_bits, width_bits, node)   read(), write()  sram.py  Horowitz 2014 via Han 2015
    Dram(width_bits, kind)                          read(), write()  dram.py  hwcomponents-cacti table
    Wire(length_m, width_bits, node)                transfer()     wire.py  Keckler et al. 2011
    Adc(bits, sample_rate_Hz, node, model)          convert()      adc.py   Murmann survey fit, ZigZag, Walden FOM
    RowDriver(bits, node, drive_energy_J)           drive()        row_driver.py  ISAAC (Shafiee 2016) DAC area
    ShiftAdd(bits, node)                            add()          shift_add.py   Horowitz 2014, Aladdin
    CrossbarArray(rows, columns, cell area, energy) read_cell()    cim_arrays.py  the spec's cell figures
    FefetArray(rows, columns, cell area, C, V)      charge_cell(), precharge_column()  cim_arrays.py  C V^2
    energy_scale / area_scale(from_node, to_node)                  scaling.py  Stillmaker & Baas 2017

`memory_model` and `mac_model` build the built-in model of a spec component; plugins.py wraps
the hwcomponents plug-ins when they are installed.
"""

from codesign.arch.components.action import ActionCost, ComputeModel, MemoryModel
from codesign.arch.components.dram import Dram
from codesign.arch.components.mac import Mac
from codesign.arch.components.scaling import area_scale, energy_scale
from codesign.arch.components.sram import RegisterFile, Sram
from codesign.arch.components.wire import Wire, fanout_distance_m
from codesign.arch.schema import ComputeUnit, MemoryLevel, MemoryTechnology

BUILT_IN_REFERENCE_NODE_M = 45e-9
"""The node of the main energy table (Horowitz 2014); the others are named in their modules."""


def memory_model(level: MemoryLevel, technology_node_m: float) -> MemoryModel:
    """The built-in model of a memory level at `technology_node_m`."""
    if level.technology == MemoryTechnology.DRAM:
        return Dram(level.width_bits)
    model = RegisterFile if level.technology == MemoryTechnology.REGFILE else Sram
    return model(level.capacity_bytes * 8, level.width_bits, technology_node_m)


def mac_model(compute: ComputeUnit, technology_node_m: float) -> ComputeModel:
    """The built-in model of the compute unit at `technology_node_m`."""
    return Mac(compute.operand_bits, compute.accumulator_bits, technology_node_m)


__all__ = [
    'BUILT_IN_REFERENCE_NODE_M',
    'ActionCost',
    'ComputeModel',
    'Dram',
    'Mac',
    'MemoryModel',
    'RegisterFile',
    'Sram',
    'Wire',
    'area_scale',
    'energy_scale',
    'fanout_distance_m',
    'mac_model',
    'memory_model',
]
