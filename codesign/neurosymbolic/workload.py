"""The digits HDC workload: the trained digits CNN as a neural front end, its features encoded as
hypervectors and classified by associative search (hdc.py).

Where the graph is cut: the penultimate layer's output, i.e. the activation the last compute node
(the classifier) reads. For digits_cnn that is '/7/Relu_output_0', the 64 ReLU features of fc1;
fc2 (64 -> 10) is replaced by the search against 10 class prototypes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codesign.errors import CodesignError
from codesign.ir import Graph
from codesign.ir.cut import cut_at

DIGITS_MODEL = "digits_cnn"
MOST_DIMENSIONS = 65536
"""Hypervectors longer than this are a typo: the projection alone would take gigabytes."""
DEFAULT_BATCH = 1000
MOST_BATCH = 10**9
"""More queries than this in one batch is a typo (the figures scale linearly beyond)."""
FORM = "hdc:D=<dimensions>[,seed=<seed>][,batch=<queries>]"


@dataclass(frozen=True)
class HdcWorkload:
    """A neural front end cut at `feature_value`, D-dimensional bipolar encoding, `classes` prototypes."""

    model: str
    """The zoo model the front end comes from (its labelled data: labelled_test_set(model))."""
    graph: Graph = field(compare=False, repr=False)
    """The whole trained network, as imported."""
    feature_value: str
    """The value the front end ends at: the features the hypervectors encode."""
    dimensions: int
    seed: int
    """Seed of the random projection (hdc.projection_matrix)."""
    classes: int
    batch: int = DEFAULT_BATCH
    """Queries costed together (the batch figures); one query alone is always reported too."""

    @property
    def front_end(self) -> Graph:
        """The graph cut at `feature_value` (codesign.ir.cut.cut_at)."""
        return cut_at(self.graph, self.feature_value)

    @property
    def mac_graph(self) -> Graph:
        """What the MAC half runs: the front end, then the encoder's projection (encoder.py)."""
        from codesign.neurosymbolic.encoder import with_encoder

        return with_encoder(self.front_end, self.dimensions, self.seed)

    @property
    def label(self) -> str:
        return f"{self.model}_hdc:D={self.dimensions},seed={self.seed}"


def digits_hdc(dimensions: int = 512, seed: int = 0, batch: int = DEFAULT_BATCH) -> HdcWorkload:
    """The trained digits CNN cut before its classifier, D-dimensional hypervectors, 10 classes."""
    if dimensions < 1:
        raise CodesignError(f"digits_hdc: dimensions must be at least 1 (got {dimensions})")
    if batch < 1:
        raise CodesignError(f"digits_hdc: a batch is at least 1 query (got {batch})")
    from codesign.frontend import load_model  # the zoo export (and torch) only when a workload is built

    graph = load_model(DIGITS_MODEL).graph
    return HdcWorkload(DIGITS_MODEL, graph, penultimate_value(graph), dimensions, seed,
                       classes=graph.outputs[0].type.shape[-1], batch=batch)


def penultimate_value(graph: Graph) -> str:
    """The name of the activation the graph's last compute node (its classifier) reads."""
    compute = graph.compute_nodes
    if not compute:
        raise CodesignError(f"graph '{graph.name}' has no compute node to cut before")
    return compute[-1].inputs[0].name


def parse_hdc_workload(text: str) -> HdcWorkload:
    """`hdc:D=512[,seed=0][,batch=1000]` (the `--workload` text) -> digits_hdc(D, seed, batch)."""
    kind, _, arguments = text.partition(":")
    values = {"seed": 0, "batch": DEFAULT_BATCH}
    for item in filter(None, arguments.split(",")):
        key, _, value = item.partition("=")
        if key.strip() not in ("D", "seed", "batch") or not value.strip().isdigit():
            raise CodesignError(f"--workload '{text}': expected {FORM} with whole numbers (bad item '{item}')")
        values[key.strip()] = int(value)
    if kind != "hdc" or "D" not in values:
        raise CodesignError(f"--workload '{text}': expected {FORM}")
    if not 1 <= values["D"] <= MOST_DIMENSIONS:
        raise CodesignError(f"--workload '{text}': D must be between 1 and {MOST_DIMENSIONS} (got {values['D']})")
    if not 1 <= values["batch"] <= MOST_BATCH:
        raise CodesignError(f"--workload '{text}': batch must be between 1 and {MOST_BATCH} (got {values['batch']})")
    return digits_hdc(values["D"], values["seed"], values["batch"])
