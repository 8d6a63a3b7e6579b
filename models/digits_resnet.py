"""A small ResNet trained on scikit-learn's digits, upsampled to 16x16.

He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, Section 4.2: the
CIFAR networks, 6n + 2 layers in three stages of n basic blocks with 16, 32 and 64 channels
(strides 1, 2, 2), global average pool, one FC. n = 2 here (ResNet-14); the shortcut where a
stage starts is a 1x1 projection with BatchNorm (the paper's option B), which the frontend
folds into the convolution like every other BatchNorm. The 8x8 digits are upsampled
bilinearly to 16x16 so that the last stage still sees 4x4 pixels; pixels / 16 as for digits_cnn.

MACs (output pixels x output channels x input channels x 3x3, or x 1 for a projection):
    stem     16*16*16*1*9                               =    36,864
    stage 1  4 x 16*16*16*16*9                          = 2,359,296
    stage 2  8*8*32*16*9 + 3 x 8*8*32*32*9 + 8*8*32*16  = 2,097,152
    stage 3  4*4*64*32*9 + 3 x 4*4*64*64*9 + 4*4*64*32  = 2,097,152
    FC       64*10                                      =       640   total 6,591,104
"""
from torch import nn

from models.counts import DIGITS_RESNET_MACS  # noqa: F401  (the sum above, torch-free)
from models.digits import train_on_digits
from models.mobilenet import ImageClassifier
from models.resnet import basic_block, conv_norm
from models.training import Schedule

INPUT_SIZE = 16
WIDTHS = (16, 32, 64)
BLOCKS_PER_STAGE = 2
SCHEDULE = Schedule(epochs=15, batch_size=64, learning_rate=3e-3, cosine=True)


def digits_resnet() -> nn.Module:
    """ResNet-14 for 1x16x16 digits: stem conv -> 3 stages x 2 basic blocks -> pool -> FC 64->10."""
    layers = [conv_norm(1, WIDTHS[0], 3), nn.ReLU()]
    in_channels = WIDTHS[0]
    for stage, width in enumerate(WIDTHS):
        for index in range(BLOCKS_PER_STAGE):
            layers.append(basic_block(in_channels, width, 2 if stage > 0 and index == 0 else 1))
            in_channels = width
    return ImageClassifier(nn.Sequential(*layers), nn.Linear(in_channels, 10))


def train_digits_resnet(seed: int = 0) -> tuple[nn.Module, float]:
    """Train `digits_resnet` (about 20 s on one core); return (eval-mode model, test accuracy)."""
    return train_on_digits(digits_resnet, INPUT_SIZE, SCHEDULE, seed)
