"""The neuro-symbolic schedule in words and JSON: the split, each half's residency, the one-time
programming, one query and the batch (codesign/neurosymbolic/schedule.py)."""

from __future__ import annotations

from dataclasses import asdict

from codesign.neurosymbolic.schedule import Half, HdcSchedule, Totals
from codesign.report.compile import human_energy, human_time


def schedule_lines(schedule: HdcSchedule) -> list[str]:
    """Lines printed under the per-query table."""
    chosen = "given by the spec (search_arrays)" if schedule.split_source == "spec" else \
        f"chosen for {schedule.split_source} per query of the batch"
    lines = [f"split: {schedule.mac.arrays} arrays MAC, {schedule.search.arrays} search ({chosen})",
             _half_line(schedule.mac), _half_line(schedule.search)]
    load = schedule.load
    if load.cells:
        lines.append(f"programmed once before the queries: {load.cells:,} cells, {human_energy(load.energy_J)}, "
                     f"{human_time(load.latency_s)}")
    single, per_query = schedule.single_query, schedule.per_query_in_batch
    lines.append(f"one query: {human_energy(single.energy_J)}, {human_time(single.latency_s)}; "
                 f"batch of {schedule.batch:,}: {human_energy(schedule.batch_totals.energy_J)}, "
                 f"{human_time(schedule.batch_totals.latency_s)} ({human_energy(per_query.energy_J)}, "
                 f"{human_time(per_query.latency_s)} per query)")
    return lines


def _half_line(half: Half) -> str:
    if half.resident:
        where = f"resident, {half.tiles} of {half.capacity} tiles"
    else:
        where = (f"does not fit ({half.tiles} tiles, {half.capacity} at once): rewritten every batch in "
                 f"{half.program.waves} waves, {human_energy(half.program.energy_J)}, "
                 f"{human_time(half.program.latency_s)}")
    return f"  {half.name}: {half.arrays} arrays, {where}"


def schedule_json(schedule: HdcSchedule) -> dict:
    """The `neurosymbolic` block of `compile --json` for an HDC workload."""
    return {
        "split": {"mac_arrays": schedule.mac.arrays, "search_arrays": schedule.search.arrays,
                  "source": schedule.split_source},
        "halves": {"mac": _half_json(schedule.mac), "search": _half_json(schedule.search)},
        "load": asdict(schedule.load),
        "single_query": _totals_json(schedule.single_query),
        "batch": {"queries": schedule.batch, **_totals_json(schedule.batch_totals),
                  "per_query": _totals_json(schedule.per_query_in_batch)},
    }


def _half_json(half: Half) -> dict:
    return {"arrays": half.arrays, "tiles": half.tiles, "capacity_tiles": half.capacity,
            "resident": half.resident, "program": asdict(half.program)}


def _totals_json(totals: Totals) -> dict:
    return {"energy_J": totals.energy_J, "latency_s": totals.latency_s, "off_chip_energy_J": totals.off_chip_J}


def reference_rows(schedule: HdcSchedule, references: list) -> list[dict]:
    """One row per design (this macro first, then each reference, neurosymbolic/references.py):
    one query and per query of the batch, and how many times the macro beats it (> 1: the macro wins)."""
    single, per_query = schedule.single_query, schedule.per_query_in_batch
    rows = [{"design": f"{schedule.arch} (this schedule)", "single_query": _totals_json(single),
             "batch_per_query": _totals_json(per_query)}]
    for reference in references:
        rows.append({
            "design": reference.name, "description": reference.description,
            "single_query": {"energy_J": reference.single_query_energy_J,
                             "latency_s": reference.single_query_latency_s},
            "batch_per_query": {"energy_J": reference.energy_per_query_J, "latency_s": reference.latency_per_query_s},
            "macro_advantage": {
                "single_query_energy": reference.single_query_energy_J / single.energy_J,
                "single_query_latency": reference.single_query_latency_s / single.latency_s,
                "batch_energy": reference.energy_per_query_J / per_query.energy_J,
                "batch_latency": reference.latency_per_query_s / per_query.latency_s,
                "single_query_energy_on_chip": _on_chip_ratio(
                    reference.single_query_energy_J - reference.single_query_off_chip_J, single),
                "batch_energy_on_chip": _on_chip_ratio(
                    (reference.batch_energy_J - reference.batch_off_chip_J) / reference.batch, per_query)}})
    return rows


def _on_chip_ratio(reference_on_chip_J: float, ours: Totals) -> float:
    """The reference's energy over the macro's, DRAM (and PCIe) left out on both sides."""
    return reference_on_chip_J / (ours.energy_J - ours.off_chip_J)


def reference_table(rows: list[dict], batch: int):
    """The rows of reference_rows as a rich table."""
    from rich.table import Table

    table = Table(title=f"against references: one query, and per query in a batch of {batch:,}")
    wins_header = "macro wins by (one query / batch)"
    for header in ("design", "one query", "", f"batch {batch:,}", "", wins_header):
        table.add_column(header, justify="left" if header in ("design", wins_header) else "right")
    for row in rows:
        single, batched = row["single_query"], row["batch_per_query"]
        advantage = row.get("macro_advantage")
        wins = "-" if advantage is None else (
            f"energy {advantage['single_query_energy']:.3g}x / {advantage['batch_energy']:.3g}x "
            f"(without DRAM {advantage['single_query_energy_on_chip']:.3g}x / "
            f"{advantage['batch_energy_on_chip']:.3g}x), latency {advantage['single_query_latency']:.3g}x / "
            f"{advantage['batch_latency']:.3g}x")
        table.add_row(row["design"], human_energy(single["energy_J"]), human_time(single["latency_s"]),
                      human_energy(batched["energy_J"]), human_time(batched["latency_s"]), wins)
    return table
