"""Labelled test sets of the zoo workloads whose weights are trained.

Only `digits_cnn` has one: every other zoo model has random weights, so its accuracy means
nothing. Workloads are zoo names, not ONNX paths: a file says nothing about the data it was
trained on or how its inputs were scaled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy

LABELLED_WORKLOADS = ("digits_cnn",)
"""The zoo workloads that labelled_test_set() has data for."""
CALIBRATION_IMAGES = 256
"""Training images whose activation ranges set the quantization scales (never test images)."""


@dataclass(frozen=True, eq=False)
class LabelledData:
    """A test split with its labels, and a calibration batch from the training split."""

    images: numpy.ndarray
    """Test inputs, float32, dim 0 = batch, scaled as the model expects."""
    labels: numpy.ndarray
    """Test labels, int64, one per image."""
    calibration: numpy.ndarray
    """Training inputs for activation ranges, same layout as `images`."""
    non_negative_inputs: bool
    """Whether every input of the data set is >= 0, so it quantizes as unsigned."""


def labelled_test_set(workload: str) -> LabelledData | None:
    """The labelled test data of zoo workload `workload`; None if it has none."""
    if workload not in LABELLED_WORKLOADS:
        return None
    from models.digits import digits_split  # imports torch and scikit-learn, only when asked

    train_images, _, test_images, test_labels = digits_split()
    return LabelledData(
        images=test_images.numpy(), labels=test_labels.numpy().astype(numpy.int64),
        calibration=train_images[:CALIBRATION_IMAGES].numpy(),
        non_negative_inputs=True,  # pixels / 16, in 0..1
    )
