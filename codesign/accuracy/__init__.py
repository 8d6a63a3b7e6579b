"""Top-1 accuracy of a trained workload at an architecture's precision (the sweep's accuracy budget).

    data = labelled_test_set("digits_cnn")          # None for workloads without labelled data
    graph = load_model("digits_cnn").graph
    accuracy_at(graph, None, data)                                    # float32 reference
    accuracy_at(graph, target_for(load_arch("crossbar")).dot_product, data)  # the crossbar's bits, ADC, slicing

execute.py runs the IR in numpy; quantize.py and analog.py model how a target computes dot
products; datasets.py holds the labelled data.
"""

from codesign.accuracy.datasets import LabelledData, labelled_test_set
from codesign.accuracy.execute import MatmulKernel, run_graph
from codesign.accuracy.quantize import DigitalDot, DotProductFor, accuracy_at, predict

__all__ = ["DigitalDot", "DotProductFor", "LabelledData", "MatmulKernel", "accuracy_at", "labelled_test_set", "predict", "run_graph"]
