"""The numerics of mixed-precision quantization: fake-quantized execution, sensitivities, QDQ export.

    ranges = calibrate(graph, data.calibration)                   # float run of training images
    config = {"/0/Conv": LayerBits(weight=4, input=8, output=8)}  # absent layers stay float
    quantized_accuracy(graph, config, ranges, data)               # top-1 on the test images
    weight_perturbation(graph.node("/0/Conv"), 4)                  # ||Q_4(W) - W||^2
    hessian_traces(graph, data)                                   # layer -> Tr(H) / weights (Hutchinson)
    export_qdq(graph, source_onnx, config, ranges, "q.onnx")      # the same numbers in onnxruntime
    onnxruntime_accuracy(Path("q.onnx"), data)

The scheme (scheme.py): weights symmetric per output channel; a compute layer's input per tensor,
asymmetric over its calibrated range; both rounded half to even and dequantized, the dot products
in float ("fake quantization", what QuantizeLinear/DequantizeLinear pairs compute). Widths 2..16.
Torch (hessian_traces) and onnxruntime (export check) are imported only when those are called.
"""

from codesign.quantize.calibrate import Ranges, calibrate
from codesign.quantize.export import export_qdq
from codesign.quantize.hessian import hessian_traces
from codesign.quantize.layers import QuantConfig, unsupported_layers
from codesign.quantize.perturbation import weight_perturbation
from codesign.quantize.predict import quantized_accuracy, quantized_predict
from codesign.quantize.runtime import onnxruntime_accuracy, onnxruntime_predict

__all__ = [
    "QuantConfig", "Ranges", "calibrate", "export_qdq", "hessian_traces", "onnxruntime_accuracy",
    "onnxruntime_predict", "quantized_accuracy", "quantized_predict", "unsupported_layers", "weight_perturbation",
]
