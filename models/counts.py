"""The zoo's analytic MAC counts, and the sizes they follow from, without torch.

The registry in zoo.py lists every model with its reference MACs; it must not import the
model definitions (torch) to do so. The derivations are in the models' docstrings
(alexnet.py, bert.py, digits.py); tests/unit/test_zoo.py checks the built models against them.
"""

ALEXNET_CONVOLUTION_MACS = 665_784_864  # the five convolutions of one 227x227 image
ALEXNET_CLASSIFIER_MACS = 256 * 6 * 6 * 4096 + 4096 * 4096 + 4096 * 1000

DIGITS_CNN_MACS = 9_216 + 294_912 + 32_768 + 640

BERT_SEQUENCE_LENGTH = 128
BERT_HIDDEN = 256
BERT_HEADS = 4
BERT_FFN = 1024
BERT_LAYERS = 4


def bert_tiny_macs(layers: int = BERT_LAYERS, length: int = BERT_SEQUENCE_LENGTH, hidden: int = BERT_HIDDEN,
                   ffn: int = BERT_FFN) -> int:
    """models/bert.py's analytic MAC count: layers x (4 L H^2 + 2 L^2 H + 2 L H F)."""
    return layers * (4 * length * hidden ** 2 + 2 * length ** 2 * hidden + 2 * length * hidden * ffn)
