"""MobileNet-V2 and MobileNet-V3 (Large and Small) at width 1.0, with torchvision's layer shapes.

- MobileNet-V2: Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
  CVPR 2018 (Table 2 gives the stages).
- MobileNet-V3: Howard et al., "Searching for MobileNetV3", ICCV 2019 (Tables 1 and 2 give
  the bottlenecks; squeeze-excite width is a quarter of the expansion, rounded to 8).

Dropout is left out: these are inference workloads, and dropout is the identity in eval mode.
"""
from torch import nn
from torch.nn import functional


def make_divisible(channels: float, divisor: int = 8) -> int:
    """Round a channel count to a multiple of `divisor`, never more than 10% below it."""
    rounded = max(divisor, int(channels + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * channels else rounded


def conv_norm_activation(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                         groups: int = 1, activation: type[nn.Module] | None = nn.ReLU6,
                         norm_eps: float = 1e-5) -> nn.Sequential:
    """Conv (same padding, no bias) -> BatchNorm -> optional activation."""
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, (kernel_size - 1) // 2,
                        groups=groups, bias=False),
              nn.BatchNorm2d(out_channels, eps=norm_eps)]
    if activation is not None:
        layers.append(activation())
    return nn.Sequential(*layers)


class ImageClassifier(nn.Module):
    """Feature extractor -> global average pool -> classifier, the common MobileNet tail."""

    def __init__(self, features: nn.Module, classifier: nn.Module):
        super().__init__()
        self.features = features
        self.classifier = classifier

    def forward(self, image):
        pooled = functional.adaptive_avg_pool2d(self.features(image), 1)
        return self.classifier(pooled.flatten(1))


class InvertedResidual(nn.Module):
    """MobileNet-V2 block: 1x1 expand (ReLU6) -> 3x3 depthwise (ReLU6) -> 1x1 linear project."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, expansion: int):
        super().__init__()
        hidden = in_channels * expansion
        layers = [conv_norm_activation(in_channels, hidden, 1)] if expansion != 1 else []
        layers += [conv_norm_activation(hidden, hidden, 3, stride, groups=hidden),
                   conv_norm_activation(hidden, out_channels, 1, activation=None)]
        self.block = nn.Sequential(*layers)
        self.use_residual = stride == 1 and in_channels == out_channels

    def forward(self, input):
        output = self.block(input)
        return input + output if self.use_residual else output


# (expansion t, output channels c, repeats n, stride of the first repeat s): paper Table 2.
MOBILENET_V2_STAGES = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


def mobilenet_v2(num_classes: int = 1000) -> nn.Module:
    """MobileNet-V2 1.0 (300.8 M MACs at 224x224; the paper says 300 M)."""
    layers = [conv_norm_activation(3, 32, 3, stride=2)]
    in_channels = 32
    for expansion, channels, repeats, stride in MOBILENET_V2_STAGES:
        for index in range(repeats):
            layers.append(InvertedResidual(in_channels, channels, stride if index == 0 else 1, expansion))
            in_channels = channels
    layers.append(conv_norm_activation(in_channels, 1280, 1))
    return ImageClassifier(nn.Sequential(*layers), nn.Linear(1280, num_classes))


class SqueezeExcitation(nn.Module):
    """Channel gate: global pool -> 1x1 (ReLU) -> 1x1 (hard sigmoid) -> scale the input."""

    def __init__(self, channels: int, squeeze_channels: int):
        super().__init__()
        self.reduce = nn.Conv2d(channels, squeeze_channels, 1)
        self.relu = nn.ReLU()
        self.expand = nn.Conv2d(squeeze_channels, channels, 1)
        self.gate = nn.Hardsigmoid()

    def forward(self, input):
        pooled = functional.adaptive_avg_pool2d(input, 1)
        return input * self.gate(self.expand(self.relu(self.reduce(pooled))))


# MobileNet-V3 uses BatchNorm eps 1e-3 (the TensorFlow reference's value), as torchvision does.
V3_NORM_EPS = 1e-3


class Bottleneck(nn.Module):
    """MobileNet-V3 block: V2's inverted residual plus optional squeeze-excite and hard-swish."""

    def __init__(self, in_channels: int, kernel_size: int, expanded: int, out_channels: int,
                 squeeze_excite: bool, hard_swish: bool, stride: int):
        super().__init__()
        activation = nn.Hardswish if hard_swish else nn.ReLU
        layers = []
        if expanded != in_channels:
            layers.append(conv_norm_activation(in_channels, expanded, 1, activation=activation,
                                               norm_eps=V3_NORM_EPS))
        layers.append(conv_norm_activation(expanded, expanded, kernel_size, stride, groups=expanded,
                                           activation=activation, norm_eps=V3_NORM_EPS))
        if squeeze_excite:
            layers.append(SqueezeExcitation(expanded, make_divisible(expanded // 4)))
        layers.append(conv_norm_activation(expanded, out_channels, 1, activation=None,
                                           norm_eps=V3_NORM_EPS))
        self.block = nn.Sequential(*layers)
        self.use_residual = stride == 1 and in_channels == out_channels

    def forward(self, input):
        output = self.block(input)
        return input + output if self.use_residual else output


# (kernel, expanded channels, output channels, squeeze-excite, hard-swish, stride): paper Table 1.
MOBILENET_V3_LARGE_BOTTLENECKS = (
    (3, 16, 16, False, False, 1), (3, 64, 24, False, False, 2), (3, 72, 24, False, False, 1),
    (5, 72, 40, True, False, 2), (5, 120, 40, True, False, 1), (5, 120, 40, True, False, 1),
    (3, 240, 80, False, True, 2), (3, 200, 80, False, True, 1), (3, 184, 80, False, True, 1),
    (3, 184, 80, False, True, 1), (3, 480, 112, True, True, 1), (3, 672, 112, True, True, 1),
    (5, 672, 160, True, True, 2), (5, 960, 160, True, True, 1), (5, 960, 160, True, True, 1),
)
# Same columns: paper Table 2.
MOBILENET_V3_SMALL_BOTTLENECKS = (
    (3, 16, 16, True, False, 2), (3, 72, 24, False, False, 2), (3, 88, 24, False, False, 1),
    (5, 96, 40, True, True, 2), (5, 240, 40, True, True, 1), (5, 240, 40, True, True, 1),
    (5, 120, 48, True, True, 1), (5, 144, 48, True, True, 1), (5, 288, 96, True, True, 2),
    (5, 576, 96, True, True, 1), (5, 576, 96, True, True, 1),
)


def mobilenet_v3(bottlenecks: tuple[tuple, ...], last_channels: int, num_classes: int) -> nn.Module:
    """Stem (3x3 stride 2, hard-swish) -> bottlenecks -> 1x1 to 6x -> pool -> two-layer head."""
    layers = [conv_norm_activation(3, 16, 3, stride=2, activation=nn.Hardswish, norm_eps=V3_NORM_EPS)]
    in_channels = 16
    for kernel_size, expanded, out_channels, squeeze_excite, hard_swish, stride in bottlenecks:
        layers.append(Bottleneck(in_channels, kernel_size, expanded, out_channels,
                                 squeeze_excite, hard_swish, stride))
        in_channels = out_channels
    features_out = 6 * in_channels
    layers.append(conv_norm_activation(in_channels, features_out, 1, activation=nn.Hardswish,
                                       norm_eps=V3_NORM_EPS))
    classifier = nn.Sequential(nn.Linear(features_out, last_channels), nn.Hardswish(),
                               nn.Linear(last_channels, num_classes))
    return ImageClassifier(nn.Sequential(*layers), classifier)


def mobilenet_v3_large(num_classes: int = 1000) -> nn.Module:
    """MobileNet-V3-Large 1.0 (216.6 M MACs at 224x224; the paper says 219 M, torchvision 0.217 G)."""
    return mobilenet_v3(MOBILENET_V3_LARGE_BOTTLENECKS, 1280, num_classes)


def mobilenet_v3_small(num_classes: int = 1000) -> nn.Module:
    """MobileNet-V3-Small 1.0 (56.5 M MACs at 224x224; the paper says 56 M, torchvision 0.057 G)."""
    return mobilenet_v3(MOBILENET_V3_SMALL_BOTTLENECKS, 1024, num_classes)
