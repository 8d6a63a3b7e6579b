"""Top-1 accuracy of an HDC workload on its labelled test set.

The front end and the encoder (workload.mac_graph) run in float32 or with a target's dot products
(codesign.accuracy.predict: the same quantization and calibration as the CNN's own accuracy); the
hypervectors are the signs of the encoder's outputs. Prototypes come from
the TRAINING split (LabelledData.train_images, the models' own training split: models/digits.py
digits_split), never the test set. Queries are the test images' hypervectors, searched exactly or
with the FeFET read-back errors (search_errors.py), winner-take-all on the distances read back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy

from codesign.accuracy import DotProductFor, LabelledData, predict
from codesign.arch.schema import Architecture
from codesign.errors import CodesignError
from codesign.neurosymbolic import hdc
from codesign.neurosymbolic.search_errors import SearchErrorModel, read_distances, search_error_model
from codesign.neurosymbolic.workload import HdcWorkload


@dataclass(frozen=True)
class HdcAccuracy:
    """One workload's accuracies on one architecture (fractions of the test set)."""

    workload: str
    arch: str
    float32: float
    """Front end in float32, exact search."""
    at_precision: float
    """Front end with the arch's dot products, exact search."""
    with_search_errors: float
    """Front end with the arch's dot products, search with its read-back errors."""
    search_error_probabilities: tuple[float, ...]
    """Per array tile (search_errors.SearchErrorModel)."""


def hypervectors(workload: HdcWorkload, images: numpy.ndarray, data: LabelledData,
                 dot_product: DotProductFor | None) -> numpy.ndarray:
    """[N, D] bipolar hypervectors of `images`: the signs of workload.mac_graph's outputs."""
    return hdc.bipolar(predict(workload.mac_graph, dot_product, replace(data, images=images)))


def hdc_accuracy(workload: HdcWorkload, data: LabelledData, dot_product: DotProductFor | None = None,
                 search_errors: SearchErrorModel | None = None, seed: int = 0) -> float:
    """Top-1 accuracy; `search_errors` None: exact distances; `seed`: the read-back errors' draw."""
    prototypes = train_prototypes(workload, data, dot_product)
    queries = hypervectors(workload, data.images, data, dot_product)
    return accuracy_of(queries, prototypes, data.labels, search_errors, seed)


def accuracy_of(queries: numpy.ndarray, prototypes: numpy.ndarray, labels: numpy.ndarray,
                search_errors: SearchErrorModel | None = None, seed: int = 0) -> float:
    """Fraction of bipolar `queries` whose winner (exact or read back with errors) is their label."""
    if search_errors is None:
        predicted = hdc.classify(queries, prototypes)
    else:
        distances = read_distances(hdc.to_bits(queries), hdc.to_bits(prototypes), search_errors,
                                   numpy.random.default_rng(seed))
        predicted = hdc.winner_take_all(distances)
    return float(numpy.mean(predicted == labels))


def train_prototypes(workload: HdcWorkload, data: LabelledData,
                     dot_product: DotProductFor | None = None) -> numpy.ndarray:
    """Class prototypes bundled from the training split's hypervectors."""
    if data.train_images is None or data.train_labels is None:
        raise CodesignError(f"{workload.label}: prototypes need a training split, and the data has none")
    training = hypervectors(workload, data.train_images, data, dot_product)
    return hdc.class_prototypes(training, data.train_labels, workload.classes)


def measure_hdc(workload: HdcWorkload, arch: Architecture, data: LabelledData, seed: int = 0) -> HdcAccuracy:
    """Float32, at `arch`'s precision, and with its search errors (arch: a FeFET macro)."""
    from codesign.target import target_for

    errors = search_error_model(arch, workload.dimensions)  # first: a non-FeFET arch fails before any work
    dot_product = target_for(arch).dot_product
    prototypes = train_prototypes(workload, data, dot_product)
    queries = hypervectors(workload, data.images, data, dot_product)
    return HdcAccuracy(workload.label, arch.name, float32=hdc_accuracy(workload, data),
                       at_precision=accuracy_of(queries, prototypes, data.labels),
                       with_search_errors=accuracy_of(queries, prototypes, data.labels, errors, seed),
                       search_error_probabilities=errors.error_probabilities)
