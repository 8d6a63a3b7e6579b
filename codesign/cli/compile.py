"""`codesign inspect` and `codesign compile`."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import click

from codesign.cli.app import (
    _progress, app, console, json_option, mapper_options, model_options, optional_model_options,
    print_import_warnings, print_spec_warnings,
)
from codesign.errors import CodesignError


@app.command()
@model_options
@json_option
@click.option("--views", is_flag=True, help="Also list zero-cost views (Reshape, Transpose, ...).")
@click.option("--ir", "print_ir", is_flag=True, help="Print the IR text, one line per node, instead of the table.")
def inspect(model, input_shapes, allow_unknown, json_path, views, print_ir) -> None:
    """Per-layer shapes, MACs, parameters and bytes of MODEL (an ONNX file or a zoo name)."""
    from codesign.frontend import load_model, parse_input_shape
    from codesign.ir import format_graph
    from codesign.report.inspect import inspect_report, inspect_table
    from codesign.report.output import write_json

    shapes = dict(parse_input_shape(text) for text in input_shapes)
    with console.status(f"importing {model}"):
        result = load_model(model, shapes, allow_unknown)
    print_import_warnings(result.warnings)
    report = inspect_report(model, result.graph, result.warnings)
    if print_ir:
        console.out(format_graph(result.graph), highlight=False, end="")
    else:
        console.print(inspect_table(report, include_views=views))
    if json_path is not None:
        write_json(json_path, report)
        console.print(f"wrote {json_path}")


def _messages_to_stderr_unless_table(command):
    """With --format csv or markdown, stdout holds the report alone: everything else the command
    prints through the console (tables of passes, 'wrote FILE') goes to stderr."""
    import functools

    @functools.wraps(command)
    def run(*args, **kwargs):
        if kwargs.get("output_format", "table") == "table":
            return command(*args, **kwargs)
        before, console.stderr = console.stderr, True
        try:
            return command(*args, **kwargs)
        finally:
            console.stderr = before
    return run


@app.command("compile")
@optional_model_options
@click.option("--arch", "arch_spec", required=True, metavar="NAME|FILE",
              help="Target architecture: a name from `codesign arch list` or a YAML spec.")
@click.option("--workload", metavar="search:N=..,D=..,Q=..|hdc:D=..[,batch=..]",
              help="Instead of MODEL, on a FeFET macro: search, N patterns of D bits searched Q times, compared "
                   "with a GPU; hdc, the digits CNN's features as D-bit hypervectors classified by search, the "
                   "macro's arrays split between the two halves (spec field search_arrays, or chosen for "
                   "--objective), one query and a batch (default 1000) against an A100 and simba + A100 "
                   "(with --accuracy: top-1 with the search's read-back errors).")
@click.option("-p", "--passes", "pipeline", metavar="PIPELINE",
              help='Passes to run first, e.g. "fuse-layers{population=64,generations=200,seed=0}".')
@mapper_options
@click.option("--accuracy", "measure_accuracy", is_flag=True,
              help="Also measure top-1 test accuracy at the architecture's precision (trained zoo models, or --data).")
@click.option("--data", "data_path", type=click.Path(path_type=Path), metavar="FILE.npz",
              help="Labelled data for --accuracy and accuracy-driven passes: arrays inputs, labels [, calibration].")
@click.option("--export-onnx", "export_path", type=click.Path(path_type=Path), metavar="FILE",
              help="Write the model with its per-layer widths as QuantizeLinear/DequantizeLinear pairs "
                   "(after set-precision or assign-precision) and pruned weights (after prune-crossbar), "
                   "runnable in onnxruntime.")
@json_option
@click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR",
              help="Write plots as PNG and PDF (energy by level and tensor, latency; fusion groups and "
                   "convergence) into DIR.")
@click.option("--show-mapping", "show_mapping", metavar="LAYER|all",
              help="Print the chosen mapping of a compute layer (its name in the table, its full name, or a "
                   "unique end or part of either) or of all, as a loop nest from DRAM inwards (dataflow targets).")
@click.option("--export-mappings", "export_mappings", type=click.Path(path_type=Path), metavar="DIR",
              help="Write each compute layer's mapping in Timeloop's mapping format into DIR (new or empty).")
@click.option("--mappings", "mappings_directory", type=click.Path(path_type=Path), metavar="DIR",
              help="Evaluate the mappings in DIR (files as --export-mappings writes them) instead of searching; "
                   "layers without a file are searched.")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "markdown"]), default="table",
              show_default=True, help="How stdout shows the per-layer report: a table, CSV (SI units, one row per "
                                      "layer and a total) or a Markdown pipe table; other messages go to stderr.")
@click.option("--all-ops", "all_ops", is_flag=True,
              help="One row per op: list the epilogues (ReLU, HardSwish, Add in a layer's output stage) on their own "
                   "rows instead of folding them into their layer's row.")
@_messages_to_stderr_unless_table
def compile_command(model, input_shapes, allow_unknown, arch_spec, workload, pipeline, objective, seed, jobs,
                    measure_accuracy, data_path, export_path, json_path, plot_directory,
                    show_mapping=None, export_mappings=None, mappings_directory=None,
                    output_format="table", all_ops=False) -> None:
    """Map every layer of MODEL onto an architecture; report energy, latency, EDP and traffic."""
    if jobs is not None:  # for every compile of this command, the passes' included
        from codesign.mapping.parallel import WORKERS_VARIABLE

        os.environ[WORKERS_VARIABLE] = str(jobs)
    if (model is None) == (workload is None):
        raise CodesignError("compile needs either MODEL or --workload (not both)")
    if workload is not None:
        _refuse_model_options(workload, passes=pipeline, data=data_path, export_onnx=export_path,
                              show_mapping=show_mapping, export_mappings=export_mappings,
                              mappings=mappings_directory, input_shape=input_shapes or None)
        if workload.partition(":")[0] == "hdc":
            from codesign.cli.compile_hdc import compile_hdc

            return compile_hdc(workload, arch_spec, json_path, output_format, all_ops, measure_accuracy, objective,
                               plot_directory)
        if plot_directory is not None or measure_accuracy:
            raise CodesignError(f"--workload {workload}: --plot and --accuracy apply to MODEL and hdc workloads")
        return _compile_workload(workload, arch_spec, json_path, output_format, all_ops)
    from codesign.arch import load_arch
    from codesign.flow import compile_model
    from codesign.frontend import load_model, parse_input_shape
    from codesign.passes import parse_pipeline
    from codesign.report.compile import compile_json
    from codesign.report.fusion import fusion_json, fusion_table
    from codesign.report.names import short_name
    from codesign.report.output import write_json

    arch = load_arch(arch_spec)
    print_spec_warnings(arch, arch_spec)
    passes = parse_pipeline(pipeline) if pipeline else []
    data = _labelled_data(model, data_path) if measure_accuracy else None
    shapes = dict(parse_input_shape(text) for text in input_shapes)
    with console.status(f"importing {model}"):
        imported = load_model(model, shapes, allow_unknown)
    print_import_warnings(imported.warnings)
    graph = imported.graph
    if data is not None:
        from codesign.accuracy.datasets import fit_model_input

        data = fit_model_input(data, graph, str(data_path or model))
    given = _check_mapping_options(arch, graph, show_mapping, export_mappings, mappings_directory)
    layers, mapped = sum(not node.op.is_zero_cost for node in graph.nodes), itertools.count(1)
    with _progress(f"compiling onto {arch.name}", 0) as update, given:  # the passes' messages, then the layers
        update("searching mappings" if not passes else "running passes")
        outcome = compile_model(graph, arch, passes, objective, seed, model_name=model, on_pass=update,
                                on_layer=lambda node: update(f"layer {short_name(node.name, node.op.value)}",
                                                              completed=next(mapped), total=layers),
                                data_file=data_path,
                                on_mapped=lambda done, shapes: update("mapping distinct layer shapes",
                                                                      completed=done, total=shapes))
    graph, compiled, fusion = outcome.graph, outcome.compiled, outcome.fusion
    _print_report(compiled.report, output_format, all_ops)
    _show_and_export_mappings(compiled, show_mapping, export_mappings)
    document = compile_json(compiled.report)
    if outcome.pass_results:
        document["passes"] = {name: result.summary for name, result in outcome.pass_results.items()}
        _report_passes(outcome, f"{model} on {arch.name}", plot_directory)
    if export_path is not None:
        _export_onnx(model, imported.graph, graph, data_path, export_path)
    if fusion is not None:
        console.print(fusion_table(fusion))
        if fusion.details is not None and fusion.details.mode == "pareto":
            from codesign.report.fusion_front import front_table

            console.print(front_table(fusion))
        document |= fusion_json(fusion)
        document["total"] |= {key: value for key, value in document["schedule"].items()
                              if key in ("energy_J", "latency_s", "cycles", "edp_Js", "dram_bytes")}
    if data is not None:
        document["accuracy"] = _report_accuracy(graph, arch, data)
    if json_path is not None:
        write_json(json_path, document)
        console.print(f"wrote {json_path}")
    if plot_directory is not None:
        from codesign.report.plots import plot_compile
        from codesign.report.plots_fusion import plot_fusion

        paths = plot_compile(compiled.report, plot_directory, all_ops=all_ops)
        if fusion is not None:
            paths += plot_fusion(fusion, plot_directory, f"{model} on {arch.name}")
        for path in paths:
            console.print(f"wrote {path}")


def _refuse_model_options(workload: str, **given) -> None:
    """Options that act on a MODEL's graph mean nothing for a --workload: one line, not silence."""
    used = [f"--{name.replace('_', '-')}" for name, value in given.items() if value]
    if used:
        verb = "applies" if len(used) == 1 else "apply"
        raise CodesignError(f"--workload {workload}: {', '.join(used)} {verb} only to a MODEL")


def _check_mapping_options(arch, graph, show_mapping, export_mappings, mappings_directory):
    """Before compiling: the options need a dataflow target, a known layer, a free export directory and
    readable mapping files. Returns the context that gives the compile the files' mappings."""
    import contextlib

    if show_mapping is None and export_mappings is None and mappings_directory is None:
        return contextlib.nullcontext()
    from codesign.report.mapping import resolve_layer
    from codesign.target import target_for

    target = target_for(arch)
    placement = target.capabilities.placement
    if placement != "mapping search":
        option = "--show-mapping" if show_mapping else "--export-mappings" if export_mappings else "--mappings"
        raise CodesignError(f"{option} needs a dataflow target that searches mappings; {arch.name} places layers "
                            f"by '{placement}'")
    names = [node.name for node in graph.nodes if node.op.is_compute]
    if show_mapping is not None and show_mapping != "all":
        costed = [node for node in graph.nodes if not node.op.is_zero_cost]  # the table's rows
        resolve_layer(show_mapping, names, _shown_names([node.name for node in costed],
                                                        [node.op.value for node in costed]))
    if export_mappings is not None and export_mappings.exists() and (
            not export_mappings.is_dir() or any(export_mappings.iterdir())):
        raise CodesignError(f"--export-mappings: '{export_mappings}' exists and is not an empty directory "
                            f"(choose a new one; nothing is overwritten)")
    if mappings_directory is None:
        return contextlib.nullcontext()
    from codesign.mapping.io import MappingFiles
    from codesign.target.dataflow import given_mappings

    files = MappingFiles(mappings_directory)
    files.match(names)
    files.check([node for node in graph.nodes if node.op.is_compute], target)
    return given_mappings(files)


def _shown_names(names, ops) -> dict[str, str]:
    """The compile table's short name of each layer -> its full name."""
    from codesign.report.names import display_names

    return dict(zip(display_names(names, ops), names))


def _show_and_export_mappings(compiled, show_mapping, export_mappings) -> None:
    if show_mapping is None and export_mappings is None:
        return
    from codesign.report.mapping import loop_nest, resolve_layer

    mapped = {layer.node.name: layer.mapping for layer in compiled.layers
              if layer.node.op.is_compute and layer.mapping is not None}
    if show_mapping is not None:
        layers = compiled.report.layers
        display = _shown_names([layer.name for layer in layers], [layer.op for layer in layers])
        chosen = list(mapped) if show_mapping == "all" else [resolve_layer(show_mapping, list(mapped), display)]
        for name in chosen:
            console.out(loop_nest(mapped[name], name), highlight=False)
    if export_mappings is not None:
        from codesign.mapping.io import write_mappings

        paths = write_mappings(export_mappings, mapped.items())
        console.print(f"wrote {len(paths)} mapping files into {export_mappings}", highlight=False, soft_wrap=True)


def _report_passes(outcome, title: str, plot_directory: Path | None) -> None:
    """What passes say beyond their JSON summary: warnings, and assign-precision's table and plots."""
    for result in outcome.pass_results.values():
        print_import_warnings(result.warnings)
    precision = outcome.pass_results.get("assign-precision")
    if precision is not None:
        from codesign.report.precision import plot_precision, precision_table

        console.print(precision_table(precision.details, precision.summary))
        for path in plot_precision(precision.details, plot_directory, title) if plot_directory else ():
            console.print(f"wrote {path}")
    pruning = outcome.pass_results.get("prune-crossbar")
    if pruning is not None:
        from codesign.report.pruning import layer_table, plot_pruning, pruning_table

        console.print(pruning_table(pruning.summary))
        console.print(layer_table(pruning.summary))
        for path in plot_pruning(pruning.details, plot_directory, title) if plot_directory else ():
            console.print(f"wrote {path}")


def _export_onnx(model: str, float_graph, compiled_graph, data_path: Path | None, export_path: Path) -> None:
    """The compiled graph's widths as an ONNX QDQ model, and its weights where a pass pruned them;
    activation ranges from a float run of the calibration data."""
    from codesign.accuracy.datasets import labelled_data_for
    from codesign.frontend import resolve_model_path
    from codesign.passes.precision_configs import widths_in_graph
    from codesign.ir import Pruned
    from codesign.quantize import calibrate, export_qdq
    from codesign.report.output import check_output_file

    check_output_file(export_path)
    config = widths_in_graph(compiled_graph)
    pruned = any(node.annotation(Pruned) for node in compiled_graph.compute_nodes)
    if not config and not pruned:
        raise CodesignError("--export-onnx needs quantized or pruned layers: run set-precision, assign-precision "
                            "or prune-crossbar with -p")
    data = labelled_data_for(model, data_path, "--export-onnx")
    ranges = calibrate(float_graph, data.calibration)
    export_qdq(compiled_graph, resolve_model_path(model), config, ranges, export_path, weights_from_graph=pruned)
    console.print(f"wrote {export_path}")


def _labelled_data(model: str, data_path: Path | None):
    from codesign.accuracy.datasets import labelled_data_for

    return labelled_data_for(model, data_path, "--accuracy")


def _report_accuracy(graph, arch, data) -> dict:
    """Top-1 test accuracy in float32 and at the architecture's precision, printed and as JSON."""
    from codesign.accuracy import accuracy_at
    from codesign.target import target_for

    dot_product, tallies = target_for(arch).dot_product, {}
    with console.status(f"measuring accuracy on {len(data.labels)} test images"):
        reference, measured = accuracy_at(graph, None, data), accuracy_at(graph, dot_product, data, tallies)
    console.print(f"top-1 accuracy on {len(data.labels)} test images: {measured:.2%} on {arch.name} "
                  f"(float32: {reference:.2%}: {100 * (reference - measured):.2f} points lost)", highlight=False)
    document = {"test_images": len(data.labels), "float32": reference, "at_arch_precision": measured,
                "loss": reference - measured}
    if tallies:
        document["adc_by_layer"] = _report_adc(graph, dot_product, tallies)
    return document


def _report_adc(graph, dot_product, tallies) -> list[dict]:
    """The compute-in-memory layers' ADC table (clipped and rounded column sums), printed and as JSON."""
    from codesign.report.accuracy import AdcLayer, adc_json, adc_table, worst_layer_line
    from codesign.report.names import display_names

    nodes = [node for node in graph.compute_nodes if node.name in tallies]
    names = display_names([node.name for node in nodes], [node.op.value for node in nodes])
    layers = [AdcLayer(node.name, name, dot_product(node).adc_bits, dot_product(node).range_name, tallies[node.name])
              for node, name in zip(nodes, names)]
    console.print(adc_table(layers))
    if (line := worst_layer_line(layers)) is not None:
        console.print(line, highlight=False, soft_wrap=True)
    return adc_json(layers)


def _compile_workload(text: str, arch_spec: str, json_path: Path | None, output_format: str = "table",
                      all_ops: bool = False) -> None:
    from codesign.arch import load_arch
    from codesign.search_workload import compile_search, parse_workload
    from codesign.report.compile import compile_json, human_energy, human_time
    from codesign.report.output import write_json

    arch = load_arch(arch_spec)
    print_spec_warnings(arch, arch_spec)
    report, comparison = compile_search(parse_workload(text), arch)
    _print_report(report, output_format, all_ops)
    gpu, ratios = comparison["gpu_reference"], comparison["vs_gpu"]
    console.print(f"{gpu['name']}: {human_energy(gpu['energy_J'])}, {human_time(gpu['latency_s'])}; "
                  f"FeFET is {ratios['latency_ratio']:.2f}x faster and {ratios['energy_ratio']:.0f}x more "
                  f"energy-efficient ({ratios['energy_ratio_without_dram']:.0f}x without DRAM on either side)",
                  highlight=False, soft_wrap=True)
    if json_path is not None:
        write_json(json_path, compile_json(report) | comparison)
        console.print(f"wrote {json_path}")


def _print_report(report, output_format: str, all_ops: bool) -> None:
    """The per-layer report on stdout: a rich table, or CSV / Markdown text as it is."""
    from codesign.report.compile import compile_csv, compile_markdown, compile_table

    if output_format == "table":
        console.print(compile_table(report, all_ops, console.width if console.is_terminal else None))
    else:
        text = compile_csv(report, all_ops) if output_format == "csv" else compile_markdown(report, all_ops)
        click.echo(text, nl=False)
