"""`codesign compile`: the per-layer table and the JSON report of a compiled network."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from rich.table import Table

from codesign.cost.result import CompileReport, LayerCost
from codesign.report.inspect import human, human_bytes
from codesign.report.names import display_names

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
        "layers": [layer_json(layer) | {"display_name": shown}
                   for layer, shown in zip(report.layers, layer_display_names(report.layers))],
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
            "area_by_component_m2": {str(name): float(area) for name, area in report.area_by_component_m2.items()},
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


def layer_display_names(layers: Sequence[LayerCost]) -> list[str]:
    """Short, unique names of `layers` (codesign/report/names.py), in order."""
    return display_names([layer.name for layer in layers], [layer.op for layer in layers])


def epilogue_producer(layer: LayerCost) -> str | None:
    """The compute layer whose output stage applies `layer` (ReLU, HardSwish, Add ...), if any."""
    mapping = layer.mapping
    producer = mapping.get("epilogue_of") if isinstance(mapping, Mapping) else None
    return str(producer) if producer else None


def table_rows(report: CompileReport, all_ops: bool = False) -> list[tuple[str, LayerCost, tuple[LayerCost, ...]]]:
    """(display name, row, the layers it sums) per row of the compile table, in layer order.

    Unless `all_ops`, an epilogue (an op applied in a compute layer's output stage) is folded into
    its producer's row: energy, latency, cycles, DRAM bytes and energy breakdown are the sums, the op
    reads e.g. 'Conv+relu', and the utilization is the producer's MACs over the row's cycles. The
    rows' sums are the report's totals either way.
    """
    names = layer_display_names(report.layers)
    if all_ops:
        return [(name, layer, (layer,)) for name, layer in zip(names, report.layers)]
    present = {layer.name for layer in report.layers}
    folded: dict[str, list[LayerCost]] = {}
    for layer in report.layers:
        producer = epilogue_producer(layer)
        if producer is not None and producer in present and producer != layer.name:
            folded.setdefault(producer, []).append(layer)
    rows = []
    for name, layer in zip(names, report.layers):
        producer = epilogue_producer(layer)
        if producer is not None and producer in present and producer != layer.name:
            continue
        parts = (layer, *folded.get(layer.name, ()))
        rows.append((name, merged(parts) if len(parts) > 1 else layer, parts))
    return rows


def merged(parts: Sequence[LayerCost]) -> LayerCost:
    """A compute layer and its epilogues as one row: sums, and the producer's MACs, bits and mapping."""
    producer = parts[0]
    cycles = sum(part.cycles for part in parts)
    return replace(
        producer, op=producer.op + "".join(f"+{part.op.lower()}" for part in parts[1:]),
        macs=sum(part.macs for part in parts), energy_J=sum(part.energy_J for part in parts),
        latency_s=sum(part.latency_s for part in parts), cycles=cycles,
        utilization=producer.utilization * producer.cycles / cycles if cycles > 0 else producer.utilization,
        dram_bytes=sum(part.dram_bytes for part in parts),
        energy_breakdown_J=summed_breakdown(part.energy_breakdown_J for part in parts),
        energy_by_tensor_J=summed_breakdown(part.energy_by_tensor_J for part in parts),
    )


def caption_text(report: CompileReport) -> str:
    mapper = report.mapper
    if mapper.method != "mapping search":
        searched = mapper.method
    elif mapper.mappings_evaluated:
        searched = (f"{human(mapper.mappings_evaluated)} mappings in {mapper.seconds:.1f} s "
                    f"({human(mapper.mappings_per_second)}/s)")
    else:
        searched = "mappings found earlier in this run"
    area = f"; area {human_area(report.area_m2)}" if report.area_m2 > 0 else ""
    return f"EDP {human_edp(report.edp_Js)}{area}; {searched}"


def title_text(report: CompileReport) -> str:
    return f"{report.model} on {report.arch} (objective: {report.objective})"


TABLE_COLUMNS = ("#", "layer", "op", "bits w/i/o", "MACs", "energy", "latency", "util", "DRAM", "top energy")


def text_rows(report: CompileReport, all_ops: bool = False) -> list[tuple[str, ...]]:
    """The table's cells as text, one tuple per row of TABLE_COLUMNS, the total row last."""
    shown = table_rows(report, all_ops)
    rows = [(str(row), name, layer.op, layer_bits_text(layer), human(layer.macs), human_energy(layer.energy_J),
             human_time(layer.latency_s), percent(layer.utilization), human_bytes(layer.dram_bytes),
             top_consumer(layer.energy_breakdown_J))
            for row, (name, layer, _) in enumerate(shown, 1)]  # '#': what the plots' bars are numbered by
    count = f"{len(report.layers)} layers" if len(shown) == len(report.layers) else f"{len(report.layers)} ops"
    rows.append(("", "total", count, "", human(report.macs), human_energy(report.energy_J),
                 human_time(report.latency_s), percent(total_utilization(report.layers)),
                 human_bytes(report.dram_bytes),
                 top_consumer(summed_breakdown(layer.energy_breakdown_J for layer in report.layers))))
    return rows


NARROW_DROPS = ("top energy", "bits w/i/o", "op")
"""Columns left out, in this order, while the table is wider than a terminal: a row that wraps
over two lines or a name cut to 'featu…' is harder to read than a missing column."""


def compile_table(report: CompileReport, all_ops: bool = False, width: int | None = None) -> Table:
    """The per-layer table: short layer names, epilogues folded into their layer unless `all_ops`.
    `width` (a terminal's columns): drop NARROW_DROPS columns until the rows fit on one line each."""
    *rows, total = text_rows(report, all_ops)
    shown = list(TABLE_COLUMNS)
    for dropped in (None, *NARROW_DROPS):
        if dropped is not None:
            shown.remove(dropped)
        table = _table(report, shown, rows, total)
        if width is None or _natural_width(table) <= width:
            break
    return table


def _table(report: CompileReport, columns: Sequence[str], rows: Sequence[Sequence[str]],
           total: Sequence[str]) -> Table:
    table = Table(title=title_text(report), title_justify="left", caption=caption_text(report),
                  caption_justify="left")
    for column in columns:
        table.add_column(column, justify="left" if column in ("layer", "op", "top energy") else "right")
    keep = [TABLE_COLUMNS.index(column) for column in columns]
    for row in rows:
        table.add_row(*(row[index] for index in keep))
    table.add_section()
    table.add_row(*(total[index] for index in keep), style="bold")
    return table


def _natural_width(table: Table) -> int:
    """The characters `table` takes when nothing in it wraps."""
    from rich.console import Console

    wide = Console(width=10_000)
    return table.__rich_measure__(wide, wide.options).maximum


CSV_COLUMNS = ("layer", "name", "op", "weight_bits", "input_bits", "output_bits", "macs", "energy_J",
               "latency_s", "cycles", "edp_Js", "utilization", "dram_bytes", "folded")


def compile_csv(report: CompileReport, all_ops: bool = False) -> str:
    """The table as CSV: a header, one row per table row, a total row; plain numbers in SI units
    (J, s, cycles, bytes; utilization a fraction), written so that float(text) gives the number back.
    'name' is the full ONNX name, 'folded' the full names of the epilogues summed into the row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for name, layer, parts in table_rows(report, all_ops):
        bits = layer.bits or {}
        writer.writerow([name, layer.name, layer.op, *(bits.get(role, "") for role in ("weight", "input", "output")),
                         int(layer.macs), number(layer.energy_J), number(layer.latency_s), number(layer.cycles),
                         number(layer.energy_J * layer.latency_s), number(layer.utilization),
                         number(layer.dram_bytes), ";".join(part.name for part in parts[1:])])
    writer.writerow(["total", "", "", "", "", "", int(report.macs), number(report.energy_J),
                     number(report.latency_s), number(report.cycles), number(report.edp_Js),
                     number(total_utilization(report.layers)), number(report.dram_bytes), ""])
    return buffer.getvalue()


def number(value: float) -> str:
    """A float as the shortest text that reads back as the same float ('1e-06', '34.5', '3')."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def compile_markdown(report: CompileReport, all_ops: bool = False) -> str:
    """The table as a Markdown pipe table under its title, with the EDP and mapper line below."""
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") or " " for cell in cells) + " |"

    *rows, total = text_rows(report, all_ops)
    align = [":---" if column in ("layer", "op", "top energy") else "---:" for column in TABLE_COLUMNS]
    lines = [f"**{title_text(report)}**", "", line(TABLE_COLUMNS), "| " + " | ".join(align) + " |",
             *(line(row) for row in rows), line([f"**{cell}**" if cell else "" for cell in total]),
             "", caption_text(report)]
    return "\n".join(lines) + "\n"


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


def human_edp(joule_seconds: float) -> str:
    """The one way the compile output shows an EDP: J·s with an SI prefix, e.g. '1.23 µJ·s'."""
    return engineering(joule_seconds, "J·s")


def human_area(square_metres: float) -> str:
    """An area in mm² with three significant digits, e.g. '2.75 mm²'."""
    return f"{square_metres * 1e6:.3g} mm²" if square_metres else "-"
