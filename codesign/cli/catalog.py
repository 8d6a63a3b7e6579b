"""`codesign models ...` (the model zoo) and `codesign arch ...` (architecture specs)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from codesign.cli.app import app, console, print_spec_warnings
from codesign.errors import CodesignError


@app.group()
def models() -> None:
    """The model zoo: list and export to ONNX."""


@models.command("list")
def models_list() -> None:
    """The zoo's models with their input shape, reference MAC count and, when trained, test accuracy."""
    from models import zoo

    from codesign.report.inspect import human

    for name in zoo.names():
        entry = zoo.get(name)
        shape = "x".join(map(str, entry.input_shape))
        console.print(f"{name:18} {shape:12} {human(entry.reference_macs):>8} MACs  {_accuracy_text(entry):15}  "
                      f"{entry.description}", highlight=False, soft_wrap=True)


def _accuracy_text(entry) -> str:
    """A trained model's test accuracy, read from its cached export: listing never trains
    (minutes for the whole zoo) nor imports torch."""
    from codesign.frontend import zoo_cache_path
    from models import zoo

    if entry.trainer is None:
        return "random weights"
    path = zoo_cache_path(entry.name)
    accuracy = zoo.stored_accuracy(path) if path.exists() else None
    return f"{accuracy:.2%} top-1" if accuracy is not None else "not trained yet"


@models.command("export")
@click.argument("name")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="ONNX file to write.")
@click.option("--opset", default=17, show_default=True, type=click.IntRange(7, 20),
              help="ONNX opset version (torch's TorchScript exporter writes 7 to 20).")
@click.option("--batch", default=1, show_default=True, type=click.IntRange(1, 4096), help="Batch size of the input.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def models_export(name, output, opset, batch, force) -> None:
    """Export the zoo model NAME to an ONNX file."""
    from codesign.report.output import check_output_file
    from models import zoo

    entry = zoo.get(name)  # an unknown name fails before anything else
    check_output_file(output, force)
    with console.status(f"{'training and ' if entry.trainer else ''}exporting {name}"):
        zoo.export_onnx(name, output, opset=opset, batch=batch)
    console.print(f"wrote {output}")


@app.group()
def arch() -> None:
    """Architecture specs: list and show."""


@arch.command("list")
def arch_list() -> None:
    """The architecture specs shipped in arch_specs/."""
    from codesign.arch import list_arch

    for info in list_arch():
        console.print(f"{info.name:16} {info.description}", highlight=False, soft_wrap=True)


@arch.command("show")
@click.argument("spec")
def arch_show(spec) -> None:
    """Print the architecture SPEC (a name from `arch list`, or a YAML file), resolved and validated."""
    from codesign.arch import load_arch
    from codesign.report.arch import format_arch

    arch = load_arch(spec)
    text = format_arch(arch)  # first: warnings never come before an error
    print_spec_warnings(arch, spec)
    console.print(text, highlight=False, soft_wrap=True, markup=False)




@arch.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Spec YAML file to write.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--name", default=None, help="Name of the spec (default: the architecture file's stem).")
@click.option("--clock-hz", type=click.FloatRange(min=1.0, max=1e15), default=None,
              help="Clock frequency in Hz (default: from the source's global_cycle_seconds, else 1 GHz).")
def arch_import(files, output, force, name, clock_hz) -> None:
    """Convert a Timeloop architecture (with Accelergy ERT/ART and constraint files) or an AccelForge
    architecture, FILES, into a codesign spec; list what could not be converted."""
    from codesign.arch import load_arch
    from codesign.arch.importers import import_architecture
    from codesign.report.output import check_output_file, write_text

    check_output_file(output, force)
    result = import_architecture(list(files), name=name, clock_hz=clock_hz)
    write_text(output, result.spec_text)
    try:
        load_arch(output)  # the written file, through the loader `compile` uses
    except CodesignError as error:
        raise CodesignError(f"{output}: the written spec does not load: {error}") from None
    for choice in result.choices:
        console.print(f"chosen: {choice}", highlight=False, soft_wrap=True, markup=False)
    for item in result.not_converted:
        console.print(f"not converted: {item}", highlight=False, soft_wrap=True, markup=False)
    console.print(f"wrote {output} (spec {result.name})", highlight=False, soft_wrap=True, markup=False)
