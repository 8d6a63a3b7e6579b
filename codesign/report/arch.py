"""`codesign arch show`: an architecture as text, from the spec and from its target.

The header and the hierarchy come from the spec; the per-action energies (with where each
number comes from), area, leakage and any further notes come from the target (one lookup,
codesign/target), so every target family displays the same way.
"""

from __future__ import annotations

from codesign.arch.cim import Calibration
from codesign.arch.schema import Architecture, MemoryLevel, SpatialFanout
from codesign.target import Target, target_for


def format_arch(arch: Architecture) -> str:
    """A readable summary; display units, not SI, for reading ease."""
    target = target_for(arch)
    header = [
        f'{arch.name}: {arch.description}',
        f'  {arch.technology_node_m * 1e9:g} nm, {_frequency(arch.clock_frequency_Hz)}, {arch.dataflow} dataflow, '
        + target.summary(),
        '  hierarchy, outermost first (xN: instances):',
    ]
    return '\n'.join(header + _hierarchy(arch) + _energies(arch, target) + _area(target) + _notes(target)
                     + _calibration(arch))


def _hierarchy(arch: Architecture) -> list[str]:
    name_width = max(len(item.name) for item in arch.hierarchy)
    copies = {item.name: f'x{arch.instances(item.name)}' for item in arch.hierarchy}
    copies_width = max(len(text) for text in copies.values())
    lines = []
    for item in arch.hierarchy:
        lines.append(f'    {item.name:<{name_width}}  {copies[item.name]:>{copies_width}}  {_describe(item, arch)}')
        if item is arch.compute:
            lines += [f'      {field:<28} {value}' for field, value in item.model_dump().items()
                      if field not in ('kind', 'name', 'calibration')]
    return lines


def _energies(arch: Architecture, target: Target) -> list[str]:
    rows = target.action_energies()
    header = f'  per-action energy ({arch.technology_node_m * 1e9:g} nm; [source]):'
    width = max(len(f'{row.component} {row.action}') for row in rows)
    return [header] + [f'    {row.component + " " + row.action:<{width}}  {_joules(row.energy_J):>9} per {row.per}'
                       f'  [{row.source}]' for row in rows]


def _area(target: Target) -> list[str]:
    areas = {name: area for name, area in target.area_m2().items() if area > 0}
    lines = [f'  area {sum(areas.values()) * 1e6:.4g} mm^2' + (
        ': ' + ', '.join(f'{name} {area * 1e6:.3g}' for name, area in areas.items()) if areas else
        ' (not modelled for this target)')]
    return lines + [f'  leakage {target.leakage_W() * 1e3:.4g} mW']


def _notes(target: Target) -> list[str]:
    return [f'  {note}' for note in target.notes()]


def _calibration(arch: Architecture) -> list[str]:
    """A CiM macro's SPICE calibration factors, with their uncertainties and the form changes."""
    calibration = getattr(arch.compute, 'calibration', None)
    if not isinstance(calibration, Calibration):
        return []
    fit = calibration.fit
    factors = [(f'{group}.{key}', value) for group in ('energy_scale', 'per_bit')
               for key, value in getattr(calibration, group).items()]
    factors += [(f'added.{key}.{part}', value) for key, added in calibration.added.items()
                for part, value in added.model_dump().items()]
    text = ', '.join(f'{name} {value:.4g}' + (f' +- {fit.standard_errors[name]:.2g}'
                                              if fit and name in fit.standard_errors else '')
                     for name, value in factors)
    if fit is None:
        text += ' (no uncertainties recorded: regenerate with codesign calibrate)'
    else:
        where = ', '.join(f'{key} {value:g}' for key, value in fit.worst_point.items())
        text += (f'; residual RMS {100 * fit.rms_relative_residual:.1f}%, worst '
                 f'{100 * fit.worst_relative_residual:+.1f}% ({where})')
    # a per-bit factor changes the form whether or not the file (older ones) says so
    forms = {f'per_bit.{key}': f'the term is multiplied by {value:.4g}**bits, whatever its own bit dependence'
             for key, value in calibration.per_bit.items()} | calibration.form_changes
    return [f'  SPICE calibration factors: {text}'] + [
        f'    {name} changes the model\'s form: {explanation}' for name, explanation in forms.items()]


def _joules(joules: float) -> str:
    for scale, unit in ((1e-9, 'nJ'), (1e-12, 'pJ'), (1e-15, 'fJ')):
        if joules >= scale:
            return f'{joules / scale:.3g} {unit}'
    return f'{joules / 1e-18:.3g} aJ'


def _describe(item, arch: Architecture) -> str:
    if isinstance(item, MemoryLevel):
        holds = '+'.join(str(tensor) for tensor in item.holds)
        bandwidth = item.bandwidth_at(arch.clock_frequency_Hz) / 1e9
        return (f'memory   {item.technology:<7}  {_size(item.capacity_bytes):>9}  word {item.word_bits} b, '
                f'width {item.width_bits} b, {bandwidth:.4g} GB/s, holds {holds}')
    if isinstance(item, SpatialFanout):
        axes = ' x '.join(f'{axis.name}={axis.size} ({",".join(axis.unroll)})' for axis in item.axes)
        systolic = ', systolic' if item.systolic else ''
        return f'spatial  {axes}: fan-out {item.fanout}{systolic}'
    return f'{item.kind}:'


def _size(capacity_bytes: int | None) -> str:
    if capacity_bytes is None:
        return 'unbounded'
    for unit, scale in (('MiB', 2**20), ('KiB', 2**10)):
        if capacity_bytes >= scale:
            return f'{capacity_bytes / scale:g} {unit}'
    return f'{capacity_bytes} B'


def _frequency(hertz: float) -> str:
    return f'{hertz / 1e9:g} GHz' if hertz >= 1e9 else f'{hertz / 1e6:g} MHz'
