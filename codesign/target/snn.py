"""Spiking-neural-network accelerators (kind `snn_cores`, Loihi- and ODIN-like): a converted
network's events (convert-snn's SynapticEvents and SpikingNeuron annotations) costed per event
(codesign/cost/snn.py). A graph that was not converted is a one-line error: the target costs
spikes, and only convert-snn measures them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

from codesign.accuracy.quantize import DigitalDot
from codesign.arch.energy import memory_level_model
from codesign.arch.components.calibrated import calibrated_source
from codesign.arch.components.scaling import energy_scale
from codesign.arch.schema import Architecture
from codesign.arch.snn import SNN_ENERGY_KEYS, SnnCores
from codesign.cost import snn
from codesign.cost.epilogues import Epilogue
from codesign.cost.hardware import Hardware, Level
from codesign.cost.result import LayerCost, whole_cycles
from codesign.errors import CodesignError
from codesign.ir import LayerBits, Node, SpikingNeuron, SynapticEvents
from codesign.target.bits import supported_bits
from codesign.target.contract import ActionEnergy, Capabilities, MappedLayer, MapperSettings
from codesign.target.registry import register

TENSOR_OF = {'synapses': 'compute', 'synapse_memory': 'weight', 'neurons': 'compute', 'routing': 'output'}
"""How each energy term divides among tensors: accumulates and membrane updates are the
computation, synapse reads move weights, routed spikes are the layer's outputs."""


@register
class SnnTarget:
    kind = "snn_cores"

    def __init__(self, arch: Architecture, mapper: MapperSettings) -> None:
        self.arch, self.mapper = arch, mapper
        self.cores: SnnCores = calibrated(arch.compute, arch.technology_node_m)
        self.hardware = _host(arch)
        self.mappings_evaluated = 0
        self.capabilities = Capabilities(
            native_bits=LayerBits(self.cores.weight_bits, 16, 16), precision_scalable=False, fused_schedules=False,
            associative_search=False, placement="event-driven on neuromorphic cores (after convert-snn)")

    def bits(self, node: Node) -> LayerBits:
        return supported_bits(node, self.capabilities.native_bits, self.arch.name)

    def prepare(self, nodes: Sequence[Node], on_mapped: Callable[[int, int], None] | None = None) -> None:
        """Nothing to do ahead: layers are placed by a fixed rule, one at a time."""

    def map_layer(self, node: Node) -> MappedLayer:
        events = node.annotation(SynapticEvents)
        if events is None:
            raise CodesignError(f"layer '{node.name}': {self.arch.name} costs spiking events; run -p convert-snn first")
        bits = self.bits(node)
        dense = events.input_spike_rate * events.timesteps * node.macs
        synapse_events = snn.SynapseEvents(events.synaptic_operations, max(dense, events.synaptic_operations),
                                           events.analog_inputs, bits.weight)
        cost = snn.synapse_cost(synapse_events, self.cores)
        mapping = {"timesteps": events.timesteps, "synaptic_operations": events.synaptic_operations,
                   "dense_operations": synapse_events.dense_operations, "operations": cost.operations,
                   "input_spike_rate": events.input_spike_rate, "synapse_format": self.cores.synapse_format,
                   "multiply_accumulates": events.analog_inputs}
        return MappedLayer(replace(self._layer_cost(node, cost, mapping), bits=bits.as_dict()))

    def cost_op(self, node: Node, epilogue: Epilogue | None = None) -> LayerCost:
        """A ReLU that convert-snn made a neuron layer: its updates and spikes; any other op
        (pooling gates, views, additions of spike currents) is done by the cores for free here."""
        neuron = node.annotation(SpikingNeuron)
        if neuron is None:
            return self._layer_cost(node, snn.EventCost({key: 0.0 for key in SNN_ENERGY_KEYS}, 1, 0.0), None)
        count = math.prod(node.outputs[0].type.shape[1:])
        spikes = neuron.spike_rate * count * neuron.timesteps
        cost = snn.neuron_cost(count, neuron.timesteps, spikes, self.cores)
        return self._layer_cost(node, cost, {"neurons": count, "timesteps": neuron.timesteps, "spikes": spikes,
                                             "spike_rate": neuron.spike_rate})

    def _layer_cost(self, node: Node, cost: snn.EventCost, mapping: dict | None) -> LayerCost:
        clock = self.arch.clock_frequency_Hz
        cycles = whole_cycles(cost.cycles)
        breakdown = {key: cost.breakdown_J.get(key, 0.0) for key in SNN_ENERGY_KEYS}
        by_tensor: dict[str, float] = {}
        for key, energy in breakdown.items():
            by_tensor[TENSOR_OF[key]] = by_tensor.get(TENSOR_OF[key], 0.0) + energy
        capacity = cycles * self.cores.cores * self.cores.synaptic_ops_per_cycle
        return LayerCost(name=node.name, op=node.op.value, macs=node.macs, energy_J=sum(breakdown.values()),
                         latency_s=cycles / clock, cycles=cycles, utilization=min(1.0, cost.operations / capacity),
                         dram_bytes=0.0, energy_breakdown_J=breakdown, energy_by_tensor_J=by_tensor, mapping=mapping)

    def area_m2(self) -> dict[str, float]:
        return {"cores": self.cores.cores * self.cores.core_area_m2}

    def leakage_W(self) -> float:
        return self.cores.leakage_W

    def action_energies(self) -> tuple[ActionEnergy, ...]:
        cores = self.cores
        calibrated = "spec" if cores.calibration is None else calibrated_source(cores.calibration)
        rows = [ActionEnergy("synapses", "accumulate", cores.synaptic_op_energy_J, f"{cores.weight_bits}-bit synaptic event",
                             calibrated),
                ActionEnergy("synapses", "multiply-accumulate", cores.multiply_accumulate_energy_J, "analog input", "spec"),
                ActionEnergy("neurons", "update", cores.neuron_update_energy_J, "neuron per timestep", calibrated),
                ActionEnergy("routing", "hop", cores.spike_hop_energy_J, f"spike per hop ({cores.hops_per_spike:g} per spike)",
                             "spec")]
        if cores.synapse_read_energy_J_per_bit:
            rows.append(ActionEnergy("synapse_memory", "read", cores.synapse_read_energy_J_per_bit, "bit", "spec"))
        return tuple(rows)

    def summary(self) -> str:
        cores = self.cores
        return (f"{cores.cores} cores x {cores.neurons_per_core} neurons, {cores.weight_bits}-bit synapses "
                f"({cores.synapse_format}), {cores.synaptic_ops_per_cycle} synaptic ops per core per cycle")

    def notes(self) -> tuple[str, ...]:
        return ("costs a graph converted by convert-snn: its events (spikes, synaptic operations) per inference",
                f"{self.arch.memory_levels[0].name} stands for the host: weights stay in the synapse memories, "
                "nothing is charged to it")

    def dot_product(self, node: Node) -> DigitalDot:
        """--accuracy: the ANN at the synapses' weight bits (the spiking accuracy is convert-snn's)."""
        bits = self.bits(node)
        return DigitalDot(bits.weight, 16, 32)


def _host(arch: Architecture) -> Hardware:
    """The outermost level as a one-level Hardware (nothing in the cost model reads it: fused
    schedules do not apply; the contract asks every target for one)."""
    level = arch.memory_levels[0]
    model, _ = memory_level_model(level, arch.technology_node_m)
    word_bits = level.word_bits
    word_J = model.read().energy_J * word_bits / level.width_bits
    dram = Level(level.name, 0, ("weight", "input", "output"), math.inf, word_bits / 8, word_J, word_J,
                 level.bandwidth_at(arch.clock_frequency_Hz) / arch.clock_frequency_Hz * 8 / word_bits, shared_port=True)
    return Hardware(arch.name, (dram,), (), 1, 0.0, arch.compute.cores, arch.clock_frequency_Hz, {}, operand_bits=word_bits)


def calibrated(cores: SnnCores, node_m: float) -> SnnCores:
    """`cores` with its RTL calibration's energies in place of the spec's (unchanged without one).
    The fit per_bit * bits + constant is the spec's own form: synaptic_op_energy_J at weight_bits,
    of which per_bit * weight_bits is the share that scales with the weight's bits."""
    if cores.calibration is None:
        return cores
    scale = energy_scale(cores.calibration.technology_node_m, node_m)
    synaptic = cores.calibration.synaptic_op_J
    synaptic_op = synaptic.at(cores.weight_bits) * scale
    return cores.model_copy(update={
        "synaptic_op_energy_J": synaptic_op,
        "synaptic_op_bits_share": min(1.0, max(0.0, synaptic.per_bit * cores.weight_bits * scale / synaptic_op)),
        "neuron_update_energy_J": cores.calibration.neuron_update_J.at(cores.current_bits) * scale})
