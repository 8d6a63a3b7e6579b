"""1FeFET-1C charge-domain compute-in-memory macros (kind `fefet_array`): im2col placement,
charge sharing on each column, a column ADC (codesign/cost/fefet.py); also parallel
associative search (codesign/cost/fefet_search.py).

A layer is costed at its bits from the IR (the spec's weight_bits and input_bits are the widest
it supports): weight slices = ceil(weight bits / cell bits), one cycle per input bit, the
shift-and-add as wide as its partial sums, the buffer and DRAM moving each tensor at its width.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from codesign.accuracy.analog import AnalogMacro, fefet_macro
from codesign.arch.cim import FefetArrayConfig
from codesign.arch.schema import Architecture
from codesign.cost import fefet
from codesign.cost.attribution import attributed
from codesign.cost.epilogues import Epilogue
from codesign.cost.fefet_search import SearchCost, evaluate_search
from codesign.cost.in_memory import calibrated, calibrated_row_energy, cim_chip, periphery
from codesign.cost.result import LayerCost, clocked
from codesign.cost.vector import vector_cost
from codesign.ir import LayerBits, Node
from codesign.target.bits import supported_bits
from codesign.target.contract import ActionEnergy, Capabilities, MappedLayer, MapperSettings
from codesign.target.registry import register

BUILT_IN = "built-in: codesign/cost/fefet.py (C V^2, Walden ADC)"


@register
class FefetTarget:
    kind = "fefet_array"

    def __init__(self, arch: Architecture, mapper: MapperSettings) -> None:
        self.arch, self.mapper = arch, mapper
        self.macro: FefetArrayConfig = arch.compute
        self.chip = cim_chip(arch)
        self.parts = fefet.fefet_parts(self.macro, self.chip)
        self.hardware = periphery(arch, self.chip, self.macro.input_bits, self.macro.arrays)
        self.mappings_evaluated = 0
        self.capabilities = Capabilities(
            native_bits=LayerBits(self.macro.weight_bits, self.macro.input_bits, self.macro.input_bits),
            precision_scalable=True, fused_schedules=False, associative_search=True,
            placement="im2col onto the compute-in-memory macro")

    def bits(self, node: Node) -> LayerBits:
        return supported_bits(node, self.capabilities.native_bits, self.arch.name)

    def layer_config(self, bits: LayerBits) -> FefetArrayConfig:
        """The macro as a layer of `bits` uses it (a weight narrower than a cell uses its lowest levels)."""
        return self.macro.model_copy(update={"weight_bits": bits.weight, "input_bits": bits.input,
                                             "cell_bits": min(self.macro.cell_bits, bits.weight)})

    def prepare(self, nodes: Sequence[Node], on_mapped: Callable[[int, int], None] | None = None) -> None:
        """Nothing to do ahead: layers are placed by a fixed rule, one at a time."""

    def map_layer(self, node: Node) -> MappedLayer:
        bits = self.bits(node)
        config = self.layer_config(bits)
        cost = fefet.evaluate_layer(node.loop_nest, config, self.chip, output_bits=bits.output,
                                    name=node.name, op=node.op.value)
        shares = fefet.tensor_shares(node.loop_nest, config, bits.output)
        cost = calibrated(clocked(cost, self.arch.clock_frequency_Hz), self.macro.calibration, self.macro.adc_bits)
        return MappedLayer(replace(attributed(cost, shares), bits=bits.as_dict()))

    def cost_op(self, node: Node, epilogue: Epilogue | None = None) -> LayerCost:
        if epilogue is None:
            return vector_cost(node, self.hardware)
        return vector_cost(node, self.hardware, epilogue.host, epilogue.on_chip)

    def search_cost(self, patterns: int, bits: int, queries: int, *, on_chip: bool = False) -> SearchCost:
        """`queries` nearest-pattern searches among `patterns` stored patterns of `bits` bits
        (`on_chip`: patterns stored before, queries from the buffer; cost/fefet_search.py)."""
        cost = evaluate_search(patterns, bits, queries, self.macro, self.chip, on_chip=on_chip)
        return calibrated(cost, self.macro.calibration, self.macro.adc_bits)

    def area_m2(self) -> dict[str, float]:
        return self.parts.area_m2()

    def leakage_W(self) -> float:
        return self.parts.leakage_W()

    def action_energies(self) -> tuple[ActionEnergy, ...]:
        macro, chip = self.macro, self.chip
        column = fefet.mac_column_energy(self.parts, macro.rows)
        per = f"column of {macro.rows} rows, one input-bit cycle (bit density 0.5)"
        rows = []
        for key, energy in column.items():
            energy, source = calibrated_row_energy(energy, BUILT_IN, macro.calibration, key, macro.adc_bits)
            rows.append(ActionEnergy("column", key, energy, per, source))
        rows.append(ActionEnergy("cell", "write", macro.write_energy_per_cell_J,
                                 f"cell; a row in {macro.write_time_per_row_s * 1e9:.3g} ns (neuro-symbolic schedule)",
                                 "spec: write_energy_per_cell_J"))
        rows.append(ActionEnergy("buffer", "access", chip.buffer.per_bit_J, "bit", chip.buffer.source))
        rows.append(ActionEnergy("dram", "access", chip.dram.per_bit_J, "bit", chip.dram.source))
        return tuple(rows)

    def summary(self) -> str:
        macro = self.macro
        return (f'{macro.arrays} arrays of {macro.rows}x{macro.columns} {macro.cell_bits}-bit 1FeFET-1C cells, '
                f'{macro.adc_bits}-bit column ADCs')

    def notes(self) -> tuple[str, ...]:
        macro = self.macro
        cell_error, output_error = fefet.mac_error_rate(macro, macro.rows)
        lines = [f"cycle {macro.cycle_s * 1e9:.3g} ns; sensing margin {fefet.sensing_margin_V(macro) * 1e3:.3g} mV; "
                 f"cell mis-read {cell_error:.2g}, MAC output error {output_error:.2g} at {macro.rows} rows"]
        if macro.calibration is not None:
            lines.append(f"energy terms scaled by a SPICE calibration: {macro.calibration.source}")
        return tuple(lines)

    def dot_product(self, node: Node) -> AnalogMacro:
        bits = self.bits(node)
        return fefet_macro(self.macro, bits.weight, bits.input)
