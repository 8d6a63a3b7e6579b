"""Mappings in Timeloop's mapping format: written by `--export-mappings`, read by `--mappings`.

One YAML file per compute layer, a list of directives under `mapping:` as Timeloop writes them
(https://timeloop.csail.mit.edu, input formats, mapping):

    mapping:
      - target: global_buffer          # a memory level of the spec
        type: temporal
        factors: N=1 G=1 K=2 C=1 P=13 Q=1 R=1 S=1
        permutation: KPNGCQRS          # inner to outer, as Timeloop writes it
      - target: filter_buffer          # the level above a fan-out (Timeloop: the parent level)
        type: spatial
        factors: N=1 G=1 K=4 C=3 P=1 Q=1 R=3 S=1
        permutation: RCKNGPQS
        split: 2                       # permutation[:split] on the first axis, the rest on the second
      - target: global_buffer
        type: bypass
        keep: [Inputs, Outputs]
        bypass: [Weights]

Dimensions are codesign's N G K C P Q R S (Timeloop's convolution calls K `M`; both are read).
Where one dimension is unrolled on two axes of one fan-out, which Timeloop's `split` cannot say,
each axis gets a spatial directive of its own with an `axis:` key (a codesign extension).
A file is matched to its layer by name: `file_names` gives each compute layer's file name.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy
import yaml

from codesign.cost.dataflow import Candidates, capacity_use, evaluate, feasible, inner_products
from codesign.cost.hardware import Axis, Hardware, Level
from codesign.cost.problem import DIMENSIONS, INDEX, Problem
from codesign.errors import CodesignError
from codesign.mapping.search import BestMapping

TIMELOOP_TENSORS = {"weight": "Weights", "input": "Inputs", "output": "Outputs"}
_TENSOR_NAMES = {**{name.lower(): tensor for tensor, name in TIMELOOP_TENSORS.items()},
                 **{tensor: tensor for tensor in TIMELOOP_TENSORS}}
_ALIASES = {"M": "K"}
SUFFIX = ".yaml"


def file_names(layers: Sequence[str]) -> dict[str, str]:
    """A safe, distinct file name for each layer name (the same names give the same files)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for layer in layers:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", layer).strip("._-") or "layer"
        candidate, count = stem, 1
        while candidate.lower() in taken:
            count += 1
            candidate = f"{stem}-{count}"
        taken.add(candidate.lower())
        names[layer] = candidate + SUFFIX
    return names


def parent_level(hardware: Hardware, axis: Axis) -> Level:
    """The memory level right above a fan-out axis (Timeloop's target of its spatial directive)."""
    above = [level for level in hardware.levels if level.slot < axis.slot]
    if not above:
        raise CodesignError(f"fan-out axis '{axis.name}' of {hardware.name} has no memory level above it")
    return above[-1]


def _axes_below(hardware: Hardware) -> dict[str, list[Axis]]:
    groups: dict[str, list[Axis]] = {}
    for axis in hardware.axes:
        groups.setdefault(parent_level(hardware, axis).name, []).append(axis)
    return groups


def _factors_text(row: numpy.ndarray) -> str:
    return " ".join(f"{name}={int(row[index])}" for index, name in enumerate(DIMENSIONS))


def directives(best: BestMapping) -> list[dict]:
    """The winning mapping of `best` as Timeloop mapping directives, outermost level first."""
    hardware = best.hardware
    factors, orders = best.candidate.factors[0], best.candidate.orders[0]
    below = _axes_below(hardware)
    entries: list[dict] = []
    for index, level in enumerate(hardware.levels):
        entries.append({"target": level.name, "type": "temporal", "factors": _factors_text(factors[level.slot]),
                        "permutation": "".join(DIMENSIONS[dimension] for dimension in orders[index])})
        axes = below.get(level.name, [])
        unrolled = [set(numpy.flatnonzero(factors[axis.slot] > 1)) for axis in axes]
        if len(axes) == 1:
            axis = axes[0]
            entries.append({"target": level.name, "type": "spatial", "factors": _factors_text(factors[axis.slot]),
                            "permutation": _spatial_permutation(factors[axis.slot], ())})
        elif len(axes) == 2 and not unrolled[0] & unrolled[1]:
            first, second = (factors[axis.slot] for axis in axes)
            entries.append({"target": level.name, "type": "spatial", "factors": _factors_text(first * second),
                            "permutation": _spatial_permutation(first, second), "split": len(unrolled[0])})
        else:
            for axis in axes:
                entries.append({"target": level.name, "type": "spatial", "axis": axis.name,
                                "factors": _factors_text(factors[axis.slot]),
                                "permutation": _spatial_permutation(factors[axis.slot], ())})
        keep = [TIMELOOP_TENSORS[tensor] for tensor in TIMELOOP_TENSORS if tensor in level.holds]
        bypass = [TIMELOOP_TENSORS[tensor] for tensor in TIMELOOP_TENSORS if tensor not in level.holds]
        entries.append({"target": level.name, "type": "bypass", "keep": keep, "bypass": bypass})
    return entries


def _spatial_permutation(first: numpy.ndarray, second) -> str:
    """The first axis' unrolled dimensions, then the second's, then the rest."""
    head = [index for index in range(len(DIMENSIONS)) if first[index] > 1]
    middle = [index for index in range(len(DIMENSIONS)) if len(second) and second[index] > 1]
    rest = [index for index in range(len(DIMENSIONS)) if index not in head and index not in middle]
    return "".join(DIMENSIONS[index] for index in head + middle + rest)


def mapping_yaml(best: BestMapping, layer: str) -> str:
    header = (f"# codesign mapping of layer '{layer}' on {best.hardware.name}, in Timeloop's mapping format\n"
              f"# bounds: {_factors_text(best.problem.sizes)} (Timeloop's convolution calls K 'M')\n"
              f"# permutations run inner to outer; a spatial directive targets the level above its fan-out\n")
    return header + yaml.safe_dump({"mapping": directives(best)}, sort_keys=False, default_flow_style=False)


def write_mappings(directory: Path, layers: Iterable[tuple[str, BestMapping]]) -> list[Path]:
    """One file per layer in `directory`, which must not exist or be empty."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise CodesignError(f"--export-mappings: '{directory}' exists and is not an empty directory "
                            f"(choose a new one; nothing is overwritten)")
    layers = list(layers)
    names = file_names([name for name, _ in layers])
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, best in layers:
        path = directory / names[name]
        path.write_text(mapping_yaml(best, name))
        paths.append(path)
    return paths


class MappingFiles:
    """Mappings read from a directory of Timeloop mapping files; called as a target's given-mapping
    hook: (node, problem, hardware) -> the layer's BestMapping, or None where it has no file."""

    def __init__(self, directory: Path) -> None:
        directory = Path(directory)
        if not directory.is_dir():
            raise CodesignError(f"--mappings: '{directory}' is not a directory")
        self.directory = directory
        self.files = {path.name: path for path in sorted(directory.glob(f"*{SUFFIX}"))}
        if not self.files:
            raise CodesignError(f"--mappings: '{directory}' holds no {SUFFIX} mapping files")
        self._documents = {name: _load(path) for name, path in self.files.items()}
        self._names: dict[str, str] = {}
        self._evaluated: dict[tuple, BestMapping] = {}

    def match(self, layers: Sequence[str]) -> dict[str, Path]:
        """Which file each compute layer gets; a file that matches no layer is an error."""
        self._names = {layer: name for layer, name in file_names(layers).items() if name in self.files}
        unmatched = sorted(set(self.files) - set(self._names.values()))
        if unmatched:
            expected = ", ".join(file_names(layers).values())
            raise CodesignError(f"mapping file {self.files[unmatched[0]]} matches no compute layer "
                                f"(expected file names: {expected})")
        return {layer: self.files[name] for layer, name in self._names.items()}

    def check(self, nodes, target) -> None:
        """Read and cost every matched file now, against the layers as imported (errors before the
        compile starts); `target`: a dataflow target (its bits and hardware)."""
        from codesign.cost.problem import problem_of

        for node in nodes:
            if node.name in self._names:
                try:
                    problem = problem_of(node, target.bits(node))
                except CodesignError:  # bits the target cannot run: the compile reports it
                    continue
                self(node, problem, target.hardware)

    def __call__(self, node, problem: Problem, hardware: Hardware) -> BestMapping | None:
        name = self._names.get(node.name) if self._names else file_names([node.name])[node.name]
        if name is None or name not in self.files:
            return None
        key = (name, problem.key, id(hardware))
        if key not in self._evaluated:
            self._evaluated[key] = evaluate_mapping(self.files[name], self._documents[name], problem, hardware)
        return self._evaluated[key]


def _load(path: Path):
    try:
        return yaml.safe_load(path.read_text())
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CodesignError(f"mapping file {path}: not valid YAML ({first})") from None


def evaluate_mapping(path: Path, document, problem: Problem, hardware: Hardware) -> BestMapping:
    """The mapping of one file checked against the layer and the hardware, and costed."""
    start = time.perf_counter()
    try:
        candidate = read_candidate(document, problem, hardware)
    except _Invalid as error:
        raise CodesignError(f"mapping file {path}: {error}") from None
    evaluation = evaluate(problem, hardware, candidate)
    return BestMapping(problem, hardware, candidate, evaluation, 1, time.perf_counter() - start)


class _Invalid(Exception):
    pass


def read_candidate(document, problem: Problem, hardware: Hardware) -> Candidates:
    """The factors and orders a parsed mapping document gives (raises _Invalid saying what is wrong)."""
    if not isinstance(document, dict) or not isinstance(document.get("mapping"), list):
        raise _Invalid("expected a top-level 'mapping:' list of directives")
    levels = {level.name: index for index, level in enumerate(hardware.levels)}
    below = _axes_below(hardware)
    factors = numpy.ones((hardware.slot_count, len(DIMENSIONS)), dtype=numpy.int64)
    orders = numpy.tile(numpy.arange(len(DIMENSIONS), dtype=numpy.int64), (len(hardware.levels), 1))
    seen: set[tuple] = set()
    for number, entry in enumerate(document["mapping"], 1):
        where = f"directive {number}"
        if not isinstance(entry, dict):
            raise _Invalid(f"{where} is not a mapping of keys")
        target, kind = entry.get("target"), entry.get("type", "temporal")
        if target not in levels:
            raise _Invalid(f"{where}: unknown target '{target}' (levels of {hardware.name}: {', '.join(levels)})")
        where = f"{where} ({kind} at {target})"
        if kind in ("bypass", "datatype"):
            _check_bypass(entry, hardware.levels[levels[target]], where)
            continue
        if kind not in ("temporal", "spatial"):
            raise _Invalid(f"{where}: type must be temporal, spatial or bypass")
        key = (target, kind, entry.get("axis"))
        if key in seen:
            raise _Invalid(f"{where}: given twice")
        seen.add(key)
        row = _parse_factors(entry.get("factors", ""), where)
        permutation = _parse_permutation(entry.get("permutation"), row, where)
        if kind == "temporal":
            level = hardware.levels[levels[target]]
            factors[level.slot] = row
            orders[levels[target]] = permutation
            continue
        axes = below.get(target, [])
        if not axes:
            raise _Invalid(f"{where}: no fan-out below '{target}' (fan-outs sit below: {', '.join(below) or 'none'})")
        if "axis" in entry:
            chosen = [axis for axis in axes if axis.name == entry["axis"]]
            if not chosen:
                raise _Invalid(f"{where}: unknown axis '{entry['axis']}' (axes below '{target}': "
                               f"{', '.join(axis.name for axis in axes)})")
            factors[chosen[0].slot] = row
            continue
        if len(axes) > 2:
            raise _Invalid(f"{where}: '{target}' has {len(axes)} fan-out axes below it: give one directive per "
                           f"axis with an 'axis:' key")
        split = entry.get("split", len(DIMENSIONS))
        if not isinstance(split, int) or split < 0:
            raise _Invalid(f"{where}: split must be a whole number >= 0")
        for position, dimension in enumerate(permutation):
            axis = axes[0] if position < split or len(axes) == 1 else axes[1]
            factors[axis.slot, dimension] = row[dimension]
    _check(problem, hardware, factors)
    candidate = Candidates(factors[None], orders[None])
    if not feasible(problem, hardware, candidate)[0]:  # _check names what is wrong; this is its backstop
        raise _Invalid(f"the mapping does not fit {hardware.name}")
    return candidate


def _dimension(name, where: str) -> int:
    name = _ALIASES.get(str(name).strip().upper(), str(name).strip().upper())
    if name not in INDEX:
        raise _Invalid(f"{where}: unknown dimension '{name}' (dimensions: {' '.join(DIMENSIONS)}; M means K)")
    return INDEX[name]


def _parse_factors(text, where: str) -> numpy.ndarray:
    row = numpy.ones(len(DIMENSIONS), dtype=numpy.int64)
    if not isinstance(text, str):
        raise _Invalid(f"{where}: factors must be a string like 'K=4 C=2'")
    given = set()
    for item in text.replace(",", " ").split():
        name, equals, value = item.partition("=")
        if not equals or not value.strip().isdigit() or int(value) < 1:
            raise _Invalid(f"{where}: factor '{item}' is not DIMENSION=N with N >= 1")
        dimension = _dimension(name, where)
        if dimension in given:
            raise _Invalid(f"{where}: dimension {DIMENSIONS[dimension]} has two factors")
        given.add(dimension)
        row[dimension] = int(value)
    return row


def _parse_permutation(text, row: numpy.ndarray, where: str) -> numpy.ndarray:
    """Dimension indices innermost first; dimensions it leaves out (all of factor 1) go outermost."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise _Invalid(f"{where}: permutation must be a string of dimensions, inner to outer")
    dimensions = [_dimension(name, where) for name in text.replace(" ", "")]
    if len(set(dimensions)) != len(dimensions):
        raise _Invalid(f"{where}: permutation '{text}' repeats a dimension")
    missing = [index for index in range(len(DIMENSIONS)) if index not in dimensions]
    looping = [DIMENSIONS[index] for index in missing if row[index] > 1]
    if looping and text:
        raise _Invalid(f"{where}: permutation '{text}' leaves out {', '.join(looping)}, which loop")
    return numpy.array(dimensions + missing, dtype=numpy.int64)


def _check_bypass(entry: dict, level: Level, where: str) -> None:
    for key, wanted in (("keep", True), ("bypass", False)):
        names = entry.get(key, []) or []
        if not isinstance(names, list):
            raise _Invalid(f"{where}: {key} must be a list of tensors")
        for name in names:
            tensor = _TENSOR_NAMES.get(str(name).lower())
            if tensor is None:
                raise _Invalid(f"{where}: unknown tensor '{name}' (Weights, Inputs, Outputs)")
            if (tensor in level.holds) != wanted:
                raise _Invalid(f"{where}: '{level.name}' {'does not keep' if wanted else 'keeps'} {name} "
                               f"(the spec fixes what it holds: {', '.join(level.holds) or 'nothing'})")


def _check(problem: Problem, hardware: Hardware, factors: numpy.ndarray) -> None:
    products = factors.prod(axis=0)
    for index, name in enumerate(DIMENSIONS):
        if products[index] < problem.sizes[index]:
            raise _Invalid(f"the factors of {name} multiply to {int(products[index])}, less than the layer's bound "
                           f"{int(problem.sizes[index])}")
    for axis in hardware.axes:
        row = factors[axis.slot]
        outside = [DIMENSIONS[index] for index in range(len(DIMENSIONS)) if row[index] > 1 and not axis.allowed[index]]
        if outside:
            allowed = " ".join(DIMENSIONS[index] for index in numpy.flatnonzero(axis.allowed))
            raise _Invalid(f"axis '{axis.name}' cannot unroll {', '.join(outside)} (it unrolls {allowed})")
        if row.prod() > axis.size:
            raise _Invalid(f"axis '{axis.name}' unrolls {int(row.prod())} instances, it has {axis.size}")
    use = capacity_use(problem, hardware, inner_products(factors[None]))[0]
    for level, words in zip(hardware.levels, use):
        if words > level.capacity_words:
            raise _Invalid(f"level '{level.name}' holds {level.capacity_words:g} words, the mapping's tiles need "
                           f"{float(words):g}")
