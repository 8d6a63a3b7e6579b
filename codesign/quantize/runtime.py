"""Running an ONNX file in onnxruntime, the independent check of the quantized executor.

Graph optimizations are off: at higher levels onnxruntime fuses DequantizeLinear -> Conv ->
QuantizeLinear into integer kernels (QLinearConv) that requantize outputs and quantize the bias,
which is a different computation from the fake quantization being checked.
"""

from __future__ import annotations

from pathlib import Path

import numpy

from codesign.accuracy.datasets import LabelledData
from codesign.errors import CodesignError

THREADS = 1


def onnxruntime_predict(path: Path, inputs: numpy.ndarray) -> numpy.ndarray:
    """The model's first output for `inputs` (dim 0 = batch); one image per run when the file fixes
    the batch size (as exported zoo models do), else the whole batch at once."""
    session = _session(Path(path))
    declared = session.get_inputs()[0]
    inputs = numpy.asarray(inputs, dtype=numpy.int64 if declared.type == "tensor(int64)" else numpy.float32)
    fixed = [size if isinstance(size, int) else None for size in declared.shape]
    if inputs.ndim != len(fixed) or any(size is not None and size != actual for size, actual in zip(fixed[1:], inputs.shape[1:])):
        raise CodesignError(f"onnxruntime: inputs have shape {'x'.join(map(str, inputs.shape))}; {Path(path).name} "
                            f"takes {'x'.join(str(size or 'N') for size in fixed)}")
    if fixed[0] is None or fixed[0] == len(inputs):
        return session.run(None, {declared.name: inputs})[0]
    if fixed[0] != 1:
        raise CodesignError(f"onnxruntime: {Path(path).name} takes batches of exactly {fixed[0]}, not {len(inputs)}")
    return numpy.concatenate([session.run(None, {declared.name: image[None]})[0] for image in inputs])


def onnxruntime_accuracy(path: Path, data: LabelledData) -> float:
    """Top-1 accuracy of the ONNX file at `path` on `data`'s test images, run in onnxruntime."""
    scores = onnxruntime_predict(path, data.images)
    return float(numpy.mean(scores.reshape(len(data.labels), -1).argmax(axis=1) == data.labels))


def _session(path: Path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = options.inter_op_num_threads = THREADS
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # onnxruntime's own exception types: a missing or malformed file
        raise CodesignError(f"onnxruntime cannot load {path}: {str(error).splitlines()[0][:200]}") from None
