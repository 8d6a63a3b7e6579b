"""A rate-coded spiking simulation of a converted ReLU network, on the IR, in numpy.

ANN-to-SNN conversion (Diehl et al., IJCNN 2015; Rueckauer et al., Front. Neurosci. 2017): every
ReLU becomes a layer of integrate-and-fire neurons; over T timesteps a neuron's spike rate times
its threshold approximates the ReLU's output. Here:
  * input: direct coding, the analog image is the first layer's input current at every step;
  * neuron (neuron_step): v <- leak x v + I (leak 1: IF; < 1: LIF); a spike when v >= threshold; reset by
    subtraction (v <- v - threshold), so no charge is lost; a spike carries the value of the
    threshold, so the weights stay as trained (equivalent to weight normalisation);
  * thresholds: per ReLU layer, the largest (norm=max) or a percentile (norm=percentile) of its
    activations on the calibration batch of training images (Rueckauer's robust normalisation);
  * max pooling: each window passes the spike of the input neuron with the most spikes so far
    (Rueckauer et al., section 2.2.3); average pooling and views are linear and pass weighted
    spikes on; the network's output layer accumulates its input current over T (no spiking),
    and the class is its argmax (a final Softmax is dropped: it does not change the argmax).
Weights the IR gives an integer width (set-precision) are quantized symmetrically per tensor at
it (2 bits: ternary). Every compute layer's synaptic operations are counted as they happen: each non-zero input times
each non-zero weight it reaches, once per step (NeuroBench's effective accumulates; the first
layer's analog inputs make them multiply-accumulates).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy

from codesign.accuracy.execute import Operation, pool_windows, run_graph, standard_operation
from codesign.cost.crossbar_cells import weight_levels
from codesign.errors import CodesignError
from codesign.ir import Graph, Node, Op

LINEAR_OPS = frozenset({Op.AVERAGE_POOL, Op.GLOBAL_AVERAGE_POOL, Op.VIEW, Op.ADD, Op.CONCAT})
"""Ops that pass weighted spikes on unchanged in meaning (linear in their inputs)."""
NEURON_KINDS = ("if", "lif")


@dataclass(frozen=True)
class NeuronModel:
    kind: str
    """'if' or 'lif'."""
    leak: float = 1.0
    """Membrane potential kept from one step to the next (1 for IF)."""


@dataclass
class SpikeCounts:
    """What one simulation counted, over all inputs and timesteps."""

    spikes: dict[str, float] = field(default_factory=dict)
    """ReLU (neuron layer) name -> spikes."""
    neurons: dict[str, int] = field(default_factory=dict)
    """ReLU name -> neurons per input."""
    synaptic_operations: dict[str, float] = field(default_factory=dict)
    """Compute layer name -> non-zero input x non-zero weight products."""
    input_events: dict[str, float] = field(default_factory=dict)
    """Compute layer name -> non-zero inputs it received."""
    input_size: dict[str, int] = field(default_factory=dict)
    """Compute layer name -> inputs per sample and step."""
    analog_inputs: set[str] = field(default_factory=set)
    """Compute layers whose inputs are not spikes (the first layer, under direct coding)."""


def neuron_step(membrane: numpy.ndarray | None, current: numpy.ndarray, threshold, leak: float = 1.0,
                reset: str = "subtract") -> tuple[numpy.ndarray, numpy.ndarray]:
    """One timestep of integrate-and-fire neurons: v <- leak x v + I; a spike where v >= threshold;
    then reset by subtraction (v <- v - threshold, reset="subtract") or to zero (reset="zero").

    `membrane` None is the first step (v starts at zero). Returns the new membrane (a new array;
    the arguments are not changed) and the spikes (booleans).

    Integer membranes (an integer numpy dtype, as fixed-point hardware holds them): the current
    and the threshold must be integers, and the leak must be 1 (no leak) or 1 - 2**-k for an
    integer k >= 1, applied as the hardware does it, with a shift and no multiplier:
    v - (v >> k), an arithmetic (floor) shift, so a negative membrane decays toward zero too
    (-3 with k=1 gives -1). The arithmetic is numpy's, in the dtype's range: saturation to a
    register's width is the caller's (codesign/cosim/rtl/golden_lif.py).
    """
    if reset not in ("subtract", "zero"):
        raise ValueError(f"neuron reset {reset!r} is not 'subtract' or 'zero'")
    current = numpy.asarray(current)
    integer = numpy.issubdtype((current if membrane is None else numpy.asarray(membrane)).dtype, numpy.integer)
    if integer:
        membrane = _integer_integrate(membrane, current, threshold, leak)
    else:
        membrane = current.copy() if membrane is None else leak * membrane + current
    spikes = membrane >= threshold
    if reset == "subtract":
        membrane -= threshold * spikes
    else:
        membrane = numpy.where(spikes, numpy.zeros_like(membrane), membrane)
    return membrane, spikes


def _integer_integrate(membrane: numpy.ndarray | None, current: numpy.ndarray, threshold, leak: float) -> numpy.ndarray:
    """leak x v + I on integers: v - (v >> k) + I for a leak of 1 - 2**-k."""
    if not numpy.issubdtype(current.dtype, numpy.integer):
        raise ValueError(f"an integer membrane needs an integer current, not {current.dtype}")
    if not numpy.issubdtype(numpy.asarray(threshold).dtype, numpy.integer):
        raise ValueError(f"an integer membrane needs an integer threshold, not {threshold!r}")
    if membrane is None:
        return current.copy()
    membrane = numpy.asarray(membrane)
    if leak == 1.0:
        return membrane + current
    shift = next((k for k in range(1, 63) if leak == 1.0 - 2.0 ** -k), None)
    if shift is None:
        raise ValueError(f"leak {leak} on an integer membrane must be 1 or 1 - 2**-k for an integer k >= 1 "
                         "(applied as v - (v >> k))")
    return membrane - (membrane >> shift) + current


def check_convertible(graph: Graph) -> None:
    """A one-line error naming the first node with no spiking equivalent."""
    last = graph.nodes[-1]
    for node in graph:
        weighted = node.op.is_compute and len(node.inputs) == 1 and node.weight is not None
        if weighted or node.op in LINEAR_OPS or node.op in (Op.RELU, Op.MAX_POOL):
            continue
        if node.op is Op.SOFTMAX and node is last:
            continue
        why = "multiplies two activations" if node.op.is_compute else "has no spiking equivalent"
        raise CodesignError(f"convert-snn: node '{node.name}' ({node.op.value}) {why}; convertible: Conv, Gemm and "
                            "MatMul with constant weights, Relu, MaxPool, AveragePool, views, Add, Concat and a final Softmax")


def relu_thresholds(graph: Graph, calibration: numpy.ndarray, norm: str, percentile: float) -> dict[str, float]:
    """ReLU name -> its neurons' threshold: the max or a percentile of its calibration activations."""
    seen: dict[str, numpy.ndarray] = {}

    def recording(node: Node) -> Operation | None:
        if node.op is not Op.RELU:
            return None

        def relu(node: Node, operands, kernel):
            output = numpy.maximum(operands[0], 0.0)
            seen[node.name] = output
            return output
        return relu

    run_graph(graph, calibration, operation_for=recording)
    thresholds = {}
    for name, values in seen.items():
        positive = values[values > 0]
        level = (positive.max() if norm == "max" else numpy.percentile(positive, percentile)) if positive.size else 1.0
        thresholds[name] = float(level) or 1.0
    return thresholds


def simulate(graph: Graph, inputs: numpy.ndarray, thresholds: dict[str, float], timesteps: int,
             neuron: NeuronModel) -> tuple[numpy.ndarray, SpikeCounts]:
    """The output layer's mean input current over `timesteps` for every input, and the counts."""
    check_convertible(graph)
    state = _State(graph, thresholds, neuron)
    total = None
    for _ in range(timesteps):
        output = run_graph(graph, inputs, operation_for=state.operation_for)
        total = output.astype(numpy.float64) if total is None else total + output
    return total / timesteps, state.counts


class _State:
    """Membrane potentials, max-pool spike counts and the tallies of one simulation."""

    def __init__(self, graph: Graph, thresholds: dict[str, float], neuron: NeuronModel):
        self.thresholds, self.neuron, self.last = thresholds, neuron, graph.nodes[-1]
        self.membranes: dict[str, numpy.ndarray] = {}
        self.pooled: dict[str, numpy.ndarray] = {}
        self.counts = SpikeCounts()

    def operation_for(self, node: Node) -> Operation | None:
        if node.op is Op.RELU:
            return self._fire
        if node.op is Op.MAX_POOL:
            return self._gated_max
        if node.op is Op.SOFTMAX and node is self.last:
            return lambda node, operands, kernel: operands[0]
        if node.op.is_compute:
            return self._synapses
        return None

    def _fire(self, node: Node, operands, kernel) -> numpy.ndarray:
        threshold = self.thresholds[node.name]
        membrane, spikes = neuron_step(self.membranes.get(node.name), operands[0], threshold, self.neuron.leak)
        self.membranes[node.name] = membrane
        self.counts.spikes[node.name] = self.counts.spikes.get(node.name, 0.0) + float(spikes.sum())
        self.counts.neurons[node.name] = int(numpy.prod(spikes.shape[1:]))
        return threshold * spikes.astype(numpy.float32)

    def _gated_max(self, node: Node, operands, kernel) -> numpy.ndarray:
        """Each window passes the spike of its input neuron with the most spikes so far."""
        values = operands[0]
        counts = self.pooled.get(node.name, 0) + (values > 0)
        self.pooled[node.name] = counts
        count_windows = pool_windows(node, counts.astype(numpy.float32), -numpy.inf)
        value_windows = pool_windows(node, values, 0.0)
        shape = count_windows.shape
        chosen = count_windows.reshape(*shape[:4], -1).argmax(axis=4)[..., None]
        picked = numpy.take_along_axis(value_windows.reshape(*shape[:4], -1), chosen, axis=4)[..., 0]
        return picked.transpose(0, 3, 1, 2)

    def _synapses(self, node: Node, operands, kernel) -> numpy.ndarray:
        standard = standard_operation(node)
        inputs = operands[0]
        if node.weight.type.numeric == "int":  # set-precision's width: the synapses hold quantized weights
            operands = [*operands]
            operands[node.weight.position] = _quantized(operands[node.weight.position], node.weight.type.bits)

        def events(active: numpy.ndarray, weights: numpy.ndarray) -> numpy.ndarray:
            return (active != 0).astype(numpy.float32) @ (weights != 0).astype(numpy.float32)
        counted = standard(node, operands[:2], events)
        tallies = self.counts
        tallies.synaptic_operations[node.name] = tallies.synaptic_operations.get(node.name, 0.0) + float(counted.sum()) / (
            getattr(node.attrs, "alpha", 1.0) or 1.0)
        tallies.input_events[node.name] = tallies.input_events.get(node.name, 0.0) + float(numpy.count_nonzero(inputs))
        tallies.input_size[node.name] = int(numpy.prod(inputs.shape[1:]))
        if not _spike_valued(inputs):
            tallies.analog_inputs.add(node.name)
        return standard(node, operands, kernel)


def _quantized(weights: numpy.ndarray, bits: int) -> numpy.ndarray:
    """Symmetric per-tensor quantization (2 bits: ternary), as the accuracy emulator does it."""
    largest = float(numpy.abs(weights).max(initial=0.0))
    levels = 2 ** (bits - 1) - 1
    if largest == 0.0 or levels == 0:
        return numpy.zeros_like(weights)
    return (weight_levels(weights, bits, largest) * (largest / levels)).astype(numpy.float32)


def _spike_valued(values: numpy.ndarray) -> bool:
    """Whether `values` hold at most one non-zero magnitude (a layer's spikes carry its threshold)."""
    magnitudes = numpy.unique(numpy.abs(values[values != 0]))
    return magnitudes.size <= 1
