"""Count a model's multiply-accumulates (MACs) with forward hooks.

The counted layers are the ones papers and torchvision's model cards count: convolutions,
fully connected layers and, for transformers, the two activation-by-activation matmuls of
attention (wrapped in `MatMul` so a hook can see them). Elementwise ops, pooling,
normalization, softmax and embedding lookups are not MACs and are left out.
"""
import math

import torch
from torch import nn


class MatMul(nn.Module):
    """`torch.matmul` as a module, so that forward hooks (and MAC counts) see it."""

    def forward(self, left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
        return torch.matmul(left, right)


def layer_macs(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> int:
    """MACs of one call of a counted layer; 0 for any other module."""
    if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
        # Every output element reads (in_channels / groups) x kernel window inputs.
        return output.numel() * (module.in_channels // module.groups) * math.prod(module.kernel_size)
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    if isinstance(module, MatMul):
        return output.numel() * inputs[0].shape[-1]
    return 0


def count_macs(model: nn.Module, example_input: torch.Tensor) -> int:
    """Total MACs of one forward pass of `model` on `example_input`."""
    total = 0

    def add_layer_macs(module, inputs, output):
        nonlocal total
        total += layer_macs(module, inputs, output)

    handles = [module.register_forward_hook(add_layer_macs) for module in model.modules()]
    try:
        with torch.no_grad():
            model(example_input)
    finally:
        for handle in handles:
            handle.remove()
    return total
