"""Plain-text summary of an architecture: a header, then one line per component."""

from codesign.arch.schema import Architecture, ComputeUnit, MemoryLevel, SpatialFanout


def format_arch(arch: Architecture) -> str:
    """A readable summary for `codesign arch show`; display units, not SI, for reading ease."""
    header = [
        f'{arch.name}: {arch.description}',
        f'  {arch.technology_node_m * 1e9:g} nm, {_frequency(arch.clock_frequency_Hz)}, {arch.dataflow} dataflow, '
        f'{arch.mac_count} MACs, peak {arch.peak_macs_per_second / 1e9:.4g} GMAC/s',
        '  hierarchy, outermost first (xN: instances):',
    ]
    name_width = max(len(item.name) for item in arch.hierarchy)
    copies = {item.name: f'x{arch.instances(item.name)}' for item in arch.hierarchy}
    copies_width = max(len(text) for text in copies.values())
    lines = [f'    {item.name:<{name_width}}  {copies[item.name]:>{copies_width}}  {_describe(item, arch)}'
             for item in arch.hierarchy]
    return '\n'.join(header + lines)


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
