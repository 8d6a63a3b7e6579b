"""`codesign compare`: one model compiled onto several architectures, side by side."""

from __future__ import annotations

from pathlib import Path

import click

from codesign.cli.app import (
    _progress, app, console, json_option, mapper_options, model_options, print_import_warnings, print_spec_warnings,
)
from codesign.errors import CodesignError


@app.command()
@model_options
@click.option("--arch", "arch_specs", multiple=True, required=True, metavar="NAME|FILE",
              help="An architecture to compile onto (repeat, at least twice); ratios are to the first.")
@click.option("--layers", "per_layer", is_flag=True, help="Also print the energy of every layer on each arch.")
@json_option
@click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR",
              help="Write compare.png and compare.pdf (energy, latency, EDP, area relative to the first arch) into DIR.")
@mapper_options
def compare(model, input_shapes, allow_unknown, arch_specs, per_layer, json_path, plot_directory, objective, seed,
            jobs) -> None:
    """Compile MODEL onto each --arch and compare energy, latency, EDP, area, utilization and DRAM traffic."""
    from codesign.arch import load_arch
    from codesign.compiler import compile_graph
    from codesign.frontend import load_model, parse_input_shape
    from codesign.report.compare import compare_json, compare_table, layers_table
    from codesign.report.names import short_name
    from codesign.report.output import check_output_file, write_json

    if len(arch_specs) < 2:
        raise CodesignError("compare needs at least two --arch (e.g. --arch eyeriss --arch simba)")
    archs = []
    for spec in arch_specs:
        arch = load_arch(spec)
        if any(arch.name == other.name for other in archs):
            raise CodesignError(f"--arch {spec}: architecture '{arch.name}' is given twice")
        print_spec_warnings(arch, spec)
        archs.append(arch)
    if json_path is not None:
        check_output_file(json_path)
    shapes = dict(parse_input_shape(text) for text in input_shapes)
    with console.status(f"importing {model}"):
        imported = load_model(model, shapes, allow_unknown)
    print_import_warnings(imported.warnings)
    graph = imported.graph
    layers = sum(not node.op.is_zero_cost for node in graph.nodes)
    reports = []
    for arch in archs:
        with _progress(f"compiling onto {arch.name}", layers) as update:
            done = iter(range(1, layers + 1))
            try:
                reports.append(compile_graph(
                    graph, arch, objective, seed, model_name=model, workers=jobs,
                    on_layer=lambda node: update(f"layer {short_name(node.name, node.op.value)}",
                                                 completed=next(done, layers), total=layers),
                    on_mapped=lambda searched, shapes: update("mapping distinct layer shapes",
                                                              completed=searched, total=shapes)))
            except CodesignError as error:
                raise CodesignError(f"{arch.name} cannot run {model}: {error}") from error
    console.print(compare_table(reports))
    if per_layer:
        console.print(layers_table(reports))
    if json_path is not None:
        write_json(json_path, compare_json(model, reports, per_layer))
        console.print(f"wrote {json_path}")
    if plot_directory is not None:
        from codesign.report.compare import plot_compare

        for path in plot_compare(reports, plot_directory):
            console.print(f"wrote {path}")
