"""What importing a model gives: the graph and the importer's warnings (no onnx needed)."""

from __future__ import annotations

from dataclasses import dataclass

from codesign.ir import Graph


@dataclass(frozen=True)
class ImportResult:
    graph: Graph
    warnings: tuple[str, ...]
