"""The energy-latency front of `fuse-layers{mode=pareto}` in reports: rows, a table, and its
hypervolume per generation (the search's convergence)."""

from __future__ import annotations

from rich.table import Table

from codesign.fusion.summary import FusionSummary
from codesign.search.pareto import hypervolume
from codesign.report.compile import engineering_prefix


def front_rows(summary: FusionSummary) -> list[dict]:
    """One row per front member (lowest energy first): its totals, and whether it is the chosen one."""
    details = summary.details
    return [summary.totals(schedule) | {"chosen": schedule == details.chosen}
            for schedule in details.pareto]


def hypervolume_history(summary: FusionSummary) -> list[float]:
    """Per generation, the front's hypervolume as a fraction of the layer-by-layer box.

    The reference point is the layer-by-layer schedule (energy, cycles): the volume is the
    part of the energy x latency rectangle below it that the front dominates, so 0 means
    nothing better than layer-by-layer was found, and it can only grow.
    """
    reference = _reference(summary)
    box = reference[0] * reference[1]
    return [hypervolume(stats.front, reference) / box for stats in summary.details.search.history]


def greedy_hypervolume(summary: FusionSummary) -> float:
    """What the greedy schedule alone dominates, on the same scale as hypervolume_history."""
    reference, greedy = _reference(summary), summary.details.greedy
    return hypervolume([(greedy.energy_J, greedy.cycles)], reference) / (reference[0] * reference[1])


def front_table(summary: FusionSummary) -> Table:
    rows = front_rows(summary)
    details = summary.details
    table = Table(title=f"energy-latency front ({len(rows)} schedules; chosen: the best "
                        f"{details.objective}, marked *)", title_justify="left")
    for column in ("", "energy", "latency", "cycles", "EDP", "groups"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row("*" if row["chosen"] else "", precise(row["energy_J"], "J"), precise(row["latency_s"], "s"),
                      f"{row['cycles']:,.0f}", precise(row["edp_Js"], "J·s"), str(row["group_count"]),
                      style="bold" if row["chosen"] else None)
    return table


def precise(value: float, unit: str) -> str:
    """Five significant digits: front members often differ in the fourth."""
    scale, prefix = engineering_prefix(value)
    return f"{value / scale:.5g} {prefix}{unit}"


def _reference(summary: FusionSummary) -> tuple[float, float]:
    baseline = summary.details.layer_by_layer
    return baseline.energy_J, baseline.cycles
