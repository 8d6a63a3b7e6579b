"""A numpy reference executor of the IR: runs a Graph on a batch of real inputs.

Accuracy at an architecture's precision needs the network's real outputs, and the IR already
holds everything for that (ops, typed attrs, constant weights in Param.data). The graph's
batch dimension is 1; here dim 0 of every activation is the data's batch instead.

Every multiply-accumulate of Conv, Gemm and MatMul goes through one hook, a MatmulKernel
(inputs [M, rows] @ weights [rows, K] -> [M, K]), with rows ordered (C, R, S) as im2col lays
a group's receptive field out on a crossbar (codesign/cost/in_memory.py, weight_matrices).
A MatMul of two activations (attention's scores and context) calls it once per matrix pair,
its right operand in the weight's place, as the cost models count it (codesign/ir/precision.py).
quantize.py plugs quantized and analog dot products in there; bias, alpha and beta are
applied outside the kernel, in float, as a digital periphery would.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
from numpy.lib.stride_tricks import sliding_window_view

from codesign.errors import CodesignError
from codesign.ir import Graph, Node, Op, Param

MatmulKernel = Callable[[numpy.ndarray, numpy.ndarray], numpy.ndarray]
"""(inputs [M, rows], weights [rows, K]) -> [M, K]: the dot products of one layer (one group)."""
KernelForNode = Callable[[Node], MatmulKernel]
"""The kernel a compute node's dot products run on."""


def float_kernel(inputs: numpy.ndarray, weights: numpy.ndarray) -> numpy.ndarray:
    return inputs @ weights


Operation = Callable[[Node, list[numpy.ndarray], MatmulKernel], numpy.ndarray]
"""How one op computes its output from its operands (activations and constants, ONNX order)."""


def run_graph(graph: Graph, inputs: numpy.ndarray, kernel_for: KernelForNode | None = None,
              operation_for: Callable[[Node], Operation | None] | None = None) -> numpy.ndarray:
    """The graph's single output for `inputs` (dim 0 = batch; float32, or integer ids for an
    embedding); `operation_for` may replace a node's operation (None: the standard one)."""
    if len(graph.inputs) != 1 or len(graph.outputs) != 1:
        raise CodesignError(f"accuracy: graph '{graph.name}' must have one input and one output "
                            f"(has {len(graph.inputs)} and {len(graph.outputs)})")
    require_weights(graph)
    values = {graph.inputs[0].name: _input_array(inputs)}
    for node in graph:
        run = (operation_for and operation_for(node)) or _OPS.get(node.op)
        if run is None:
            raise CodesignError(f"accuracy: op {node.op.value} of node '{node.name}' is not supported "
                                "by the reference executor")
        kernel = kernel_for(node) if kernel_for and node.op.is_compute else float_kernel
        values[node.outputs[0].name] = run(node, _operands(node, values), kernel).astype(numpy.float32)
    return values[graph.outputs[0].name]


def _input_array(inputs: numpy.ndarray) -> numpy.ndarray:
    """Token ids stay integers (they index tables); everything else runs in float32."""
    array = numpy.asarray(inputs)
    return array.astype(numpy.int64 if array.dtype.kind in "iu" else numpy.float32, copy=False)


def require_weights(graph: Graph) -> None:
    """Accuracy runs the network on real data, so it needs every weight's values; a model
    imported without them (external data file missing) has only their shapes."""
    for node in graph:
        absent = next((param for param in node.params if param.data is None), None)
        if absent is not None:
            raise CodesignError(f"accuracy needs weight values, but the weights of {graph.name[:80]!r} are absent "
                                f"({absent.name[:80]!r} of node {node.name[:80]!r}): import it with its "
                                "external data file")


def _operands(node: Node, values: dict[str, numpy.ndarray]) -> list[numpy.ndarray]:
    """Activations and constants in the ONNX input order (Param.position; values fill the gaps)."""
    by_position: dict[int, numpy.ndarray] = {param.position: _data(node, param) for param in node.params}
    activations = iter(values[value.name] for value in node.inputs)
    count = len(node.inputs) + len(node.params)
    return [by_position[index] if index in by_position else next(activations) for index in range(count)]


def _data(node: Node, param: Param) -> numpy.ndarray:
    if param.data is None:
        raise CodesignError(f"accuracy: node '{node.name}' has no data for constant '{param.name}'")
    return numpy.asarray(param.data, dtype=numpy.float32)


def _unsupported(node: Node, why: str) -> CodesignError:
    return CodesignError(f"accuracy: node '{node.name}' ({node.op.value}) {why}; "
                         "the reference executor does not support it")


def _conv(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
    attrs = node.attrs
    if attrs.transposed or len(node.inputs) != 1:
        raise _unsupported(node, "is transposed or has a non-constant weight")
    weight = operands[1]
    columns = _windows(operands[0], attrs.kernel, attrs.strides, attrs.dilations, attrs.pads, 0.0)
    batch, out_rows, out_columns, channels = columns.shape[:4]
    groups, outputs = attrs.group, weight.shape[0]
    per_group = channels // groups
    results = []
    for group in range(groups):
        group_columns = columns[:, :, :, group * per_group:(group + 1) * per_group]
        group_weight = weight[group * outputs // groups:(group + 1) * outputs // groups]
        results.append(kernel(group_columns.reshape(batch * out_rows * out_columns, -1),
                              group_weight.reshape(group_weight.shape[0], -1).T))
    output = numpy.concatenate(results, axis=1).reshape(batch, out_rows, out_columns, outputs)
    output = output.transpose(0, 3, 1, 2)
    return output + operands[2].reshape(1, -1, 1, 1) if len(operands) > 2 else output


def _windows(images: numpy.ndarray, kernel, strides, dilations, pads, fill: float) -> numpy.ndarray:
    """Receptive fields [N, P, Q, C, R, S] of NCHW `images`, padded (top, left, bottom, right) with `fill`."""
    top, left, bottom, right = pads
    padded = numpy.pad(images, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=fill)
    extent = [dilations[axis] * (kernel[axis] - 1) + 1 for axis in range(2)]
    views = sliding_window_view(padded, extent, axis=(2, 3))
    views = views[:, :, ::strides[0], ::strides[1], ::dilations[0], ::dilations[1]]
    return views.transpose(0, 2, 3, 1, 4, 5)


def _matmul(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
    """Gemm or MatMul with a constant right-hand weight: Y = alpha * X @ op(W) + beta * C."""
    attrs = node.attrs
    weight = node.weight
    if node.op is Op.MATMUL and not node.params and len(node.inputs) == 2:
        return _activation_matmul(node, operands, kernel)
    if len(node.inputs) != 1 or weight is None or weight.position != 1 or attrs.transpose_a:
        raise _unsupported(node, "needs an activation times a constant right-hand weight")
    activations, matrix = operands[0], operands[1]
    matrix = matrix.T if attrs.transpose_b else matrix
    if matrix.ndim != 2:
        raise _unsupported(node, f"has a rank-{matrix.ndim} weight")
    flat = activations.reshape(-1, activations.shape[-1])
    output = attrs.alpha * kernel(flat, matrix).reshape(*activations.shape[:-1], matrix.shape[1])
    return output + attrs.beta * operands[2] if len(operands) > 2 else output


def _activation_matmul(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
    """Activation @ activation, batched over the leading dimensions: one kernel call per matrix pair."""
    left, right = operands
    if left.ndim < 3 or right.ndim < 3:
        raise _unsupported(node, "multiplies activations without a dimension to batch over")
    leading = numpy.broadcast_shapes(left.shape[:-2], right.shape[:-2])
    left = numpy.broadcast_to(left, (*leading, *left.shape[-2:]))
    right = numpy.broadcast_to(right, (*leading, *right.shape[-2:]))
    output = numpy.empty((*leading, left.shape[-2], right.shape[-1]), dtype=numpy.float32)
    for index in numpy.ndindex(*leading):
        output[index] = kernel(left[index], right[index])
    return output


def standard_operation(node: Node) -> Operation | None:
    """The reference executor's operation for `node`'s op (None: unsupported)."""
    return _OPS.get(node.op)


def pool_windows(node: Node, images: numpy.ndarray, fill: float) -> numpy.ndarray:
    """A pooling node's windows [N, P, Q, C, R, S] over NCHW `images`, padded with `fill`."""
    window, (out_rows, out_columns) = _pool_window(node, images)
    return _windows(images, *window, fill)[:, :out_rows, :out_columns]


def _pool_window(node: Node, images: numpy.ndarray) -> tuple[tuple, tuple[int, int]]:
    """(kernel, strides, dilations, pads) with ceil_mode's extra bottom/right rows, and the output size."""
    attrs = node.attrs
    top, left, bottom, right = attrs.pads
    out_rows, out_columns = node.outputs[0].type.shape[2:]
    extent = [attrs.dilations[axis] * (attrs.kernel[axis] - 1) + 1 for axis in range(2)]
    bottom += max(0, (out_rows - 1) * attrs.strides[0] + extent[0] - images.shape[2] - top - bottom)
    right += max(0, (out_columns - 1) * attrs.strides[1] + extent[1] - images.shape[3] - left - right)
    return (attrs.kernel, attrs.strides, attrs.dilations, (top, left, bottom, right)), (out_rows, out_columns)


def _pool(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
    """Max or average over windows; ceil_mode's extra bottom/right rows come from the output shape."""
    attrs, images = node.attrs, operands[0]
    window, (out_rows, out_columns) = _pool_window(node, images)
    top, left, bottom, right = window[3]
    if node.op is Op.MAX_POOL:
        return pool_windows(node, images, -numpy.inf).max(axis=(4, 5)).transpose(0, 3, 1, 2)
    sums = _windows(images, *window, 0.0)[:, :out_rows, :out_columns].sum(axis=(4, 5))
    # The divisor counts the window's cells inside the image (and in the explicit pads with
    # count_include_pad); the extra ceil_mode rows and columns never count.
    explicit = attrs.pads if attrs.count_include_pad else (0, 0, 0, 0)
    inside = numpy.pad(numpy.ones((1, 1, *images.shape[2:]), dtype=numpy.float32),
                       ((0, 0), (0, 0), explicit[0::2], explicit[1::2]), constant_values=1.0)
    outside = (top - explicit[0], left - explicit[1], bottom - explicit[2], right - explicit[3])
    counts = _windows(inside, *window[:3], outside, 0.0)[:, :out_rows, :out_columns].sum(axis=(4, 5))
    return (sums / counts).transpose(0, 3, 1, 2)


def _view(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
    """Zero-cost views keep dim 0 as the batch: the target shape is the IR's, with the data's batch."""
    data, target = operands[0], node.outputs[0].type.shape
    if node.attrs.onnx_op == "Transpose":
        perm = node.attrs.perm or tuple(reversed(range(data.ndim)))
        if perm[0] != 0:
            raise _unsupported(node, f"moves the batch dimension (perm {perm})")
        return data.transpose(perm)
    if not target or target[0] != 1:
        raise _unsupported(node, f"does not keep the batch dimension (shape {target})")
    return data.reshape(data.shape[0], *target[1:])


def _lrn(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
    """Cross-channel local response normalisation (ONNX LRN)."""
    attrs, data = node.attrs, operands[0]
    before, after = (attrs.size - 1) // 2, attrs.size // 2
    squares = numpy.pad(data**2, ((0, 0), (before, after), (0, 0), (0, 0)))
    window_sums = sliding_window_view(squares, attrs.size, axis=1).sum(axis=-1)
    return data / (attrs.bias + attrs.alpha / attrs.size * window_sums) ** attrs.beta


def _softmax(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
    axis = node.attrs.axes[0]
    shifted = numpy.exp(operands[0] - operands[0].max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _gather(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
    """Entries of a table picked by integer ids along the axis (an embedding lookup)."""
    data, indices = operands
    axis = node.attrs.axes[0] % data.ndim
    if axis == 0 and not any(param.position == 0 for param in node.params):
        raise _unsupported(node, "gathers along the batch dimension")
    if indices.size and (indices.min() < -data.shape[axis] or indices.max() >= data.shape[axis]):
        bad = indices.min() if indices.min() < -data.shape[axis] else indices.max()
        raise CodesignError(f"accuracy: node '{node.name}' (Gather) reads index {bad:g} of a table of "
                            f"{data.shape[axis]} entries along axis {axis}")
    return numpy.take(data, indices.astype(numpy.int64), axis=axis)


def _layer_normalization(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
    """ONNX LayerNormalization: normalise over the axes from `axis` to the last, then scale and shift."""
    data, scale = operands[0], operands[1]
    axes = tuple(range(node.attrs.axes[0] % data.ndim, data.ndim))
    epsilon = 1e-5 if node.attrs.epsilon is None else node.attrs.epsilon
    centred = data - data.mean(axis=axes, keepdims=True)
    normalised = centred / numpy.sqrt((centred**2).mean(axis=axes, keepdims=True) + epsilon)
    return normalised * scale + operands[2] if len(operands) > 2 else normalised * scale


def _reduce(function: Callable[..., numpy.ndarray]):
    def run(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
        data = operands[0]
        axes = tuple(axis % data.ndim for axis in node.attrs.axes)
        if not axes or 0 in axes:
            raise _unsupported(node, "reduces over the batch dimension")
        return function(data, axis=axes, keepdims=node.attrs.keepdims)
    return run


def _erf(data: numpy.ndarray) -> numpy.ndarray:
    from scipy.special import erf  # scipy comes with scikit-learn; imported only for transformers

    return erf(data)


def _gelu(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
    data = operands[0]
    if node.attrs.approximate == "tanh":
        return 0.5 * data * (1 + numpy.tanh(numpy.sqrt(2 / numpy.pi) * (data + 0.044715 * data**3)))
    return 0.5 * data * (1 + _erf(data / numpy.sqrt(2)))


def _clip(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
    low, high = node.attrs.minimum, node.attrs.maximum
    return numpy.clip(operands[0], -numpy.inf if low is None else low, numpy.inf if high is None else high)


def _hard_sigmoid(data: numpy.ndarray, alpha: float = 0.2, beta: float = 0.5) -> numpy.ndarray:
    return numpy.clip(alpha * data + beta, 0.0, 1.0)


def _elementwise(function: Callable[..., numpy.ndarray]):
    def run(node: Node, operands: list[numpy.ndarray], kernel: MatmulKernel) -> numpy.ndarray:
        return function(*operands)
    return run


_OPS = {
    Op.CONV: _conv, Op.GEMM: _matmul, Op.MATMUL: _matmul,
    Op.MAX_POOL: _pool, Op.AVERAGE_POOL: _pool,
    Op.GLOBAL_AVERAGE_POOL: _elementwise(lambda data: data.mean(axis=(2, 3), keepdims=True)),
    Op.GLOBAL_MAX_POOL: _elementwise(lambda data: data.max(axis=(2, 3), keepdims=True)),
    Op.VIEW: _view, Op.LRN: _lrn, Op.SOFTMAX: _softmax, Op.CLIP: _clip,
    Op.ADD: _elementwise(numpy.add), Op.SUB: _elementwise(numpy.subtract),
    Op.MUL: _elementwise(numpy.multiply), Op.DIV: _elementwise(numpy.divide),
    Op.RELU: _elementwise(lambda data: numpy.maximum(data, 0.0)),
    Op.SIGMOID: _elementwise(lambda data: 1.0 / (1.0 + numpy.exp(-data))),
    Op.HARD_SIGMOID: lambda node, operands, kernel: _hard_sigmoid(operands[0], node.attrs.alpha, node.attrs.beta),
    Op.HARD_SWISH: _elementwise(lambda data: data * _hard_sigmoid(data, 1 / 6, 0.5)),
    Op.GATHER: _gather, Op.LAYER_NORMALIZATION: _layer_normalization,
    Op.REDUCE_MEAN: _reduce(numpy.mean), Op.REDUCE_SUM: _reduce(numpy.sum), Op.REDUCE_MAX: _reduce(numpy.max),
    Op.ERF: _elementwise(_erf), Op.GELU: _gelu, Op.TANH: _elementwise(numpy.tanh),
}
