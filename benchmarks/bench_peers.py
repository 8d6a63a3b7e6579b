"""Equal-work comparison with ZigZag (issue 17): both tools map the same ONNX graphs onto the
same hardware with the same objective; wall and CPU time, energy, latency and EDP of each.

ZigZag (zigzag-dse, pinned below) is installed on first use into its own virtual environment,
$CODESIGN_CACHE/peers/zigzag-venv (default ~/.cache/codesign/peers/zigzag-venv), from the
package index, with its dependencies listed here (no torch). Where that is impossible (no
network, no index) the benchmark prints a JSON document with a "skipped" reason and exits 0.

Equal work:
- graphs: ZigZag's own ResNet-18 and MobileNet-V2 ONNX files (shipped in its package, shapes
  only), imported by both tools;
- hardware: ZigZag's shipped `tpu_like` (with its tpu_like mapping: D1 <- K, D2 <- C) and
  `eyeriss_like` (ZigZag ships no mapping for it: its default mapping, D1 <- K, D2 <- C) against
  arch_specs/peers/zigzag_tpu_like.yaml and zigzag_eyeriss_like.yaml (ZigZag's energies through
  the spec's `energy:` fields; every difference the spec format forces is listed at their top);
- precision: ZigZag's ONNX defaults, 8-b weights and inputs, 16-b partial sums, 8-b outputs:
  the specs' native widths;
- objective: --objective (default edp; ZigZag's opt="EDP", "energy" or "latency"), per layer in
  both tools; the network's EDP is total energy x total latency (layers run one after another);
- totals over the Conv and Gemm layers only (ZigZag does not cost Add, pooling or activations;
  codesign's whole-network totals are reported beside them);
- ZigZag's cycles and codesign's (a 1 GHz clock in the peer specs) both count clock cycles.

Each tool runs in a subprocess, one after the other (never both at once): ZigZag once, with its
venv's python (get_hardware_performance_zigzag, LOMA, lpf_limit 6, its defaults); codesign as
the `codesign compile` command, --codesign-repeats times (3), each cold (a new process and an
empty imported-graph cache), the median counting. Wall time is measured around the subprocess,
CPU time (user + system) from resource.getrusage(RUSAGE_CHILDREN).

To separate the models from the mappings, every layer's ZigZag mapping is also evaluated in
codesign's cost model ("zigzag_mapping_in_codesign"): ZigZag's loop nest (one order, with a
boundary per operand and memory) becomes one factor per dimension per memory level. Where
ZigZag's operands that share a memory cut the nest at different points (an uneven mapping),
or a dimension's loops are split around another dimension's within one level, the translation
is approximate (every representable choice is tried and the best kept) and counted as such.
The energy per memory level and tensor, summed over the layers, of ZigZag's model and of
codesign's on ZigZag's mappings (all layers, and the exactly translated ones) shows where the
models differ; for one layer per run (the one whose energy differs most) it is also given for
codesign's own mapping, with ZigZag's access counts. "search_gaps" lists the layers where
ZigZag's mapping, fitting codesign's capacities, beats codesign's mapper in codesign's model.

    .venv/bin/python benchmarks/bench_peers.py [--networks resnet18,mobilenetv2]
        [--hardware tpu_like,eyeriss_like] [--objective edp|energy|latency] [--lpf-limit 6]
        [--codesign-repeats 3] [--output FILE]

All four cases take about 13 minutes on the 2-core development machine, nearly all of it
ZigZag's (ResNet-18: 1.2 min on tpu_like, 1.6 on eyeriss_like; MobileNet-V2: 3.3 and 3.9);
prints one JSON document.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
ZIGZAG = "zigzag-dse==3.9.1"
# zigzag-dse 3.9.1's declared dependencies (none of them needs torch), plus `six`, which its
# validator imports without declaring it. ZigZag itself installs with --no-deps, so nothing but
# this list is resolved.
ZIGZAG_DEPENDENCIES = ("numpy", "networkx", "sympy", "matplotlib", "onnx", "tqdm", "multiprocessing_on_dill",
                       "pyyaml", "cerberus", "seaborn", "typeguard", "six==1.17.0")
NETWORKS = {"resnet18": "resnet18.onnx", "mobilenetv2": "mobilenetv2.onnx"}
HARDWARE = {
    "tpu_like": ("tpu_like.yaml", "tpu_like.yaml", "arch_specs/peers/zigzag_tpu_like.yaml"),
    "eyeriss_like": ("eyeriss_like.yaml", "default.yaml", "arch_specs/peers/zigzag_eyeriss_like.yaml"),
}
"""name -> (ZigZag hardware file, ZigZag mapping file, codesign spec)."""
ZIGZAG_OBJECTIVE = {"edp": "EDP", "energy": "energy", "latency": "latency"}
COMPUTE_OPS = ("Conv", "ConvTranspose", "Gemm", "MatMul")
ZIGZAG_DIMENSIONS = {"B": "N", "G": "G", "K": "K", "C": "C", "OY": "P", "OX": "Q", "FY": "R", "FX": "S", "D": "P"}
TENSOR_OF_OPERAND = {"W": "weight", "I": "input", "O": "output"}
NOTE_KINDS = {"fractional_unrolling": "(a fraction)", "uneven_boundaries": "(uneven)",
              "level_nesting_order": "(order)", "split_loops_merged": "merged"}
"""Why a ZigZag mapping is approximate in codesign's terms (layers counted per kind)."""
CLOCK_HZ = 1.0e9  # the peer specs' clock: codesign's seconds are cycles x 1 ns

# Runs inside ZigZag's venv: maps one network, writes one JSON document of its per-layer results.
ZIGZAG_RUNNER = r'''
import json, logging, os, sys
logging.basicConfig(level=logging.WARNING)  # before ZigZag's own basicConfig(INFO), which then does nothing
import zigzag
from zigzag.api import get_hardware_performance_zigzag

network, hardware, mapping, objective, lpf_limit, dump, result_path = sys.argv[1:]
root = os.path.dirname(zigzag.__file__)
energy, latency, cmes = get_hardware_performance_zigzag(
    os.path.join(root, "inputs", "workload", network), os.path.join(root, "inputs", "hardware", hardware),
    os.path.join(root, "inputs", "mapping", mapping), opt=objective, dump_folder=dump,
    lpf_limit=int(lpf_limit), loma_show_progress_bar=False)

def loops(levels):
    return [[[str(dim), float(factor)] for dim, factor in level] for level in levels]

layers = []
for cme, _ in cmes[0][1]:
    layer = cme.layer
    memories, temporal, spatial = {}, {}, {}
    for op, levels in cme.temporal_mapping.mapping_dic_origin.items():
        temporal[str(op)] = loops(levels)
    for op, levels in cme.spatial_mapping.mapping_dict_origin.items():
        spatial[str(op)] = loops(levels)
    for op, accesses in cme.memory_word_access.items():
        mem_op = cme.memory_operand_links.layer_to_mem_op(op)
        levels = cme.accelerator.memory_hierarchy.get_memory_levels(mem_op=mem_op)
        energies = cme.mem_energy_breakdown_further[op]
        memories[str(op)] = [
            {"memory": level.name,
             "accesses": {str(k): float(v) for k, v in access.data.items()},
             "energy_pJ": {str(k): float(v) for k, v in energy.data.items()},
             "port_bits": max((int(port.bw_max) for port in level.ports), default=0)}
            for access, energy, level in zip(accesses, energies, levels)]
    layers.append({
        "name": layer.name, "type": str(layer.type), "macs": int(layer.total_mac_count),
        "sizes": {str(dim): float(size) for dim, size in layer.layer_dim_sizes.items()},
        "precision": {str(op): int(bits) for op, bits in layer.operand_precision.data.items()},
        "energy_pJ": float(cme.energy_total), "mac_energy_pJ": float(cme.mac_energy),
        "latency_cycles": float(cme.latency_total2), "ideal_cycles": float(cme.ideal_cycle),
        "ideal_temporal_cycles": float(cme.ideal_temporal_cycle), "stall_slack_cycles": float(cme.stall_slack_comb),
        "onloading_cycles": float(cme.data_onloading_cycle), "offloading_cycles": float(cme.data_offloading_cycle),
        "spatial_request": {str(oa): {str(d): float(f) for d, f in m.items()}
                            for oa, m in layer.spatial_mapping.items()},
        "spatial": spatial, "temporal": temporal, "memories": memories})
with open(result_path, "w") as out:
    json.dump({"energy_pJ": float(energy), "latency_cycles": float(latency), "layers": layers}, out)
'''


def cache_root() -> Path:
    return Path(os.environ.get("CODESIGN_CACHE") or Path.home() / ".cache" / "codesign")


def zigzag_python() -> tuple[Path | None, str | None]:
    """ZigZag's venv python, installing it on first use; (None, reason) where that is impossible."""
    venv = cache_root() / "peers" / "zigzag-venv"
    python = venv / "bin" / "python"
    marker = venv / ".codesign-ready"
    if marker.exists() and marker.read_text().strip() == ZIGZAG and python.exists():
        return python, None
    try:
        if not python.exists():
            venv.parent.mkdir(parents=True, exist_ok=True)
            _run([sys.executable, "-m", "venv", str(venv)])
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        _run([*pip, "--no-deps", ZIGZAG])
        _run([*pip, *ZIGZAG_DEPENDENCIES])
        _run([str(python), "-c", "import zigzag.api"])
        torch = subprocess.run([str(python), "-c", "import importlib.util, sys; "
                                "sys.exit(importlib.util.find_spec('torch') is not None)"], check=False)
        if torch.returncode:
            return None, f"torch appeared in {venv}: refusing to run (remove the venv)"
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", None) or str(error)
        lines = [line for line in str(detail).splitlines() if line.strip() and not line.startswith("WARNING: Location")]
        return None, f"cannot install {ZIGZAG} into {venv}: {(lines or [str(error)])[-1][:300]}"
    marker.write_text(ZIGZAG + "\n")
    return python, None


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=1800)


def timed(command: list[str], env: dict | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU (user + system, the child's) seconds of one subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode:
        raise RuntimeError(f"{command[0]} {' '.join(command[1:3])}... exited {done.returncode}: {done.stderr[-2000:]}")
    return wall, cpu, done


def run_zigzag(python: Path, network: str, hardware: str, objective: str, lpf_limit: int, work: Path) -> dict:
    hardware_file, mapping_file, _ = HARDWARE[hardware]
    runner, result = work / "zigzag_runner.py", work / f"zigzag_{network}_{hardware}.json"
    runner.write_text(ZIGZAG_RUNNER)
    wall, cpu, _ = timed([str(python), str(runner), NETWORKS[network], hardware_file, mapping_file,
                          ZIGZAG_OBJECTIVE[objective], str(lpf_limit), str(work / f"zigzag_dump_{network}_{hardware}"),
                          str(result)])
    document = json.loads(result.read_text())
    document.update(wall_s=wall, cpu_s=cpu)
    return document


def zigzag_onnx(python: Path, network: str) -> Path:
    root = subprocess.run([str(python), "-c", "import os, zigzag; print(os.path.dirname(zigzag.__file__))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    return Path(root) / "inputs" / "workload" / NETWORKS[network]


def run_codesign(onnx: Path, hardware: str, objective: str, work: Path, repeats: int) -> dict:
    """`codesign compile`, `repeats` times, each cold (a fresh process and imported-graph cache):
    the median wall and CPU time, and every run's."""
    spec = REPOSITORY / HARDWARE[hardware][2]
    report = work / f"codesign_{onnx.stem}_{hardware}.json"
    command = [str(Path(sys.executable).parent / "codesign"), "compile", str(onnx), "--arch", str(spec),
               "--objective", objective, "--json", str(report)]
    if not Path(command[0]).exists():
        command[:1] = [sys.executable, "-m", "codesign.cli"]
    walls, cpus = [], []
    for run in range(repeats):
        cache = work / f"cache_{onnx.stem}_{hardware}_{run}"
        wall, cpu, _ = timed(command, env={**os.environ, "CODESIGN_CACHE": str(cache)})
        walls.append(wall)
        cpus.append(cpu)
    document = json.loads(report.read_text())
    document.update(wall_s=statistics.median(walls), cpu_s=statistics.median(cpus),
                    runs_wall_s=[round(wall, 2) for wall in walls], runs_cpu_s=[round(cpu, 2) for cpu in cpus])
    return document


def totals(energy_J: float, cycles: float) -> dict:
    return {"energy_J": energy_J, "latency_cycles": cycles, "latency_s": cycles / CLOCK_HZ,
            "edp_Js": energy_J * cycles / CLOCK_HZ}


# --- ZigZag's mapping in codesign's cost model ---------------------------------------------------

def translate(layer: dict, hardware) -> tuple[list, bool, list[str]]:
    """Codesign candidates (numpy factors, orders) closest to ZigZag's mapping of `layer`: one
    per way of choosing a boundary where ZigZag's operands disagree; whether it is exact; why not."""
    import numpy

    from codesign.cost.problem import DIMENSIONS, INDEX

    notes: list[str] = []
    nest = [(ZIGZAG_DIMENSIONS[dim], factor) for level in layer["temporal"]["O"] for dim, factor in level]
    boundaries: dict[str, dict[str, int]] = {}
    for operand, levels in layer["temporal"].items():
        memories = [memory["memory"] for memory in layer["memories"][operand]]
        position = 0
        for memory, loops in zip(memories, levels):
            position += len(loops)
            boundaries.setdefault(memory, {})[TENSOR_OF_OPERAND[operand]] = position
    choices = []
    for level in hardware.levels:
        held = {boundaries.get(level.name, {}).get(tensor) for tensor in level.holds} - {None}
        if not held:
            raise ValueError(f"ZigZag's mapping of {layer['name']} does not use memory {level.name}")
        if len(held) > 1:
            notes.append(f"{level.name}: operands cut the nest at different loops {sorted(held)} (uneven)")
        choices.append(sorted(held))
    choices[0] = [len(nest)]  # the outermost level takes whatever is left
    spatial = _spatial(layer, hardware, notes)
    rows = []
    for chosen in itertools.product(*choices):
        bounds = list(chosen)
        for index in range(1, len(bounds)):  # an inner level's tile cannot span more loops than an outer one's
            if bounds[index] > bounds[index - 1]:
                bounds[index] = bounds[index - 1]
                note = f"{hardware.levels[index].name}: its boundary lies outside an outer level's (order)"
                if note not in notes:
                    notes.append(note)
        factors = numpy.ones((hardware.slot_count, len(DIMENSIONS)), dtype=numpy.int64)
        orders = numpy.tile(numpy.arange(len(DIMENSIONS)), (len(hardware.levels), 1))
        for index, level in enumerate(hardware.levels):
            inner = bounds[index + 1] if index + 1 < len(bounds) else 0
            seen: list[str] = []
            for dim, factor in nest[inner:bounds[index]]:
                factors[level.slot, INDEX[dim]] *= round(factor)
                if dim in seen and seen[-1] != dim:
                    note = f"{level.name}: loops of {dim} split around others, merged"
                    if note not in notes:
                        notes.append(note)
                if dim not in seen:
                    seen.append(dim)
            first = [INDEX[dim] for dim in seen]
            orders[index] = first + [d for d in range(len(DIMENSIONS)) if d not in first]
        for axis_slot, axis_factors in spatial.items():
            factors[axis_slot] = axis_factors
        rows.append((factors, orders))
    return rows, not notes, notes


def _spatial(layer: dict, hardware, notes: list[str]) -> dict[int, "numpy.ndarray"]:
    import numpy

    from codesign.cost.problem import DIMENSIONS, INDEX

    effective: dict[str, float] = {}
    for level in layer["spatial"]["W"]:
        for dim, factor in level:
            effective[dim] = effective.get(dim, 1.0) * factor
    result = {}
    for axis in hardware.axes:
        row = numpy.ones(len(DIMENSIONS), dtype=numpy.int64)
        for dim in layer["spatial_request"].get(axis.name.split(".")[-1], {}):
            factor = effective.get(dim, 1.0)
            if factor != int(factor):
                note = f"{axis.name}: ZigZag unrolls {dim} {factor:g} times (a fraction), here {math.ceil(factor)}"
                notes.append(note)
            row[INDEX[ZIGZAG_DIMENSIONS[dim]]] = math.ceil(factor)
        result[axis.slot] = row
    return result


def zigzag_mapping_in_codesign(zigzag: dict, spec: Path, onnx: Path, objective: str) -> dict:
    """Every layer's ZigZag mapping costed by codesign's model: per layer and in total, with how
    many translations were exact, why the others were not, and which do not fit our capacities."""
    import numpy

    from codesign.arch import load_arch
    from codesign.cost.dataflow import Candidates, evaluate, feasible
    from codesign.cost.problem import problem_of
    from codesign.frontend import load_model
    from codesign.mapping.search import score
    from codesign.target import MapperSettings, target_for

    graph = load_model(str(onnx)).graph
    nodes = {node.name: node for node in graph.compute_nodes}
    target = target_for(load_arch(str(spec)), MapperSettings(objective, 0))
    hardware = target.hardware
    energy, cycles, exact, approximate, infeasible, per_layer = 0.0, 0.0, 0, 0, 0, {}
    for layer in zigzag["layers"]:
        node = nodes[layer["name"]]
        problem = problem_of(node, target.bits(node))
        rows, is_exact, notes = translate(layer, hardware)
        candidates = Candidates(numpy.stack([factors for factors, _ in rows]),
                                numpy.stack([orders for _, orders in rows]))
        evaluation = evaluate(problem, hardware, candidates)
        fits = feasible(problem, hardware, candidates)
        keys = numpy.where(fits, score(evaluation, objective), numpy.inf)
        best = int(numpy.argmin(keys)) if fits.any() else int(numpy.argmin(score(evaluation, objective)))
        layer_cycles = math.ceil(float(evaluation.cycles[best]) - 1e-9)
        energy += float(evaluation.energy_J[best])
        cycles += layer_cycles
        exact += is_exact
        approximate += not is_exact
        infeasible += not bool(fits[best])
        per_layer[layer["name"]] = {
            "energy_J": float(evaluation.energy_J[best]), "cycles": layer_cycles, "exact": is_exact,
            "fits": bool(fits[best]), "notes": notes,
            "by_level_and_tensor_J": _by_level_and_tensor(hardware, evaluation, best)}
    reasons = {kind: sum(any(marker in note for note in layer["notes"]) for layer in per_layer.values())
               for kind, marker in NOTE_KINDS.items()}
    return {"total": totals(energy, cycles), "exact_layers": exact, "approximate_layers": approximate,
            "approximate_because": reasons, "layers_over_capacity": infeasible, "layers": per_layer}


def _by_level_and_tensor(hardware, evaluation, row: int) -> dict:
    from codesign.cost.problem import TENSORS

    result = {}
    for index, level in enumerate(hardware.levels):
        for tensor_index, tensor in enumerate(TENSORS):
            joules = float(evaluation.reads[row, index, tensor_index] * level.read_J
                           + evaluation.writes[row, index, tensor_index] * level.write_J)
            if joules:
                result[f"{level.name}.{tensor}"] = joules
    result["mac"] = float(evaluation.mac_J[row])
    return result


def codesign_layer_detail(spec: Path, onnx: Path, objective: str, name: str) -> dict:
    """Codesign's own best mapping of one layer: energy by level and tensor, and the mapping."""
    from codesign.arch import load_arch
    from codesign.frontend import load_model
    from codesign.target import MapperSettings, target_for

    node = next(node for node in load_model(str(onnx)).graph.compute_nodes if node.name == name)
    target = target_for(load_arch(str(spec)), MapperSettings(objective, 0))
    mapped = target.map_layer(node)
    return {"by_level_and_tensor_J": _by_level_and_tensor(target.hardware, mapped.mapping.evaluation, 0),
            "mapping": mapped.cost.mapping}


def zigzag_layer_detail(layer: dict) -> dict:
    result = {}
    for operand, levels in layer["memories"].items():
        for level in levels:
            joules = sum(level["energy_pJ"].values()) * 1e-12
            if joules:
                result[f"{level['memory']}.{TENSOR_OF_OPERAND[operand]}"] = joules
    result["mac"] = layer["mac_energy_pJ"] * 1e-12
    return result


# --- one network on one hardware ---------------------------------------------------------------

def compare(python: Path, network: str, hardware: str, objective: str, lpf_limit: int, work: Path,
            repeats: int) -> dict:
    onnx = zigzag_onnx(python, network)
    spec = REPOSITORY / HARDWARE[hardware][2]
    zigzag = run_zigzag(python, network, hardware, objective, lpf_limit, work)
    codesign = run_codesign(onnx, hardware, objective, work, repeats)
    compute = [layer for layer in codesign["layers"] if layer["op"] in COMPUTE_OPS]
    ours = totals(sum(layer["energy_J"] for layer in compute), sum(layer["cycles"] for layer in compute))
    theirs = totals(zigzag["energy_pJ"] * 1e-12, zigzag["latency_cycles"])
    translated = zigzag_mapping_in_codesign(zigzag, spec, onnx, objective)
    by_name = {layer["name"]: layer for layer in compute}
    layers = []
    for layer in zigzag["layers"]:
        mine, again = by_name[layer["name"]], translated["layers"][layer["name"]]
        layers.append({"name": layer["name"], "macs": layer["macs"],
                       "zigzag": {"energy_J": layer["energy_pJ"] * 1e-12, "cycles": layer["latency_cycles"],
                                  "mapping": {"spatial": layer["spatial_request"], "temporal": layer["temporal"]}},
                       "codesign": {"energy_J": mine["energy_J"], "cycles": mine["cycles"],
                                    "mapping": mine.get("mapping")},
                       "zigzag_mapping_in_codesign": {"energy_J": again["energy_J"], "cycles": again["cycles"],
                                                      "exact": again["exact"], "fits": again["fits"],
                                                      "notes": again["notes"]}})
    key = (lambda entry: entry["energy_J"] * entry["cycles"]) if objective == "edp" else \
        (lambda entry: entry["cycles"]) if objective == "latency" else (lambda entry: entry["energy_J"])
    gaps = [{"name": layer["name"], "codesign_over_zigzag_mapping": key(layer["codesign"]) / key(
        layer["zigzag_mapping_in_codesign"])} for layer in layers if layer["zigzag_mapping_in_codesign"]["fits"]
        and key(layer["zigzag_mapping_in_codesign"]) < key(layer["codesign"]) * (1 - 1e-3)]
    worst = max(zigzag["layers"],
                key=lambda layer: abs(by_name[layer["name"]]["energy_J"] - layer["energy_pJ"] * 1e-12))
    detail = {"layer": worst["name"], "sizes": worst["sizes"],
              "zigzag_model_zigzag_mapping_J": zigzag_layer_detail(worst),
              "codesign_model_zigzag_mapping_J": translated["layers"][worst["name"]]["by_level_and_tensor_J"],
              "codesign_model_codesign_mapping": codesign_layer_detail(spec, onnx, objective, worst["name"]),
              "zigzag_mapping": {"spatial": worst["spatial_request"], "temporal": worst["temporal"],
                                 "translation_notes": translated["layers"][worst["name"]]["notes"]},
              "zigzag_accesses": {TENSOR_OF_OPERAND[operand]: levels for operand, levels in worst["memories"].items()}}
    by_level: dict[str, dict[str, float]] = {}
    exact_by_level: dict[str, dict[str, float]] = {}  # layers whose ZigZag mapping translates exactly
    for layer in zigzag["layers"]:
        again = translated["layers"][layer["name"]]
        for sums in (by_level, exact_by_level) if again["exact"] else (by_level,):
            for part, joules in zigzag_layer_detail(layer).items():
                sums.setdefault(part, {"zigzag_J": 0.0, "codesign_J": 0.0})["zigzag_J"] += joules
            for part, joules in again["by_level_and_tensor_J"].items():
                sums.setdefault(part, {"zigzag_J": 0.0, "codesign_J": 0.0})["codesign_J"] += joules
    mapping = translated["total"]
    return {
        "network": network, "hardware": hardware, "objective": objective, "onnx": str(onnx),
        "spec": HARDWARE[hardware][2],
        "layers": len(zigzag["layers"]),
        "zigzag": {"wall_s": round(zigzag["wall_s"], 2), "cpu_s": round(zigzag["cpu_s"], 2), **theirs},
        "codesign": {"wall_s": round(codesign["wall_s"], 2), "cpu_s": round(codesign["cpu_s"], 2),
                     "runs_wall_s": codesign["runs_wall_s"], "runs_cpu_s": codesign["runs_cpu_s"], **ours,
                     "mappings_evaluated": codesign["mapper"]["mappings_evaluated"],
                     "whole_network": totals(codesign["total"]["energy_J"], codesign["total"]["cycles"])},
        "zigzag_mapping_in_codesign": {**mapping, "exact_layers": translated["exact_layers"],
                                       "approximate_layers": translated["approximate_layers"],
                                       "approximate_because": translated["approximate_because"],
                                       "layers_over_capacity": translated["layers_over_capacity"]},
        "ratios": {
            "wall_zigzag_over_codesign": zigzag["wall_s"] / codesign["wall_s"],
            "cpu_zigzag_over_codesign": zigzag["cpu_s"] / codesign["cpu_s"],
            "energy_codesign_over_zigzag": ours["energy_J"] / theirs["energy_J"],
            "latency_codesign_over_zigzag": ours["latency_cycles"] / theirs["latency_cycles"],
            "edp_codesign_over_zigzag": ours["edp_Js"] / theirs["edp_Js"],
            "model_on_zigzag_mapping_energy_codesign_over_zigzag": mapping["energy_J"] / theirs["energy_J"],
            "mapping_in_codesign_model_energy_ours_over_zigzags": ours["energy_J"] / mapping["energy_J"],
            "mapping_in_codesign_model_edp_ours_over_zigzags": ours["edp_Js"] / mapping["edp_Js"],
        },
        "model_difference_on_zigzag_mappings": dict(sorted(by_level.items())),
        "model_difference_on_exact_translations": dict(sorted(exact_by_level.items())),
        "search_gaps": gaps,
        "per_layer": layers,
        "detail": detail,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default=",".join(NETWORKS),
                        help=f"comma-separated subset of {','.join(NETWORKS)}")
    parser.add_argument("--hardware", default=",".join(HARDWARE),
                        help=f"comma-separated subset of {','.join(HARDWARE)}")
    parser.add_argument("--objective", default="edp", choices=sorted(ZIGZAG_OBJECTIVE))
    parser.add_argument("--lpf-limit", type=int, default=6, help="ZigZag's LOMA lpf_limit (its default: 6)")
    parser.add_argument("--codesign-repeats", type=int, default=3,
                        help="codesign runs per case (cold each time; the median time counts)")
    parser.add_argument("--output", type=Path, help="also write the JSON document to this file")
    arguments = parser.parse_args()
    networks = [name for name in arguments.networks.split(",") if name]
    hardware = [name for name in arguments.hardware.split(",") if name]
    unknown = [name for name in networks if name not in NETWORKS] + [name for name in hardware if name not in HARDWARE]
    if unknown:
        parser.error(f"unknown network or hardware: {', '.join(unknown)}")
    result = {"benchmark": "peers", "peer": ZIGZAG, "objective": arguments.objective, "machine": platform.machine(),
              "cpus": os.cpu_count(), "python": platform.python_version()}
    python, reason = zigzag_python()
    if python is None:
        result["skipped"] = reason
        print(json.dumps(result, indent=2))
        return
    with tempfile.TemporaryDirectory(prefix="bench_peers_") as directory:
        result["runs"] = [compare(python, network, name, arguments.objective, arguments.lpf_limit, Path(directory),
                                  max(1, arguments.codesign_repeats))
                          for network in networks for name in hardware]
    text = json.dumps(result, indent=2)
    if arguments.output is not None:
        arguments.output.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
