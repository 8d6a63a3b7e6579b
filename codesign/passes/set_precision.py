"""`set-precision`: quantize a graph's compute layers to given bit widths, in the IR.

    -p "set-precision{weights=4,activations=8}"        every compute layer
    -p "set-precision{file=bits.yaml}"                  per layer, from a YAML map

A quantized tensor becomes an integer TensorType of its width (weights: the layer's weight
parameter; activations: the values the layers read and write); the targets and the accuracy
emulator read those widths (codesign/ir/precision.py). `accumulator=N` records the width of
the partial sums (AccumulatorBits). The per-layer file maps compute-layer names to either one
width (weights and activations) or a mapping of `weight`, `input`, `output`, `accumulator`:

    /features/0/Conv: 8                       # the first layer stays at 8 bits
    /features/3/Conv: {weight: 4, input: 8}   # its output keeps what the uniform options say

Uniform options apply first, the file's entries over them. A value that two layers want at
different widths (a layer's output and the next layer's input) is an error naming both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from codesign.arch.schema import Architecture
from codesign.arch.yaml_files import read_yaml, show_value, shown
from codesign.errors import CodesignError
from codesign.ir import AccumulatorBits, Graph, Node, Param, TensorType, Value
from codesign.passes.pipeline import PassContext, PassResult, register_pass
from codesign.target import MapperSettings, target_for

ROLES = ("weight", "input", "output", "accumulator")
MOST_BITS = 64


@dataclass(frozen=True)
class LayerRequest:
    """The widths one compute layer asks for (None: leave as it is)."""

    weight: int | None = None
    input: int | None = None
    output: int | None = None
    accumulator: int | None = None


@register_pass
@dataclass(frozen=True)
class SetPrecision:
    name: ClassVar[str] = "set-precision"
    weights: int = 0
    """Bits of every compute layer's weights (0: leave them)."""
    activations: int = 0
    """Bits of every value a compute layer reads or writes (0: leave them)."""
    accumulator: int = 0
    """Bits of every compute layer's partial sums (0: the target's accumulator)."""
    file: str = ""
    """A YAML file of per-layer widths (module docstring); applied over the uniform options."""

    def __post_init__(self) -> None:
        for option in ("weights", "activations", "accumulator"):
            value = getattr(self, option)
            if not 0 <= value <= MOST_BITS:
                raise ValueError(f"{option} must be between 1 and {MOST_BITS} bits, or 0 to leave them (got {value})")
        if not (self.weights or self.activations or self.accumulator or self.file):
            raise ValueError("give weights=, activations=, accumulator= or file=")

    def run(self, graph: Graph, arch: Architecture, progress: Callable[[str], None] | None = None,
            context: PassContext | None = None) -> PassResult:
        requests = self._requests(graph)
        quantized = quantize_graph(graph, requests)
        target = target_for(arch, context.mapper if context else None)
        for node in quantized.compute_nodes:  # a width the target cannot run fails here, naming the layer
            target.bits(node)
        summary = {"layers": len(requests), "weights": self.weights or None, "activations": self.activations or None,
                   "accumulator": self.accumulator or None, "file": self.file or None}
        return PassResult(quantized, None, summary)

    def _requests(self, graph: Graph) -> dict[str, LayerRequest]:
        uniform = LayerRequest(self.weights or None, self.activations or None, self.activations or None,
                               self.accumulator or None)
        requests = {node.name: uniform for node in graph.compute_nodes}
        if self.file:
            for name, request in _read_file(Path(self.file), graph).items():
                requests[name] = LayerRequest(*(getattr(request, role) or getattr(requests[name], role) for role in ROLES))
        return requests


def _read_file(path: Path, graph: Graph) -> dict[str, LayerRequest]:
    content = read_yaml(path)
    if not isinstance(content, dict) or not content:
        raise CodesignError(f"{shown(path)}: expected a mapping of compute-layer names to bits (got {show_value(content)})")
    layers = {node.name for node in graph.compute_nodes}
    requests = {}
    for name, entry in content.items():
        if name not in layers:
            raise CodesignError(f"{shown(path)}: {show_value(name)}: not a compute layer of {graph.name} "
                                f"(e.g. {', '.join(sorted(layers)[:3])})")
        requests[name] = _request(entry, f"{shown(path)}: {name}")
    return requests


def _request(entry: Any, where: str) -> LayerRequest:
    if isinstance(entry, dict):
        unknown = sorted(set(map(str, entry)) - set(ROLES))
        if unknown:
            raise CodesignError(f"{where}.{unknown[0]}: unknown field (fields: {', '.join(ROLES)})")
        return LayerRequest(**{role: _bits(entry[role], f"{where}.{role}") for role in ROLES if role in entry})
    bits = _bits(entry, where)
    return LayerRequest(bits, bits, bits)


def _bits(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MOST_BITS:
        raise CodesignError(f"{where}: bits must be a whole number from 1 to {MOST_BITS} (got {show_value(value)})")
    return value


def quantize_graph(graph: Graph, requests: dict[str, LayerRequest], widest: bool = False) -> Graph:
    """`graph` with each requested layer's widths written into its types. A value two layers ask
    for at different widths is an error naming both, or with `widest` takes the wider."""
    value_bits = _value_bits(graph, requests, widest)
    nodes = []
    for node in graph.nodes:
        request = requests.get(node.name, LayerRequest())
        node = replace(node, inputs=_retyped(node.inputs, value_bits), outputs=_retyped(node.outputs, value_bits),
                       params=tuple(_weight(param, request.weight) for param in node.params))
        nodes.append(node.annotated(AccumulatorBits(request.accumulator)) if request.accumulator else node)
    return replace(graph, inputs=_retyped(graph.inputs, value_bits), outputs=_retyped(graph.outputs, value_bits),
                   nodes=tuple(nodes))


def _value_bits(graph: Graph, requests: dict[str, LayerRequest], widest: bool) -> dict[str, int]:
    """Activation value -> its width; two layers asking one value for two widths: an error, or
    with `widest` the wider."""
    wanted: dict[str, tuple[int, str]] = {}
    for node in graph.compute_nodes:
        request = requests.get(node.name, LayerRequest())
        sides = [(value, request.input) for value in node.inputs] + [(value, request.output) for value in node.outputs]
        for value, bits in sides:
            if bits is None:
                continue
            earlier = wanted.setdefault(value.name, (bits, node.name))
            if widest:
                wanted[value.name] = max(earlier, (bits, node.name))
            elif earlier[0] != bits:
                raise CodesignError(f"set-precision: value '{value.name}' is asked for at {earlier[0]} bits by "
                                    f"'{earlier[1]}' and at {bits} bits by '{node.name}'")
    return {name: bits for name, (bits, _) in wanted.items()}


def _retyped(values: tuple[Value, ...], value_bits: dict[str, int]) -> tuple[Value, ...]:
    return tuple(replace(value, type=_integer(value.type, value_bits[value.name])) if value.name in value_bits
                 else value for value in values)


def _weight(param: Param, bits: int | None) -> Param:
    return replace(param, type=_integer(param.type, bits)) if bits and param.role == "weight" else param


def _integer(tensor: TensorType, bits: int) -> TensorType:
    return replace(tensor, bits=bits, numeric="int")
