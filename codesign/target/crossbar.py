"""ADC-limited analog crossbars (kind `crossbar`, ISAAC- and NeuroSim-like): im2col placement,
bit-sliced weights, bit-serial inputs, survey-fitted ADCs (codesign/cost/crossbar.py).

A layer is costed at its bits from the IR: weight slices = ceil(weight bits / cell bits),
input cycles = input bits / bits per cycle, the ADC resolution each crossbar's reads need
(fewer active rows, fewer cells that are really non-zero under the weight encoding, or
narrower weights than a cell holds, need fewer bits, up to the spec's adc_bits), the
shift-and-add as wide as its partial sums, and the buffer, NoC and DRAM moving its weights,
inputs and outputs at their widths. The non-zero cells are counted on the weights quantized
at the layer's bits by codesign/cost/crossbar_cells.py, which the accuracy emulator shares.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy

from codesign.accuracy.analog import AnalogMacro, crossbar_macro
from codesign.arch.cim import CrossbarConfig
from codesign.arch.schema import Architecture
from codesign.cost import crossbar
from codesign.cost.attribution import attributed
from codesign.cost.crossbar_cells import cell_layout, nonzero_rows_by_crossbar, weight_levels
from codesign.cost.epilogues import Epilogue
from codesign.cost.in_memory import (
    calibrated_row_energy, cim_chip, periphery, weight_matrices, weights_absent,
)
from codesign.cost.result import LayerCost
from codesign.cost.vector import vector_cost
from codesign.ir import LayerBits, Node
from codesign.target.bits import supported_bits
from codesign.target.contract import ActionEnergy, Capabilities, MappedLayer, MapperSettings
from codesign.target.registry import register


@register
class CrossbarTarget:
    kind = "crossbar"

    def __init__(self, arch: Architecture, mapper: MapperSettings) -> None:
        self.arch, self.mapper = arch, mapper
        self.macro: CrossbarConfig = arch.compute
        self.chip = cim_chip(arch)
        self.parts = crossbar.crossbar_parts(self.macro, self.chip)
        self.energies = crossbar.crossbar_energies(self.macro, self.chip)
        self._layer_energies: dict[tuple[int, int], crossbar.CrossbarEnergies] = {}
        self.hardware = periphery(arch, self.chip, self.macro.input_bits, self.macro.tiles)
        self.mappings_evaluated = 0
        self.capabilities = Capabilities(
            native_bits=LayerBits(self.macro.weight_bits, self.macro.input_bits, self.macro.input_bits),
            precision_scalable=True, fused_schedules=False, associative_search=False,
            placement="im2col onto the compute-in-memory macro")

    def bits(self, node: Node) -> LayerBits:
        return supported_bits(node, self.capabilities.native_bits, self.arch.name)

    def layer_config(self, bits: LayerBits) -> CrossbarConfig:
        """The macro as a layer of `bits` uses it (a weight narrower than a cell uses its lowest levels)."""
        return self.macro.model_copy(update={
            "weight_bits": bits.weight, "input_bits": bits.input, "cell_bits": min(self.macro.cell_bits, bits.weight),
            "input_bits_per_cycle": min(self.macro.input_bits_per_cycle, bits.input)})

    def prepare(self, nodes: Sequence[Node], on_mapped: Callable[[int, int], None] | None = None) -> None:
        """Nothing to do ahead: layers are placed by a fixed rule, one at a time."""

    def map_layer(self, node: Node) -> MappedLayer:
        bits = self.bits(node)
        config = self.layer_config(bits)
        result = crossbar.evaluate_layer(node.loop_nest, config, self.energies_at(config), self.nonzero_rows(node, config),
                                         output_bits=bits.output)
        cost = crossbar.to_layer_cost(node.name, node.op.value, node.macs, result, self.arch.clock_frequency_Hz)
        if weights_absent(node):
            cost = replace(cost, mapping={**cost.mapping, "adc_bits_basis": "dense: the weights are absent"})
        cost = attributed(cost, result.tensor_shares)
        return MappedLayer(replace(cost, bits=bits.as_dict()))

    def nonzero_rows(self, node: Node, config: CrossbarConfig | None = None) -> numpy.ndarray | None:
        """Per crossbar [groups, polarities, row tiles, column tiles per array], the most non-zero
        cells a column holds in one read (crossbar_cells.py), at the node's bits; None when its
        weights are not constants (dense)."""
        config = config or self.layer_config(self.bits(node))
        matrices = weight_matrices(node)
        if matrices is None:
            return None
        levels = weight_levels(matrices, config.weight_bits)
        layout = cell_layout(config)
        return numpy.stack([nonzero_rows_by_crossbar(group, layout) for group in levels])

    def energies_at(self, config: CrossbarConfig) -> crossbar.CrossbarEnergies:
        """Per-action energies at a layer's bits (the shift-and-add is as wide as its partial sums),
        scaled by the spec's SPICE calibration, if any."""
        key = (config.weight_bits, config.input_bits)
        if key not in self._layer_energies:
            self._layer_energies[key] = crossbar.calibrated_energies(crossbar.crossbar_energies(config, self.chip),
                                                                     self.macro.calibration, config.rows_per_read)
        return self._layer_energies[key]

    def cost_op(self, node: Node, epilogue: Epilogue | None = None) -> LayerCost:
        if epilogue is None:
            return vector_cost(node, self.hardware)
        return vector_cost(node, self.hardware, epilogue.host, epilogue.on_chip)

    def area_m2(self) -> dict[str, float]:
        return self.parts.area_m2()

    def leakage_W(self) -> float:
        return self.parts.leakage_W()

    def action_energies(self) -> tuple[ActionEnergy, ...]:
        energies, macro, chip = self.energies, self.macro, self.chip
        adc_source = f"built-in: {macro.adc_model} ADC model, {macro.adc_sample_rate_Hz / 1e9:g} GS/s"
        rows = [self._row("array", "cell read", energies.cell_read_J, "cell on a driven row", "spec"),
                self._row("dac", "row drive", energies.row_drive_J, "row per read", "spec")]
        rows += [self._row("adc", "conversion", energy, f"{bits}-bit conversion", adc_source, bits)
                 for bits, energy in enumerate(energies.adc_conversion_J) if bits]
        rows += [self._row("shift_add", "add", energies.shift_add_J, f"{self.parts.shift_add.bits}-bit partial sum",
                           "built-in: Horowitz 2014 add"),
                 self._row("buffer", "access", energies.buffer_per_bit_J, "bit", chip.buffer.source),
                 self._row("noc", "transfer", energies.noc_per_bit_J, "bit", "built-in: wires (Keckler 2011)"),
                 self._row("dram", "access", energies.dram_per_bit_J, "bit", chip.dram.source)]
        return tuple(rows)

    def _row(self, component: str, action: str, energy_J: float, per: str, source: str,
             bits: int | None = None) -> ActionEnergy:
        """A row as the cost model uses it: scaled by the SPICE calibration of its term, if any."""
        energy_J, source = calibrated_row_energy(energy_J, source, self.macro.calibration, component, bits,
                                                 self.macro.rows_per_read)
        return ActionEnergy(component, action, energy_J, per, source)

    def summary(self) -> str:
        macro = self.macro
        return (f'{macro.arrays} crossbars of {macro.rows}x{macro.columns} {macro.cell_bits}-bit '
                f'cells, {macro.adcs} {macro.adc_bits}-bit ADCs')

    def notes(self) -> tuple[str, ...]:
        lines = [f"{self.chip.buffer.spec.name} is one tile's buffer: {self.macro.tiles} of them on the chip "
                 "(area and leakage count them all)"]
        if self.macro.calibration is not None:
            lines.append(f"energy terms scaled by a SPICE calibration: {self.macro.calibration.source}")
        return tuple(lines)

    def dot_product(self, node: Node) -> AnalogMacro:
        bits = self.bits(node)
        return crossbar_macro(self.macro, bits.weight, bits.input)
