"""Op kinds of the IR, named after the ONNX op types they come from."""

from __future__ import annotations

from enum import Enum


class Op(str, Enum):
    # Compute ops: they have a loop nest and multiply-accumulates.
    CONV = "Conv"
    CONV_TRANSPOSE = "ConvTranspose"
    GEMM = "Gemm"
    MATMUL = "MatMul"
    # Pooling and normalisation: arithmetic but no weights to multiply.
    MAX_POOL = "MaxPool"
    AVERAGE_POOL = "AveragePool"
    GLOBAL_AVERAGE_POOL = "GlobalAveragePool"
    GLOBAL_MAX_POOL = "GlobalMaxPool"
    LRN = "LRN"
    SOFTMAX = "Softmax"
    LAYER_NORMALIZATION = "LayerNormalization"
    BATCH_NORMALIZATION = "BatchNormalization"  # only where it could not be folded
    REDUCE_MEAN = "ReduceMean"
    REDUCE_SUM = "ReduceSum"
    REDUCE_MAX = "ReduceMax"
    # Element-wise arithmetic and activations.
    ADD = "Add"
    SUB = "Sub"
    MUL = "Mul"
    DIV = "Div"
    POW = "Pow"
    SQRT = "Sqrt"
    EXP = "Exp"
    NEG = "Neg"
    RECIPROCAL = "Reciprocal"
    SUM = "Sum"
    MAX = "Max"
    MIN = "Min"
    RELU = "Relu"
    LEAKY_RELU = "LeakyRelu"
    PRELU = "PRelu"
    CLIP = "Clip"
    SIGMOID = "Sigmoid"
    HARD_SIGMOID = "HardSigmoid"
    HARD_SWISH = "HardSwish"
    TANH = "Tanh"
    ERF = "Erf"
    GELU = "Gelu"
    WHERE = "Where"
    # Data movement: no arithmetic, but the data still moves.
    CONCAT = "Concat"
    SPLIT = "Split"
    SLICE = "Slice"
    PAD = "Pad"
    RESIZE = "Resize"
    GATHER = "Gather"
    EXPAND = "Expand"
    TILE = "Tile"
    # Zero-cost views (Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Identity, Cast, Dropout).
    VIEW = "View"
    # An op type the frontend does not know, imported with --allow-unknown: zero cost.
    OPAQUE = "Opaque"

    @property
    def is_compute(self) -> bool:
        return self in COMPUTE_OPS

    @property
    def is_zero_cost(self) -> bool:
        return self in (Op.VIEW, Op.OPAQUE)


COMPUTE_OPS = frozenset({Op.CONV, Op.CONV_TRANSPOSE, Op.GEMM, Op.MATMUL})

ELEMENTWISE_OPS = frozenset({
    Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.POW, Op.SQRT, Op.EXP, Op.NEG, Op.RECIPROCAL,
    Op.SUM, Op.MAX, Op.MIN, Op.RELU, Op.LEAKY_RELU, Op.PRELU, Op.CLIP, Op.SIGMOID,
    Op.HARD_SIGMOID, Op.HARD_SWISH, Op.TANH, Op.ERF, Op.GELU, Op.WHERE,
    Op.BATCH_NORMALIZATION,
})

DATA_MOVEMENT_OPS = frozenset({
    Op.CONCAT, Op.SPLIT, Op.SLICE, Op.PAD, Op.RESIZE, Op.GATHER, Op.EXPAND, Op.TILE,
})
