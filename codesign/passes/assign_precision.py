"""`assign-precision`: per-layer bit widths under an accuracy budget, searched against the
target's own cost model (latency, energy or EDP of the annotated graph on --arch).

    -p "assign-precision{max_drop=0.01,objective=latency,candidates=2/4/8/16,method=bisection}"

Sensitivities and the ordering: precision_order.py; the searches: precision_search.py;
configurations, their accuracy and cost: precision_configs.py. Accuracy is measured with the
quantized executor of codesign/quantize (weights symmetric per channel, activations per
tensor over calibrated ranges, as an ONNX QDQ model runs in onnxruntime) on the workload's
labelled test set; sensitivities use training images only. The chosen widths are written
into the IR, as set-precision writes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from codesign.arch.schema import Architecture
from codesign.errors import CodesignError
from codesign.ir import Graph
from codesign.passes.pipeline import PassContext, PassResult, register_pass
from codesign.passes.precision_configs import Config, Measurements, layer_bits_of, quantized
from codesign.passes.precision_order import (
    Sensitivity, compute_layers, cost_aware_ordering, kl_divergence, measure_joint_effects, random_ordering,
)
from codesign.passes.precision_search import SearchPoint, bisection, nsga2
from codesign.passes.precision_savings import LayerSavings
from codesign.search.ga import GaSettings
from codesign.target import MapperSettings, target_for

METHODS = ("bisection", "nsga2")
_SENSITIVITIES: dict[tuple, tuple[Graph, Sensitivity]] = {}
OBJECTIVES = ("latency", "energy", "edp")


@dataclass(frozen=True)
class MethodResult:
    """One method's configuration and what it measured."""

    name: str
    config: Config
    accuracy: float
    energy_J: float
    latency_s: float


@dataclass(frozen=True)
class PrecisionDetails:
    """What the report and plots need beyond the summary."""

    baseline_accuracy: float
    chosen: MethodResult
    methods: tuple[MethodResult, ...]
    """The baselines of the same run (uniform widths, other orderings)."""
    front: tuple[MethodResult, ...] = ()
    """method=nsga2: its cost-accuracy front."""
    layers: tuple[str, ...] = field(default=())


@register_pass
@dataclass(frozen=True)
class AssignPrecision:
    name: ClassVar[str] = "assign-precision"
    max_drop: float = 0.01
    """Largest accuracy drop allowed against float32, as a fraction (0.01: one point)."""
    objective: str = "latency"
    """What the widths should lower on the target: latency, energy or edp."""
    candidates: str = "2/4/8/16"
    """Widths a layer may take, '/'-separated; those above what the target supports are dropped."""
    method: str = "bisection"
    """bisection (the paper's), or nsga2 (cost and accuracy as objectives, seeded with bisection)."""
    seed: int = 0
    """Seeds Hutchinson's probes, the random-order baseline and NSGA-II."""
    samples: int = 16
    """Hutchinson probe vectors per calibration batch."""
    population: int = 16
    generations: int = 10
    baselines: bool = True
    """Also run the baselines (uniform widths, Hessian-only and random orderings) for the report."""

    def __post_init__(self) -> None:
        if not 0 <= self.max_drop <= 1:
            raise ValueError(f"max_drop must be a fraction between 0 and 1 (got {self.max_drop})")
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)} (got {self.objective!r})")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)} (got {self.method!r})")
        widths = self.widths
        if not widths or any(not 1 <= bits <= 32 for bits in widths):
            raise ValueError(f"candidates must be widths from 1 to 32 separated by '/' (got {self.candidates!r})")
        if self.samples < 1 or self.population < 4 or self.generations < 0:
            raise ValueError("samples must be >= 1, population >= 4, generations >= 0")

    @property
    def widths(self) -> tuple[int, ...]:
        try:
            return tuple(sorted({int(part) for part in self.candidates.split("/") if part.strip()}))
        except ValueError:
            return ()

    def run(self, graph: Graph, arch: Architecture, progress: Callable[[str], None] | None = None,
            context: PassContext | None = None) -> PassResult:
        start = time.perf_counter()
        say = progress or (lambda message: None)
        context = context or PassContext()
        data = context.labelled_data(self.name)
        mapper = context.mapper or MapperSettings()
        run = _Run(self, graph, arch, mapper, data, say)
        details, warnings = run.search()
        summary = _summary(self, details, run, time.perf_counter() - start)
        return PassResult(quantized(graph, details.chosen.config), details, summary, tuple(warnings))


class _Run:
    """One assign-precision run: data, measurements and orderings shared by every method."""

    def __init__(self, options: AssignPrecision, graph: Graph, arch: Architecture, mapper: MapperSettings,
                 data, say: Callable[[str], None]):
        from codesign.quantize import calibrate, quantized_accuracy, unsupported_layers

        self.options, self.graph, self.data, self.say = options, graph, data, say
        target = target_for(arch, mapper)
        supported = target.capabilities.native_bits.weight
        self.widths = [bits for bits in options.widths if bits <= supported]
        self.dropped_widths = [bits for bits in options.widths if bits > supported]
        if not self.widths:
            raise CodesignError(f"assign-precision: no candidate width fits {arch.name} "
                                f"(it supports up to {supported} bits; candidates {options.candidates})")
        self.skipped = unsupported_layers(graph)
        self.layers = compute_layers(graph, self.skipped)
        if not self.layers:
            raise CodesignError(f"assign-precision: {graph.name} has no compute layer with constant weights to quantize")
        say("calibrating activation ranges")
        self.ranges = calibrate(graph, data.calibration)
        self.measure = Measurements(graph, arch, mapper, lambda config: quantized_accuracy(
            graph, layer_bits_of(graph, config), self.ranges, data))
        self.savings = LayerSavings(graph, target, options.objective, max(self.widths))
        self.float_accuracy = self.measure.accuracy({})

    def point(self, name: str, config: Config) -> MethodResult:
        cost = self.measure.cost(config)
        return MethodResult(name, dict(config), self.measure.accuracy(config), cost.energy_J, cost.latency_s)

    def within_budget(self, config: Config) -> bool:
        return self.float_accuracy - self.measure.accuracy(config) <= self.options.max_drop + 1e-12

    def sensitivity(self) -> Sensitivity:
        """Measured once per graph, data and settings in a process (a study runs many budgets)."""
        key = (id(self.graph), hash(self.data.calibration.tobytes()), self.options.seed, self.options.samples, tuple(self.widths))
        cached = _SENSITIVITIES.get(key)
        if cached is None or cached[0] is not self.graph:
            _SENSITIVITIES.clear()  # one graph at a time: the traces of others are not needed again
            _SENSITIVITIES[key] = (self.graph, self._measure_sensitivity())
        return _SENSITIVITIES[key][1]

    def _measure_sensitivity(self) -> Sensitivity:
        from codesign.quantize import hessian_traces, quantized_predict, weight_perturbation

        self.say("Hessian traces (Hutchinson)")
        traces = hessian_traces(self.graph, self.data, samples=self.options.samples, seed=self.options.seed)
        nodes = {node.name: node for node in self.graph.compute_nodes}
        perturbations = {(layer, bits): weight_perturbation(nodes[layer], bits)
                         for layer in self.layers for bits in self.widths}
        calibration = self.data.calibration
        reference = quantized_predict(self.graph, {}, self.ranges, calibration)

        def divergence(config: Config) -> float:
            logits = quantized_predict(self.graph, layer_bits_of(self.graph, config), self.ranges, calibration)
            return kl_divergence(reference, logits)

        self.say("joint effects of neighbouring layers")
        joint = measure_joint_effects(self.layers, self.widths[:-1], divergence)
        return Sensitivity(traces, perturbations, joint)

    def search(self) -> tuple[PrecisionDetails, list[str]]:
        options, warnings = self.options, []
        if self.dropped_widths:
            warnings.append(f"assign-precision: candidates {self.dropped_widths} exceed what the target supports; "
                            f"searching {self.widths}")
        widest = {layer: max(self.widths) for layer in self.layers}
        sensitivity = self.sensitivity()
        saving = self.savings.saving
        self.say("bisection over the inter-layer ordering")
        chosen = self.point("inter_layer", self._bisect(cost_aware_ordering(sensitivity.interaction, saving)))
        front: tuple[MethodResult, ...] = ()
        if options.method == "nsga2":
            chosen, front = self._nsga2(chosen)
        if not self.within_budget(widest):
            chosen = self.point("widest", widest)
            warnings.append(f"assign-precision: no configuration meets max_drop={options.max_drop:g} "
                            f"(all layers at {max(self.widths)} bits lose "
                            f"{100 * (self.float_accuracy - chosen.accuracy):.2f} points); kept the widest")
        methods = self._baselines(sensitivity, saving) if options.baselines else ()
        details = PrecisionDetails(self.float_accuracy, chosen, methods, front, tuple(self.layers))
        return details, warnings

    def _bisect(self, order) -> Config:
        return bisection(self.layers, self.widths, order, self.within_budget)

    def _baselines(self, sensitivity: Sensitivity, saving) -> tuple[MethodResult, ...]:
        self.say("baselines: uniform widths, Hessian-only and random orderings")
        points = [self.point(f"uniform_{bits}", {layer: bits for layer in self.layers})
                  for bits in (16, 8) if bits in self.widths]
        points.append(self.point("hessian_only", self._bisect(cost_aware_ordering(sensitivity.hessian, saving))))
        points.append(self.point("random_order", self._bisect(random_ordering(self.options.seed))))
        return tuple(points)

    def _nsga2(self, seeded: MethodResult) -> tuple[MethodResult, tuple[MethodResult, ...]]:
        objective = self.options.objective

        def evaluate(config: Config) -> SearchPoint:
            return SearchPoint(config, self.measure.accuracy(config), self.measure.cost(config).value(objective))

        self.say("NSGA-II over per-layer widths")
        settings = GaSettings(population=self.options.population, generations=self.options.generations,
                              seed=self.options.seed)
        front, _ = nsga2(self.layers, self.widths, evaluate, seeded.config, settings)
        members = tuple(self.point("nsga2", point.config) for point in front)
        feasible = [member for member in members if self.float_accuracy - member.accuracy <= self.options.max_drop + 1e-12]
        best = min(feasible, key=lambda member: self.measure.cost(member.config).value(objective), default=seeded)
        return best, members


def _summary(options: AssignPrecision, details: PrecisionDetails, run: _Run, seconds: float) -> dict:
    sixteen = next((method for method in details.methods if method.name == "uniform_16"), None)
    widest = run.point("widest", {layer: max(run.widths) for layer in run.layers})

    def figures(method: MethodResult) -> dict:
        return {
            "accuracy": method.accuracy, "accuracy_drop": details.baseline_accuracy - method.accuracy,
            "energy_J": method.energy_J, "latency_s": method.latency_s,
            "latency_reduction_vs_16bit": 1 - method.latency_s / sixteen.latency_s if sixteen else None,
            "energy_reduction_vs_16bit": 1 - method.energy_J / sixteen.energy_J if sixteen else None,
            "latency_reduction_vs_widest": 1 - method.latency_s / widest.latency_s,
            "energy_reduction_vs_widest": 1 - method.energy_J / widest.energy_J,
            "bits": dict(method.config),
        }

    return {
        "method": options.method, "objective": options.objective, "max_drop": options.max_drop,
        "candidates": list(run.widths), "baseline_accuracy": details.baseline_accuracy,
        **figures(details.chosen),
        "baselines": {method.name: figures(method) for method in details.methods},
        "left_at_full_precision": list(run.skipped), "accuracy_evaluations": len(run.measure.accuracies),
        "configurations_costed": len(run.measure.costs), "seconds": seconds,
    }
