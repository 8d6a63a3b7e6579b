"""Plausible ranges of spec values: outside them a value is legal but most likely a slip.

The schema refuses what is impossible or inconsistent; this module only warns, one line per
value, because an unusual design may be the point of the exercise (a sweep down to a 64-byte
global buffer). `spec_warnings(arch)` lists the lines; the CLI prints them on stderr.

| field(s)                                       | plausible           | outside, usually          |
|------------------------------------------------|---------------------|---------------------------|
| clock_frequency_Hz                             | 1 MHz - 10 GHz      | MHz or GHz written as Hz  |
| adc_sample_rate_Hz                             | 100 kHz - 100 GHz   | the same slip             |
| technology_node_m                              | 1 nm - 1 um         | nm written as m           |
| bandwidth_bytes_per_second                     | 100 MB/s - 100 TB/s | bits for bytes            |
| energies per action (cell_read_energy_J,       | 1 aJ - 1 nJ         | pJ written as J           |
|   row_drive_energy_J, adc_fom_J_per_step)      |                     |                           |
| cell_area_m2                                   | 1e-4 - 10 um^2      | um^2 or F^2 written as m^2|
| capacitances (capacitor_F, ..._F)              | 1 aF - 1 nF         | fF written as F           |
| supply_V, read_V                               | 0.1 V - 5 V         | mV written as V           |
| durations (array_read_time_s, precharge_s ...) | 1 ps - 1 ms         | ns written as s           |
| temperature_K                                  | 50 K - 500 K        | Celsius written as kelvin |
| noc_distance_m                                 | 1 um - 10 cm        | mm written as m           |
| capacity of an on-chip level above every       | 1 KiB - 2 GiB       | bits or KiB as bytes      |
|   fan-out (a global buffer, a CiM buffer)      |                     |                           |
"""

from dataclasses import dataclass

from pydantic import BaseModel

from codesign.arch.references import format_location
from codesign.arch.schema import Architecture, MemoryLevel, MemoryTechnology, SpatialFanout


@dataclass(frozen=True)
class Plausible:
    """A range of values real designs take, and what a value outside it usually means."""

    low: float
    high: float
    unit: str
    slip: str


_CLOCK = Plausible(1e6, 10e9, 'Hz', 'a clock in MHz or GHz written as Hz?')
_BANDWIDTH = Plausible(100e6, 100e12, 'B/s', 'bits written as bytes, or a lost exponent?')
_ENERGY = Plausible(1e-18, 1e-9, 'J', 'picojoules written as joules?')
_CAPACITANCE = Plausible(1e-18, 1e-9, 'F', 'femtofarads written as farads?')
_VOLTAGE = Plausible(0.1, 5.0, 'V', 'millivolts written as volts?')
_DURATION = Plausible(1e-12, 1e-3, 's', 'nanoseconds written as seconds?')
_ON_CHIP_BYTES = Plausible(1024, 2 * 1024**3, 'B', 'a buffer shared by the whole chip: below 1 KiB nearly every '
                           'layer streams from DRAM; bits or KiB written as bytes?')

PLAUSIBLE: dict[str, Plausible] = {
    'clock_frequency_Hz': _CLOCK,
    'adc_sample_rate_Hz': Plausible(100e3, 100e9, 'Hz', 'samples per second in MHz or GHz written as Hz?'),
    'technology_node_m': Plausible(1e-9, 1e-6, 'm', 'nanometres written as metres? 65 nm is 65e-9'),
    'bandwidth_bytes_per_second': _BANDWIDTH,
    'cell_read_energy_J': _ENERGY,
    'row_drive_energy_J': _ENERGY,
    'adc_fom_J_per_step': _ENERGY,
    'capacitor_F': _CAPACITANCE,
    'sense_capacitance_F': _CAPACITANCE,
    'line_capacitance_per_cell_F': _CAPACITANCE,
    'supply_V': _VOLTAGE,
    'read_V': _VOLTAGE,
    'array_read_time_s': _DURATION,
    'precharge_s': _DURATION,
    'charge_s': _DURATION,
    'share_s': _DURATION,
    'adc_bit_time_s': _DURATION,
    'temperature_K': Plausible(50.0, 500.0, 'K', 'degrees Celsius written as kelvin?'),
    'noc_distance_m': Plausible(1e-6, 0.1, 'm', 'millimetres written as metres?'),
    'cell_area_m2': Plausible(1e-16, 1e-11, 'm^2', 'square micrometres written as square metres?'),
}
"""Field name -> its plausible range, wherever the field appears in a spec."""


def spec_warnings(arch: Architecture) -> tuple[str, ...]:
    """One line per implausible value of `arch`: `field.path: value is outside the plausible range (why)`."""
    found = _field_warnings(arch, ())
    for index, item in enumerate(arch.hierarchy):
        found += _field_warnings(item, ('hierarchy', index))
    return tuple(found + _global_buffer_warnings(arch))


def _field_warnings(model: BaseModel, location: tuple) -> list[str]:
    found = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if name in PLAUSIBLE and isinstance(value, (int, float)):
            found += _outside(PLAUSIBLE[name], value, location + (name,))
    return found


def _global_buffer_warnings(arch: Architecture) -> list[str]:
    # On-chip levels above every fan-out are shared by the whole chip; per-PE scratchpads below
    # a fan-out are rightly tiny (Eyeriss: 24 bytes).
    found = []
    for index, item in enumerate(arch.hierarchy):
        if isinstance(item, SpatialFanout):
            break
        if isinstance(item, MemoryLevel) and item.technology != MemoryTechnology.DRAM and item.capacity_bytes:
            found += _outside(_ON_CHIP_BYTES, item.capacity_bytes, ('hierarchy', index, 'capacity_bytes'))
    return found


def _outside(rule: Plausible, value: float, location: tuple) -> list[str]:
    if rule.low <= value <= rule.high:
        return []
    return [f'{format_location(location)}: {_show(value, rule.unit)} is outside the plausible '
            f'{_show(rule.low, rule.unit)} - {_show(rule.high, rule.unit)} ({rule.slip})']


_PREFIXES = ((1e15, 'P'), (1e12, 'T'), (1e9, 'G'), (1e6, 'M'), (1e3, 'k'), (1.0, ''),
             (1e-3, 'm'), (1e-6, 'u'), (1e-9, 'n'), (1e-12, 'p'), (1e-15, 'f'), (1e-18, 'a'))


def _show(value: float, unit: str) -> str:
    """`value` with an SI prefix (2 kHz, 65 nm); sizes in bytes or bits with binary ones (64 KiB)."""
    if unit == 'm^2':  # square metres take squared prefixes: show square micrometres
        return f'{value / 1e-12:.4g} um^2'
    if unit in ('B', 'bit'):
        for scale, prefix in ((1024**3, 'Gi'), (1024**2, 'Mi'), (1024, 'Ki')):
            if value >= scale:
                return f'{value / scale:.4g} {prefix}{unit}'
        return f'{value:g} {unit}'
    for scale, prefix in _PREFIXES:
        if abs(value) >= scale:
            return f'{value / scale:.4g} {prefix}{unit}'
    return f'{value:.4g} {unit}'
