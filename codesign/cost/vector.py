"""Cost of the ops that are not mapped onto the MAC array (pooling, element-wise, ...).

A deliberately simple, documented model for layer-by-layer execution:
- A standalone op reads its inputs from DRAM once and writes its outputs to DRAM once,
  staging both in the first on-chip level that holds activations. Its arithmetic runs on a
  vector unit (component 'vector') of one lane per MAC unit (dataflow targets) or per
  tile/array (compute-in-memory periphery), one operation per lane per cycle.
- An epilogue op (an element-wise op in a compute layer's output stage, cost/epilogues.py:
  ReLU after a convolution, a residual Add, GELU's chain) runs in that layer's output stage
  (component 'output_stage'): the operands the stage holds never go to DRAM and the producer
  writes the stage's last result in place of its own. Only other operands (the residual of
  an Add) are read from DRAM; its arithmetic overlaps with the producer's output stream, so
  only those reads can add cycles (none: 0 extra cycles, the producer's cover it).
Each arithmetic operation (IR `vector_ops`) costs one MAC's energy (one digital add on the
compute-in-memory periphery). Cycles are whole clock cycles, at least one for a standalone op.
Values are counted in words at their IR bits: a quantized value of b bits takes b/operand_bits of
a word (cost/precision.py value_share); float values take one word, the architecture's format.
"""

from __future__ import annotations

from collections.abc import Collection

from codesign.cost.precision import value_share
from codesign.cost.result import LayerCost, whole_cycles
from codesign.ir import Node, Op, Value
from codesign.cost.hardware import Hardware

VECTOR_UNIT = "vector"
OUTPUT_STAGE = "output_stage"


def constant_words_read(node: Node, operand_bits: int | None = None) -> float:
    """Words of constants the op reads, at their bits: a Gather (embedding lookup) reads only the
    rows it gathers, not its whole table; other ops read their constant operands once."""
    if node.op is Op.GATHER and node.params:
        return value_words(node.outputs, operand_bits)
    return float(sum(param.type.elements * value_share(param.type, operand_bits) for param in node.params))


def value_words(values: Collection[Value], operand_bits: int | None) -> float:
    """Words the values take, whole, at their bits."""
    return float(sum(value.type.elements * value_share(value.type, operand_bits) for value in values))


def vector_cost(node: Node, hardware: Hardware, fused_into: str | None = None,
                on_chip: Collection[str] | None = None) -> LayerCost:
    """`on_chip`: for an epilogue, the inputs its output stage holds (default: the first)."""
    dram = hardware.levels[0]
    staging = next((level for level in hardware.levels[1:] if "input" in level.holds), dram)
    held = (on_chip if on_chip is not None else {node.inputs[0].name}) if fused_into else ()
    # Words at the architecture's word size: the model's float32 is not the hardware's format.
    streamed = [value for value in node.inputs if value.name not in held]
    operand_bits = hardware.operand_bits
    read_words = value_words(streamed, operand_bits) + constant_words_read(node, operand_bits)
    write_words = 0.0 if fused_into else value_words(node.outputs, operand_bits)
    round_trip = 0.0 if staging is dram else staging.write_J + staging.read_J
    breakdown = {dram.name: read_words * dram.read_J + write_words * dram.write_J}
    if staging is not dram:
        breakdown[staging.name] = (read_words + write_words) * round_trip
    unit = OUTPUT_STAGE if fused_into else VECTOR_UNIT
    breakdown[unit] = node.vector_ops * hardware.mac_J
    transfer_cycles = max((read_words + write_words) / dram.words_per_cycle,
                          (read_words + write_words) / staging.words_per_cycle)
    arithmetic_cycles = 0.0 if fused_into else node.vector_ops / hardware.mac_count
    cycles = whole_cycles(max(arithmetic_cycles, transfer_cycles), least=0 if fused_into else 1)
    return LayerCost(
        name=node.name, op=node.op.value, macs=0, energy_J=sum(breakdown.values()),
        latency_s=cycles / hardware.clock_Hz, cycles=cycles, utilization=0.0,
        dram_bytes=(read_words + write_words) * dram.word_bytes, energy_breakdown_J=breakdown,
        energy_by_tensor_J={"input": read_words * (dram.read_J + round_trip),
                            "output": write_words * (dram.write_J + round_trip), "compute": breakdown[unit]},
        mapping={"epilogue_of": fused_into} if fused_into else None,
    )
