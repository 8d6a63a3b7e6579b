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


def vgg11(num_classes: int = 1000) -> nn.Module:
    """VGG-11 for 224x224 inputs (7.61 G MACs)."""
    layers = []
    in_channels = 3
    for layer in VGG11_LAYERS:
        if layer == "pool":
            layers.append(nn.MaxPool2d(2, stride=2))
        else:
            layers += [nn.Conv2d(in_channels, layer, 3, padding=1), nn.ReLU()]
            in_channels = layer
    classifier = [nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(),
                  nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, num_classes)]
    return nn.Sequential(*layers, *classifier)
