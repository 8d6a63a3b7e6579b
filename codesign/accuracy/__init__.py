"""Top-1 accuracy of a trained workload at an architecture's precision (the sweep's accuracy budget).

    data = labelled_test_set("digits_cnn")          # None for workloads without labelled data
    graph = load_model("digits_cnn").graph
    accuracy_at(graph, None, data)                   # float32 reference
    accuracy_at(graph, load_arch("crossbar"), data)  # at the crossbar's bits, ADC and slicing

execute.py runs the IR in numpy; quantize.py and analog.py model how a target computes dot
products; datasets.py holds the labelled data.
"""

from codesign.accuracy.datasets import LabelledData, labelled_test_set
from codesign.accuracy.execute import MatmulKernel, run_graph
from codesign.accuracy.quantize import accuracy_at, predict

__all__ = ["LabelledData", "MatmulKernel", "accuracy_at", "labelled_test_set", "predict", "run_graph"]
