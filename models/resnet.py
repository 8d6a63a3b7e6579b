"""ResNet-18 and ResNet-50 with torchvision's layer shapes.

He et al., "Deep Residual Learning for Image Recognition", CVPR 2016 (Table 1 gives the
stages). Like torchvision, the bottleneck puts its stride on the 3x3 convolution
("ResNet v1.5"); the paper's v1 strides the first 1x1, which is why the paper quotes
3.8 G MACs for ResNet-50 and this definition (and torchvision) has 4.09 G.
"""
from torch import nn
from torch.nn import functional


def conv_norm(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1) -> nn.Sequential:
    """Conv (same padding, no bias) -> BatchNorm."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, (kernel_size - 1) // 2, bias=False),
        nn.BatchNorm2d(out_channels))


class ResidualBlock(nn.Module):
    """Convolution branch plus identity (or 1x1 projection where the shape changes), then ReLU."""

    def __init__(self, branch: nn.Sequential, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.branch = branch
        self.shortcut = (conv_norm(in_channels, out_channels, 1, stride)
                         if stride != 1 or in_channels != out_channels else nn.Identity())

    def forward(self, input):
        return functional.relu(self.branch(input) + self.shortcut(input))


def basic_block(in_channels: int, width: int, stride: int) -> ResidualBlock:
    """Two 3x3 convolutions (ResNet-18/34); output channels = width."""
    branch = nn.Sequential(conv_norm(in_channels, width, 3, stride), nn.ReLU(), conv_norm(width, width, 3))
    return ResidualBlock(branch, in_channels, width, stride)


def bottleneck_block(in_channels: int, width: int, stride: int) -> ResidualBlock:
    """1x1 reduce -> 3x3 (strided) -> 1x1 expand (ResNet-50+); output channels = 4 x width."""
    branch = nn.Sequential(conv_norm(in_channels, width, 1), nn.ReLU(),
                           conv_norm(width, width, 3, stride), nn.ReLU(),
                           conv_norm(width, 4 * width, 1))
    return ResidualBlock(branch, in_channels, 4 * width, stride)


class ResNet(nn.Module):
    """7x7 stem + max pool -> four stages (widths 64..512, strides 1,2,2,2) -> pool -> FC."""

    def __init__(self, block, expansion: int, blocks_per_stage: tuple[int, ...], num_classes: int = 1000):
        super().__init__()
        layers = [conv_norm(3, 64, 7, stride=2), nn.ReLU(), nn.MaxPool2d(3, stride=2, padding=1)]
        in_channels = 64
        for stage, repeats in enumerate(blocks_per_stage):
            width = 64 * 2 ** stage
            for index in range(repeats):
                stride = 2 if stage > 0 and index == 0 else 1
                layers.append(block(in_channels, width, stride))
                in_channels = expansion * width
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(in_channels, num_classes)

    def forward(self, image):
        pooled = functional.adaptive_avg_pool2d(self.features(image), 1)
        return self.classifier(pooled.flatten(1))


def resnet18(num_classes: int = 1000) -> nn.Module:
    """ResNet-18 (1.81 G MACs at 224x224)."""
    return ResNet(basic_block, 1, (2, 2, 2, 2), num_classes)


def resnet50(num_classes: int = 1000) -> nn.Module:
    """ResNet-50 v1.5 (4.09 G MACs at 224x224)."""
    return ResNet(bottleneck_block, 4, (3, 4, 6, 3), num_classes)
