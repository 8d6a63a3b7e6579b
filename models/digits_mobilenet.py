"""A small MobileNet-V2 trained on scikit-learn's digits, upsampled to 16x16.

Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks", CVPR 2018: each
block expands with a 1x1 convolution (ReLU6), filters with a 3x3 depthwise convolution
(ReLU6) and projects back with a linear 1x1; a block that keeps the shape adds its input.
Blocks (expansion t, output channels c, repeats n, first stride s), scaled down from the
paper's Table 2 for 16x16 inputs (pixels / 16, upsampled bilinearly from 8x8):
    stem conv 3x3 1->32; (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 2, 2), (6, 64, 2, 1);
    1x1 head 64->256; global average pool; FC 256->10.

MACs (1x1: pixels x out x in; depthwise 3x3: pixels x channels x 9):
    stem                      16*16*32*9                                 =    73,728
    32->16 (t=1) at 16x16     16*16*32*9 + 16*16*16*32                   =   204,800
    16->24 s2 (96 wide)       16*16*96*16 + 8*8*96*9 + 8*8*24*96         =   595,968
    24->24 at 8x8 (144 wide)  8*8*144*24 + 8*8*144*9 + 8*8*24*144        =   525,312
    24->32 s2 (144 wide)      8*8*144*24 + 4*4*144*9 + 4*4*32*144        =   315,648
    32->32 at 4x4 (192 wide)  4*4*192*32 + 4*4*192*9 + 4*4*32*192        =   224,256
    32->64 at 4x4 (192 wide)  4*4*192*32 + 4*4*192*9 + 4*4*64*192        =   322,560
    64->64 at 4x4 (384 wide)  4*4*384*64 + 4*4*384*9 + 4*4*64*384        =   841,728
    head 1x1                  4*4*256*64                                 =   262,144
    FC                        256*10                                     =     2,560   total 3,368,704
"""
from torch import nn

from models.counts import DIGITS_MOBILENET_MACS  # noqa: F401  (the sum above, torch-free)
from models.digits import train_on_digits
from models.mobilenet import ImageClassifier, InvertedResidual, conv_norm_activation
from models.training import Schedule

INPUT_SIZE = 16
STEM_CHANNELS = 32
HEAD_CHANNELS = 256
BLOCKS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 2, 2), (6, 64, 2, 1))
"""(expansion, output channels, repeats, stride of the first), as in the paper's Table 2."""
SCHEDULE = Schedule(epochs=12, batch_size=64, learning_rate=5e-3, cosine=True)


def digits_mobilenet() -> nn.Module:
    """MobileNet-V2 blocks for 1x16x16 digits (the docstring's table)."""
    layers = [conv_norm_activation(1, STEM_CHANNELS, 3)]
    in_channels = STEM_CHANNELS
    for expansion, channels, repeats, stride in BLOCKS:
        for index in range(repeats):
            layers.append(InvertedResidual(in_channels, channels, stride if index == 0 else 1, expansion))
            in_channels = channels
    layers.append(conv_norm_activation(in_channels, HEAD_CHANNELS, 1))
    return ImageClassifier(nn.Sequential(*layers), nn.Linear(HEAD_CHANNELS, 10))


def train_digits_mobilenet(seed: int = 0) -> tuple[nn.Module, float]:
    """Train `digits_mobilenet` (about 25 s on one core); return (eval-mode model, test accuracy)."""
    return train_on_digits(digits_mobilenet, INPUT_SIZE, SCHEDULE, seed)
