"""Evaluating one point of a design space: build its architecture, compile the workload, measure.

    evaluate_point(point, 'arch_specs/spaces/simba_pe_glb.yaml')
    -> {'status': 'ok', 'metrics': {'energy_J': ..., 'latency_s': ..., 'edp_Js': ..., 'area_m2': ...}, 'error': None}

A top-level function of picklable arguments, so that a process pool can run it; each worker
loads the space, its base spec and the workloads' graphs once and keeps them.
Status 'infeasible' means the point is a bad design (the spec rejects the combination, no
mapping fits, a budget is exceeded), with the one-line reason in 'error'; that is an
answer, not a failure.
"""

from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from codesign.arch.messages import describe_validation_error
from codesign.arch.schema import Architecture
from codesign.dse.neurosymbolic import hdc_metrics, is_hdc_workload
from codesign.dse.paths import apply
from codesign.dse.space import Space, assignments, base_spec, compiler_passes, load_space, workload_path
from codesign.errors import CodesignError
from codesign.flow import apply_passes, compile_passed
from codesign.frontend import load_model
from codesign.ir import Graph
from codesign.target import target_for

METRICS = {'energy': 'energy_J', 'latency': 'latency_s', 'edp': 'edp_Js', 'area': 'area_m2',
           'accuracy_loss': 'accuracy_loss'}
"""Objective name -> the metric it minimises."""
BUDGETS = {'area_budget_m2': 'area_m2', 'energy_budget_J': 'energy_J', 'latency_budget_s': 'latency_s',
           'accuracy_loss_budget': 'accuracy_loss'}
"""Constraint field -> the metric it bounds."""


def evaluate_point(point: dict, space_file: str | Path, space: Space | None = None) -> dict:
    """{'status': 'ok' | 'infeasible', 'metrics': {...} or {}, 'error': None or one line} for `point`."""
    space_file = Path(space_file)
    if space is None:
        status = space_file.stat()
        space = _space(str(space_file), status.st_mtime_ns, status.st_size)
    base_file, base = _base(space, str(space_file))
    spec = apply(base, assignments(space, point))
    try:
        arch = Architecture.model_validate(spec)
    except ValidationError as error:
        return _infeasible(describe_validation_error(error, base_file, {}))
    metrics = {'area_m2': chip_area_m2(arch)}
    if is_hdc_workload(point['workload']):
        return _evaluate_hdc(point['workload'], arch, space, metrics)
    try:  # accuracy is measured on the graph the passes leave (e.g. after set-precision)
        workload = workload_path(point['workload'], space_file)
        passed = apply_passes(_graph(workload), arch, compiler_passes(space, point), space.mapper_objective,
                              space.strategy.seed, workload=str(workload))
    except CodesignError as error:  # e.g. bits the design cannot run
        return _infeasible(str(error), metrics)
    if space.needs_accuracy:  # a second or so on digits_cnn: before the mapping search, which costs more
        spiking = passed.results.get('convert-snn')  # a spiking network's accuracy is its simulation's
        metrics |= (spiking_accuracy(point['workload'], spiking.summary['accuracy']) if spiking else
                    accuracy_metrics(point['workload'], passed.graph, arch))
    reason = _over_budget(space, metrics)
    if reason:
        return _infeasible(reason, metrics)
    try:
        outcome = compile_passed(passed, arch, space.mapper_objective, space.strategy.seed)
    except CodesignError as error:  # e.g. a buffer too small for any mapping of some layer
        return _infeasible(str(error), metrics)
    metrics = {'energy_J': outcome.energy_J, 'latency_s': outcome.latency_s, 'edp_Js': outcome.edp_Js, **metrics}
    reason = _over_budget(space, metrics)
    return _infeasible(reason, metrics) if reason else {'status': 'ok', 'metrics': metrics, 'error': None}


def _evaluate_hdc(workload: str, arch: Architecture, space: Space, metrics: dict) -> dict:
    """A neuro-symbolic workload's point (dse/neurosymbolic.py): its schedule, references, accuracy."""
    try:
        metrics |= hdc_metrics(workload, arch, space.mapper_objective, space.needs_accuracy)
    except CodesignError as error:  # e.g. prototypes that do not fit the macro, a target that cannot search
        return _infeasible(str(error), metrics)
    reason = _over_budget(space, metrics)
    return _infeasible(reason, metrics) if reason else {'status': 'ok', 'metrics': metrics, 'error': None}


def chip_area_m2(arch: Architecture) -> float:
    """The target's area, all components and instances (codesign/target)."""
    return sum(target_for(arch).area_m2().values())


def accuracy_metrics(workload: str, graph: Graph, arch: Architecture) -> dict:
    """Top-1 test accuracy of `graph` (the workload after its passes) at the design's precision,
    and its loss against the float32 workload."""
    from codesign.accuracy import accuracy_at

    data, reference = _labelled(workload)
    accuracy = accuracy_at(graph, target_for(arch).dot_product, data)
    return {'accuracy': accuracy, 'accuracy_loss': reference - accuracy}


def spiking_accuracy(workload: str, accuracy: float) -> dict:
    """convert-snn's measured accuracy and its loss against the float32 workload."""
    return {'accuracy': accuracy, 'accuracy_loss': _labelled(workload)[1] - accuracy}


@lru_cache(maxsize=4)
def _labelled(workload: str):
    """(test set, float32 accuracy) of a zoo workload, once per process."""
    from codesign.accuracy import accuracy_at, labelled_test_set

    data = labelled_test_set(workload)
    return data, accuracy_at(_graph(workload), None, data)


def _over_budget(space: Space, metrics: dict) -> str | None:
    for field, metric in BUDGETS.items():
        budget = getattr(space.constraints, field)
        if budget is not None and metric in metrics and metrics[metric] > budget:
            return f'{metric}={metrics[metric]:.4g} exceeds constraints.{field}={budget:g}'
    return None


def _infeasible(reason: str, metrics: dict | None = None) -> dict:
    return {'status': 'infeasible', 'metrics': metrics or {}, 'error': reason}


# Per-process caches: a worker evaluates many points of one space on a few workloads.
@lru_cache(maxsize=8)
def _space(space_file: str, modified_ns: int, size: int) -> Space:
    """Keyed by modification time and size too: a space file edited between two sweeps is re-read."""
    return load_space(space_file)


_BASES: dict[tuple[str, str], tuple[Path, dict]] = {}


def _base(space: Space, space_file: str) -> tuple[Path, dict]:
    key = (space_file, space.base)
    if key not in _BASES:
        _BASES[key] = base_spec(space, Path(space_file))
    return _BASES[key]  # apply() copies it, so sharing the dict is safe


@lru_cache(maxsize=8)
def _graph(workload: str) -> Graph:
    return load_model(workload).graph
