"""Fine-tuning for the crossbar-aware pruner, in torch (codesign/quantize/torch_executor.py runs
the IR with autograd): SGD with momentum 0.9 on cross-entropy over the training split, one
thread, seeded.

Two regularizers shape the weights before any is pruned:
  * D.U.B. (Ibrayev et al., arXiv 2403.13082): the variance of the L0 norms of neighbouring
    columns of each crossbar (so that no column holds many more non-zero weights than the one
    next to it, and the crossbar's worst column, which sets its ADC resolution, is near the
    mean), plus their mean (sparsity). L0 is not differentiable; its surrogate is
    sum w^2 / (w^2 + eps), eps = (EPS_FRACTION x the layer's weight std)^2, which tends to the
    count of non-zero weights as eps -> 0;
  * L1 (the crossbar-unaware baseline): the mean |w| of each layer over its std.
Masked fine-tuning keeps pruned weights at zero: the forward pass multiplies each weight by its
mask, so their gradients are zero too. Weights are trained in float; the accuracy that decides
is measured afterwards with the target's own arithmetic (the analog emulator).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy

from codesign.accuracy.datasets import LabelledData
from codesign.errors import CodesignError
from codesign.ir import Graph
from codesign.passes.prune_layout import LayerCrossbars

EPS_FRACTION = 0.1
TORCH_THREADS = 1
"""As codesign/quantize/hessian.py: the same weights on every machine, and no contention."""

Weights = dict[str, numpy.ndarray]


@dataclass(frozen=True)
class Schedule:
    epochs: int
    learning_rate: float = 0.01
    batch_size: int = 64
    seed: int = 0


@dataclass(frozen=True)
class Regularizer:
    """loss = cross-entropy + variance x (D.U.B. variance term) + sparsity x (mean L0 or L1 term)."""

    kind: str
    """'dub', 'l1' or 'none'."""
    variance: float = 0.0
    sparsity: float = 0.0
    crossbars: tuple[LayerCrossbars, ...] = ()
    """'dub': the layers' crossbars, whose neighbouring columns it balances."""


def fine_tune(graph: Graph, data: LabelledData, names: list[str], schedule: Schedule,
              start: Weights | None = None, masks: dict[str, numpy.ndarray] | None = None,
              regularizer: Regularizer = Regularizer("none")) -> Weights:
    """The weights of the layers `names` after `schedule` on the training split (from `start`,
    else the graph's), pruned weights held at zero by `masks`."""
    import torch

    from codesign.quantize.torch_executor import TorchExecutor

    threads = torch.get_num_threads()
    torch.set_num_threads(TORCH_THREADS)
    try:
        torch.manual_seed(schedule.seed)
        executor = TorchExecutor(graph)
        keys = {node.name: (node.name, node.weight.position) for node in graph.compute_nodes if node.name in names}
        raw = {name: torch.tensor(start[name] if start else executor.weights[name].detach().numpy(),
                                  dtype=torch.float32, requires_grad=True) for name in names}
        mask_tensors = {name: torch.tensor(masks[name], dtype=torch.float32) for name in names} if masks else {}
        penalty = _penalty(names, raw, regularizer)
        optimizer = torch.optim.SGD(list(raw.values()), lr=schedule.learning_rate, momentum=0.9)
        images, labels = torch.from_numpy(data.train_images), torch.from_numpy(data.train_labels)
        generator = torch.Generator().manual_seed(schedule.seed)
        for _ in range(schedule.epochs):
            for batch in torch.randperm(len(images), generator=generator).split(schedule.batch_size):
                for name in names:
                    executor.constants[keys[name]] = raw[name] * mask_tensors[name] if masks else raw[name]
                logits = executor(images[batch]).reshape(len(batch), -1)
                loss = torch.nn.functional.cross_entropy(logits, labels[batch]) + penalty()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        tuned = {name: (raw[name] * mask_tensors[name] if masks else raw[name]).detach().numpy().copy()
                 for name in names}
        if not all(numpy.isfinite(values).all() for values in tuned.values()):
            raise CodesignError(f"prune-crossbar: fine-tuning diverged (weights became NaN or infinite); "
                                f"lower learning_rate (it is {schedule.learning_rate:g})")
        return tuned
    finally:
        torch.set_num_threads(threads)


def _penalty(names: list[str], raw: dict, regularizer: Regularizer) -> Callable[[], object]:
    import torch

    if regularizer.kind == "none":
        return lambda: 0.0
    scales = {name: float(raw[name].detach().std()) or 1.0 for name in names}
    if regularizer.kind == "l1":
        return lambda: regularizer.sparsity * sum(raw[name].abs().mean() / scale for name, scale in scales.items())
    plans = [(layer, _crossbar_columns(layer)) for layer in regularizer.crossbars]

    def dub() -> torch.Tensor:
        total = 0.0
        for layer, (reads, tiles) in plans:
            weights = raw[layer.name]
            matrices = _torch_matrices(layer, weights)
            squares = matrices**2
            soft = squares / (squares + (EPS_FRACTION * scales[layer.name]) ** 2)
            l0 = torch.stack([soft[:, start:stop].sum(dim=1) / (stop - start) for start, stop in reads], dim=1)
            variance = sum(l0[:, :, columns].var(dim=2, unbiased=False).mean() for columns in tiles) / len(tiles)
            total = total + regularizer.variance * variance + regularizer.sparsity * l0.mean()
        return total / len(plans)
    return dub


def _crossbar_columns(layer: LayerCrossbars) -> tuple[list[tuple[int, int]], list[list[int]]]:
    """The layer's reads, and the outputs of each column tile (neighbouring columns of a crossbar)."""
    first, _ = layer.output_tiles()
    tiles = [list(numpy.flatnonzero(first == tile)) for tile in range(layer.column_tiles)]
    return layer.reads, [columns for columns in tiles if len(columns) > 1] or [list(range(layer.outputs))]


def _torch_matrices(layer: LayerCrossbars, weights):
    """[groups, rows, outputs], as LayerCrossbars.matrices, differentiably."""
    if layer.transposed:
        return weights.T[None]
    if len(layer.weight_shape) == 2:
        return weights[None]
    return weights.reshape(layer.groups, layer.outputs, -1).transpose(1, 2)
