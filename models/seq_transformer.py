"""A small BERT-like encoder trained on the marker-order task of models/sequences.py.

The encoder of models/bert.py (token and learned position embeddings, LayerNorm, post-LN
layers of multi-head self-attention and a GELU feed-forward) at 2 layers, hidden 64,
4 heads, FFN 128, over 32 tokens of a 32-token vocabulary; its hidden states are averaged
over the sequence and a linear layer gives the 4 classes. Input: token ids, int64 [1, 32].

MACs (bert.py's count with L = 32, H = 64, F = 128, N = 2, plus the classifier):
    N (4 L H^2 + 2 L^2 H + 2 L H F) + H * 4 = 2 (524,288 + 131,072 + 524,288) + 256 = 2,359,552
"""
import torch
from torch import nn

from models.bert import BertEncoder
from models.counts import (
    SEQUENCE_CLASSES, SEQUENCE_FFN, SEQUENCE_HEADS, SEQUENCE_HIDDEN, SEQUENCE_LAYERS, SEQUENCE_LENGTH,
    SEQUENCE_VOCABULARY,
)
from models.counts import seq_transformer_macs  # noqa: F401  (the count above, torch-free)
from models.sequences import sequence_split
from models.training import Schedule, Split, fit

SCHEDULE = Schedule(epochs=12, batch_size=64, learning_rate=2e-3, cosine=True)


class SequenceClassifier(nn.Module):
    """Encoder -> mean over the tokens -> linear classifier."""

    def __init__(self):
        super().__init__()
        self.encoder = BertEncoder(SEQUENCE_LAYERS, SEQUENCE_HIDDEN, SEQUENCE_HEADS, SEQUENCE_FFN,
                                   vocabulary_size=SEQUENCE_VOCABULARY, max_positions=SEQUENCE_LENGTH)
        self.classifier = nn.Linear(SEQUENCE_HIDDEN, SEQUENCE_CLASSES)

    def forward(self, token_ids):
        return self.classifier(self.encoder(token_ids).mean(dim=1))


def seq_transformer() -> nn.Module:
    """The untrained classifier (input: token ids [1, 32])."""
    return SequenceClassifier()


def train_seq_transformer(seed: int = 0) -> tuple[nn.Module, float]:
    """Train `seq_transformer` on the fixed split (about 20 s on one core); return (model, test accuracy)."""
    split = Split(*(torch.from_numpy(array) for array in sequence_split()))
    return fit(seq_transformer, split, SCHEDULE, seed)
