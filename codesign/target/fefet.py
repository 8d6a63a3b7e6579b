"""1FeFET-1C charge-domain compute-in-memory macros (kind `fefet_array`): im2col placement,
charge sharing on each column, a column ADC (codesign/cost/fefet.py); also parallel
associative search (codesign/cost/fefet_search.py)."""

from __future__ import annotations

from dataclasses import replace

from codesign.accuracy.analog import FEFET_INPUT_BITS, FEFET_WEIGHT_BITS, AnalogMacro, fefet_macro
from codesign.arch.cim import FefetArrayConfig
from codesign.arch.schema import Architecture
from codesign.cost import fefet
from codesign.cost.attribution import attributed
from codesign.cost.epilogues import Epilogue
from codesign.cost.fefet_search import SearchCost, evaluate_search
from codesign.cost.in_memory import calibrated, periphery
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
        self.hardware = periphery(arch, FEFET_INPUT_BITS, self.macro.dram_J_per_bit, self.macro.arrays)
        self.mappings_evaluated = 0
        self.capabilities = Capabilities(
            native_bits=LayerBits(FEFET_WEIGHT_BITS, FEFET_INPUT_BITS, FEFET_INPUT_BITS),
            precision_scalable=True, fused_schedules=False, associative_search=True,
            placement="im2col onto the compute-in-memory macro")

    def bits(self, node: Node) -> LayerBits:
        return supported_bits(node, self.capabilities.native_bits, self.arch.name)

    def map_layer(self, node: Node) -> MappedLayer:
        bits = self.bits(node)
        cost = fefet.evaluate_layer(node.loop_nest, self.macro, bits.weight, bits.input,
                                    name=node.name, op=node.op.value)
        shares = fefet.tensor_shares(node.loop_nest, self.macro, bits.weight, bits.input)
        cost = calibrated(clocked(cost, self.arch.clock_frequency_Hz), self.macro.calibration, self.macro.adc_bits)
        return MappedLayer(replace(attributed(cost, shares), bits=bits.as_dict()))

    def cost_op(self, node: Node, epilogue: Epilogue | None = None) -> LayerCost:
        if epilogue is None:
            return vector_cost(node, self.hardware)
        return vector_cost(node, self.hardware, epilogue.host, epilogue.on_chip)

    def search_cost(self, patterns: int, bits: int, queries: int) -> SearchCost:
        """`queries` nearest-pattern searches among `patterns` stored patterns of `bits` bits."""
        return calibrated(evaluate_search(patterns, bits, queries, self.macro), self.macro.calibration,
                          self.macro.adc_bits)

    def area_m2(self) -> dict[str, float]:
        return {}

    def leakage_W(self) -> float:
        return 0.0

    def action_energies(self) -> tuple[ActionEnergy, ...]:
        macro = self.macro
        column = fefet.mac_column_energy(macro, macro.rows)
        per = f"column of {macro.rows} rows, one input-bit cycle (bit density 0.5)"
        rows = [ActionEnergy("column", key, energy, per, BUILT_IN) for key, energy in column.items()]
        rows.append(ActionEnergy("buffer", "access", fefet.buffer_energy_per_bit_J(macro), "bit", BUILT_IN))
        rows.append(ActionEnergy("dram", "access", macro.dram_J_per_bit, "bit", "spec"))
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
