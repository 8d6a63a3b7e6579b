"""A synthetic sequence-classification task that needs attention, generated from a seed.

Each sequence holds SEQUENCE_LENGTH tokens from a vocabulary of SEQUENCE_VOCABULARY: four
marker tokens A, B, C, D (ids 1-4) once each at random positions, every other position a
random filler token (ids 5 and up; 0 is never used, as padding would be). The label says
which markers come first in two pairs: 2 x [A before B] + [C before D], four balanced classes.
No single token nor the bag of tokens tells the class: a model must relate the positions of
two tokens, which is what self-attention does.

numpy only (no torch): the labelled test set is generated without importing torch.
"""
import numpy

from models.counts import SEQUENCE_LENGTH, SEQUENCE_VOCABULARY

MARKERS = 4
FIRST_FILLER = MARKERS + 1
TRAIN_SIZE = 4096
TEST_SIZE = 1024
TRAIN_SEED = 1
TEST_SEED = 2  # an independent stream: a test sequence repeating a training one is vanishingly unlikely


def marker_order_task(count: int, seed: int) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(token ids int64 [count, SEQUENCE_LENGTH], labels int64 [count]) from `seed`."""
    generator = numpy.random.default_rng(seed)
    tokens = generator.integers(FIRST_FILLER, SEQUENCE_VOCABULARY, size=(count, SEQUENCE_LENGTH))
    positions = numpy.argsort(generator.random((count, SEQUENCE_LENGTH)), axis=1)[:, :MARKERS]
    rows = numpy.arange(count)
    for marker in range(MARKERS):
        tokens[rows, positions[:, marker]] = marker + 1
    labels = 2 * (positions[:, 0] < positions[:, 1]) + (positions[:, 2] < positions[:, 3])
    return tokens.astype(numpy.int64), labels.astype(numpy.int64)


def sequence_split() -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """(train tokens, train labels, test tokens, test labels): the fixed split seq_transformer uses."""
    return (*marker_order_task(TRAIN_SIZE, TRAIN_SEED), *marker_order_task(TEST_SIZE, TEST_SEED))
