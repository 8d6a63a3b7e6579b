"""`prune-crossbar`: D.U.B. sparsity (Ibrayev et al., arXiv 2403.13082) trained against a crossbar
target's ADC model, under an accuracy budget.

    -p "prune-crossbar{max_drop=0.01,levels=1/2/4/8/16}"     (a crossbar spec with differential weights)

1. The dense model's accuracy with the target's arithmetic (the analog emulator: bit slices,
   bit-serial inputs, the spec's ADC resolution and range) is the baseline.
2. Regularized fine-tuning (prune_training.py): the variance of neighbouring columns' L0 norms
   in each crossbar, and their mean.
3. Moves (one crossbar one level sparser) ordered by ADC energy saved on the target per unit
   of Hessian-weighted damage; a bisection over that order, each trial fine-tuned with its
   masks and measured with the emulator, keeps the longest prefix within max_drop
   (prune_search.py). Sparsity per crossbar is a power of two, unstructured within a column.
4. The pruned weights go into the IR (with a Pruned annotation per layer), so `compile` costs
   the fewer ADC bits through the same code path as any pruned model.
Baselines in the same run, at the chosen model's sparsity and fine-tuned alike: global
magnitude pruning, and L1-regularized training followed by per-layer magnitude pruning at the
chosen model's per-layer sparsity (crossbar-unaware).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy

from codesign.arch.schema import Architecture
from codesign.errors import CodesignError
from codesign.ir import Graph
from codesign.passes.pipeline import PassContext, PassResult, register_pass
from codesign.passes.prune_layout import LayerCrossbars, layer_crossbars
from codesign.passes.prune_methods import (
    MethodOutcome, global_magnitude_masks, layer_magnitude_masks, measure, with_weights,
)
from codesign.passes.prune_search import levels_after, longest_prefix, ordered_moves
from codesign.target import MapperSettings, target_for
from codesign.target.registry import require_kind

@dataclass(frozen=True)
class PruneDetails:
    """What the report and plots need beyond the summary."""

    dense: MethodOutcome
    chosen: MethodOutcome
    baselines: tuple[MethodOutcome, ...]
    nonzero_rows_dense: numpy.ndarray
    """Per crossbar (all layers, both arrays), the most non-zero cells a column holds in a read."""
    nonzero_rows_chosen: numpy.ndarray
    trials: tuple[tuple[int, float], ...]
    """(moves made, accuracy) of every bisection trial."""


@register_pass
@dataclass(frozen=True)
class PruneCrossbar:
    name: ClassVar[str] = "prune-crossbar"
    max_drop: float = 0.01
    """Largest accuracy drop allowed against the dense model on the target, as a fraction."""
    levels: str = "1/2/4/8/16"
    """Sparsity levels a crossbar may take, powers of two separated by '/': a column keeps at
    most ceil(rows per read / level) non-zero weights in each read (1, dense, is always allowed)."""
    epochs: int = 4
    """Fine-tuning epochs of each trial (and of each baseline) with its masks (digits_vgg: 2 epochs
    kept 33% sparsity within a point, 4 epochs 77%)."""
    regularize_epochs: int = 3
    """Epochs of regularized training before pruning (D.U.B.'s, and L1's for its baseline)."""
    variance: float = 1.0
    """Weight of the variance-of-neighbouring-L0 term."""
    sparsity: float = 0.05
    """Weight of the mean-L0 term (and of the L1 baseline's |w| term)."""
    learning_rate: float = 0.01
    """SGD's (momentum 0.9): fresh Adam moments moved a converged model's weights by ~lr each
    step and cost digits_vgg two points before any weight was pruned."""
    seed: int = 0
    baselines: bool = True
    """Also prune by global magnitude and by L1 at the same sparsity, for the report."""

    def __post_init__(self) -> None:
        if not 0 <= self.max_drop <= 1:
            raise ValueError(f"max_drop must be a fraction between 0 and 1 (got {self.max_drop})")
        if not self.allowed_levels:
            raise ValueError(f"levels must be powers of two from 1 to 1024 separated by '/' (got {self.levels!r})")
        if self.epochs < 0 or self.regularize_epochs < 0 or self.epochs + self.regularize_epochs > 100:
            raise ValueError("epochs and regularize_epochs must be from 0 to 100 together")
        if not (0 <= self.variance <= 1e3 and 0 <= self.sparsity <= 1e3 and 0 < self.learning_rate <= 1):
            raise ValueError("variance and sparsity must be from 0 to 1000, learning_rate from 0 to 1")

    @property
    def allowed_levels(self) -> tuple[int, ...]:
        """The levels, 1 first; () when any is not a power of two up to 1024."""
        try:
            values = {int(part) for part in self.levels.split("/") if part.strip()}
        except ValueError:
            return ()
        if not values or any(value < 1 or value > 1024 or value & (value - 1) for value in values):
            return ()
        return tuple(sorted(values | {1}))

    def run(self, graph: Graph, arch: Architecture, progress: Callable[[str], None] | None = None,
            context: PassContext | None = None) -> PassResult:
        start = time.perf_counter()
        context = context or PassContext()
        run = _Run(self, graph, arch, context, progress or (lambda message: None))
        details, warnings = run.search()
        summary = _summary(self, details, time.perf_counter() - start)
        return PassResult(details.chosen.graph, details, summary, tuple(warnings))


class _Run:
    """One prune-crossbar run: the layers, data and measurements every method shares."""

    def __init__(self, options: PruneCrossbar, graph: Graph, arch: Architecture, context: PassContext,
                 say: Callable[[str], None]):
        macro = require_kind(arch, "crossbar", "prune-crossbar (e.g. --arch crossbar_differential)")
        if macro.weight_encoding == "offset":
            raise CodesignError(f"prune-crossbar: '{arch.name}' stores weights with an offset, so a pruned (zero) weight "
                                "is a non-zero cell and no ADC resolution can drop; use a spec with weight_encoding: "
                                "differential (e.g. crossbar_differential)")
        absent = [node.name for node in graph.compute_nodes if node.weight is not None and node.weight.data is None]
        if absent:
            raise CodesignError(f"prune-crossbar needs the model's weights; '{absent[0]}' was imported without them "
                                "(its external data file is missing)")
        self.options, self.graph, self.arch, self.say = options, graph, arch, say
        self.data = context.labelled_data(options.name)
        if self.data.train_images is None:
            raise CodesignError("prune-crossbar fine-tunes: --data needs a training split too "
                                "(arrays 'train_inputs' and 'train_labels')")
        self.target = target_for(arch, context.mapper or MapperSettings())
        self.nodes = {node.name: node for node in graph.compute_nodes}
        self.layers = self._layers()
        self.names = [layer.name for layer in self.layers]
        self.levels = options.allowed_levels

    def _layers(self) -> list[LayerCrossbars]:
        layers = []
        for node in self.graph.compute_nodes:
            layer = layer_crossbars(node, self.target.layer_config(self.target.bits(node)))
            if layer is not None:
                layers.append(layer)
        if not layers:
            raise CodesignError(f"prune-crossbar: {self.graph.name} has no Conv, Gemm or MatMul with constant "
                                "weights to prune")
        return layers

    def search(self) -> tuple[PruneDetails, list[str]]:
        from codesign.passes.prune_training import Regularizer, fine_tune
        from codesign.quantize import hessian_traces

        options, warnings = self.options, []
        self.say("dense accuracy with the target's arithmetic")
        dense = self._measure("dense", self.graph)
        self.say("Hessian traces (Hutchinson)")
        curvature = hessian_traces(self.graph, self.data, samples=8, seed=options.seed)
        self.say("D.U.B.-regularized fine-tuning")
        regularized = fine_tune(self.graph, self.data, self.names, self._schedule(options.regularize_epochs),
                                regularizer=Regularizer("dub", options.variance, options.sparsity, tuple(self.layers)))
        moves = [move for move in ordered_moves(self.layers, self.nodes, regularized, curvature, self._adc_energies,
                                                self.levels) if move.saving_J > 0]
        trials: dict[int, MethodOutcome] = {}

        def meets(count: int) -> bool:
            if count not in trials:
                self.say(f"trial: {count} of {len(moves)} crossbar moves")
                levels = levels_after(moves[:count], self.layers, self.levels)
                masks = {layer.name: layer.mask(regularized[layer.name], levels[layer.name]) for layer in self.layers}
                tuned = fine_tune(self.graph, self.data, self.names, self._schedule(options.epochs), regularized, masks)
                trials[count] = self._measure("dub", with_weights(self.graph, tuned, levels))
            return dense.accuracy - trials[count].accuracy <= options.max_drop + 1e-12

        count, met = longest_prefix(len(moves), meets)
        chosen = trials[count] if met else max(trials.values(), key=lambda outcome: outcome.accuracy)
        if not met:
            warnings.append(f"prune-crossbar: no sparsity meets max_drop={options.max_drop:g} (even unpruned after "
                            f"fine-tuning the model loses {100 * (dense.accuracy - chosen.accuracy):.2f} points); "
                            "kept the most accurate trial")
        baselines = self._baselines(chosen, regularized) if options.baselines and chosen.sparsity > 0 else ()
        details = PruneDetails(dense, chosen, baselines, self._nonzero_rows(self.graph), self._nonzero_rows(chosen.graph),
                               tuple(sorted((count, outcome.accuracy) for count, outcome in trials.items())))
        return details, warnings

    def _baselines(self, chosen: MethodOutcome, regularized) -> tuple[MethodOutcome, ...]:
        from codesign.passes.prune_training import Regularizer, fine_tune

        options = self.options
        original = {layer.name: self.nodes[layer.name].weight.data for layer in self.layers}
        self.say("baseline: global magnitude pruning")
        masks = global_magnitude_masks(original, chosen.sparsity)
        tuned = fine_tune(self.graph, self.data, self.names, self._schedule(options.epochs), original, masks)
        magnitude = self._measure("global_magnitude", with_weights(self.graph, tuned))
        self.say("baseline: L1-regularized, per-layer magnitude pruning")
        l1 = fine_tune(self.graph, self.data, self.names, self._schedule(options.regularize_epochs),
                       regularizer=Regularizer("l1", 0.0, options.sparsity))
        masks = layer_magnitude_masks(l1, {layer.name: layer.sparsity for layer in chosen.layers})
        tuned = fine_tune(self.graph, self.data, self.names, self._schedule(options.epochs), l1, masks)
        return magnitude, self._measure("l1_unstructured", with_weights(self.graph, tuned))

    def _measure(self, name: str, graph: Graph) -> MethodOutcome:
        return measure(name, graph, self.arch, self.target, self.data, self.layers)

    def _schedule(self, epochs: int):
        from codesign.passes.prune_training import Schedule

        return Schedule(epochs, self.options.learning_rate, seed=self.options.seed)

    def _adc_energies(self, layer: LayerCrossbars) -> tuple[float, ...]:
        return self.target.energies_at(layer.config).adc_conversion_J

    def _nonzero_rows(self, graph: Graph) -> numpy.ndarray:
        nodes = {node.name: node for node in graph.compute_nodes}
        counts = [self.target.nonzero_rows(nodes[layer.name], layer.config).max(axis=1).ravel() for layer in self.layers]
        return numpy.concatenate(counts)


def _summary(options: PruneCrossbar, details: PruneDetails, seconds: float) -> dict:
    dense, chosen = details.dense, details.chosen
    figures = chosen.figures(dense)
    return {
        "baseline_accuracy": dense.accuracy, **{key: value for key, value in figures.items() if key != "layers"},
        "max_drop": options.max_drop, "levels": list(options.allowed_levels),
        "layers": figures["layers"],
        "dense": {"adc_energy_J": dense.adc_energy_J, "energy_J": dense.energy_J,
                  "layers": dense.figures(dense)["layers"]},
        "baselines": {outcome.name: outcome.figures(dense) for outcome in details.baselines},
        "trials": [{"moves": count, "accuracy": accuracy} for count, accuracy in details.trials],
        "seconds": seconds,
    }
