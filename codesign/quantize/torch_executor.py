"""The IR run in torch, for autograd: the same ops, operand order and batch convention as
codesign/accuracy/execute.py (numpy), written with torch.nn.functional.

    executor = TorchExecutor(graph)          # weights become leaf tensors that require grad
    logits = executor(images)                # images: a float32 torch tensor, dim 0 = batch
    torch.autograd.grad(loss, list(executor.weights.values()))

Only the weights of the compute layers (executor.weights, by layer name) require grad; biases
and other constants do not. Torch is imported by whoever imports this module: nothing the CLI
loads at start imports it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
import torch
from torch.nn import functional

from codesign.accuracy.execute import require_weights
from codesign.errors import CodesignError
from codesign.ir import Graph, Node, Op, Param

Operation = Callable[[Node, list[torch.Tensor]], torch.Tensor]


class TorchExecutor:
    """A graph's forward pass in torch; `weights` (layer name -> leaf tensor) carry the gradients."""

    def __init__(self, graph: Graph, dtype: torch.dtype = torch.float32):
        require_weights(graph)
        if len(graph.inputs) != 1 or len(graph.outputs) != 1:
            raise CodesignError(f"quantize: graph '{graph.name}' must have one input and one output")
        unknown = next((node for node in graph if node.op not in _OPERATIONS), None)
        if unknown is not None:
            raise CodesignError(f"quantize: op {unknown.op.value} of node '{unknown.name}' is not supported by the "
                                "torch executor")
        self.graph, self.dtype = graph, dtype
        self.constants = {(node.name, param.position): _tensor(param, dtype) for node in graph for param in node.params}
        self.weights: dict[str, torch.Tensor] = {}
        for node in graph.compute_nodes:
            if node.weight is not None:
                leaf = self.constants[(node.name, node.weight.position)].clone().requires_grad_(True)
                self.constants[(node.name, node.weight.position)] = self.weights[node.name] = leaf

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        values = {self.graph.inputs[0].name: inputs.to(self.dtype) if inputs.is_floating_point() else inputs}
        for node in self.graph:
            values[node.outputs[0].name] = _OPERATIONS[node.op](node, self._operands(node, values))
        return values[self.graph.outputs[0].name]

    def _operands(self, node: Node, values: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        """Activations and constants in the ONNX input order, as execute.py orders them."""
        activations = iter(values[value.name] for value in node.inputs)
        count = len(node.inputs) + len(node.params)
        return [self.constants.get((node.name, index)) if (node.name, index) in self.constants else next(activations)
                for index in range(count)]


def _tensor(param: Param, dtype: torch.dtype) -> torch.Tensor:
    return torch.from_numpy(numpy.array(param.data, dtype=numpy.float32)).to(dtype)


def _unsupported(node: Node, why: str) -> CodesignError:
    return CodesignError(f"quantize: node '{node.name}' ({node.op.value}) {why}; the torch executor does not "
                         "support it")


def _conv(node: Node, operands: list[torch.Tensor]) -> torch.Tensor:
    attrs = node.attrs
    if attrs.transposed or len(node.inputs) != 1:
        raise _unsupported(node, "is transposed or has a non-constant weight")
    top, left, bottom, right = attrs.pads
    padded = functional.pad(operands[0], (left, right, top, bottom))
    bias = operands[2] if len(operands) > 2 else None
    return functional.conv2d(padded, operands[1], bias, attrs.strides, 0, attrs.dilations, attrs.group)


def _matmul(node: Node, operands: list[torch.Tensor]) -> torch.Tensor:
    attrs = node.attrs
    if node.op is Op.MATMUL and not node.params and len(node.inputs) == 2:
        return torch.matmul(operands[0], operands[1])
    weight = node.weight
    if len(node.inputs) != 1 or weight is None or weight.position != 1 or attrs.transpose_a:
        raise _unsupported(node, "needs an activation times a constant right-hand weight")
    matrix = operands[1].T if attrs.transpose_b else operands[1]
    if matrix.ndim != 2:
        raise _unsupported(node, f"has a rank-{matrix.ndim} weight")
    output = attrs.alpha * torch.matmul(operands[0], matrix)
    return output + attrs.beta * operands[2] if len(operands) > 2 else output


def _windows(images: torch.Tensor, node: Node, pads, fill: float) -> torch.Tensor:
    """Receptive fields [N, C, R*S, P*Q] of `images` padded (top, left, bottom, right) with `fill`."""
    attrs = node.attrs
    top, left, bottom, right = pads
    padded = functional.pad(images, (left, right, top, bottom), value=fill)
    batch, channels = images.shape[:2]
    fields = functional.unfold(padded, attrs.kernel, attrs.dilations, 0, attrs.strides)
    return fields.reshape(batch, channels, attrs.kernel[0] * attrs.kernel[1], -1)


def _pool(node: Node, operands: list[torch.Tensor]) -> torch.Tensor:
    """execute.py's pooling: ceil_mode's extra rows as pads; the divisor counts cells inside the
    image (and the explicit pads with count_include_pad)."""
    attrs, images = node.attrs, operands[0]
    top, left, bottom, right = attrs.pads
    out_rows, out_columns = node.outputs[0].type.shape[2:]
    extent = [attrs.dilations[axis] * (attrs.kernel[axis] - 1) + 1 for axis in range(2)]
    bottom += max(0, (out_rows - 1) * attrs.strides[0] + extent[0] - images.shape[2] - top - bottom)
    right += max(0, (out_columns - 1) * attrs.strides[1] + extent[1] - images.shape[3] - left - right)
    pads = (top, left, bottom, right)
    shape = (*images.shape[:2], *_grid(images, node, pads))
    if node.op is Op.MAX_POOL:
        return _crop(_windows(images, node, pads, -torch.inf).amax(dim=2).reshape(shape), out_rows, out_columns)
    sums = _windows(images, node, pads, 0.0).sum(dim=2).reshape(shape)
    explicit = attrs.pads if attrs.count_include_pad else (0, 0, 0, 0)
    ones = functional.pad(torch.ones((1, 1, *images.shape[2:]), dtype=images.dtype),
                          (explicit[1], explicit[3], explicit[0], explicit[2]), value=1.0)
    outside = tuple(pads[index] - explicit[index] for index in range(4))
    counts = _windows(ones, node, outside, 0.0).sum(dim=2).reshape(1, 1, *_grid(images, node, pads))
    return _crop(sums / counts, out_rows, out_columns)


def _grid(images: torch.Tensor, node: Node, pads) -> tuple[int, int]:
    """Window positions (rows, columns) over `images` padded by `pads`."""
    attrs = node.attrs
    sizes = (images.shape[2] + pads[0] + pads[2], images.shape[3] + pads[1] + pads[3])
    return tuple((sizes[axis] - attrs.dilations[axis] * (attrs.kernel[axis] - 1) - 1) // attrs.strides[axis] + 1
                 for axis in range(2))


def _crop(values: torch.Tensor, rows: int, columns: int) -> torch.Tensor:
    return values[:, :, :rows, :columns]


def _view(node: Node, operands: list[torch.Tensor]) -> torch.Tensor:
    data, target = operands[0], node.outputs[0].type.shape
    if node.attrs.onnx_op == "Transpose":
        perm = node.attrs.perm or tuple(reversed(range(data.ndim)))
        if perm[0] != 0:
            raise _unsupported(node, f"moves the batch dimension (perm {perm})")
        return data.permute(*perm)
    if not target or target[0] != 1:
        raise _unsupported(node, f"does not keep the batch dimension (shape {target})")
    return data.reshape(data.shape[0], *target[1:])


def _lrn(node: Node, operands: list[torch.Tensor]) -> torch.Tensor:
    attrs, data = node.attrs, operands[0]
    before, after = (attrs.size - 1) // 2, attrs.size // 2
    squares = functional.pad(data**2, (0, 0, 0, 0, before, after))
    window_sums = squares.unfold(1, attrs.size, 1).sum(dim=-1)
    return data / (attrs.bias + attrs.alpha / attrs.size * window_sums) ** attrs.beta


def _gather(node: Node, operands: list[torch.Tensor]) -> torch.Tensor:
    """An embedding lookup: entries of a table picked by integer ids along the axis."""
    data, indices = operands
    axis = node.attrs.axes[0] % data.ndim
    if axis == 0 and not any(param.position == 0 for param in node.params):
        raise _unsupported(node, "gathers along the batch dimension")
    indices = indices.long()
    picked = torch.index_select(data, axis, indices.reshape(-1) % data.shape[axis])
    return picked.reshape(*data.shape[:axis], *indices.shape, *data.shape[axis + 1:])


def _layer_normalization(node: Node, operands: list[torch.Tensor]) -> torch.Tensor:
    data, scale = operands[0], operands[1]
    axes = tuple(range(node.attrs.axes[0] % data.ndim, data.ndim))
    epsilon = 1e-5 if node.attrs.epsilon is None else node.attrs.epsilon
    centred = data - data.mean(dim=axes, keepdim=True)
    normalised = centred / torch.sqrt((centred**2).mean(dim=axes, keepdim=True) + epsilon)
    return normalised * scale + operands[2] if len(operands) > 2 else normalised * scale


def _reduce(function: Callable[..., torch.Tensor]) -> Operation:
    def run(node: Node, operands: list[torch.Tensor]) -> torch.Tensor:
        data = operands[0]
        axes = tuple(axis % data.ndim for axis in node.attrs.axes)
        if not axes or 0 in axes:
            raise _unsupported(node, "reduces over the batch dimension")
        return function(data, dim=axes, keepdim=node.attrs.keepdims)
    return run


def _gelu(node: Node, operands: list[torch.Tensor]) -> torch.Tensor:
    return functional.gelu(operands[0], approximate="tanh" if node.attrs.approximate == "tanh" else "none")


def _clip(node: Node, operands: list[torch.Tensor]) -> torch.Tensor:
    return torch.clamp(operands[0], node.attrs.minimum, node.attrs.maximum)


def _hard_sigmoid(data: torch.Tensor, alpha: float = 0.2, beta: float = 0.5) -> torch.Tensor:
    return torch.clamp(alpha * data + beta, 0.0, 1.0)


def _elementwise(function: Callable[..., torch.Tensor]) -> Operation:
    def run(node: Node, operands: list[torch.Tensor]) -> torch.Tensor:
        return function(*operands)
    return run


_OPERATIONS: dict[Op, Operation] = {
    Op.CONV: _conv, Op.GEMM: _matmul, Op.MATMUL: _matmul,
    Op.MAX_POOL: _pool, Op.AVERAGE_POOL: _pool,
    Op.GLOBAL_AVERAGE_POOL: _elementwise(lambda data: data.mean(dim=(2, 3), keepdim=True)),
    Op.GLOBAL_MAX_POOL: _elementwise(lambda data: data.amax(dim=(2, 3), keepdim=True)),
    Op.VIEW: _view, Op.LRN: _lrn, Op.CLIP: _clip,
    Op.SOFTMAX: lambda node, operands: torch.softmax(operands[0], dim=node.attrs.axes[0]),
    Op.ADD: _elementwise(torch.add), Op.SUB: _elementwise(torch.sub),
    Op.MUL: _elementwise(torch.mul), Op.DIV: _elementwise(torch.div),
    Op.RELU: _elementwise(torch.relu), Op.SIGMOID: _elementwise(torch.sigmoid),
    Op.HARD_SIGMOID: lambda node, operands: _hard_sigmoid(operands[0], node.attrs.alpha, node.attrs.beta),
    Op.HARD_SWISH: _elementwise(lambda data: data * _hard_sigmoid(data, 1 / 6, 0.5)),
    Op.GATHER: _gather, Op.LAYER_NORMALIZATION: _layer_normalization,
    Op.REDUCE_MEAN: _reduce(torch.mean), Op.REDUCE_SUM: _reduce(torch.sum), Op.REDUCE_MAX: _reduce(torch.amax),
    Op.ERF: _elementwise(torch.erf), Op.GELU: _gelu, Op.TANH: _elementwise(torch.tanh),
}
