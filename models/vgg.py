"""VGG-11 (configuration "A", no batch norm) with torchvision's layer shapes.

Simonyan and Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition", ICLR 2015 (Table 1, column A): eight 3x3 convolutions, five max pools and
the classic three fully connected layers (25088 -> 4096 -> 4096 -> classes).

torchvision adds an adaptive 7x7 average pool before the classifier so other input sizes
work; at 224x224 the features are already 7x7 and it is the identity, so it is left out
(as is dropout, the identity in eval mode).
"""
from torch import nn

# Output channels of each 3x3 convolution; "pool" is a 2x2 stride-2 max pool.
VGG11_LAYERS = (64, "pool", 128, "pool", 256, 256, "pool", 512, 512, "pool", 512, 512, "pool")


def vgg_features(layers: tuple, in_channels: int, batch_norm: bool = False) -> list[nn.Module]:
    """3x3 convolutions (each -> optional BatchNorm -> ReLU) and max pools, as `layers` lists them."""
    modules = []
    for layer in layers:
        if layer == "pool":
            modules.append(nn.MaxPool2d(2, stride=2))
        else:
            modules += [nn.Conv2d(in_channels, layer, 3, padding=1, bias=not batch_norm)]
            modules += [nn.BatchNorm2d(layer), nn.ReLU()] if batch_norm else [nn.ReLU()]
            in_channels = layer
    return modules


def vgg_classifier(in_features: int, hidden: int, num_classes: int) -> list[nn.Module]:
    """Flatten -> FC -> ReLU -> FC -> ReLU -> FC: VGG's three fully connected layers."""
    return [nn.Flatten(), nn.Linear(in_features, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, num_classes)]


def vgg11(num_classes: int = 1000) -> nn.Module:
    """VGG-11 for 224x224 inputs (7.61 G MACs)."""
    return nn.Sequential(*vgg_features(VGG11_LAYERS, 3), *vgg_classifier(512 * 7 * 7, 4096, num_classes))
