"""Spiking-neural-network accelerators as spec components: the innermost `kind: snn_cores`.

An event-driven chip of neuromorphic cores (Loihi-like, ODIN-like), costed by
codesign/target/snn.py from the events convert-snn measured (codesign/passes/convert_snn.py).
Node and clock are the Architecture's; the outermost (DRAM) level the schema requires stands
for the host: weights stay in the cores' synapse memories and nothing is charged to it.
"""

from typing import Literal

from pydantic import model_validator

from codesign.arch.cim import Bits
from codesign.arch.rtl_calibration import SnnCalibration
from codesign.arch.schema_base import (FieldError, Name, NonNegativeQuantity, PositiveCount, PositiveQuantity,
                                      SpecModel)

SNN_ENERGY_KEYS = ('synapses', 'synapse_memory', 'neurons', 'routing')
"""The energy breakdown of a layer on an SNN target (codesign/target/snn.py)."""


class SnnCores(SpecModel):
    """Neuromorphic cores (kind: snn_cores), the innermost component of an SNN spec."""

    kind: Literal['snn_cores'] = 'snn_cores'
    """Component kind."""
    name: Name
    """Shown in reports."""
    cores: PositiveCount
    """Neuromorphic cores on the chip, working in parallel."""
    neurons_per_core: PositiveCount
    """Neurons (compartments) one core holds."""
    synapse_memory_bits_per_core: PositiveCount
    """Synapse memory of one core, bits (weights and, in compressed formats, their indices)."""
    weight_bits: Bits
    """Widest synaptic weight (the native precision of a float graph)."""
    synapse_format: Literal['dense', 'bitmap', 'run_length'] = 'dense'
    """How a core stores a neuron's fan-out. 'dense': every weight, zeros too, each read and
    accumulated per input spike; 'bitmap': one presence bit per synapse plus the non-zero
    weights; 'run_length': the non-zero weights, each with run_length_bits of index. Only the
    compressed formats skip zeros, so only they turn pruning into saved events."""
    run_length_bits: Bits = 4
    """Index bits stored with each weight in the run_length format."""
    synaptic_op_energy_J: PositiveQuantity
    """One synaptic event of a weight_bits weight: read it (unless synapse_read_energy_J_per_bit
    is given separately) and accumulate it into a membrane."""
    synaptic_op_bits_share: float = 0.5
    """The share of synaptic_op_energy_J that scales with the weight's bits (memory read and
    adder width); the rest (control, routing inside the core) does not. Our assumption unless
    the spec cites one."""
    multiply_accumulate_energy_J: PositiveQuantity
    """One multiply-accumulate of an analog (non-spike) input: the first layer under direct coding."""
    neuron_update_energy_J: PositiveQuantity
    """One neuron's membrane update in one timestep (every neuron is updated every step)."""
    synapse_read_energy_J_per_bit: NonNegativeQuantity = 0.0
    """Synapse memory read per bit, where synaptic_op_energy_J does not include it (0: included)."""
    spike_hop_energy_J: PositiveQuantity
    """One spike crossing one router hop of the mesh."""
    hops_per_spike: PositiveQuantity
    """Mean hops a spike travels to the cores of its fan-out."""
    synaptic_ops_per_cycle: PositiveCount = 1
    """Synaptic events one core processes per clock cycle."""
    neuron_updates_per_cycle: PositiveCount = 1
    """Neuron updates one core does per clock cycle."""
    core_area_m2: PositiveQuantity
    """Area of one core with its memories and its share of the mesh, square metres."""
    leakage_W: NonNegativeQuantity = 0.0
    """Static power of the whole chip (0 where no source gives it)."""
    current_bits: Bits = 16
    """Bits of a neuron's input current per timestep; an RTL calibration's membrane update is
    evaluated at this width."""
    calibration: SnnCalibration | None = None
    """Synaptic accumulate and membrane update energies fitted to RTL (`codesign calibrate lif`),
    usually `{ref: calibration/lif_rtl.yaml}`: they replace synaptic_op_energy_J (with its bits
    share) and neuron_update_energy_J, scaled to the spec's node."""

    @model_validator(mode='after')
    def _check(self) -> 'SnnCores':
        if not 0.0 <= self.synaptic_op_bits_share <= 1.0:
            raise FieldError(('synaptic_op_bits_share',), f'must be a fraction from 0 to 1 (got {self.synaptic_op_bits_share})')
        return self

    @property
    def neurons(self) -> int:
        return self.cores * self.neurons_per_core
