"""The report side of `codesign compile`: JSON shape, terminal table and PNG plots."""

import json
import struct

import pytest
from rich.console import Console

from codesign.cost.result import CompileReport, LayerCost, MapperStats
from codesign.errors import CodesignError
from codesign.report.compile import (
    compile_json,
    compile_table,
    human_energy,
    human_time,
)
from codesign.report.names import display_names
from codesign.report.plots import plot_compile

CLOCK_HZ = 200e6
MAC_UNITS = 168
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LEVELS = ("dram", "global_buffer", "pe_array", "filter_spad", "mac")
LAYER_KEYS = {"name", "op", "macs", "energy_J", "latency_s", "cycles", "utilization", "dram_bytes",
              "energy_breakdown_J", "energy_by_tensor_J", "mapping", "bits", "display_name"}
TOTAL_KEYS = {"energy_J", "latency_s", "cycles", "edp_Js", "macs", "dram_bytes", "utilization",
              "energy_breakdown_J", "area_m2", "leakage_W", "area_by_component_m2"}


def layer(name: str, op: str, macs: int, cycles: float, dram_bytes: float) -> LayerCost:
    """A layer whose numbers agree: energy = sum of breakdown, latency = cycles / clock."""
    breakdown = {"dram": dram_bytes * 32e-12, "global_buffer": macs * 2e-12, "pe_array": macs * 0.5e-12,
                 "filter_spad": macs * 1e-12, "mac": macs * 1e-12}
    energy = sum(breakdown.values())
    by_tensor = {"weight": 0.3 * energy, "input": 0.3 * energy, "output": 0.2 * energy, "compute": 0.2 * energy}
    return LayerCost(
        name=name, op=op, macs=macs, energy_J=energy, latency_s=cycles / CLOCK_HZ, cycles=cycles,
        utilization=macs / (cycles * MAC_UNITS) if macs else 0.0, dram_bytes=dram_bytes,
        energy_breakdown_J=breakdown, energy_by_tensor_J=by_tensor,
        mapping={"loop_order": ("K", "C", "P"), "tiles": {"K": 16, "C": 4}} if macs else None,
    )


def synthetic_report(layer_count: int = 4) -> CompileReport:
    layers = [layer("/conv1/Conv", "Conv", 1_000_000, 12_000, 300_000),
              layer("/conv2/Conv", "Conv", 4_000_000, 30_000, 500_000),
              layer("/relu/Relu", "Relu", 0, 500, 20_000),
              layer("/fc/Gemm", "Gemm", 200_000, 4_000, 400_000)]
    for index in range(len(layers), layer_count):
        macs, utilization = 100_000 * (1 + index % 7), 0.2 + 0.1 * (index % 8)
        layers.append(layer(f"/layer{index // 3}/block{index % 3}/conv/Conv", "Conv",
                            macs, round(macs / (MAC_UNITS * utilization)), 50_000 * (1 + index % 3)))
    return CompileReport(model="tinynet", arch="eyeriss", objective="edp", clock_frequency_Hz=CLOCK_HZ,
                         layers=tuple(layers[:layer_count]), mapper=MapperStats(mappings_evaluated=12_345, seconds=2.5))


def test_json_has_exactly_the_documented_keys():
    document = compile_json(synthetic_report())
    assert set(document) == {"model", "arch", "objective", "clock_frequency_Hz", "mapper", "layers", "total"}
    assert set(document["mapper"]) == {"mappings_evaluated", "seconds", "mappings_per_second", "method"}
    assert document["mapper"]["mappings_per_second"] == pytest.approx(12_345 / 2.5)
    assert all(set(entry) == LAYER_KEYS for entry in document["layers"])
    assert set(document["total"]) == TOTAL_KEYS
    assert document["layers"][0]["mapping"] == {"loop_order": ["K", "C", "P"], "tiles": {"K": 16, "C": 4}}
    assert document["layers"][2]["mapping"] is None
    assert json.loads(json.dumps(document)) == document


def test_json_totals_are_sums():
    report = synthetic_report()
    document = compile_json(report)
    layers, total = document["layers"], document["total"]
    for key in ("energy_J", "latency_s", "cycles", "macs", "dram_bytes"):
        assert total[key] == pytest.approx(sum(entry[key] for entry in layers))
    assert total["edp_Js"] == pytest.approx(total["energy_J"] * total["latency_s"])
    for level in LEVELS:
        assert total["energy_breakdown_J"][level] == pytest.approx(
            sum(entry["energy_breakdown_J"][level] for entry in layers))
    assert sum(total["energy_breakdown_J"].values()) == pytest.approx(total["energy_J"])
    mapped = [entry for entry in report.layers if entry.macs]
    assert total["utilization"] == pytest.approx(
        sum(entry.macs for entry in mapped) / (sum(entry.cycles for entry in mapped) * MAC_UNITS))


def test_table_shows_every_layer_and_the_totals():
    report = synthetic_report()
    console = Console(record=True, width=160)
    console.print(compile_table(report))
    text = console.export_text()
    for entry, shown in zip(report.layers, display_names([entry.name for entry in report.layers])):
        assert shown in text  # each layer by its short display name (the JSON keeps the full one)
    assert "tinynet on eyeriss" in text and "edp" in text
    assert "total" in text and human_energy(report.energy_J) in text and human_time(report.latency_s) in text
    fully_connected = report.layers[3]
    assert f"dram {fully_connected.energy_breakdown_J['dram'] / fully_connected.energy_J:.0%}" in text


def test_engineering_units():
    assert human_energy(1.234e-6) == "1.23 µJ" and human_energy(5e-12) == "5.00 pJ"
    assert human_energy(34e-3) == "34.0 mJ" and human_energy(2500.0) == "2500 J"
    assert human_time(0.25e-3) == "250 µs" and human_time(2.0) == "2.00 s" and human_time(0) == "-"


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("layer_count", [4, 120])
def test_plots_are_written(tmp_path, layer_count):
    directory = tmp_path / "plots" / "nested"
    paths = plot_compile(synthetic_report(layer_count), directory)
    assert sorted(path.name for path in paths) == [
        f"{chart}.{suffix}" for chart in ("energy_by_level", "energy_by_tensor", "latency") for suffix in ("pdf", "png")]
    for path in (path for path in paths if path.suffix == ".png"):
        width, height = png_size(path)
        assert 800 <= width <= 3500 and 500 <= height <= 1500
    assert sorted(path.name for path in directory.iterdir()) == sorted(path.name for path in paths)


def test_plots_overwrite_by_rename(tmp_path):
    first = {path: path.stat().st_ino for path in plot_compile(synthetic_report(), tmp_path)}
    second = plot_compile(synthetic_report(5), tmp_path)
    assert set(second) == set(first)
    assert all(path.stat().st_ino != first[path] for path in second)
    assert len(list(tmp_path.iterdir())) == 6


def test_plot_directory_that_is_a_file(tmp_path):
    target = tmp_path / "plots"
    target.write_text("not a directory")
    with pytest.raises(CodesignError, match="plots: is a file"):
        plot_compile(synthetic_report(), target)
    assert target.read_text() == "not a directory"
