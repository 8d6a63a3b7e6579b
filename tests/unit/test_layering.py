"""The shape of the code, checked with `ast`: packages in pipeline order with no import cycles,
and no branching on the spec's component kinds outside the spec schema and the target registry."""

import ast
from pathlib import Path

import networkx

import codesign
from codesign.arch.schema import COMPONENT_KINDS, INNERMOST_KINDS

ROOT = Path(codesign.__file__).parent
SPEC_KIND_CLASSES = {model.__name__ for model in INNERMOST_KINDS} | {"INNERMOST_KINDS"}
INNERMOST_KIND_NAMES = set(COMPONENT_KINDS) - {"memory", "spatial"}
ALLOWED = ("arch/", "target/registry.py")
"""The schema defines and validates the kinds; the registry maps them to targets."""


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text())


def package_of(relative: str) -> str:
    return relative.split("/")[0].removesuffix(".py")


def imported_packages(tree: ast.AST):
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "codesign" and len(parts) > 1:
                yield parts[1]


def test_no_import_cycle_between_packages():
    graph = networkx.DiGraph()
    for relative, tree in modules():
        source = package_of(relative)
        for target in imported_packages(tree):
            if target != source:
                graph.add_edge(source, target)
    cycles = list(networkx.simple_cycles(graph))
    assert not cycles, f"import cycles between packages: {cycles}"


def test_the_pipeline_order_holds():
    """Lower layers never import higher ones (DESIGN.md): a few edges that must not exist."""
    graph = {package_of(relative): set() for relative, _ in modules()}
    for relative, tree in modules():
        graph[package_of(relative)].update(imported_packages(tree))
    for lower, higher in [("ir", "arch"), ("arch", "cost"), ("cost", "mapping"), ("cost", "target"),
                          ("mapping", "target"), ("target", "compiler"), ("accuracy", "target"),
                          ("compiler", "passes"), ("passes", "flow"), ("target", "report")]:
        assert higher not in graph[lower], f"codesign.{lower} imports codesign.{higher}"


def test_no_branching_on_spec_kinds_outside_the_registry():
    offences = []
    for relative, tree in modules():
        if relative.startswith(ALLOWED):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance":
                names = {getattr(part, "id", None) for part in ast.walk(node.args[1])}
                if names & SPEC_KIND_CLASSES:
                    offences.append(f"{relative}:{node.lineno} isinstance on a spec kind")
            if isinstance(node, ast.Compare):
                constants = {part.value for part in ast.walk(node) if isinstance(part, ast.Constant)}
                if constants & INNERMOST_KIND_NAMES and any(_reads_kind(side) for side in [node.left, *node.comparators]):
                    offences.append(f"{relative}:{node.lineno} compares a kind to {constants & INNERMOST_KIND_NAMES}")
    assert not offences, offences


def _reads_kind(expression: ast.AST) -> bool:
    """`x.kind`, `x.get('kind')`, `x['kind']` or `getattr(x, 'kind', ...)`: a component's kind."""
    text = ast.unparse(expression)
    return text.endswith(".kind") or "'kind'" in text or '"kind"' in text
