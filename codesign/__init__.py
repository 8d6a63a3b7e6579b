"""codesign: hardware-software co-design simulator and compiler for NN accelerators.

Pipeline (the package layout follows it): frontend -> ir -> passes -> mapping/cost -> report.

The public Python API (docs/API.md) is importable from here:

    import codesign
    graph = codesign.load_model("digits_cnn").graph
    report = codesign.compile_graph(graph, codesign.load_arch("eyeriss"))

Each name is imported from its module on first use (module `__getattr__`), so `import codesign`
(and with it every `codesign` command's start-up) stays as light as before.
"""

__version__ = "0.1.0"

_PUBLIC = {
    # models
    "load_model": "codesign.frontend",
    "ImportResult": "codesign.frontend.result",
    # architecture specs
    "load_arch": "codesign.arch",
    "list_arch": "codesign.arch",
    "spec_path": "codesign.arch",
    "spec_warnings": "codesign.arch",
    "Architecture": "codesign.arch",
    # compiling
    "compile_graph": "codesign.compiler",
    "CompileReport": "codesign.cost.result",
    "LayerCost": "codesign.cost.result",
    # passes and the compile flow
    "compile_model": "codesign.flow",
    "CompileOutcome": "codesign.flow",
    "parse_pipeline": "codesign.passes",
    "available_passes": "codesign.passes",
    "PassResult": "codesign.passes",
    "SetPrecision": "codesign.passes.set_precision",
    "AssignPrecision": "codesign.passes.assign_precision",
    "Prune": "codesign.passes.prune",
    "PruneCrossbar": "codesign.passes.prune_crossbar",
    "ConvertSnn": "codesign.passes.convert_snn",
    "FuseLayers": "codesign.passes.fuse_layers",
    # reports
    "compile_json": "codesign.report.compile",
    "compare_json": "codesign.report.compare",
    # design-space sweeps
    "run_sweep": "codesign.dse.sweep",
    "SweepOutputs": "codesign.dse.sweep",
    "load_space": "codesign.dse.space",
    # errors
    "CodesignError": "codesign.errors",
    "ArchSpecError": "codesign.errors",
    "ModelLoadError": "codesign.errors",
    "UnknownNameError": "codesign.errors",
}

__all__ = ["__version__", *_PUBLIC]

TYPE_CHECKING = False  # not typing's: importing typing would triple the import time
if TYPE_CHECKING:  # for type checkers and IDEs; at run time __getattr__ imports on demand
    from codesign.arch import Architecture, list_arch, load_arch, spec_path, spec_warnings
    from codesign.compiler import compile_graph
    from codesign.cost.result import CompileReport, LayerCost
    from codesign.dse.space import load_space
    from codesign.dse.sweep import SweepOutputs, run_sweep
    from codesign.errors import ArchSpecError, CodesignError, ModelLoadError, UnknownNameError
    from codesign.flow import CompileOutcome, compile_model
    from codesign.frontend import load_model
    from codesign.frontend.result import ImportResult
    from codesign.passes import PassResult, available_passes, parse_pipeline
    from codesign.passes.assign_precision import AssignPrecision
    from codesign.passes.convert_snn import ConvertSnn
    from codesign.passes.fuse_layers import FuseLayers
    from codesign.passes.prune import Prune
    from codesign.passes.prune_crossbar import PruneCrossbar
    from codesign.passes.set_precision import SetPrecision
    from codesign.report.compare import compare_json
    from codesign.report.compile import compile_json


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
