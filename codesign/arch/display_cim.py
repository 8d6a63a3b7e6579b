"""`codesign arch show` for compute-in-memory specs: the macro's parameters and per-action energies."""

from codesign.arch.cim import CrossbarConfig, FefetArrayConfig
from codesign.arch.schema import Architecture


def format_cim(arch: Architecture) -> list[str]:
    macro = arch.compute
    lines = [f'  {arch.technology_node_m * 1e9:g} nm, {arch.dataflow} dataflow; macro {macro.name} ({macro.kind}):']
    lines += [f'    {field:<28} {value}' for field, value in macro.model_dump().items() if field not in ('kind', 'name')]
    lines.append('  per-action energy (built-in component models):')
    return lines + [f'    {text}' for text in (_crossbar_energy(macro) if isinstance(macro, CrossbarConfig)
                                               else _fefet_energy(macro))]


def _crossbar_energy(config: CrossbarConfig) -> list[str]:
    from codesign.cost.crossbar import crossbar_energies  # the cost package imports the arch package

    energies = crossbar_energies(config)
    return [
        f'cell read {energies.cell_read_J * 1e15:.3g} fJ, row drive {energies.row_drive_J * 1e12:.3g} pJ',
        f'ADC conversion ({config.adc_model}, {config.adc_sample_rate_Hz / 1e9:g} GS/s): ' + ', '.join(
            f'{bits} b {energy * 1e12:.3g} pJ' for bits, energy in enumerate(energies.adc_conversion_J) if bits),
        f'shift-and-add {energies.shift_add_J * 1e12:.3g} pJ, buffer {energies.buffer_per_bit_J * 1e12:.3g} pJ/bit, '
        f'NoC {energies.noc_per_bit_J * 1e12:.3g} pJ/bit, DRAM {energies.dram_per_bit_J * 1e12:.3g} pJ/bit',
    ]


def _fefet_energy(config: FefetArrayConfig) -> list[str]:
    from codesign.cost.fefet import mac_column_energy, mac_error_rate, sensing_margin_V

    column = mac_column_energy(config, config.rows)
    cell_error, output_error = mac_error_rate(config, config.rows)
    return [
        'one column, one input-bit cycle (bit density 0.5): ' + ', '.join(
            f'{key} {energy * 1e15:.3g} fJ' for key, energy in column.items()),
        f'cycle {config.cycle_s * 1e9:.3g} ns; sensing margin {sensing_margin_V(config) * 1e3:.3g} mV; '
        f'cell mis-read {cell_error:.2g}, MAC output error {output_error:.2g} at {config.rows} rows',
    ]
