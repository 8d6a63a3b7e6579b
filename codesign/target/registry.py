"""Targets by the spec's innermost component kind: the one place that maps kinds to code."""

from __future__ import annotations

from importlib import import_module

from codesign.arch.schema import Architecture
from codesign.errors import CodesignError
from codesign.target.contract import MapperSettings, Target

_TARGETS: dict[str, type] = {}
_BUILT_IN_MODULES = ("codesign.target.dataflow", "codesign.target.crossbar", "codesign.target.fefet", "codesign.target.snn")


def register(target_class: type) -> type:
    """Class decorator: a target module declares its class with `@register`."""
    _TARGETS[target_class.kind] = target_class
    return target_class


def target_for(arch: Architecture, mapper: MapperSettings | None = None) -> Target:
    """The target that implements `arch`'s innermost component, built for `arch`."""
    for module in _BUILT_IN_MODULES:  # each registers its class on first import
        import_module(module)
    kind = arch.compute.kind
    if kind not in _TARGETS:
        raise CodesignError(f"{arch.name}: no target implements kind {kind!r} (known: {', '.join(sorted(_TARGETS))})")
    return _TARGETS[kind](arch, mapper or MapperSettings())


def require_kind(arch: Architecture, kind: str, purpose: str):
    """`arch`'s innermost component when it is of `kind`; a one-line error saying what `purpose`
    needs otherwise (circuit simulations model one macro family)."""
    if arch.compute.kind != kind:
        raise CodesignError(f"{purpose} needs a {kind} spec; '{arch.name}' ends in kind {arch.compute.kind!r}")
    return arch.compute
