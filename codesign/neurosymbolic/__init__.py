"""Neuro-symbolic workloads: a neural front end whose features become hypervectors, classified by
associative search (hyperdimensional computing).

    workload = digits_hdc(dimensions=512, seed=0)         # workload.py
    data = labelled_test_set("digits_cnn")
    hdc_accuracy(workload, data)                           # accuracy.py: float32, exact search
    hdc_accuracy(workload, data, target.dot_product, search_errors=search_error_model(arch, 512))

hdc.py: projection, prototypes, Hamming winner-take-all. encoder.py: the projection as a layer of
the graph (workload.mac_graph). search_errors.py: the FeFET search's read-back errors
(codesign.cost.fefet.mac_error_rate on the cost model's tiles). schedule.py: both halves on one
FeFET macro (the arrays split, writes, one query and a batch). references.py: the same workload on
an A100, and on simba with the search on the A100.
"""

from codesign.neurosymbolic.accuracy import HdcAccuracy, hdc_accuracy, measure_hdc
from codesign.neurosymbolic.search_errors import SearchErrorModel, search_error_model
from codesign.neurosymbolic.workload import HdcWorkload, digits_hdc

__all__ = ["HdcAccuracy", "HdcWorkload", "SearchErrorModel", "digits_hdc", "hdc_accuracy", "measure_hdc",
           "search_error_model"]
