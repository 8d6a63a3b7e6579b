"""Parsing `-p/--passes` and running the passes in order, verifying the IR after each.

A pipeline is a comma-separated list of pass names, each optionally followed by
`{key=value,...}` options that set the pass dataclass' fields (ints, floats, booleans,
strings; an option that names a file is a string, e.g. a per-layer map), e.g.
`set-precision{weights=4,activations=8},fuse-layers{population=64,generations=100,seed=0}`.
A pass is a frozen dataclass with a `name` and `run(graph, arch, progress, context)`, declared
with `@register_pass`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from importlib import import_module
from typing import Any, Protocol, get_type_hints

from codesign.arch.schema import Architecture
from codesign.errors import CodesignError
from codesign.ir import Graph, verify
from codesign.target import MapperSettings


@dataclass(frozen=True)
class PassResult:
    graph: Graph
    details: Any = None
    """What the pass hands on (e.g. the fusion search's history); a frozen value."""
    summary: dict[str, Any] = field(default_factory=dict)
    """What the report shows of the pass, JSON-able: `passes.<name>` in the compile JSON."""
    warnings: tuple[str, ...] = ()
    """One line each, for the user (e.g. an accuracy budget no configuration meets)."""


@dataclass(frozen=True)
class PassContext:
    """What a pass may need beyond the graph and the architecture, from the compile that runs it."""

    mapper: MapperSettings | None = None
    """The compile's mapping settings (None: a pass that maps layers uses its own options)."""
    workload: str | None = None
    """The zoo name or ONNX path being compiled (its labelled data, its source file)."""
    data_file: Path | None = None
    """A labelled .npz given with --data, for passes that measure accuracy."""

    def labelled_data(self, needed_by: str):
        """The labelled data of the workload: --data's file, else the zoo model's own; a one-line
        error saying how to give some when there is none."""
        from codesign.accuracy.datasets import labelled_data_for

        return labelled_data_for(self.workload, self.data_file, needed_by)


class Pass(Protocol):
    name: str

    def run(self, graph: Graph, arch: Architecture, progress: Callable[[str], None] | None,
            context: PassContext | None = None) -> PassResult: ...


_PASSES: dict[str, type] = {}
_BUILT_IN_MODULES = ("codesign.passes.set_precision", "codesign.passes.assign_precision", "codesign.passes.prune",
                     "codesign.passes.prune_crossbar", "codesign.passes.convert_snn",
                     "codesign.passes.fuse_layers")


def register_pass(pass_class: type) -> type:
    """Class decorator: a pass module declares its pass with `@register_pass`; the pipeline
    then knows it by its `name`."""
    _PASSES[pass_class.name] = pass_class
    return pass_class


def available_passes() -> dict[str, type]:
    """Pass name -> pass class (the built-in modules are imported on demand: they pull in the
    cost models)."""
    for module in _BUILT_IN_MODULES:
        import_module(module)
    return dict(_PASSES)


def parse_pipeline(text: str) -> list[Pass]:
    return [make_pass(name, options) for name, options in _split(text)]


def run_pipeline(graph: Graph, arch: Architecture, passes: list[Pass],
                 progress: Callable[[str], None] | None = None,
                 context: PassContext | None = None) -> tuple[Graph, dict[str, PassResult]]:
    """The graph after every pass, and each pass' result by its name (a pass run twice: the
    last run's). `context`: the compile's settings and data (None: each pass uses its own)."""
    results = {}
    for compiler_pass in passes:
        result = compiler_pass.run(graph, arch, progress, context)
        graph = verify(result.graph)  # every pass leaves the IR valid
        results[compiler_pass.name] = result
    return graph, results


def _split(text: str) -> list[tuple[str, dict[str, str]]]:
    passes, depth, current = [], 0, ""
    for character in text + ",":
        if character == "," and depth == 0:
            if current.strip():
                passes.append(_one(current.strip(), text))
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth < 0 or depth > 1:
            raise CodesignError(f"--passes '{text}': unbalanced braces")
        current += character
    if depth:
        raise CodesignError(f"--passes '{text}': unbalanced braces")
    return passes


def _one(text: str, whole: str) -> tuple[str, dict[str, str]]:
    name, _, rest = text.partition("{")
    options: dict[str, str] = {}
    if rest:
        if not rest.endswith("}"):
            raise CodesignError(f"--passes '{whole}': expected '}}' at the end of '{text}'")
        for item in filter(None, (part.strip() for part in rest[:-1].split(","))):
            key, equals, value = item.partition("=")
            if not equals or not key.strip():
                raise CodesignError(f"--passes '{whole}': option '{item}' is not key=value")
            options[key.strip()] = value.strip()
    return name.strip(), options


def make_pass(name: str, options: dict[str, Any]) -> Pass:
    """The pass called `name` with `options` (strings, or YAML's ints, floats and booleans)."""
    registry = available_passes()
    if name not in registry:
        raise CodesignError(f"unknown pass '{name}' (available: {', '.join(sorted(registry))})")
    cls = registry[name]
    types = get_type_hints(cls)
    fields = {field.name for field in dataclasses.fields(cls)}
    values = {}
    for key, value in options.items():
        if key not in fields:
            raise CodesignError(f"pass '{name}' has no option '{key}' (options: {', '.join(sorted(fields))})")
        values[key] = _convert(name, key, str(value), types[key])
    try:
        return cls(**values)
    except ValueError as error:
        raise CodesignError(f"pass '{name}': {error}") from None


def _convert(name: str, key: str, text: str, kind: type) -> Any:
    try:
        if kind is bool:
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return text.lower() in ("true", "1")
        return kind(text)
    except ValueError:
        raise CodesignError(f"pass '{name}': option {key}={text} is not a valid {kind.__name__}") from None
