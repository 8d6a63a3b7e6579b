"""`codesign compile`: the per-layer table and the JSON report of a compiled network."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.table import Table

from codesign.cost.result import CompileReport, LayerCost
from codesign.report.inspect import human, human_bytes

PREFIXES = ((1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f"))


def compile_json(report: CompileReport) -> dict:
    """The JSON document of `codesign compile --json`; later issues add keys, never remove them."""
    return {
        "model": report.model,
        "arch": report.arch,
        "objective": report.objective,
        "clock_frequency_Hz": float(report.clock_frequency_Hz),
        "mapper": {
            "mappings_evaluated": int(report.mapper.mappings_evaluated),
            "seconds": float(report.mapper.seconds),
            "mappings_per_second": float(report.mapper.mappings_per_second),
            "method": report.mapper.method,
        },
        "layers": [layer_json(layer) for layer in report.layers],
        "total": {
            "energy_J": float(report.energy_J),
            "latency_s": float(report.latency_s),
            "cycles": float(report.cycles),
            "edp_Js": float(report.edp_Js),
            "macs": int(report.macs),
            "dram_bytes": float(report.dram_bytes),
            "utilization": total_utilization(report.layers),
            "energy_breakdown_J": summed_breakdown(layer.energy_breakdown_J for layer in report.layers),
            "area_m2": float(report.area_m2),
            "leakage_W": float(report.leakage_W),
        },
    }


def layer_json(layer: LayerCost) -> dict:
    return {
        "name": layer.name,
        "op": layer.op,
        "macs": int(layer.macs),
        "energy_J": float(layer.energy_J),
        "latency_s": float(layer.latency_s),
        "cycles": float(layer.cycles),
        "utilization": float(layer.utilization),
        "dram_bytes": float(layer.dram_bytes),
        "energy_breakdown_J": plain(layer.energy_breakdown_J),
        "energy_by_tensor_J": plain(layer.energy_by_tensor_J),
        "mapping": plain(layer.mapping),
        "bits": plain(layer.bits),
    }


def total_utilization(layers: Iterable[LayerCost]) -> float:
    """MAC-weighted utilization of the whole network: total MACs / total (cycles x MAC units).

    A layer's cycles x MAC units is its MACs / utilization, so the MAC count of the arch is not
    needed. Layers with zero utilization (views, vector-only ops) occupy no MAC units and are left out.
    """
    busy = [(layer.macs, layer.macs / layer.utilization) for layer in layers if layer.utilization > 0]
    capacity = sum(slots for _, slots in busy)
    return float(sum(macs for macs, _ in busy) / capacity) if capacity > 0 else 0.0


def summed_breakdown(breakdowns: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Energies summed by name over layers, in the order the names first appear."""
    total: dict[str, float] = {}
    for breakdown in breakdowns:
        for name, joules in breakdown.items():
            total[name] = total.get(name, 0.0) + float(joules)
    return total


def plain(value: Any) -> Any:
    """`value` with mappings as dicts, sequences as lists and numpy scalars as Python numbers."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def compile_table(report: CompileReport) -> Table:
    mapper = report.mapper
    if mapper.method != "mapping search":
        searched = mapper.method
    elif mapper.mappings_evaluated:
        searched = (f"{human(mapper.mappings_evaluated)} mappings in {mapper.seconds:.1f} s "
                    f"({human(mapper.mappings_per_second)}/s)")
    else:
        searched = "mappings found earlier in this run"
    table = Table(
        title=f"{report.model} on {report.arch} (objective: {report.objective})", title_justify="left",
        caption=f"EDP {engineering(report.edp_Js, 'J·s')}; {searched}", caption_justify="left",
    )
    for column in ("layer", "op", "bits w/i/o", "MACs", "energy", "latency", "util", "DRAM", "top energy"):
        table.add_column(column, justify="left" if column in ("layer", "op", "top energy") else "right")
    for layer in report.layers:
        table.add_row(
            layer.name, layer.op, layer_bits_text(layer), human(layer.macs), human_energy(layer.energy_J),
            human_time(layer.latency_s), percent(layer.utilization), human_bytes(layer.dram_bytes),
            top_consumer(layer.energy_breakdown_J),
        )
    table.add_section()
    table.add_row(
        "total", f"{len(report.layers)} layers", "", human(report.macs), human_energy(report.energy_J),
        human_time(report.latency_s), percent(total_utilization(report.layers)),
        human_bytes(report.dram_bytes),
        top_consumer(summed_breakdown(layer.energy_breakdown_J for layer in report.layers)),
        style="bold",
    )
    return table


def layer_bits_text(layer: LayerCost) -> str:
    """'4/8/8': a compute layer's weight, input and output bits as costed; '' for other ops."""
    if not layer.bits:
        return ""
    return "/".join(str(layer.bits[role]) for role in ("weight", "input", "output"))


def top_consumer(breakdown: Mapping[str, float]) -> str:
    """The component that spends most of the energy and its share, e.g. 'dram 61%'."""
    total = sum(breakdown.values())
    if not breakdown or total <= 0:
        return "-"
    name = max(breakdown, key=breakdown.__getitem__)
    return f"{name} {breakdown[name] / total:.0%}"


def percent(fraction: float) -> str:
    return f"{fraction:.1%}" if fraction else "-"


def engineering_prefix(value: float) -> tuple[float, str]:
    """The scale and SI prefix that show `value` (at most 1) with 1 to 3 digits before the point."""
    for scale, prefix in PREFIXES:
        if abs(value) >= scale:
            return scale, prefix
    return PREFIXES[-1]


def engineering(value: float, unit: str) -> str:
    """`value` in `unit` with an SI prefix and three significant digits, e.g. '34.0 µJ'."""
    if not value:
        return "-"
    scale, prefix = engineering_prefix(value)
    scaled = value / scale
    decimals = 2 if abs(scaled) < 10 else 1 if abs(scaled) < 100 else 0
    return f"{scaled:.{decimals}f} {prefix}{unit}"


def human_energy(joules: float) -> str:
    return engineering(joules, "J")


def human_time(seconds: float) -> str:
    return engineering(seconds, "s")
