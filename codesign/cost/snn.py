"""The event-driven cost of a converted spiking network on neuromorphic cores (kind snn_cores).

Events come from convert-snn's simulation (the IR's SynapticEvents and SpikingNeuron
annotations), per inference of T timesteps:
  synapses        accumulates: each event of a non-zero input meeting a stored weight, at
                  synaptic_op_energy_J scaled to the layer's weight bits (the share
                  synaptic_op_bits_share scales with bits); a 'dense' synapse format accumulates
                  every stored weight, zeros too (input events x full fan-out), the compressed
                  formats only non-zero ones; analog inputs (the first layer under direct coding)
                  are multiply-accumulates at multiply_accumulate_energy_J
  synapse_memory  bits read per event where the spec gives synapse_read_energy_J_per_bit:
                  dense: the fan-out's weights; bitmap: one presence bit per synapse plus the
                  non-zero weights; run_length: the non-zero weights with their index bits
  neurons         every neuron of a spiking layer updated every timestep (NeuroBench's membrane
                  updates)
  routing         every output spike x hops_per_spike x spike_hop_energy_J
Latency, layer by layer (each layer uses every core in turn, a conservative simplification of a
chip that runs all layers at once): its accumulates over cores x synaptic_ops_per_cycle, its
neuron updates over cores x neuron_updates_per_cycle; a layer with more neurons than the chip
runs in ceil(neurons / chip neurons) passes. Not modelled: the host interface (the outermost
level), learning, the barrier between timesteps.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from codesign.arch.snn import SnnCores


@dataclass(frozen=True)
class SynapseEvents:
    """One compute layer's synaptic events per inference."""

    effective_operations: float
    """Non-zero input x non-zero weight events."""
    dense_operations: float
    """Non-zero input x every stored weight of its fan-out (zeros too)."""
    analog_inputs: bool
    weight_bits: int


@dataclass(frozen=True)
class EventCost:
    breakdown_J: dict[str, float]
    cycles: float
    operations: float
    """Accumulates (or multiply-accumulates) performed."""


def synaptic_op_energy_J(cores: SnnCores, weight_bits: int) -> float:
    """One synaptic event of a `weight_bits` weight (module docstring)."""
    share = cores.synaptic_op_bits_share
    return cores.synaptic_op_energy_J * ((1 - share) + share * weight_bits / cores.weight_bits)


def synapse_cost(events: SynapseEvents, cores: SnnCores) -> EventCost:
    """Accumulates and synapse-memory reads of one layer (module docstring)."""
    dense = cores.synapse_format == 'dense'
    operations = events.dense_operations if dense else events.effective_operations
    energy = cores.multiply_accumulate_energy_J if events.analog_inputs else synaptic_op_energy_J(cores, events.weight_bits)
    read_bits = {'dense': events.dense_operations * events.weight_bits,
                 'bitmap': events.dense_operations + events.effective_operations * events.weight_bits,
                 'run_length': events.effective_operations * (events.weight_bits + cores.run_length_bits)}
    breakdown = {'synapses': operations * energy,
                 'synapse_memory': read_bits[cores.synapse_format] * cores.synapse_read_energy_J_per_bit}
    return EventCost(breakdown, operations / (cores.cores * cores.synaptic_ops_per_cycle), operations)


def neuron_cost(neurons: int, timesteps: int, spikes: float, cores: SnnCores) -> EventCost:
    """Membrane updates and spike routing of one spiking layer per inference."""
    updates = neurons * timesteps
    passes = ceil(neurons / cores.neurons)
    breakdown = {'neurons': updates * cores.neuron_update_energy_J,
                 'routing': spikes * cores.hops_per_spike * cores.spike_hop_energy_J}
    cycles = max(updates / (cores.cores * cores.neuron_updates_per_cycle), passes * timesteps)
    return EventCost(breakdown, cycles, updates)
