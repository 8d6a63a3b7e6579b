"""Hyperdimensional classification: encode features as bipolar hypervectors, learn one prototype
per class by bundling, classify by Hamming distance with winner-take-all.

Encoding (a seeded random projection, sign random projection / SimHash, Charikar, STOC 2002):
    W in {-1, +1}, shape D x F, each entry +1 or -1 with probability 1/2 (Rademacher), drawn from
    numpy.random.default_rng(seed).integers
    hypervector = sign(W f) in {-1, +1}^D, sign(0) -> +1
With Gaussian entries two feature vectors at angle theta disagree in each dimension with
probability theta / pi, so the Hamming distance between hypervectors estimates the angle between
features, more tightly as D grows; +-1 entries keep the projection's statistics (Achlioptas, JCSS
2003) and are what one 2-bit FeFET cell stores exactly, so the encoder runs on the macro as a
layer of its own (encoder.py).
Prototypes (bundling): per class, the majority sign of its training hypervectors, ties -> +1.
Classification: the class whose prototype is nearest in Hamming distance (winner-take-all), ties
-> the lowest class index (what numpy.argmin and a comparator tree scanning in order return).
Bits for the search array: +1 -> 1, -1 -> 0 (the Hamming distance is the same in either form).
"""

from __future__ import annotations

import numpy

from codesign.errors import CodesignError


def projection_matrix(features: int, dimensions: int, seed: int) -> numpy.ndarray:
    """W [dimensions, features] of +-1 entries from default_rng(seed): the same seed, the same W."""
    if dimensions < 1 or features < 1:
        raise CodesignError(f"hdc: dimensions and features must be at least 1 (got D={dimensions}, F={features})")
    draws = numpy.random.default_rng(seed).integers(0, 2, size=(dimensions, features))
    return (2.0 * draws - 1.0).astype(numpy.float32)


def encode(features: numpy.ndarray, projection: numpy.ndarray) -> numpy.ndarray:
    """Bipolar hypervectors [N, D] (int8, -1 or +1) of features [N, F]: sign(W f), sign(0) -> +1."""
    flat = numpy.asarray(features, dtype=numpy.float64).reshape(len(features), -1)
    return bipolar(flat @ numpy.asarray(projection, dtype=numpy.float64).T)


def bipolar(projected: numpy.ndarray) -> numpy.ndarray:
    """sign() of projected features [N, D] as int8 -1 / +1, sign(0) -> +1."""
    return numpy.where(numpy.asarray(projected).reshape(len(projected), -1) >= 0, 1, -1).astype(numpy.int8)


def class_prototypes(hypervectors: numpy.ndarray, labels: numpy.ndarray, classes: int) -> numpy.ndarray:
    """Prototypes [classes, D]: each class's majority sign (bundling), ties -> +1."""
    totals = numpy.zeros((classes, hypervectors.shape[1]), dtype=numpy.int64)
    numpy.add.at(totals, labels, hypervectors.astype(numpy.int64))
    return numpy.where(totals >= 0, 1, -1).astype(numpy.int8)


def to_bits(hypervectors: numpy.ndarray) -> numpy.ndarray:
    """{-1, +1} -> {0, 1} (uint8), as the patterns are stored in the search array."""
    return (numpy.asarray(hypervectors) > 0).astype(numpy.uint8)


def hamming_distances(queries: numpy.ndarray, prototypes: numpy.ndarray) -> numpy.ndarray:
    """[N, classes] mismatching dimensions of bipolar vectors: (D - q . p) / 2."""
    dimensions = queries.shape[1]
    dots = queries.astype(numpy.int64) @ prototypes.astype(numpy.int64).T
    return (dimensions - dots) // 2


def winner_take_all(distances: numpy.ndarray) -> numpy.ndarray:
    """Each row's nearest class; ties -> the lowest class index (numpy.argmin returns the first)."""
    return numpy.argmin(distances, axis=1)


def classify(queries: numpy.ndarray, prototypes: numpy.ndarray) -> numpy.ndarray:
    """The nearest prototype of each bipolar query, by exact Hamming distance."""
    return winner_take_all(hamming_distances(queries, prototypes))


def margins(distances: numpy.ndarray, labels: numpy.ndarray) -> numpy.ndarray:
    """Per query: nearest wrong class's distance minus the true class's (> 0: correct with room)."""
    rows = numpy.arange(len(labels))
    true_distance = distances[rows, labels]
    others = distances.astype(numpy.float64)
    others[rows, labels] = numpy.inf
    return others.min(axis=1) - true_distance
