"""A small CNN trained on scikit-learn's 8x8 handwritten digits (a real, accurate workload).

The data are the UCI optical digits (Alpaydin and Kaynak, 1998) as shipped by
scikit-learn's `load_digits()`: 1,797 images, pixel values 0..16. The network is a
LeNet-style CNN (LeCun et al., "Gradient-Based Learning Applied to Document
Recognition", Proc. IEEE 1998), scaled to 8x8 inputs. Its input is the image divided by 16.

MACs (output pixels x output channels x input channels x kernel, plus FC in x out):
    conv1 8*8*16*1*9 = 9,216     conv2 8*8*32*16*9 = 294,912
    fc1   512*64     = 32,768    fc2   64*10       = 640        total 337,536
"""
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.nn import functional

from models.counts import DIGITS_CNN_MACS  # noqa: F401  (the sum above, torch-free)
from models.training import Schedule, Split, fit

TEST_FRACTION = 0.25
SPLIT_SEED = 0  # one fixed split, so that accuracies of different training seeds compare
SCHEDULE = Schedule(epochs=15, batch_size=64, learning_rate=5e-3)


def digits_cnn() -> nn.Sequential:
    """conv 1->16 -> ReLU -> conv 16->32 -> ReLU -> max pool 2 -> FC 512->64 -> ReLU -> FC 64->10."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(32 * 4 * 4, 64), nn.ReLU(),
        nn.Linear(64, 10))


def digits_split(size: int = 8) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(train images, train labels, test images, test labels); images [n, 1, size, size] in 0..1.

    `size` > 8 upsamples the 8x8 images bilinearly, for networks that downsample more than
    8 pixels allow; the split is the same at every size.
    """
    digits = load_digits()
    train_images, test_images, train_labels, test_labels = train_test_split(
        digits.images, digits.target, test_size=TEST_FRACTION, random_state=SPLIT_SEED, stratify=digits.target)

    def images(array):
        pixels = torch.tensor(array, dtype=torch.float32).unsqueeze(1) / 16.0
        if size == pixels.shape[-1]:
            return pixels
        return functional.interpolate(pixels, size=(size, size), mode="bilinear", align_corners=False)

    return (images(train_images), torch.tensor(train_labels), images(test_images), torch.tensor(test_labels))


def train_on_digits(build, size: int, schedule: Schedule, seed: int = 0) -> tuple[nn.Module, float]:
    """Train `build()` on the digits split at `size` x `size`; return (eval-mode model, test accuracy)."""
    return fit(build, Split(*digits_split(size)), schedule, seed)


def train_digits_cnn(seed: int = 0) -> tuple[nn.Module, float]:
    """Train `digits_cnn` with Adam (1-2 s); return (eval-mode model, test accuracy).

    `seed` sets the initial weights and the batch order; the split is always the same.
    """
    return train_on_digits(digits_cnn, 8, SCHEDULE, seed)
