"""The zoo's analytic MAC counts, and the sizes they follow from, without torch.

The registry in zoo.py lists every model with its reference MACs; it must not import the
model definitions (torch) to do so. The derivations are in the models' docstrings
(alexnet.py, bert.py, digits*.py, seq_transformer.py); tests/unit/test_zoo.py checks the built
models against them.
"""

ALEXNET_CONVOLUTION_MACS = 665_784_864  # the five convolutions of one 227x227 image
ALEXNET_CLASSIFIER_MACS = 256 * 6 * 6 * 4096 + 4096 * 4096 + 4096 * 1000

DIGITS_CNN_MACS = 9_216 + 294_912 + 32_768 + 640

# models/digits_resnet.py, 16x16 input: stem, three stages of two basic blocks (1x1 projection
# where a stage starts), FC.
DIGITS_RESNET_MACS = (36_864                                 # stem 16x16x16 x 1x9
                      + 4 * 589_824                          # stage 1: four 3x3 convs, 16x16x16 x 16x9
                      + 294_912 + 3 * 589_824 + 32_768       # stage 2 (8x8x32): strided, three 32x9, projection
                      + 294_912 + 3 * 589_824 + 32_768       # stage 3 (4x4x64): strided, three 64x9, projection
                      + 64 * 10)                             # classifier

# models/digits_mobilenet.py, 16x16 input: per inverted residual, expand + depthwise + project.
DIGITS_MOBILENET_MACS = (73_728                              # stem 16x16x32 x 1x9
                         + 73_728 + 131_072                  # 32->16 at 16x16, no expansion
                         + 393_216 + 55_296 + 147_456        # 16->24, stride 2: expand 96, 8x8 out
                         + 221_184 + 82_944 + 221_184        # 24->24 at 8x8: expand 144
                         + 221_184 + 20_736 + 73_728         # 24->32, stride 2: expand 144, 4x4 out
                         + 98_304 + 27_648 + 98_304          # 32->32 at 4x4: expand 192
                         + 98_304 + 27_648 + 196_608         # 32->64 at 4x4: expand 192
                         + 393_216 + 55_296 + 393_216        # 64->64 at 4x4: expand 384
                         + 262_144                           # 1x1 head 64->256 at 4x4
                         + 256 * 10)                         # classifier

# models/digits_vgg.py, 32x32 input: VGG-11's eight 3x3 convs at a quarter of its widths, FCs.
DIGITS_VGG_MACS = (147_456                                   # 32x32x16 x 1x9
                   + 1_179_648                               # 16x16x32 x 16x9
                   + 1_179_648 + 2_359_296                   # 8x8x64 x 32x9, 8x8x64 x 64x9
                   + 1_179_648 + 2_359_296                   # 4x4x128 x 64x9, 4x4x128 x 128x9
                   + 589_824 + 589_824                       # 2x2x128 x 128x9, twice
                   + 128 * 128 + 128 * 128 + 128 * 10)       # classifier

SEQUENCE_VOCABULARY = 32
SEQUENCE_LENGTH = 32
SEQUENCE_CLASSES = 4
SEQUENCE_HIDDEN = 64
SEQUENCE_HEADS = 4
SEQUENCE_FFN = 128
SEQUENCE_LAYERS = 2

BERT_SEQUENCE_LENGTH = 128
BERT_HIDDEN = 256
BERT_HEADS = 4
BERT_FFN = 1024
BERT_LAYERS = 4


def bert_tiny_macs(layers: int = BERT_LAYERS, length: int = BERT_SEQUENCE_LENGTH, hidden: int = BERT_HIDDEN,
                   ffn: int = BERT_FFN) -> int:
    """models/bert.py's analytic MAC count: layers x (4 L H^2 + 2 L^2 H + 2 L H F)."""
    return layers * (4 * length * hidden ** 2 + 2 * length ** 2 * hidden + 2 * length * hidden * ffn)


def seq_transformer_macs() -> int:
    """models/seq_transformer.py: its encoder's layers (bert_tiny_macs's formula) + the classifier."""
    encoder = bert_tiny_macs(SEQUENCE_LAYERS, SEQUENCE_LENGTH, SEQUENCE_HIDDEN, SEQUENCE_FFN)
    return encoder + SEQUENCE_HIDDEN * SEQUENCE_CLASSES
