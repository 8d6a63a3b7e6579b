"""The IR verifier: run after the frontend and between passes (xDSL's rule that every
pass leaves the IR valid). It raises on the first problem, naming the node."""

from __future__ import annotations

from codesign.ir.attrs import ConvAttrs, MatMulAttrs
from codesign.ir.graph import Graph, Node, broadcast_shape
from codesign.ir.loopnest import operand_types
from codesign.ir.ops import ELEMENTWISE_OPS, Op
from codesign.ir.tensor import TensorType


class VerificationError(Exception):
    """The IR broke an invariant: a bug in the frontend or a pass, not bad user input."""


def verify(graph: Graph) -> Graph:
    """Check the graph and return it unchanged, so calls can be chained."""
    known: dict[str, TensorType] = {}
    for value in graph.inputs:
        _define(known, value.name, value.type, "graph input")
    names: set[str] = set()
    for node in graph.nodes:
        if node.name in names:
            raise VerificationError(f"node name '{node.name}' is used twice")
        names.add(node.name)
        _check_inputs_defined(node, known)
        _check_params(node)
        _check_shapes(node)
        _check_annotations(node)
        for value in node.outputs:
            _define(known, value.name, value.type, f"node '{node.name}'")
    for value in graph.outputs:
        if known.get(value.name) != value.type:
            raise VerificationError(f"graph output '{value.name}' is not produced with type {value.type}")
    return graph


def _check_annotations(node: Node) -> None:
    kinds = [type(annotation) for annotation in node.annotations]
    if len(set(kinds)) != len(kinds):
        raise VerificationError(f"node '{node.name}' carries two annotations of one type")
    for annotation in node.annotations:
        problem = annotation.check()
        if problem is not None:
            raise VerificationError(f"node '{node.name}': {problem}")


def _define(known: dict[str, TensorType], name: str, type_: TensorType, where: str) -> None:
    if name in known:
        raise VerificationError(f"value '{name}' is defined twice (again by {where})")
    known[name] = type_


def _check_inputs_defined(node: Node, known: dict[str, TensorType]) -> None:
    for value in node.inputs:
        if value.name not in known:
            raise VerificationError(
                f"node '{node.name}' reads '{value.name}' before it is produced (cycle or missing producer)")
        if known[value.name] != value.type:
            raise VerificationError(
                f"node '{node.name}' reads '{value.name}' as {value.type}, but it was produced as {known[value.name]}")


def _check_params(node: Node) -> None:
    positions = sorted(param.position for param in node.params)
    total = len(node.inputs) + len(node.params)
    if len(set(positions)) != len(positions) or any(not 0 <= p < total for p in positions):
        raise VerificationError(f"node '{node.name}' has inconsistent operand positions {positions}")
    for param in node.params:
        if param.data is not None and tuple(param.data.shape) != param.type.shape:
            raise VerificationError(
                f"node '{node.name}' param '{param.name}' holds data of shape {param.data.shape}, "
                f"typed {param.type.shape}")


def _check_shapes(node: Node) -> None:
    try:
        expected = _expected_output_shape(node)
    except (ValueError, IndexError) as error:
        raise VerificationError(f"node '{node.name}' ({node.op.value}): {error}") from None
    actual = node.outputs[0].type.shape if node.outputs else None
    if expected is not None and expected != actual:
        raise VerificationError(
            f"node '{node.name}' ({node.op.value}) produces {actual}, but its operands give {expected}")


def _expected_output_shape(node: Node) -> tuple[int, ...] | None:
    """The output shape implied by the operands, for the ops where it is cheap to check."""
    operands = [type_.shape for type_ in operand_types(node)]
    if node.op in (Op.CONV, Op.CONV_TRANSPOSE):
        return _conv_output_shape(node.attrs, operands[0], operands[1])
    if node.op in (Op.GEMM, Op.MATMUL):
        return _matmul_output_shape(node, operands)
    if node.op in ELEMENTWISE_OPS and node.op is not Op.BATCH_NORMALIZATION:
        return broadcast_shape(*operands)
    if node.op is Op.VIEW and node.inputs:
        input_elements = node.inputs[0].type.elements
        if input_elements != node.outputs[0].type.elements:
            raise ValueError(f"a view changes the element count {input_elements} -> {node.outputs[0].type.elements}")
    return None


def _conv_output_shape(attrs, input_shape, weight_shape) -> tuple[int, ...]:
    assert isinstance(attrs, ConvAttrs)
    batch, channels = input_shape[:2]
    kernel = weight_shape[2:]
    if tuple(kernel) != attrs.kernel:
        raise ValueError(f"weight kernel {tuple(kernel)} differs from attribute {attrs.kernel}")
    spatial = []
    for axis in range(2):
        size, pad = input_shape[2 + axis], attrs.pads[axis] + attrs.pads[axis + 2]
        extent = attrs.dilations[axis] * (kernel[axis] - 1) + 1
        if attrs.transposed:
            spatial.append(attrs.strides[axis] * (size - 1) + attrs.output_padding[axis] + extent - pad)
        else:
            spatial.append((size + pad - extent) // attrs.strides[axis] + 1)
    if attrs.transposed:
        if weight_shape[0] != channels:
            raise ValueError(f"weight has {weight_shape[0]} input channels, input has {channels}")
        return (batch, weight_shape[1] * attrs.group, *spatial)
    if weight_shape[1] * attrs.group != channels:
        raise ValueError(f"weight expects {weight_shape[1] * attrs.group} input channels, input has {channels}")
    return (batch, weight_shape[0], *spatial)


def _matmul_output_shape(node: Node, operands) -> tuple[int, ...]:
    attrs = node.attrs if isinstance(node.attrs, MatMulAttrs) else MatMulAttrs()
    a_shape, b_shape = list(operands[0]), list(operands[1])
    if attrs.transpose_a:
        a_shape[-2:] = a_shape[-1:-3:-1]
    if attrs.transpose_b:
        b_shape[-2:] = b_shape[-1:-3:-1]
    a_matrix = a_shape if len(a_shape) > 1 else [1, *a_shape]
    b_matrix = b_shape if len(b_shape) > 1 else [*b_shape, 1]
    if a_matrix[-1] != b_matrix[-2]:
        raise ValueError(f"inner dimensions differ: {tuple(a_shape)} @ {tuple(b_shape)}")
    batch = broadcast_shape(tuple(a_matrix[:-2]), tuple(b_matrix[:-2]))
    shape = [*batch, a_matrix[-2], b_matrix[-1]]
    if len(a_shape) == 1:
        shape.pop(-2)
    if len(b_shape) == 1:
        shape.pop(-1)
    return tuple(shape)
