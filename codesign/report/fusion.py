"""The fused schedule in reports: JSON blocks, a table of groups, the improvement line."""

from __future__ import annotations

from rich.table import Table

from codesign.fusion.schedule import Schedule
from codesign.fusion.summary import FusionSummary
from codesign.report.compile import human_edp, human_energy, human_time
from codesign.report.fusion_front import front_rows, hypervolume_history
from codesign.report.inspect import human_bytes


def schedule_totals(schedule: Schedule, summary: FusionSummary) -> dict:
    return summary.totals(schedule)


def fusion_json(summary: FusionSummary) -> dict:
    """Keys added to the compile JSON when the fuse-layers pass ran."""
    chosen = summary.chosen
    document = {
        "schedule": {
            "order": list(chosen.order),
            "groups": [{"units": list(group.units), "tiles": group.tiles, "fits": group.fits,
                        "weights_resident": group.weights_resident, "energy_J": group.energy_J,
                        "latency_s": group.cycles / summary.clock_Hz,
                        "dram_bytes": group.dram_words * summary.dram_word_bytes,
                        "working_set_words": group.working_set_words} for group in chosen.groups],
            **schedule_totals(chosen, summary),
        },
        "baseline": {"layer_by_layer": schedule_totals(summary.baseline, summary)},
        "improvement": summary.ratios(),
    }
    if summary.note:
        document["schedule"]["note"] = summary.note
    details = summary.details
    if details is not None:
        document["baseline"]["greedy"] = schedule_totals(details.greedy, summary)
        document["fusion"] = _search_json(details, summary)
    return document


def _search_json(details, summary: FusionSummary) -> dict:
    search = details.search
    block = {"mode": details.mode, "objective": details.objective, "seconds": details.seconds,
             "seed": details.settings.seed, "population": details.settings.population,
             "generations_allowed": details.settings.generations}
    if search is not None:
        block |= {"generations_run": len(search.history) - 1, "evaluations": search.evaluations,
                  "stopped_early": search.stopped_early,
                  "history": [{"generation": stats.generation, "best": list(stats.best), "mean": list(stats.mean)}
                              for stats in search.history]}
    if details.mode == "pareto":
        block["pareto"] = front_rows(summary)
        if search is not None:
            for entry, volume in zip(block["history"], hypervolume_history(summary)):
                entry["hypervolume"] = volume
    return block


def fusion_table(summary: FusionSummary) -> Table:
    table = Table(title="fused schedule vs. baselines", title_justify="left")
    for column in ("schedule", "groups", "energy", "latency", "EDP", "DRAM", "EDP gain"):
        table.add_column(column, justify="left" if column == "schedule" else "right")
    rows = [("layer-by-layer", summary.baseline)]
    if summary.details is not None:
        rows.append(("greedy fusion", summary.details.greedy))
    rows.append(("chosen" if summary.details is None else f"{summary.details.mode} (chosen)", summary.chosen))
    base = schedule_totals(summary.baseline, summary)
    for label, schedule in rows:
        totals = schedule_totals(schedule, summary)
        table.add_row(label, str(totals["group_count"]), human_energy(totals["energy_J"]),
                      human_time(totals["latency_s"]), human_edp(totals["edp_Js"]),
                      human_bytes(totals["dram_bytes"]), f"{base['edp_Js'] / totals['edp_Js']:.2f}x")
    if summary.note:
        table.caption = summary.note
    return table
