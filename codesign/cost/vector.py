"""Cost of the ops that are not mapped onto the MAC array (pooling, element-wise, ...).

A deliberately simple, documented model for layer-by-layer execution:
- A standalone op reads its inputs from DRAM once and writes its outputs to DRAM once,
  staging both in the first on-chip level that holds activations.
- An epilogue op (an element-wise op applied to the output of the layer just before it,
  which nothing else reads: ReLU after a convolution, a residual Add, a scale) runs in
  that layer's output stage, as accelerators do: the fused operand never goes to DRAM
  and the producer writes the epilogue's result in place of its own. Only other operands
  (the residual of an Add) are read from DRAM.
Each arithmetic operation (IR `vector_ops`) costs one MAC's energy; standalone ops run at
one operation per MAC unit per cycle, epilogues overlap with the producer's output stream.
"""

from __future__ import annotations

from codesign.cost.result import LayerCost
from codesign.ir import Node, Op
from codesign.mapping.hardware import Hardware


def constant_words_read(node: Node) -> float:
    """Words of constants the op reads: a Gather (embedding lookup) reads only the rows it
    gathers, not its whole table; other ops read their constant operands once."""
    if node.op is Op.GATHER and node.params:
        return float(sum(value.type.elements for value in node.outputs))
    return float(node.param_count)


def vector_cost(node: Node, hardware: Hardware, fused_into: str | None = None) -> LayerCost:
    dram = hardware.levels[0]
    staging = next((level for level in hardware.levels[1:] if "input" in level.holds), dram)
    # Words at the architecture's word size: the model's float32 is not the hardware's format.
    streamed = node.inputs[1:] if fused_into else node.inputs
    read_words = float(sum(value.type.elements for value in streamed)) + constant_words_read(node)
    write_words = 0.0 if fused_into else float(sum(value.type.elements for value in node.outputs))
    round_trip = 0.0 if staging is dram else staging.write_J + staging.read_J
    breakdown = {dram.name: read_words * dram.read_J + write_words * dram.write_J}
    if staging is not dram:
        breakdown[staging.name] = (read_words + write_words) * round_trip
    breakdown["mac"] = node.vector_ops * hardware.mac_J
    transfer_cycles = max((read_words + write_words) / dram.words_per_cycle,
                          (read_words + write_words) / staging.words_per_cycle)
    arithmetic_cycles = 0.0 if fused_into else node.vector_ops / hardware.mac_count
    cycles = max(arithmetic_cycles, transfer_cycles)
    return LayerCost(
        name=node.name, op=node.op.value, macs=0, energy_J=sum(breakdown.values()),
        latency_s=cycles / hardware.clock_Hz, cycles=cycles, utilization=0.0,
        dram_bytes=(read_words + write_words) * dram.word_bytes, energy_breakdown_J=breakdown,
        energy_by_tensor_J={"input": read_words * (dram.read_J + round_trip),
                            "output": write_words * (dram.write_J + round_trip), "compute": breakdown["mac"]},
        mapping={"epilogue_of": fused_into} if fused_into else None,
    )
