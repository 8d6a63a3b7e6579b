"""Typed facts a pass records about a node, instead of pass-specific fields on `Node`.

A node carries at most one annotation of each type; a pass adds or replaces one with
`node.annotated(FusionGroup(3))` and reads one with `node.annotation(FusionGroup)` (None when
absent). Each annotation prints itself for the IR text (`| group 3`). New kinds (sparsity,
spike rates, timesteps) are one frozen dataclass here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Annotation:
    """Base of every annotation: frozen, compared by value, printed after the node."""

    def check(self) -> str | None:
        """What is wrong with this annotation's values, or None (the verifier calls it)."""
        return None


@dataclass(frozen=True)
class FusionGroup(Annotation):
    """Set by fuse-layers: nodes with the same index run as one fused group."""

    index: int

    def __str__(self) -> str:
        return f"group {self.index}"


@dataclass(frozen=True)
class AccumulatorBits(Annotation):
    """Set by set-precision: the width of a compute layer's partial sums (the accumulator)."""

    bits: int

    def check(self) -> str | None:
        return None if self.bits > 0 else f"accumulator bits must be positive (got {self.bits})"

    def __str__(self) -> str:
        return f"accumulator {self.bits}b"


@dataclass(frozen=True)
class Pruned(Annotation):
    """Set by prune-crossbar: the fraction of a layer's weights that are zero, and the sparsity
    levels (non-zero rows per read divided by this) of its crossbars, as the pass chose them."""

    sparsity: float
    levels: tuple[int, ...] = ()

    def check(self) -> str | None:
        if not 0.0 <= self.sparsity <= 1.0:
            return f"sparsity must be a fraction from 0 to 1 (got {self.sparsity})"
        return None if all(level >= 1 for level in self.levels) else f"levels must be >= 1 (got {self.levels})"

    def __str__(self) -> str:
        levels = "/".join(str(level) for level in sorted(set(self.levels)))
        return f"sparsity {self.sparsity:.2f}" + (f" levels {levels}" if levels else "")


@dataclass(frozen=True)
class SpikingNeuron(Annotation):
    """Set by convert-snn on each ReLU: the integrate-and-fire layer it became."""

    kind: str
    """'if' or 'lif'."""
    threshold: float
    leak: float
    """Membrane potential kept per step (1 for IF)."""
    timesteps: int
    spike_rate: float
    """Spikes per neuron per timestep, measured on the labelled data."""

    def check(self) -> str | None:
        if self.threshold <= 0 or self.timesteps < 1 or not 0 < self.leak <= 1 or self.spike_rate < 0:
            return "a spiking neuron needs threshold > 0, timesteps >= 1, 0 < leak <= 1 and a spike rate >= 0"
        return None

    def __str__(self) -> str:
        return f"{self.kind} neuron theta {self.threshold:.3g} rate {self.spike_rate:.3f}/step x {self.timesteps}"


@dataclass(frozen=True)
class SynapticEvents(Annotation):
    """Set by convert-snn on each compute layer: the events its synapses see per inference."""

    timesteps: int
    input_spike_rate: float
    """Non-zero inputs per input per timestep."""
    synaptic_operations: float
    """Non-zero input x non-zero weight products per inference (all timesteps)."""
    analog_inputs: bool
    """Whether its inputs are not spikes (the first layer under direct coding: multiply-accumulates)."""

    def check(self) -> str | None:
        ok = self.timesteps >= 1 and self.input_spike_rate >= 0 and self.synaptic_operations >= 0
        return None if ok else "synaptic events need timesteps >= 1 and non-negative rates and counts"

    def __str__(self) -> str:
        return f"synops {self.synaptic_operations:.3g} in-rate {self.input_spike_rate:.3f}"
