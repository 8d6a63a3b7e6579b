"""The converted architecture as spec YAML: a header comment with the sources, the choices made
and everything not converted, then the spec, one field a line as the shipped specs are written."""

import json

from codesign.arch.importers.model import Compute, Converted, Energies, Fanout, Memory


def spec_text(converted: Converted) -> str:
    lines = [f'# Imported by `codesign arch import` from {", ".join(converted.sources)}.',
             '# Choices made here (the source does not say):']
    lines += [f'#   - {choice}' for choice in converted.choices] or ['#   (none)']
    lines += ['# Not converted (the spec cannot say it):']
    lines += [f'#   - {item}' for item in converted.not_converted] or ['#   (nothing)']
    lines += [f'name: {converted.name}',
              f'description: {_string(converted.description)}',
              f'technology_node_m: {_number(converted.technology_node_m)}',
              f'clock_frequency_Hz: {_number(converted.clock_frequency_Hz)}',
              f'dataflow: {converted.dataflow}',
              'hierarchy:']
    for component in converted.hierarchy:
        lines += _component(component)
    return '\n'.join(_one_line(line) for line in lines) + '\n'


def _component(component: Memory | Fanout | Compute) -> list[str]:
    if isinstance(component, Memory):
        lines = ['  - kind: memory', f'    name: {component.name}', f'    technology: {component.technology}',
                 f'    capacity_bytes: {"null" if component.capacity_bytes is None else component.capacity_bytes}',
                 f'    word_bits: {component.word_bits}', f'    width_bits: {component.width_bits}']
        if component.bandwidth_bytes_per_second is not None:
            lines.append(f'    bandwidth_bytes_per_second: {_number(component.bandwidth_bytes_per_second)}')
        lines.append(f'    holds: [{", ".join(component.holds)}]')
        return lines + _energy(component.energies)
    if isinstance(component, Fanout):
        lines = ['  - kind: spatial', f'    name: {component.name}', '    axes:']
        for axis in component.axes:
            lines += [f'      - name: {axis.name}', f'        size: {axis.size}',
                      f'        unroll: [{", ".join(axis.unroll)}]']
        return lines
    return ['  - kind: compute', f'    name: {component.name}', f'    operand_bits: {component.operand_bits}',
            f'    accumulator_bits: {component.accumulator_bits}'] + _energy(component.energies)


def _energy(energies: Energies | None) -> list[str]:
    if energies is None:
        return []
    fields = [f'{field}: {_number(value)}' for field, value in energies.values]
    return [f'    energy: {{{", ".join(fields + [f"source: {_string(energies.source)}"])}}}']


def _number(value: float) -> str:
    # Ten significant digits keep every published value exactly; always with a dot or exponent,
    # so that the spec reader takes it as a float (the schema wants floats for quantities).
    text = f'{float(value):.10g}'
    return text if any(mark in text for mark in '.e') else f'{text}.0'


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)  # a JSON string is a YAML double-quoted scalar


def _one_line(line: str) -> str:
    return ' '.join(line.splitlines())
