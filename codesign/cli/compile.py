"""`codesign inspect` and `codesign compile`."""

from __future__ import annotations

import itertools
from pathlib import Path

import click

from codesign.cli.app import (
    _progress, app, console, json_option, model_options, optional_model_options, print_import_warnings,
    print_spec_warnings,
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


@app.command("compile")
@optional_model_options
@click.option("--arch", "arch_spec", required=True, metavar="NAME|FILE",
              help="Target architecture: a name from `codesign arch list` or a YAML spec.")
@click.option("--workload", metavar="search:N=..,D=..,Q=..",
              help="Instead of MODEL: N patterns of D bits searched Q times (FeFET macros), compared with a GPU.")
@click.option("-p", "--passes", "pipeline", metavar="PIPELINE",
              help='Passes to run first, e.g. "fuse-layers{population=64,generations=200,seed=0}".')
@click.option("--objective", default="edp", show_default=True,
              type=click.Choice(["edp", "energy", "latency", "dram"]), help="What the mapper minimises per layer.")
@click.option("--seed", default=0, show_default=True, help="Seed of the mapper's random loop orderings.")
@click.option("--accuracy", "measure_accuracy", is_flag=True,
              help="Also measure top-1 test accuracy at the architecture's precision (zoo models with labelled data: digits_cnn).")
@json_option
@click.option("--plot", "plot_directory", type=click.Path(path_type=Path), metavar="DIR",
              help="Write PNG plots (energy by level and tensor, latency; fusion groups and convergence) into DIR.")
def compile_command(model, input_shapes, allow_unknown, arch_spec, workload, pipeline, objective, seed,
                    measure_accuracy, json_path, plot_directory) -> None:
    """Map every layer of MODEL onto an architecture; report energy, latency, EDP and traffic."""
    if (model is None) == (workload is None):
        raise CodesignError("compile needs either MODEL or --workload (not both)")
    if workload is not None:
        return _compile_workload(workload, arch_spec, json_path)
    from codesign.arch import load_arch
    from codesign.flow import compile_model
    from codesign.frontend import load_model, parse_input_shape
    from codesign.passes import parse_pipeline
    from codesign.report.compile import compile_json, compile_table
    from codesign.report.fusion import fusion_json, fusion_table
    from codesign.report.output import write_json

    arch = load_arch(arch_spec)
    print_spec_warnings(arch, arch_spec)
    passes = parse_pipeline(pipeline) if pipeline else []
    data = _labelled_data(model) if measure_accuracy else None
    shapes = dict(parse_input_shape(text) for text in input_shapes)
    with console.status(f"importing {model}"):
        imported = load_model(model, shapes, allow_unknown)
    print_import_warnings(imported.warnings)
    graph = imported.graph
    layers, mapped = sum(not node.op.is_zero_cost for node in graph.nodes), itertools.count(1)
    with _progress(f"compiling onto {arch.name}", 0) as update:  # the passes' messages, then the layers
        outcome = compile_model(graph, arch, passes, objective, seed, model_name=model, on_pass=update,
                                on_layer=lambda node: update(node.name[-40:], completed=next(mapped), total=layers))
    graph, compiled, fusion = outcome.graph, outcome.compiled, outcome.fusion
    console.print(compile_table(compiled.report))
    document = compile_json(compiled.report)
    if outcome.pass_results:
        document["passes"] = {name: result.summary for name, result in outcome.pass_results.items()}
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

        paths = plot_compile(compiled.report, plot_directory)
        if fusion is not None:
            paths += plot_fusion(fusion, plot_directory, f"{model} on {arch.name}")
        for path in paths:
            console.print(f"wrote {path}")


def _labelled_data(model: str):
    from codesign.accuracy import labelled_test_set
    from codesign.accuracy.datasets import LABELLED_WORKLOADS

    data = labelled_test_set(model)
    if data is None:
        raise CodesignError(f"--accuracy needs a zoo model with a labelled test set ({', '.join(LABELLED_WORKLOADS)}); "
                            f"'{model}' has none")
    return data


def _report_accuracy(graph, arch, data) -> dict:
    """Top-1 test accuracy in float32 and at the architecture's precision, printed and as JSON."""
    from codesign.accuracy import accuracy_at
    from codesign.target import target_for

    with console.status(f"measuring accuracy on {len(data.labels)} test images"):
        reference, measured = accuracy_at(graph, None, data), accuracy_at(graph, target_for(arch).dot_product, data)
    console.print(f"top-1 accuracy on {len(data.labels)} test images: {measured:.2%} on {arch.name} "
                  f"(float32: {reference:.2%}: {100 * (reference - measured):.2f} points lost)", highlight=False)
    return {"test_images": len(data.labels), "float32": reference, "at_arch_precision": measured,
            "loss": reference - measured}


def _compile_workload(text: str, arch_spec: str, json_path: Path | None) -> None:
    from codesign.arch import load_arch
    from codesign.search_workload import compile_search, parse_workload
    from codesign.report.compile import compile_json, compile_table, human_energy, human_time
    from codesign.report.output import write_json

    arch = load_arch(arch_spec)
    print_spec_warnings(arch, arch_spec)
    report, comparison = compile_search(parse_workload(text), arch)
    console.print(compile_table(report))
    gpu, ratios = comparison["gpu_reference"], comparison["vs_gpu"]
    console.print(f"{gpu['name']}: {human_energy(gpu['energy_J'])}, {human_time(gpu['latency_s'])}; "
                  f"FeFET is {ratios['latency_ratio']:.2f}x faster and {ratios['energy_ratio']:.0f}x more "
                  f"energy-efficient ({ratios['energy_ratio_without_dram']:.0f}x without DRAM on either side)",
                  highlight=False, soft_wrap=True)
    if json_path is not None:
        write_json(json_path, compile_json(report) | comparison)
        console.print(f"wrote {json_path}")

