"""A small BERT encoder: 4 layers, hidden 256, 4 heads, FFN 1024, sequence 128.

Devlin et al., "BERT: Pre-training of Deep Bidirectional Transformers for Language
Understanding", NAACL 2019 (post-LayerNorm encoder, GELU, learned position embeddings).
This size is the "BERT-Mini" of Turc et al., "Well-Read Students Learn Better", 2019
(their "BERT-Tiny" is 2 layers of 128). Segment embeddings, the pooler, padding masks and
dropout are left out: the workload is one unpadded sentence, run for inference.

MACs, with L = sequence length, H = hidden, F = FFN width, N = layers (heads do not
change the count: N_heads x L x L x (H / N_heads) = L x L x H):
    per layer: Q, K, V and output projections   4 L H^2
               scores Q K^T and probabilities V  2 L^2 H
               feed-forward up and down          2 L H F
    total = N (4 L H^2 + 2 L^2 H + 2 L H F)
          = 4 (4*128*256^2 + 2*128^2*256 + 2*128*256*1024) = 436,207,616
Embedding lookups, LayerNorm, softmax and GELU are not MACs.
"""
import math

import torch
from torch import nn

from models.counts import BERT_FFN as FFN
from models.counts import BERT_HEADS as HEADS
from models.counts import BERT_HIDDEN as HIDDEN
from models.counts import BERT_LAYERS as LAYERS
from models.counts import BERT_SEQUENCE_LENGTH as SEQUENCE_LENGTH
from models.counts import bert_tiny_macs  # noqa: F401  (the module docstring's count, torch-free)
from models.macs import MatMul

VOCABULARY_SIZE = 30522  # BERT's uncased WordPiece vocabulary
MAX_POSITIONS = 512
LAYER_NORM_EPS = 1e-12


class SelfAttention(nn.Module):
    """Multi-head scaled dot-product self-attention; the heads are split by reshaping."""

    def __init__(self, hidden: int, heads: int):
        super().__init__()
        self.heads = heads
        self.head_size = hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.output = nn.Linear(hidden, hidden)
        self.scores = MatMul()
        self.context = MatMul()

    def split_heads(self, states: torch.Tensor) -> torch.Tensor:
        """[batch, length, hidden] -> [batch, heads, length, head_size]."""
        return states.unflatten(-1, (self.heads, self.head_size)).transpose(1, 2)

    def forward(self, states):
        query = self.split_heads(self.query(states))
        key = self.split_heads(self.key(states))
        value = self.split_heads(self.value(states))
        scores = self.scores(query, key.transpose(-1, -2)) / math.sqrt(self.head_size)
        context = self.context(scores.softmax(dim=-1), value)
        return self.output(context.transpose(1, 2).flatten(-2))


class EncoderLayer(nn.Module):
    """Post-LayerNorm transformer layer: attention, then a GELU feed-forward, each residual."""

    def __init__(self, hidden: int, heads: int, ffn: int):
        super().__init__()
        self.attention = SelfAttention(hidden, heads)
        self.attention_norm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)
        self.feed_forward = nn.Sequential(nn.Linear(hidden, ffn), nn.GELU(), nn.Linear(ffn, hidden))
        self.output_norm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)

    def forward(self, states):
        states = self.attention_norm(states + self.attention(states))
        return self.output_norm(states + self.feed_forward(states))


class BertEncoder(nn.Module):
    """Token + position embeddings (LayerNorm) -> encoder layers -> hidden states [batch, length, hidden]."""

    def __init__(self, layers: int = LAYERS, hidden: int = HIDDEN, heads: int = HEADS, ffn: int = FFN,
                 vocabulary_size: int = VOCABULARY_SIZE, max_positions: int = MAX_POSITIONS):
        super().__init__()
        self.token_embedding = nn.Embedding(vocabulary_size, hidden)
        self.position_embedding = nn.Embedding(max_positions, hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=LAYER_NORM_EPS)
        self.layers = nn.Sequential(*(EncoderLayer(hidden, heads, ffn) for _ in range(layers)))
        self.register_buffer("positions", torch.arange(max_positions), persistent=False)

    def forward(self, token_ids):
        positions = self.positions[: token_ids.shape[-1]]
        embedded = self.token_embedding(token_ids) + self.position_embedding(positions)
        return self.layers(self.embedding_norm(embedded))


def bert_tiny() -> nn.Module:
    """The zoo's BERT: 4 layers, hidden 256, 4 heads, FFN 1024 (input: token ids [1, 128])."""
    return BertEncoder()
