"""A narrow VGG-11 trained on scikit-learn's digits, upsampled to 32x32.

Simonyan and Zisserman, ICLR 2015, Table 1 column A (VGG-11): eight 3x3 convolutions and
five 2x2 max pools, then three fully connected layers; here every width is a quarter of the
paper's (16..128 channels, 128-wide FCs) and each convolution has a BatchNorm (torchvision's
vgg11_bn; without it this depth trains poorly in seconds), folded by the frontend at import.
Five pools need 32x32 inputs: the 8x8 digits (pixels / 16) are upsampled bilinearly.

MACs (output pixels x output channels x input channels x 9, then FC in x out):
    conv1 32*32*16*1*9  =   147,456    conv2 16*16*32*16*9 = 1,179,648
    conv3 8*8*64*32*9   = 1,179,648    conv4 8*8*64*64*9   = 2,359,296
    conv5 4*4*128*64*9  = 1,179,648    conv6 4*4*128*128*9 = 2,359,296
    conv7 2*2*128*128*9 =   589,824    conv8 2*2*128*128*9 =   589,824
    FC 128*128 + 128*128 + 128*10 = 34,048                     total 9,618,688
"""
from torch import nn

from models.counts import DIGITS_VGG_MACS  # noqa: F401  (the sum above, torch-free)
from models.digits import train_on_digits
from models.training import Schedule
from models.vgg import vgg_classifier, vgg_features

INPUT_SIZE = 32
LAYERS = (16, "pool", 32, "pool", 64, 64, "pool", 128, 128, "pool", 128, 128, "pool")
"""VGG-11's configuration A at a quarter of the widths; "pool" is a 2x2 stride-2 max pool."""
HIDDEN = 128
SCHEDULE = Schedule(epochs=15, batch_size=64, learning_rate=1e-3, cosine=True)


def digits_vgg() -> nn.Sequential:
    """Narrow VGG-11 (with BatchNorm) for 1x32x32 digits: 8 convs, 5 pools, FC 128->128->128->10."""
    return nn.Sequential(*vgg_features(LAYERS, 1, batch_norm=True), *vgg_classifier(128, HIDDEN, 10))


def train_digits_vgg(seed: int = 0) -> tuple[nn.Module, float]:
    """Train `digits_vgg` (about 25 s on one core); return (eval-mode model, test accuracy)."""
    return train_on_digits(digits_vgg, INPUT_SIZE, SCHEDULE, seed)
