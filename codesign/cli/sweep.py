"""`codesign sweep`: design-space sweeps and their reports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from codesign.cli.app import _progress, app, console
from codesign.errors import CodesignError


@app.command("sweep")
@click.argument("target", metavar="SPACE.yaml|report")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="DIR", help="Where the sweep writes (resumable).")
@click.option("--workers", type=click.IntRange(1, 256), help="Worker processes (default: all cores).")
@click.option("--backend", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: a process pool here; ray: a Ray cluster (--address) or a local Ray instance.")
@click.option("--address", metavar="HOST:PORT", help="Ray cluster address (with --backend ray).")
@click.option("--force", is_flag=True,
              help="Write into a DIR that holds other files (its points.csv, pareto.csv and plots are overwritten).")
def sweep_command(target, directory, output, workers, backend, address, force) -> None:
    """Sweep a design space (SPACE.yaml -o DIR), or re-render a finished one (report DIR)."""
    from codesign.arch.yaml_files import is_file
    from codesign.dse.sweep import run_sweep, write_report

    if target == "report":
        if directory is None:
            raise CodesignError("sweep report needs the sweep's directory: codesign sweep report DIR")
        outputs = write_report(directory)
    else:
        if output is None or directory is not None:
            raise CodesignError("usage: codesign sweep SPACE.yaml -o DIR (or: codesign sweep report DIR)")
        space_file = Path(target)
        if not is_file(space_file):
            raise CodesignError(f"{space_file}: no such space file")
        with _progress("sweeping", 0) as advance:
            outputs = run_sweep(space_file, output, workers, lambda done, total, front: advance(
                f"{done}/{total} points, Pareto front {front}", completed=done, total=total), backend, address,
                force, lambda warning: print(f"codesign: warning: {warning}", file=sys.stderr))
        summary, evolution = outputs.summary, outputs.evolution
        console.print(f"{summary.evaluated} points evaluated ({summary.infeasible} infeasible), "
                      f"{summary.skipped} already done", highlight=False)
        if evolution is not None:
            stopped = " (stopped early: the front stopped changing)" if evolution.stopped_early else ""
            console.print(f"NSGA-II: {evolution.generations} generations, {evolution.designs} designs{stopped}",
                          highlight=False)
    _print_front(outputs)
    console.print(f"{outputs.points} points, {outputs.pareto} on the Pareto front", highlight=False)
    for path in outputs.files:
        console.print(f"wrote {path}")


def _print_front(outputs) -> None:
    """The Pareto table (one row per front member, sorted by the first objective) and the counts:
    points, ok, infeasible by reason."""
    from rich.table import Table

    table = outputs.table
    if table is not None and table.rows:
        shown = Table(title=f"Pareto front ({len(table.rows)} designs)", title_justify="left")
        parameters = len(table.header) - sum(header.endswith(")") for header in table.header)
        for index, header in enumerate(table.header):
            shown.add_column(header, justify="left" if index < parameters else "right")
        for row in table.rows:
            shown.add_row(*row)
        console.print(shown)
    infeasible = sum(outputs.infeasible.values())
    console.print(f"{outputs.points} points: {outputs.ok} ok, {infeasible} infeasible", highlight=False)
    for reason, count in outputs.infeasible.items():
        console.print(f"  infeasible: {reason}: {count}", highlight=False)
