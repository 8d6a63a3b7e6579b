"""The model zoo: named workloads, their reference MAC counts, and their ONNX export.

Reference MACs come from the paper where it quotes a number for this exact architecture,
otherwise from torchvision's model card (its "GFLOPS" are multiply-accumulates), otherwise
from an analytic formula (models/counts.py, derived in the model's module).
`models.macs.count_macs` must land within 2% of them (tests/unit/test_zoo.py).

Nothing here imports torch or scikit-learn at import time: a model's module is imported
when the model is built (to export it, or to train it), torch when it is exported.

Trained models (those with a `trainer`) are trained when they are exported; the export
carries the test accuracy the training measured in its metadata (ACCURACY_KEY), so that
listing the zoo can show it from the cached file without torch.
"""
from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from codesign.errors import CodesignError, UnknownNameError
from models.counts import (
    ALEXNET_CLASSIFIER_MACS, ALEXNET_CONVOLUTION_MACS, DIGITS_CNN_MACS, DIGITS_MOBILENET_MACS, DIGITS_RESNET_MACS,
    DIGITS_VGG_MACS, bert_tiny_macs, seq_transformer_macs,
)

if TYPE_CHECKING:
    import torch
    from torch import nn

IMAGENET_INPUT = (1, 3, 224, 224)
ACCURACY_KEY = "codesign.test_accuracy"
"""ONNX metadata_props key of a trained export: its top-1 test accuracy, measured when it was trained."""


@dataclass(frozen=True)
class ZooModel:
    """A named workload: how to build it, what it eats, and how many MACs it should cost.

    The registry stays free of torch (listing the zoo or opening a cached export takes no
    torch, no scikit-learn): `builder` names the function that builds the model, `trainer`
    the one that trains it, imported only when they are called.
    """

    name: str
    description: str
    builder: str
    """'module:function', e.g. 'models.resnet:resnet18'."""
    input_shape: tuple[int, ...]
    input_dtype: str  # 'float32' or 'int64'
    input_name: str
    reference_macs: float
    reference_source: str
    trainer: str | None = None
    """'module:function' returning (trained eval-mode model, test accuracy); None: seeded random weights."""

    def build(self) -> nn.Module:
        """The model with its initial (untrained) weights: its architecture, e.g. to count MACs."""
        return _call(self.builder)

    def train(self) -> tuple[nn.Module, float]:
        """(the trained eval-mode model, its test accuracy); only for a model with a trainer."""
        return _call(self.trainer)

    def example_input(self, batch: int = 1) -> torch.Tensor:
        """Zeros of the input's shape (with `batch` as its first size) and dtype (zeros are valid token ids too)."""
        import torch

        return torch.zeros((batch, *self.input_shape[1:]), dtype=getattr(torch, self.input_dtype))


def _call(reference: str):
    module, _, function = reference.partition(":")
    return getattr(importlib.import_module(module), function)()


_MODELS = {model.name: model for model in (
    ZooModel("alexnet", "AlexNet with grouped CONV2/4/5 (as measured by Eyeriss), 227x227", "models.alexnet:alexnet",
             (1, 3, 227, 227), "float32", "input", float(ALEXNET_CONVOLUTION_MACS + ALEXNET_CLASSIFIER_MACS),
             "Chen et al., ISSCC 2016: 666 M MACs in the convolutions; + 58.6 M in the classifier (analytic)"),
    ZooModel("mobilenet_v2", "MobileNet-V2 1.0, ImageNet 224x224", "models.mobilenet:mobilenet_v2", IMAGENET_INPUT,
             "float32", "input", 300e6, "Sandler et al. 2018, Table 4: 300 M multiply-adds"),
    ZooModel("mobilenet_v3_large", "MobileNet-V3-Large 1.0, ImageNet 224x224", "models.mobilenet:mobilenet_v3_large",
             IMAGENET_INPUT, "float32", "input", 219e6,
             "Howard et al. 2019, Table 3: 219 M multiply-adds (torchvision: 0.217 G)"),
    ZooModel("mobilenet_v3_small", "MobileNet-V3-Small 1.0, ImageNet 224x224", "models.mobilenet:mobilenet_v3_small",
             IMAGENET_INPUT, "float32", "input", 56e6,
             "Howard et al. 2019, Table 3: 56 M multiply-adds (torchvision: 0.057 G)"),
    ZooModel("resnet18", "ResNet-18, ImageNet 224x224", "models.resnet:resnet18", IMAGENET_INPUT, "float32", "input",
             1.8e9, "He et al. 2016, Table 1: 1.8e9 FLOPs (multiply-adds; torchvision: 1.814 G)"),
    ZooModel("resnet50", "ResNet-50 v1.5 (stride on the 3x3), ImageNet 224x224", "models.resnet:resnet50",
             IMAGENET_INPUT, "float32", "input", 4.089e9,
             "torchvision ResNet50_Weights: 4.089 GFLOPS (MACs); the paper's 3.8e9 is v1"),
    ZooModel("vgg11", "VGG-11 (configuration A, 3-FC classifier), ImageNet 224x224", "models.vgg:vgg11",
             IMAGENET_INPUT, "float32", "input", 7.609e9,
             "torchvision VGG11_Weights: 7.609 GFLOPS (MACs); the paper quotes none"),
    ZooModel("bert_tiny", "BERT encoder, 4 layers, hidden 256, 4 heads, FFN 1024, 128 tokens",
             "models.bert:bert_tiny", (1, 128), "int64", "input_ids", float(bert_tiny_macs()),
             "analytic: layers x (4 L H^2 + 2 L^2 H + 2 L H F), models/bert.py"),
    ZooModel("digits_cnn", "small CNN trained on scikit-learn's 8x8 digits (input: pixels / 16)",
             "models.digits:digits_cnn", (1, 1, 8, 8), "float32", "input", float(DIGITS_CNN_MACS),
             "analytic: per-layer sum, models/digits.py", trainer="models.digits:train_digits_cnn"),
    ZooModel("digits_resnet", "ResNet-14 (3 stages x 2 basic blocks, BatchNorm) trained on the digits at 16x16",
             "models.digits_resnet:digits_resnet", (1, 1, 16, 16), "float32", "input", float(DIGITS_RESNET_MACS),
             "analytic: per-layer sum, models/digits_resnet.py", trainer="models.digits_resnet:train_digits_resnet"),
    ZooModel("digits_mobilenet", "MobileNet-V2 inverted residuals (depthwise, ReLU6) trained on the digits at 16x16",
             "models.digits_mobilenet:digits_mobilenet", (1, 1, 16, 16), "float32", "input",
             float(DIGITS_MOBILENET_MACS), "analytic: per-layer sum, models/digits_mobilenet.py",
             trainer="models.digits_mobilenet:train_digits_mobilenet"),
    ZooModel("digits_vgg", "VGG-11 at 1/4 width (8 convs + 3 FC, BatchNorm) trained on the digits at 32x32",
             "models.digits_vgg:digits_vgg", (1, 1, 32, 32), "float32", "input", float(DIGITS_VGG_MACS),
             "analytic: per-layer sum, models/digits_vgg.py", trainer="models.digits_vgg:train_digits_vgg"),
    ZooModel("seq_transformer", "2-layer BERT-like encoder (hidden 64, 4 heads) trained on a synthetic "
             "token-order task, 32 tokens", "models.seq_transformer:seq_transformer", (1, 32), "int64",
             "input_ids", float(seq_transformer_macs()), "analytic: models/seq_transformer.py",
             trainer="models.seq_transformer:train_seq_transformer"),
)}


def names() -> list[str]:
    """The zoo's model names, sorted."""
    return sorted(_MODELS)


def get(name: str) -> ZooModel:
    """The zoo entry called `name`; UnknownNameError if there is none."""
    if name not in _MODELS:
        raise UnknownNameError(f"unknown zoo model '{name}' (available: {', '.join(names())})")
    return _MODELS[name]


def export_onnx(name: str, path: str | os.PathLike, opset: int = 17, batch: int = 1) -> Path:
    """Export zoo model `name` (eval mode; trained, or with weights seeded with 0) to an ONNX file at `path`.

    The file appears whole or not at all: the model is exported in memory, written to a
    temporary file beside `path`, then renamed over it.
    """
    import torch  # only here: listing the zoo and opening cached exports need no torch

    entry = get(name)
    accuracy = None
    if entry.trainer is not None:
        model, accuracy = entry.train()
    else:
        torch.manual_seed(0)
        model = entry.build().eval()
    exported = io.BytesIO()
    with warnings.catch_warnings(), _native_stdout_silenced():
        # The TorchScript exporter is deprecated in favour of the dynamo one, but in torch 2.13
        # the dynamo exporter cannot convert the CNNs below opset 18 (it silently keeps 18)
        # and takes seconds where this takes a fraction of one.
        warnings.simplefilter("ignore", DeprecationWarning)
        # Below opset 9 weights are graph inputs (IR version 3) by necessity; no need to say so.
        warnings.filterwarnings("ignore", message="Setting 'keep_initializers_as_inputs=False'")
        warnings.filterwarnings("ignore", message="Constant folding", category=UserWarning)
        # local_response_norm checks its input's size in Python while being traced: harmless here.
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        # No constant folding: BatchNormalization stays a node of its own and every layer
        # keeps the name of its torch module (folding renames fused convs 'node_Conv_N').
        # codesign's frontend folds BatchNormalization, Identity and shape arithmetic itself.
        try:
            torch.onnx.export(model, (entry.example_input(batch),), exported, dynamo=False, opset_version=opset,
                              input_names=[entry.input_name], output_names=["output"],
                              do_constant_folding=False)
        except (torch.onnx.errors.OnnxExporterError, ValueError) as error:
            reason = str(error).strip().splitlines()[0]
            raise CodesignError(f"cannot export zoo model '{name}' at opset {opset}: {reason}") from None
    data = exported.getvalue() if accuracy is None else _with_accuracy(exported.getvalue(), accuracy)
    return write_atomically(data, Path(path))


def _with_accuracy(serialized: bytes, accuracy: float) -> bytes:
    import onnx

    model = onnx.load_from_string(serialized)
    model.metadata_props.add(key=ACCURACY_KEY, value=repr(accuracy))
    return model.SerializeToString()


def stored_accuracy(path: str | os.PathLike) -> float | None:
    """The test accuracy a trained export records (ACCURACY_KEY); None if it records none or is unreadable."""
    import onnx  # no torch: this is how `models list` shows accuracies from the cache
    from google.protobuf.message import DecodeError

    try:
        model = onnx.load(str(path), load_external_data=False)
        value = next((entry.value for entry in model.metadata_props if entry.key == ACCURACY_KEY), None)
        return float(value) if value is not None else None
    except (OSError, ValueError, DecodeError):
        return None


@contextlib.contextmanager
def _native_stdout_silenced():
    """Send file descriptor 1 to /dev/null: the exporter's C++ side prints its whole IR there on failure."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def write_atomically(data: bytes, path: Path) -> Path:
    """Write `data` to `path` through a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "xb") as file:
            file.write(data)
            os.fsync(file.fileno())  # the bytes reach the disk before the name does
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path
