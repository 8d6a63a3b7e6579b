"""A QDQ ONNX model of a quantization config: the source file with each configured layer's weights
and activation inputs passed through QuantizeLinear/DequantizeLinear (qdq_nodes.py), so that
onnxruntime computes what quantized_predict does.

The IR folds BatchNormalization into the Conv before it; the export quantizes the same folded
weights, so each folded Conv takes the IR's weight and bias, produces the BN's output, and the BN
node goes. Everything else of the source stays as it is, but for the initializers and nodes the
rewrite leaves unused, and the opset: raised to 21 (onnx.version_converter) only where a width
above 8 bits needs the 16-bit integer types, and to 13 where the source predates per-axis scales.
"""

from __future__ import annotations

from pathlib import Path

import numpy
import onnx
from onnx import helper, version_converter

from codesign.accuracy.execute import require_weights
from codesign.errors import CodesignError
from codesign.ir import Graph, LayerBits, Node, Op
from codesign.quantize.calibrate import Ranges
from codesign.quantize.layers import QuantConfig, check_config, is_product, is_weighted, output_channel_axis
from codesign.quantize.qdq_nodes import CARRIER_BITS, Insertions, quantized_activation, quantized_weight
from codesign.quantize.scheme import activation_grid

PER_AXIS_OPSET, WIDE_TYPES_OPSET = 13, 21


def export_qdq(graph: Graph, source: Path, config: QuantConfig, ranges: Ranges, destination: Path,
               weights_from_graph: bool = False) -> Path:
    """Write `source` (the ONNX file `graph` was imported from) with `config`'s layers quantized
    to `destination`; checked with onnx.checker. Returns `destination`. `weights_from_graph`:
    every weighted layer takes the IR's weights (a pruning pass changed them), not the file's."""
    check_config(graph, config)
    require_weights(graph)
    quantized = {node.name for node in graph.compute_nodes
                 if node.name in config and (is_weighted(node) or is_product(node))}
    model = _with_opset(_read(Path(source)), _opset_needed(config, quantized))
    read_before, live_before = _read_names(model.graph), _live_names(model.graph)
    _rewrite(model.graph, graph, config, ranges, quantized, source, weights_from_graph)
    _prune(model.graph, read_before, live_before)
    onnx.checker.check_model(model, full_check=True)  # a failure here is a bug of this module
    destination = Path(destination)
    onnx.save(model, str(destination))
    return destination


def _rewrite(onnx_graph: onnx.GraphProto, graph: Graph, config: QuantConfig, ranges: Ranges, quantized: set[str],
             source, weights_from_graph: bool = False) -> None:
    """Fold each folded BN, quantize each configured layer; the new nodes go just before their layer."""
    insertions = Insertions(_names(onnx_graph))
    nodes = list(onnx_graph.node)
    producers = {output: index for index, onnx_node in enumerate(nodes) for output in onnx_node.output}
    before: dict[int, list[onnx.NodeProto]] = {}  # node index -> the nodes to insert before it
    removed: set[int] = set()
    for node in graph.compute_nodes:
        index, batch_norm = _match(nodes, producers, node, source)
        start = len(insertions.nodes)
        if batch_norm is not None:
            _take_folded(nodes[index], nodes[batch_norm], node, insertions, float_weight=node.name not in quantized)
            removed.add(batch_norm)
        elif weights_from_graph and is_weighted(node) and node.name not in quantized:
            nodes[index].input[node.weight.position] = insertions.constant(
                f"{node.name}/weight", numpy.asarray(node.weight.data, numpy.float32))
        if node.name in quantized:
            _quantize(nodes[index], node, config[node.name], ranges, insertions)
        before[index] = insertions.nodes[start:]
    rebuilt = [new for index, onnx_node in enumerate(nodes)
               for new in [*before.get(index, ()), *([] if index in removed else [onnx_node])]]
    onnx_graph.ClearField("node")
    onnx_graph.node.extend(rebuilt)
    onnx_graph.initializer.extend(insertions.initializers)


def _read(source: Path) -> onnx.ModelProto:
    try:
        return onnx.load(str(source))
    except Exception as error:  # a missing file, protobuf's DecodeError, ...
        raise CodesignError(f"export_qdq: cannot read {source}: {str(error).splitlines()[0][:200]}") from None


def _opset_needed(config: QuantConfig, quantized: set[str]) -> int:
    wide = any(max(config[name].weight, config[name].input) > CARRIER_BITS for name in quantized)
    return WIDE_TYPES_OPSET if wide else PER_AXIS_OPSET


def _with_opset(model: onnx.ModelProto, minimum: int) -> onnx.ModelProto:
    current = next((entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx")), 1)
    if current >= minimum:
        return model
    try:
        converted = version_converter.convert_version(model, minimum)
        converted.ir_version = max(converted.ir_version, helper.find_min_ir_version_for(list(converted.opset_import)))
        return converted
    except Exception as error:
        raise CodesignError(f"export_qdq: cannot raise the model's opset from {current} to {minimum} (needed for "
                            f"the integer types): {str(error).splitlines()[0][:200]}") from None


def _match(nodes: list[onnx.NodeProto], producers: dict[str, int], node: Node, source) -> tuple[int, int | None]:
    """The index of IR compute node `node`'s ONNX node, and of the BatchNormalization folded into
    it (or None)."""
    index = producers.get(node.outputs[0].name)
    batch_norm = None
    if index is not None and nodes[index].op_type == "BatchNormalization" and node.op is Op.CONV:
        batch_norm, index = index, producers.get(nodes[index].input[0])
    if index is None or nodes[index].op_type != node.op.value:
        raise CodesignError(f"export_qdq: {source} has no {node.op.value} producing '{node.outputs[0].name}' "
                            f"(layer '{node.name}'): is the graph imported from this file?")
    return index, batch_norm


def _take_folded(conv: onnx.NodeProto, batch_norm: onnx.NodeProto, node: Node, insertions: Insertions,
                 float_weight: bool) -> None:
    """The Conv computes the folded layer: the IR's bias and (unless it is quantized) weight, the
    BN's output."""
    bias = next(param for param in node.params if param.role == "bias")
    if float_weight:
        conv.input[1] = insertions.constant(f"{node.name}/folded_weight", numpy.asarray(node.weight.data, numpy.float32))
    bias_name = insertions.constant(f"{node.name}/folded_bias", numpy.asarray(bias.data, numpy.float32))
    if len(conv.input) > 2:
        conv.input[2] = bias_name
    else:
        conv.input.append(bias_name)
    conv.output[0] = batch_norm.output[0]


def _quantize(onnx_node: onnx.NodeProto, node: Node, bits: LayerBits, ranges: Ranges, insertions: Insertions) -> None:
    """Route the weight (per channel) and the activation operands (per tensor) through Q/DQ pairs."""
    operand_ranges = ranges.of(node.name)
    if is_weighted(node):
        position = node.weight.position
        onnx_node.input[position] = quantized_weight(insertions, node.name, node.weight.data,
                                                     output_channel_axis(node), bits.weight)
        widths = (bits.input,)
    else:
        widths = (bits.input, bits.weight)
    params = {param.position for param in node.params}
    activation_positions = [index for index in range(len(onnx_node.input)) if index not in params][:len(widths)]
    for index, (position, width) in enumerate(zip(activation_positions, widths)):
        grid = activation_grid(*operand_ranges[index], width)
        onnx_node.input[position] = quantized_activation(insertions, f"{node.name}/input{index}",
                                                         onnx_node.input[position], grid, width)


def _names(graph: onnx.GraphProto) -> set[str]:
    names = {onnx_node.name for onnx_node in graph.node}
    names.update(name for onnx_node in graph.node for name in [*onnx_node.input, *onnx_node.output])
    names.update(info.name for info in [*graph.input, *graph.output, *graph.value_info, *graph.initializer])
    return names


def _read_names(graph: onnx.GraphProto) -> set[str]:
    """Names a node or the graph's outputs read."""
    return {name for onnx_node in graph.node for name in onnx_node.input} | {info.name for info in graph.output}


def _live_names(graph: onnx.GraphProto) -> set[str]:
    """Names read, and names nodes produce."""
    return _read_names(graph) | {name for onnx_node in graph.node for name in onnx_node.output}


def _prune(graph: onnx.GraphProto, read_before: set[str], live_before: set[str]) -> None:
    """Drop what the rewrite left unused (a folded BN's parameters and the nodes that fed them only,
    replaced weights, the value info of a Conv's former output), nothing the source had unused."""
    while _drop_dead_nodes(graph, read_before):
        pass
    gone = live_before - _live_names(graph)
    _keep(graph, "initializer", [tensor for tensor in graph.initializer if tensor.name not in gone])
    _keep(graph, "input", [info for info in graph.input if info.name not in gone])
    _keep(graph, "value_info", [info for info in graph.value_info if info.name not in gone])


def _drop_dead_nodes(graph: onnx.GraphProto, read_before: set[str]) -> bool:
    """Remove the nodes whose outputs were read before the rewrite and are read no more."""
    read = _read_names(graph)
    dead = [onnx_node for onnx_node in graph.node
            if read_before.intersection(onnx_node.output) and not read.intersection(onnx_node.output)]
    for onnx_node in dead:
        graph.node.remove(onnx_node)
    return bool(dead)


def _keep(graph: onnx.GraphProto, field: str, kept: list) -> None:
    graph.ClearField(field)
    getattr(graph, field).extend(kept)
