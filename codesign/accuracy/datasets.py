"""Labelled data for accuracy: the test sets of the zoo's trained models, or a user's .npz.

Zoo workloads are known by name (LABELLED_WORKLOADS): every other zoo model has random
weights, so its accuracy means nothing. An ONNX file says nothing about the data it was
trained on or how its inputs were scaled, so it brings its own (`--data FILE.npz`, read by
load_labelled_npz).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy

from codesign.errors import CodesignError
from codesign.ir import Graph

LABELLED_WORKLOADS = ("digits_cnn", "digits_mobilenet", "digits_resnet", "digits_vgg", "seq_transformer")
"""The zoo workloads that labelled_test_set() has data for (the trained ones)."""
DIGITS_INPUT_SIZES = {"digits_cnn": 8, "digits_mobilenet": 16, "digits_resnet": 16, "digits_vgg": 32}
"""Side of the (upsampled) digit images each digits model takes."""
CALIBRATION_IMAGES = 256
"""Training inputs whose activation ranges set the quantization scales (never test inputs)."""
MAX_NPZ_BYTES = 1 << 30
"""Largest uncompressed .npz accepted: accuracy runs the whole set in memory, and no test set
of a model codesign can cost comes near a GiB."""
NPZ_ARRAYS = "arrays 'inputs', 'labels' and optionally 'calibration', 'train_inputs', 'train_labels'"


@dataclass(frozen=True, eq=False)
class LabelledData:
    """A test split with its labels, and a calibration batch from the training split."""

    images: numpy.ndarray
    """Test inputs, dim 0 = batch, as the model takes them: float32 (images scaled as it
    expects) or int64 token ids (seq_transformer)."""
    labels: numpy.ndarray
    """Test labels, int64, one per input."""
    calibration: numpy.ndarray
    """Training inputs for activation ranges, same layout as `images`."""
    non_negative_inputs: bool
    """Whether every input of the data set is >= 0, so it quantizes as unsigned."""
    train_images: numpy.ndarray | None = None
    """The training split, same layout as `images`, for passes that fine-tune (None: not given)."""
    train_labels: numpy.ndarray | None = None
    """Labels of `train_images`."""


def labelled_test_set(workload: str) -> LabelledData | None:
    """The labelled test data of zoo workload `workload`; None if it has none."""
    if workload == "seq_transformer":
        return _sequence_test_set()
    if workload in DIGITS_INPUT_SIZES:
        return _digits_test_set(DIGITS_INPUT_SIZES[workload])
    return None


def _digits_test_set(size: int) -> LabelledData:
    from models.digits import digits_split  # imports torch and scikit-learn, only when asked

    train_images, train_labels, test_images, test_labels = digits_split(size)
    return LabelledData(
        images=test_images.numpy(), labels=test_labels.numpy().astype(numpy.int64),
        calibration=train_images[:CALIBRATION_IMAGES].numpy(),
        non_negative_inputs=True,  # pixels / 16, in 0..1 (bilinear upsampling stays in range)
        train_images=train_images.numpy(), train_labels=train_labels.numpy().astype(numpy.int64),
    )


def _sequence_test_set() -> LabelledData:
    from models.sequences import sequence_split  # numpy only

    train_tokens, train_labels, test_tokens, test_labels = sequence_split()
    return LabelledData(images=test_tokens, labels=test_labels, calibration=train_tokens[:CALIBRATION_IMAGES],
                        non_negative_inputs=True,  # token ids; they index a table, nothing quantizes them
                        train_images=train_tokens, train_labels=train_labels)


def labelled_data_for(workload: str | None, data_file: str | Path | None, needed_by: str) -> LabelledData:
    """`data_file`'s labelled data if given, else zoo workload `workload`'s; a one-line error
    naming both ways of giving some when there is none."""
    if data_file is not None:
        return load_labelled_npz(data_file)
    data = labelled_test_set(workload) if workload is not None else None
    if data is None:
        raise CodesignError(f"{needed_by} needs a zoo model with a labelled test set ({', '.join(LABELLED_WORKLOADS)}) "
                            f"or --data FILE.npz with {NPZ_ARRAYS}; '{workload}' has none")
    return data


def load_labelled_npz(path: str | Path, input_shape: tuple[int, ...] | None = None,
                      integer_inputs: bool | None = None) -> LabelledData:
    """Labelled data from an .npz with arrays `inputs`, `labels` (1-D integer classes, one per
    input) and optionally `calibration` (else the first CALIBRATION_IMAGES inputs) and a training
    split `train_inputs`, `train_labels` (both or neither) for passes that fine-tune.

    `input_shape`: the model's input shape; every array of inputs must match it except in
    dim 0. `integer_inputs`: True if the model takes integer ids (float inputs are refused),
    False if it takes floats (integers become float32), None if unknown (integers stay int64).
    Never unpickles anything. Every problem is a one-line CodesignError.
    """
    path = Path(path)
    arrays = _read_npz(path)
    inputs = _checked_inputs(path, "inputs", arrays["inputs"], input_shape, integer_inputs)
    labels = _checked_labels(path, arrays["labels"], len(inputs))
    calibration = (_checked_inputs(path, "calibration", arrays["calibration"], inputs.shape, integer_inputs)
                   if "calibration" in arrays else inputs[:CALIBRATION_IMAGES])
    train_images, train_labels = _training_split(path, arrays, inputs.shape, integer_inputs)
    return LabelledData(images=inputs, labels=labels, calibration=calibration,
                        non_negative_inputs=bool(inputs.min() >= 0 and calibration.min() >= 0),
                        train_images=train_images, train_labels=train_labels)


def _training_split(path: Path, arrays: dict[str, numpy.ndarray], shape: tuple[int, ...],
                    integer_inputs: bool | None) -> tuple[numpy.ndarray | None, numpy.ndarray | None]:
    given = [name for name in ("train_inputs", "train_labels") if name in arrays]
    if not given:
        return None, None
    if len(given) == 1:
        raise CodesignError(f"{path}: '{given[0]}' without its pair; a training split is 'train_inputs' and "
                            "'train_labels' together")
    train_inputs = _checked_inputs(path, "train_inputs", arrays["train_inputs"], shape, integer_inputs)
    return train_inputs, _checked_labels(path, arrays["train_labels"], len(train_inputs), "train_labels")


def fit_model_input(data: LabelledData, graph: Graph, source: str) -> LabelledData:
    """`data` with its inputs as `graph` takes them (float32, or int64 ids); a one-line error
    unless they fit its input's shape (but dim 0). `graph`: as imported, before any pass (a
    quantizing pass makes float inputs integer types). Several inputs: left to the executor,
    which refuses them."""
    if len(graph.inputs) != 1:
        return data
    expected = graph.inputs[0].type
    integer_inputs = expected.numeric == "int"
    train_images = data.train_images
    if train_images is not None:
        train_images = _checked_inputs(Path(source), "train_inputs", train_images, expected.shape, integer_inputs)
    return replace(data, images=_checked_inputs(Path(source), "inputs", data.images, expected.shape, integer_inputs),
                   calibration=_checked_inputs(Path(source), "calibration", data.calibration, expected.shape,
                                               integer_inputs), train_images=train_images)


def _read_npz(path: Path) -> dict[str, numpy.ndarray]:
    """The arrays of the .npz at `path`, after checking its names and uncompressed size."""
    if not path.is_file():
        problem = "a directory" if path.is_dir() else "no such file"
        raise CodesignError(f"{path}: {problem} (--data expects an .npz with {NPZ_ARRAYS})")
    try:
        archive = numpy.load(path, allow_pickle=False)
    except OSError as error:  # before ValueError: numpy raises both, and this one is the disk's
        raise CodesignError(f"{path}: cannot be read ({error.strerror or error})") from None
    except (ValueError, EOFError, zipfile.BadZipFile):  # neither a zip archive nor an .npy array
        archive = None
    if not isinstance(archive, numpy.lib.npyio.NpzFile):
        raise CodesignError(f"{path}: not an .npz archive (numpy.savez writes one; --data expects {NPZ_ARRAYS})")
    with archive:
        missing = [name for name in ("inputs", "labels") if name not in archive.files]
        if missing:
            raise CodesignError(f"{path}: no array {' or '.join(map(repr, missing))} (it has "
                                f"{', '.join(map(repr, archive.files[:8])) or 'none'}; --data expects {NPZ_ARRAYS})")
        names = [name for name in ("inputs", "labels", "calibration", "train_inputs", "train_labels")
                 if name in archive.files]
        size = sum(archive.zip.getinfo(f"{name}.npy").file_size for name in names)
        if size > MAX_NPZ_BYTES:
            raise CodesignError(f"{path}: its arrays take {size / 2**30:.1f} GiB uncompressed; "
                                f"at most {MAX_NPZ_BYTES / 2**30:.0f} GiB is accepted")
        return {name: _read_array(path, archive, name) for name in names}


def _read_array(path: Path, archive, name: str) -> numpy.ndarray:
    try:
        return archive[name]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        reason = str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__
        raise CodesignError(f"{path}: array '{name}' cannot be read ({reason})") from None


def _checked_inputs(path: Path, name: str, array: numpy.ndarray, input_shape: tuple[int, ...] | None,
                    integer_inputs: bool | None) -> numpy.ndarray:
    """`array` as float32 or int64 ids (see load_labelled_npz), after checking its kind, size, values and shape."""
    if array.dtype.kind not in "iuf":
        raise CodesignError(f"{path}: '{name}' holds {array.dtype} values; it must hold numbers")
    if integer_inputs and array.dtype.kind == "f":
        raise CodesignError(f"{path}: '{name}' holds floating-point values, but the model takes integer ids")
    if array.ndim == 0 or len(array) == 0:
        raise CodesignError(f"{path}: '{name}' holds no samples (shape {_shape_text(array.shape)})")
    if array.dtype.kind == "f" and not numpy.isfinite(array).all():
        raise CodesignError(f"{path}: '{name}' holds NaN or infinite values")
    if input_shape is not None and (array.ndim != len(input_shape) or array.shape[1:] != tuple(input_shape[1:])):
        wanted = _shape_text(("N", *input_shape[1:]))
        raise CodesignError(f"{path}: '{name}' has shape {_shape_text(array.shape)}, but the model's input "
                            f"is {wanted} (N samples)")
    integers = array.dtype.kind in "iu" and integer_inputs is not False
    return array.astype(numpy.int64 if integers else numpy.float32, copy=False)


def _checked_labels(path: Path, labels: numpy.ndarray, count: int, name: str = "labels") -> numpy.ndarray:
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise CodesignError(f"{path}: '{name}' must be a 1-D array of integer classes "
                            f"(it is {labels.dtype} of shape {_shape_text(labels.shape)})")
    if len(labels) != count:
        raise CodesignError(f"{path}: {len(labels)} {name} for {count} inputs; there must be one label per input")
    if labels.min() < 0:
        raise CodesignError(f"{path}: '{name}' holds {labels.min()}; classes are indices from 0")
    return labels.astype(numpy.int64)


def _shape_text(shape) -> str:
    return "x".join(map(str, shape)) or "scalar"
