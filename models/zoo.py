"""The model zoo: named workloads, their reference MAC counts, and their ONNX export.

Reference MACs come from the paper where it quotes a number for this exact architecture,
otherwise from torchvision's model card (its "GFLOPS" are multiply-accumulates), otherwise
from an analytic formula (models/counts.py, derived in the model's module).
`models.macs.count_macs` must land within 2% of them (tests/unit/test_zoo.py).

Nothing here imports torch or scikit-learn at import time: a model's module is imported
when the model is built (to export it, or to train digits_cnn), torch when it is exported.
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
from models.counts import ALEXNET_CLASSIFIER_MACS, ALEXNET_CONVOLUTION_MACS, DIGITS_CNN_MACS, bert_tiny_macs

if TYPE_CHECKING:
    import torch
    from torch import nn

IMAGENET_INPUT = (1, 3, 224, 224)


@dataclass(frozen=True)
class ZooModel:
    """A named workload: how to build it, what it eats, and how many MACs it should cost.

    The registry stays free of torch (listing the zoo or opening a cached export takes no
    torch, no scikit-learn): `builder` names the function that builds the model, imported
    only when the model is built (to export it, or to train digits_cnn).
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

    def build(self) -> nn.Module:
        module, _, function = self.builder.partition(":")
        return getattr(importlib.import_module(module), function)()

    def example_input(self, batch: int = 1) -> torch.Tensor:
        """Zeros of the input's shape (with `batch` as its first size) and dtype (zeros are valid token ids too)."""
        import torch

        return torch.zeros((batch, *self.input_shape[1:]), dtype=getattr(torch, self.input_dtype))


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
             "models.digits:trained_digits_cnn", (1, 1, 8, 8), "float32", "input", float(DIGITS_CNN_MACS),
             "analytic: per-layer sum, models/digits.py"),
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
    """Export zoo model `name` (eval mode, weights seeded with 0) to an ONNX file at `path`.

    The file appears whole or not at all: the model is exported in memory, written to a
    temporary file beside `path`, then renamed over it.
    """
    import torch  # only here: listing the zoo and opening cached exports need no torch

    entry = get(name)
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
    return write_atomically(exported.getvalue(), Path(path))


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
