"""Per-layer Hessian traces by Hutchinson's estimator, as HAWQ-V2 computes them (PyHessian).

Tr(H_l) = E[v^T H_l v] over Rademacher vectors v, H_l the Hessian of the cross-entropy loss
w.r.t. layer l's weights alone (its diagonal block of the whole Hessian). The gradient w.r.t.
every layer is taken once per batch with its graph kept; then each layer gets its own vectors
and Hessian-vector products (a double backward that reaches that layer's weights only). One
vector for all layers at once would cost a third as much, but its estimate of a layer also
sums the cross terms v_l^T H_lk v_k: zero on average, yet on digits-sized networks they made a
small layer's estimate several times noisier than its own block does.
The loss is the mean over a batch; the estimate averages `samples` vectors on each of `batches`
batches. The labels are the float model's own predictions (LabelledData holds no labels for its
training images; on a trained model they are nearly all the true labels).
"""

from __future__ import annotations

import numpy

from codesign.accuracy.datasets import LabelledData
from codesign.errors import CodesignError
from codesign.ir import Graph
from codesign.quantize.layers import check_inputs, weighted_layers

TORCH_THREADS = 1
"""Measured on two cores: two threads were at most 15% faster when the cores were idle
(digits_resnet: 24 s against 28 s) and up to 25 times slower when another process used them;
one thread also keeps the sums the same on every machine."""


def hessian_traces(graph: Graph, data: LabelledData, batches: int = 4, batch_size: int = 64, samples: int = 16,
                   seed: int = 0) -> dict[str, float]:
    """Layer name -> Hutchinson estimate of Tr(H_l) / (number of weights of l), for every compute
    layer with constant weights the quantizer handles; the same numbers for the same seed."""
    for name, count in (("batches", batches), ("batch_size", batch_size), ("samples", samples)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise CodesignError(f"quantize: hessian_traces' {name} must be a positive whole number (got {count!r})")
    images = check_inputs(graph, data.calibration, "calibration inputs")
    layers = [node.name for node in weighted_layers(graph)]
    if not layers:
        return {}
    import torch

    from codesign.quantize.torch_executor import TorchExecutor

    threads = torch.get_num_threads()
    torch.set_num_threads(TORCH_THREADS)
    try:
        executor = TorchExecutor(graph)
        weights = [executor.weights[name] for name in layers]
        generator = torch.Generator().manual_seed(seed)
        totals = numpy.zeros(len(layers))
        chosen = _batches(len(images), batches, batch_size, seed)
        for indices in chosen:
            totals += _batch_estimate(executor, weights, torch.from_numpy(images[indices]), samples, generator)
    finally:
        torch.set_num_threads(threads)
    means = totals / (len(chosen) * samples)
    return {name: float(mean / weight.numel()) for name, mean, weight in zip(layers, means, weights)}


def _batches(count: int, batches: int, batch_size: int, seed: int) -> list[numpy.ndarray]:
    """`batches` disjoint batches of a seeded shuffle; fewer when the data run out (one batch of
    all of them when there are fewer than `batch_size`)."""
    order = numpy.random.default_rng(seed).permutation(count)
    size = min(batch_size, count)
    return [order[start:start + size] for start in range(0, count - size + 1, size)][:batches]


def _batch_estimate(executor, weights: list, images, samples: int, generator) -> numpy.ndarray:
    """Per layer, the sum over `samples` Rademacher vectors v of v . (H_l v), on one batch."""
    import torch
    from torch.nn import functional

    logits = executor(images).reshape(len(images), -1)
    loss = functional.cross_entropy(logits, logits.detach().argmax(dim=1))
    gradients = torch.autograd.grad(loss, weights, create_graph=True)
    sums = numpy.zeros(len(weights))
    for layer, (gradient, weight) in enumerate(zip(gradients, weights)):
        for _ in range(samples):
            vector = torch.randint(0, 2, weight.shape, generator=generator, dtype=weight.dtype) * 2 - 1
            product, = torch.autograd.grad(gradient, weight, grad_outputs=vector, retain_graph=True)
            sums[layer] += float(torch.sum(product * vector))
    return sums
