"""Plain-text summary of an architecture: a header, one line per component, then its per-action energies."""

from codesign.arch.cim import CrossbarConfig, FefetArrayConfig
from codesign.arch.display_cim import format_cim
from codesign.arch.energy import EnergyTable, energy_table
from codesign.arch.schema import Architecture, ComputeUnit, MemoryLevel, SpatialFanout


def format_arch(arch: Architecture) -> str:
    """A readable summary for `codesign arch show`; display units, not SI, for reading ease."""
    if isinstance(arch.compute, (CrossbarConfig, FefetArrayConfig)):
        return '\n'.join([f'{arch.name}: {arch.description}', *format_cim(arch)])
    header = [
        f'{arch.name}: {arch.description}',
        (f'  {arch.technology_node_m * 1e9:g} nm, {_frequency(arch.clock_frequency_Hz)}, {arch.dataflow} dataflow, '
         f'{arch.mac_count} MACs, peak {arch.peak_macs_per_second / 1e9:.4g} GMAC/s'),
        '  hierarchy, outermost first (xN: instances):',
    ]
    name_width = max(len(item.name) for item in arch.hierarchy)
    copies = {item.name: f'x{arch.instances(item.name)}' for item in arch.hierarchy}
    copies_width = max(len(text) for text in copies.values())
    lines = [f'    {item.name:<{name_width}}  {copies[item.name]:>{copies_width}}  {_describe(item, arch)}'
             for item in arch.hierarchy]
    return '\n'.join(header + lines + format_energy(arch, energy_table(arch)))


def format_energy(arch: Architecture, table: EnergyTable) -> list[str]:
    """The energies the cost models will use, one line per component, in hierarchy order."""
    header = f'  per-action energy ({arch.technology_node_m * 1e9:g} nm; {table.source}):'
    name_width = max(len(item.name) for item in arch.hierarchy)
    # Each line starts with the kind, not the name: a name begins only its own hierarchy line above.
    return [header] + [f'    {_kind(item):<8} {item.name:<{name_width}}  {_energy(item, table)}' for item in arch.hierarchy]


def _kind(item: MemoryLevel | SpatialFanout | ComputeUnit) -> str:
    return {MemoryLevel: 'memory', SpatialFanout: 'network', ComputeUnit: 'compute'}[type(item)]


def _energy(item: MemoryLevel | SpatialFanout | ComputeUnit, table: EnergyTable) -> str:
    if isinstance(item, MemoryLevel):
        level = table.levels[item.name]
        return (f'read {_picojoules(level.read_J_per_word)}/word, write {_picojoules(level.write_J_per_word)}/word, '
                f'{_area(level.area_m2)}')
    if isinstance(item, SpatialFanout):
        return f'{_picojoules(table.noc_J_per_word[item.name])}/word to one of its instances (wires)'
    return f'{_picojoules(table.mac_J)}/MAC, {_area(table.mac_area_m2)}'


def _picojoules(joules: float) -> str:
    return f'{joules * 1e12:.3g} pJ'


def _area(area_m2: float) -> str:
    return f'area {area_m2 * 1e6:.3g} mm^2 each' if area_m2 > 0 else 'off-chip'


def _describe(item: MemoryLevel | SpatialFanout | ComputeUnit, arch: Architecture) -> str:
    if isinstance(item, MemoryLevel):
        holds = '+'.join(str(tensor) for tensor in item.holds)
        bandwidth = item.bandwidth_at(arch.clock_frequency_Hz) / 1e9
        return (f'memory   {item.technology:<7}  {_size(item.capacity_bytes):>9}  word {item.word_bits} b, '
                f'width {item.width_bits} b, {bandwidth:.4g} GB/s, holds {holds}')
    if isinstance(item, SpatialFanout):
        axes = ' x '.join(f'{axis.name}={axis.size} ({",".join(axis.unroll)})' for axis in item.axes)
        return f'spatial  {axes}: fan-out {item.fanout}'
    return f'compute  {item.operand_bits}-bit operands, {item.accumulator_bits}-bit accumulator'


def _size(capacity_bytes: int | None) -> str:
    if capacity_bytes is None:
        return 'unbounded'
    for unit, scale in (('MiB', 2**20), ('KiB', 2**10)):
        if capacity_bytes >= scale:
            return f'{capacity_bytes / scale:g} {unit}'
    return f'{capacity_bytes} B'


def _frequency(hertz: float) -> str:
    return f'{hertz / 1e9:g} GHz' if hertz >= 1e9 else f'{hertz / 1e6:g} MHz'
