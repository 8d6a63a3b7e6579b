"""AlexNet as Eyeriss measured it: the original two-group network on 227x227 images.

Krizhevsky, Sutskever and Hinton, "ImageNet Classification with Deep Convolutional
Neural Networks", NIPS 2012 (Fig. 2): CONV2, CONV4 and CONV5 are split into two groups
(the two GPUs). Eyeriss (Chen et al., ISSCC 2016 / JSSC 2017) reports its measurements on
these five convolutional layers: 666 M MACs per image with the classifier, 35 frames/s
and 0.0029 DRAM accesses per MAC at batch 4. Local response normalisation follows
CONV1 and CONV2 as in the paper; dropout is the identity at inference and left out.
"""
import torch
from torch import nn

from models.counts import ALEXNET_CONVOLUTION_MACS  # noqa: F401  (the five convolutions, torch-free)


class _LocalResponseNorm(torch.autograd.Function):
    """torch's LocalResponseNorm, exported as the single ONNX LRN op it is (torch's own
    export decomposes it into a dozen pads, pools and control-flow nodes)."""

    @staticmethod
    def forward(context, values, size, alpha, beta, bias):
        return nn.functional.local_response_norm(values, size, alpha, beta, bias)

    @staticmethod
    def symbolic(graph, values, size, alpha, beta, bias):
        return graph.op("LRN", values, size_i=size, alpha_f=alpha, beta_f=beta, bias_f=bias)


class LocalResponseNorm(nn.Module):
    def __init__(self, size: int = 5, alpha: float = 1e-4, beta: float = 0.75, bias: float = 2.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.bias = size, alpha, beta, bias

    def forward(self, values: torch.Tensor) -> torch.Tensor:
        return _LocalResponseNorm.apply(values, self.size, self.alpha, self.beta, self.bias)


def alexnet(num_classes: int = 1000) -> nn.Module:
    """AlexNet with grouped CONV2/4/5 for 227x227 inputs."""
    return nn.Sequential(
        nn.Conv2d(3, 96, 11, stride=4), nn.ReLU(), LocalResponseNorm(),
        nn.MaxPool2d(3, stride=2),
        nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(), LocalResponseNorm(),
        nn.MaxPool2d(3, stride=2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(),
        nn.MaxPool2d(3, stride=2),
        nn.Flatten(), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Linear(4096, num_classes),
    )
