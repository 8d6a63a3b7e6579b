"""`prune`: magnitude pruning of every layer with constant weights, optionally fine-tuned.

    -p "prune{sparsity=0.8,structure=unstructured,scope=layer,epochs=0}"

structure=unstructured zeroes the weights of smallest |w|: the fraction `sparsity` of each
layer's (scope=layer) or of all layers' together (scope=global). structure=channel zeroes the
fraction `sparsity` of each layer's output channels with the smallest L2 norm, all but the
last compute layer's (its channels are the model's outputs). Shapes stay: a target's cost
model decides what zeros save (a crossbar converts fewer really-non-zero rows with fewer ADC
bits; the dataflow targets do not skip zeros). With epochs > 0 the pruned model is fine-tuned
on the labelled data's training split with the pruned weights held at zero
(prune_training.py), and the summary holds float32 accuracy before and after. The weights go
into the IR, each layer annotated Pruned with its sparsity. prune-crossbar's baselines are
these masks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy

from codesign.arch.schema import Architecture
from codesign.errors import CodesignError
from codesign.ir import Graph
from codesign.passes.pipeline import PassContext, PassResult, register_pass
from codesign.passes.prune_methods import channel_masks, global_magnitude_masks, layer_magnitude_masks, with_weights

STRUCTURES = ("unstructured", "channel")
SCOPES = ("layer", "global")


@register_pass
@dataclass(frozen=True)
class Prune:
    name: ClassVar[str] = "prune"
    sparsity: float = 0.5
    """Fraction of the weights (unstructured) or output channels (channel) set to zero, 0 to < 1."""
    structure: str = "unstructured"
    """unstructured (single weights) or channel (whole output channels)."""
    scope: str = "layer"
    """unstructured only: layer (each layer loses `sparsity` of its weights) or global (all
    layers' weights ranked together)."""
    epochs: int = 0
    """Fine-tuning epochs with the pruned weights held at zero (needs a training split)."""
    learning_rate: float = 0.01
    """SGD's (momentum 0.9), as prune-crossbar's fine-tuning."""
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.sparsity < 1:
            raise ValueError(f"sparsity must be a fraction from 0 to below 1 (got {self.sparsity})")
        if self.structure not in STRUCTURES:
            raise ValueError(f"structure must be one of {', '.join(STRUCTURES)} (got {self.structure!r})")
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)} (got {self.scope!r})")
        if self.structure == "channel" and self.scope == "global":
            raise ValueError("structure=channel prunes each layer's channels: scope must be layer")
        if not 0 <= self.epochs <= 100 or not 0 < self.learning_rate <= 1:
            raise ValueError("epochs must be from 0 to 100 and learning_rate from 0 to 1")

    def run(self, graph: Graph, arch: Architecture, progress: Callable[[str], None] | None = None,
            context: PassContext | None = None) -> PassResult:
        from codesign.quantize.layers import output_channel_axis, weighted_layers

        say = progress or (lambda message: None)
        nodes = weighted_layers(graph)
        if not nodes:
            raise CodesignError(f"prune: {graph.name} has no Conv, Gemm or MatMul with a constant weight to prune")
        absent = next((node.name for node in nodes if node.weight.data is None), None)
        if absent is not None:
            raise CodesignError(f"prune needs the model's weights; '{absent}' was imported without them "
                                "(its external data file is missing)")
        weights = {node.name: numpy.asarray(node.weight.data, dtype=numpy.float32) for node in nodes}
        say(f"pruning {len(nodes)} layers to {self.sparsity:.0%} ({self.structure})")
        masks = self._masks(weights, {node.name: output_channel_axis(node) for node in nodes[:-1]})
        pruned = {name: values * masks[name] for name, values in weights.items()}
        summary: dict = {"sparsity_requested": self.sparsity, "structure": self.structure, "scope": self.scope}
        if self.epochs:
            pruned, summary["float_accuracy"] = self._fine_tune(graph, pruned, masks, context or PassContext(), say)
        zeros = sum(int(numpy.sum(values == 0)) for values in pruned.values())
        summary |= {"sparsity": zeros / sum(values.size for values in pruned.values()),
                    "layers": {name: float(numpy.mean(values == 0)) for name, values in pruned.items()}}
        return PassResult(with_weights(graph, pruned), None, summary)

    def _masks(self, weights: dict[str, numpy.ndarray], axes: dict[str, int]) -> dict[str, numpy.ndarray]:
        if self.structure == "channel":
            masks = channel_masks({name: weights[name] for name in axes}, axes, self.sparsity)
            return {name: masks.get(name, numpy.ones(values.shape, dtype=bool)) for name, values in weights.items()}
        if self.scope == "global":
            return global_magnitude_masks(weights, self.sparsity)
        return layer_magnitude_masks(weights, {name: self.sparsity for name in weights})

    def _fine_tune(self, graph: Graph, pruned, masks, context: PassContext, say) -> tuple[dict, dict]:
        from codesign.accuracy.quantize import accuracy_at
        from codesign.passes.prune_training import Schedule, fine_tune

        data = context.labelled_data(f"{self.name} with epochs > 0")
        if data.train_images is None:
            raise CodesignError("prune fine-tunes (epochs > 0): --data needs a training split too "
                                "(arrays 'train_inputs' and 'train_labels')")
        before = accuracy_at(with_weights(graph, pruned), None, data)
        say(f"fine-tuning {self.epochs} epochs with the pruned weights held at zero")
        tuned = fine_tune(graph, data, list(pruned), Schedule(self.epochs, self.learning_rate, seed=self.seed),
                          pruned, masks)
        after = accuracy_at(with_weights(graph, tuned), None, data)
        return tuned, {"dense": accuracy_at(graph, None, data), "pruned": before, "fine_tuned": after}
