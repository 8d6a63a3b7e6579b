"""`codesign compile`'s output anywhere (issue 18, item 1): short unique layer names, CSV and
Markdown, epilogues folded into their layer, no truncation when piped, progress lines on stderr."""

import csv
import importlib
import io
import json
import time

import pytest
from rich.console import Console

from codesign.cli import main
from codesign.cost.result import CompileReport, LayerCost, MapperStats
from codesign.frontend import load_model
from codesign.report.compile import (
    CSV_COLUMNS,
    compile_csv,
    compile_json,
    compile_markdown,
    compile_table,
    table_rows,
)
from codesign.report.names import display_names, short_name

app_module = importlib.import_module("codesign.cli.app")  # the module: codesign.cli.app is the click group

CLOCK_HZ = 200e6


def cost(name, op, macs=0, cycles=100.0, dram=1000.0, energy=1e-9, producer=None) -> LayerCost:
    return LayerCost(name=name, op=op, macs=macs, energy_J=energy, latency_s=cycles / CLOCK_HZ, cycles=cycles,
                     utilization=macs / (cycles * 512) if macs else 0.0, dram_bytes=dram,
                     energy_breakdown_J={"dram": 0.75 * energy, "mac": 0.25 * energy},
                     mapping={"epilogue_of": producer} if producer else ({"tiles": {"K": 4}} if macs else None),
                     bits={"weight": 8, "input": 8, "output": 8} if macs else None)


LONG = "/features/features.13/block/block.2/very_long_module_name_for_testing/squeeze_excitation_block"


def epilogue_report() -> CompileReport:
    layers = (
        cost("/features/features.0/features.0.0/Conv", "Conv", 1_000_000, 12_000, 3e5, 4e-6),
        cost("/features/features.0/features.0.2/HardSwish", "HardSwish", cycles=3, dram=0.0, energy=2e-9,
             producer="/features/features.0/features.0.0/Conv"),
        cost("/features/features.1/block/block.0/block.0.0/Conv", "Conv", 500_000, 8_000, 2e5, 3e-6),
        cost("/features/features.1/shortcut/Conv", "Conv", 100_000, 2_000, 1e5, 1e-6),
        cost("/features/features.1/Add", "Add", cycles=0, dram=5e4, energy=1e-7,
             producer="/features/features.1/shortcut/Conv"),
        cost("/features/features.1/Relu", "Relu", cycles=0, dram=0.0, energy=1e-10,
             producer="/features/features.1/shortcut/Conv"),
        cost("/features/features.2/MaxPool", "MaxPool", cycles=500, dram=4e4, energy=5e-8),
        cost(f"{LONG}/Conv", "Conv", 200_000, 4_000, 4e5, 2e-6),
    )
    return CompileReport(model="tinynet", arch="eyeriss", objective="edp", clock_frequency_Hz=CLOCK_HZ,
                         layers=layers, mapper=MapperStats(mappings_evaluated=1234, seconds=1.5))


@pytest.mark.parametrize("model", ["mobilenet_v3_large", "resnet50"])
def test_display_names_are_unique_and_short(model):
    nodes = [node for node in load_model(model).graph.nodes if not node.op.is_zero_cost]
    names = display_names([node.name for node in nodes], [node.op.value for node in nodes])
    assert len(set(names)) == len(names) == len(nodes)
    assert max(len(name) for name in names) <= 40
    assert all("/" not in name for name in names)
    full = {node.name: shown for node, shown in zip(nodes, names)}
    assert full.get("/features/features.3/branch/branch.0/branch.0.0/Conv",
                    full.get("/features/features.3/block/block.0/block.0.0/Conv", "")).startswith("features.3.b")


def test_display_name_rules():
    assert short_name("/features/features.3/conv/conv.1/Conv") == "features.3.conv.1"
    assert display_names(["/a/Mul", "/a/GlobalAveragePool", "/a/b/Conv"]) == ["a.Mul", "a.GlobalAveragePool", "a.b"]
    assert display_names(["/f/f.1/Add", "/f/f.1/block/Conv"]) == ["f.1.Add", "f.1.block"]  # a block's own op
    assert display_names(["/0/Conv", "conv1", "Conv_0"]) == ["0.Conv", "conv1", "Conv_0"]
    assert display_names(["/x/Relu", "/x/Relu"]) == ["x.Relu#1", "x.Relu#2"]  # even the op repeats: an index


def test_json_keeps_full_names_and_adds_display_names():
    report = epilogue_report()
    layers = compile_json(report)["layers"]
    assert [entry["name"] for entry in layers] == [layer.name for layer in report.layers]
    assert layers[0]["display_name"] == "features.0.0"
    assert len({entry["display_name"] for entry in layers}) == len(layers)


def test_epilogues_fold_into_their_producer_and_totals_do_not_change():
    report = epilogue_report()
    folded, every = table_rows(report), table_rows(report, all_ops=True)
    assert len(every) == len(report.layers) and len(folded) == len(report.layers) - 3
    for key in ("energy_J", "latency_s", "cycles", "dram_bytes", "macs"):
        assert sum(getattr(row, key) for _, row, _ in folded) == pytest.approx(getattr(report, key))
        assert sum(getattr(row, key) for _, row, _ in every) == pytest.approx(getattr(report, key))
    shortcut = next(row for name, row, _ in folded if name == "features.1.shortcut")
    assert shortcut.op == "Conv+add+relu"
    assert shortcut.energy_J == pytest.approx(1e-6 + 1e-7 + 1e-10)
    assert shortcut.dram_bytes == pytest.approx(1e5 + 5e4)
    first = folded[0][1]
    assert first.op == "Conv+hardswish" and first.cycles == 12_003
    assert first.utilization == pytest.approx(1_000_000 / (12_003 * 512))
    tables = []
    for all_ops in (False, True):
        console = Console(record=True, width=300)
        console.print(compile_table(report, all_ops))
        tables.append(console.export_text())
    total_lines = [[line for line in text.splitlines() if "total" in line][0] for text in tables]
    cells = [[cell.strip() for cell in line.split("│")[4:]] for line in total_lines]
    assert cells[0] == cells[1]  # the same totals either way
    assert "HardSwish" in tables[1] and "Conv+hardswish" in tables[0]


@pytest.mark.parametrize("all_ops", [False, True])
def test_csv_round_trips_to_the_json_numbers(all_ops):
    report = epilogue_report()
    document = compile_json(report)
    rows = list(csv.DictReader(io.StringIO(compile_csv(report, all_ops))))
    assert tuple(rows[0]) == CSV_COLUMNS
    *layers, total = rows
    assert total["layer"] == "total"
    for key in ("energy_J", "latency_s", "cycles", "dram_bytes", "edp_Js", "utilization"):
        assert float(total[key]) == document["total"][key]
    assert int(total["macs"]) == document["total"]["macs"]
    if all_ops:
        assert len(layers) == len(document["layers"])
        for row, entry in zip(layers, document["layers"]):
            assert row["name"] == entry["name"] and row["layer"] == entry["display_name"]
            for key in ("energy_J", "latency_s", "cycles", "dram_bytes", "utilization"):
                assert float(row[key]) == entry[key]
            assert int(row["macs"]) == entry["macs"]
    else:
        by_name = {entry["name"]: entry for entry in document["layers"]}
        for row in layers:
            parts = [by_name[row["name"]]] + [by_name[name] for name in row["folded"].split(";") if name]
            for key in ("energy_J", "latency_s", "cycles", "dram_bytes"):
                assert float(row[key]) == pytest.approx(sum(part[key] for part in parts), rel=1e-12)
        assert sum(float(row["energy_J"]) for row in layers) == pytest.approx(document["total"]["energy_J"])


def test_markdown_is_a_pipe_table():
    report = epilogue_report()
    text = compile_markdown(report)
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(table_rows(report)) + 1  # header, alignment, rows, total
    assert len({line.count(" | ") for line in table}) == 1 and all(line.endswith(" |") for line in table)
    assert set(table[1].replace("|", "").split()) <= {":---", "---:"}
    assert "features.1.shortcut" in text and "EDP" in text and "J·s" in text and "…" not in text


def test_piped_table_is_never_truncated(capsys):
    report = epilogue_report()
    app_module.console.print(compile_table(report, all_ops=True))  # stdout is captured: not a terminal
    out = capsys.readouterr().out
    assert "…" not in out
    assert "features.13.block.2.very_long_module_name_for_testing.squeeze_excitation_block" in out
    rows = [line for line in out.splitlines() if "│" in line]
    assert len(rows) == len(report.layers) + 1  # layers and total: none wrapped
    assert sum("┃" in line for line in out.splitlines()) == 1  # the header on one line


def test_a_narrow_terminal_drops_columns_rather_than_wrapping_rows():
    report = epilogue_report()
    full = compile_table(report, width=None)
    assert [column.header for column in full.columns][-1] == "top energy"
    for width, dropped in ((200, ()), (80, ("top energy", "bits w/i/o", "op"))):
        narrow = compile_table(report, width=width)
        headers = [column.header for column in narrow.columns]
        assert all(column not in headers for column in dropped) and "energy" in headers and "layer" in headers
        buffer = io.StringIO()
        Console(file=buffer, width=width).print(narrow)
        rows = [line for line in buffer.getvalue().splitlines() if "│" in line]
        assert len(rows) == len(report.layers) - 3 + 1  # three epilogues folded, the total; none wrapped
        assert "features.0.0" in buffer.getvalue() and max(map(len, buffer.getvalue().splitlines())) <= width


def test_compile_formats_from_the_command_line(capsys, tmp_path):
    report_path = tmp_path / "report.json"
    assert main(["compile", "digits_cnn", "--arch", "simba", "--format", "csv", "--all-ops",
                 "--json", str(report_path)]) == 0
    captured = capsys.readouterr()
    document = json.loads(report_path.read_text())
    rows = list(csv.DictReader(io.StringIO(captured.out)))  # stdout holds the CSV alone
    assert [row["name"] for row in rows[:-1]] == [entry["name"] for entry in document["layers"]]
    assert float(rows[-1]["energy_J"]) == document["total"]["energy_J"]
    assert "wrote" in captured.err
    assert main(["compile", "digits_cnn", "--arch", "simba", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "| layer | op |" in out and "Conv+relu" in out
    assert main(["compile", "digits_cnn", "--arch", "simba"]) == 0
    out = capsys.readouterr().out
    assert "…" not in out and "Conv+relu" in out and "pJ·s" in out


def test_progress_lines_on_stderr_when_not_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(app_module, "PROGRESS_SECONDS", 0.05)
    with app_module._progress("compiling onto eyeriss", 0) as update:
        update("layer features.0.0", completed=3, total=54)
        time.sleep(0.3)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("compiling onto eyeriss: 3/54")]
    assert lines and lines[0].endswith(" s") and "(layer features.0.0)" in lines[0]
