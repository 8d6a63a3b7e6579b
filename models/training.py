"""The training loop the zoo's trained models share: Adam on cross-entropy, seeded, one thread.

Every trained model goes through `fit`, so that a model's weights depend only on its
definition, its data and the seed: the same on every machine, whatever its core count.
"""
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional


@dataclass(frozen=True)
class Schedule:
    """How long and how fast a model trains."""

    epochs: int
    batch_size: int
    learning_rate: float
    cosine: bool = False
    """Anneal the learning rate to zero over the epochs (deeper models settle better)."""
    weight_decay: float = 0.0


@dataclass(frozen=True)
class Split:
    """A data set's fixed train/test split, inputs as the model takes them."""

    train_inputs: torch.Tensor
    train_labels: torch.Tensor
    test_inputs: torch.Tensor
    test_labels: torch.Tensor


def accuracy(model: nn.Module, inputs: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of `inputs` whose top-scoring class is the label."""
    with torch.no_grad():
        return (model(inputs).argmax(dim=1) == labels).float().mean().item()


@contextmanager
def single_threaded():
    """Run torch on one thread: on batches this small a thread pool costs more than it saves
    (ten times more when other processes share the cores), and the result cannot depend on
    the number of cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def fit(build: Callable[[], nn.Module], split: Split, schedule: Schedule, seed: int = 0) -> tuple[nn.Module, float]:
    """Train `build()` on `split`'s training half; return (eval-mode model, test accuracy).

    `seed` sets the initial weights and the batch order.
    """
    torch.manual_seed(seed)
    model = build()
    optimizer = torch.optim.Adam(model.parameters(), lr=schedule.learning_rate, weight_decay=schedule.weight_decay)
    batches_per_epoch = -(-len(split.train_inputs) // schedule.batch_size)
    annealing = (torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, schedule.epochs * batches_per_epoch)
                 if schedule.cosine else None)
    shuffle = torch.Generator().manual_seed(seed)
    with single_threaded():
        model.train()
        for _ in range(schedule.epochs):
            for batch in torch.randperm(len(split.train_inputs), generator=shuffle).split(schedule.batch_size):
                optimizer.zero_grad()
                functional.cross_entropy(model(split.train_inputs[batch]), split.train_labels[batch]).backward()
                optimizer.step()
                if annealing is not None:
                    annealing.step()
        model.eval()
        return model, accuracy(model, split.test_inputs, split.test_labels)
