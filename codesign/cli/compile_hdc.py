"""`codesign compile --workload hdc:D=..`: the HDC workload scheduled on one FeFET macro, its
references (an A100; simba with the search on the A100) and, with --accuracy, its top-1."""

from __future__ import annotations

from pathlib import Path

from codesign.cli.app import _progress, console, print_spec_warnings


def compile_hdc(text: str, arch_spec: str, json_path: Path | None, output_format: str, all_ops: bool,
                measure_accuracy: bool, objective: str = "edp", plot_directory: Path | None = None) -> None:
    """The schedule (per-query table, split, one query and the batch), the references and accuracy."""
    from codesign.arch import load_arch
    from codesign.neurosymbolic.schedule import schedule_hdc
    from codesign.neurosymbolic.workload import parse_hdc_workload
    from codesign.report.compile import compile_json
    from codesign.report.neurosymbolic import schedule_json, schedule_lines
    from codesign.report.output import write_json
    from codesign.cli.compile import _print_report

    arch = load_arch(arch_spec)
    print_spec_warnings(arch, arch_spec)
    with console.status("importing the digits CNN"):
        workload = parse_hdc_workload(text)
    with _progress(f"scheduling {workload.label} on {arch.name}: splits", None) as update:
        schedule = schedule_hdc(workload, arch, workload.batch, objective,
                                on_split=lambda done, total: update("", done, total))
    _print_report(schedule.report, output_format, all_ops)
    for line in schedule_lines(schedule):
        console.print(line, highlight=False, soft_wrap=True)
    document = compile_json(schedule.report) | {"neurosymbolic": schedule_json(schedule)}
    document["references"] = _report_references(workload, schedule)
    if plot_directory is not None:
        _plot(schedule, document["references"], workload, plot_directory, all_ops)
    if measure_accuracy:
        document["accuracy"] = _report_accuracy(workload, arch)
    if json_path is not None:
        write_json(json_path, document)
        console.print(f"wrote {json_path}")


def _report_references(workload, schedule) -> list[dict]:
    from codesign.arch import load_arch
    from codesign.neurosymbolic.references import gpu_reference, simba_gpu_reference
    from codesign.report.neurosymbolic import reference_rows, reference_table

    with console.status("costing the references (A100; simba + A100)"):
        references = [gpu_reference(workload, workload.batch),
                      simba_gpu_reference(workload, load_arch("simba"), workload.batch)]
    rows = reference_rows(schedule, references)
    console.print(reference_table(rows, workload.batch))
    return rows


def _plot(schedule, rows: list[dict], workload, directory: Path, all_ops: bool) -> None:
    from codesign.report.plots import plot_compile
    from codesign.report.plots_neurosymbolic import plot_references

    title = f"{workload.label} on {schedule.arch} ({schedule.mac.arrays} MAC / {schedule.search.arrays} search arrays)"
    paths = plot_compile(schedule.report, directory, all_ops=all_ops)
    paths += plot_references(rows, workload.batch, title, directory)
    for path in paths:
        console.print(f"wrote {path}")


def _report_accuracy(workload, arch) -> dict:
    from dataclasses import asdict

    from codesign.accuracy import labelled_test_set
    from codesign.neurosymbolic import measure_hdc

    data = labelled_test_set(workload.model)
    with console.status(f"measuring accuracy on {len(data.labels)} test images"):
        measured = measure_hdc(workload, arch, data)
    console.print(f"top-1 accuracy on {len(data.labels)} test images: float32 {measured.float32:.2%}; at "
                  f"{arch.name}'s precision {measured.at_precision:.2%}; with the search's read-back errors "
                  f"{measured.with_search_errors:.2%} (per-tile error probability "
                  f"{max(measured.search_error_probabilities):.2g})", highlight=False, soft_wrap=True)
    return asdict(measured) | {"test_images": len(data.labels)}
