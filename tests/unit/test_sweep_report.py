"""`codesign sweep report`: the Pareto table, engineering units, readable names, and plots that
keep infeasible points and skip one-value parameters."""

import csv

import pytest

from codesign.cli import main
from codesign.dse.plots import pareto_figure, sensitivity_figure
from codesign.dse.report import infeasible_reason, pareto_table, readable_names, unit_scale

# Three points, one infeasible (a buffer of 0 bytes: the spec rejects it before any mapping);
# the PE array width takes one value, so the sensitivity plot shows the buffer alone.
ONE_INFEASIBLE = """name: tiny
description: digits_cnn on simba, global buffer size, one infeasible
base: simba
parameters:
  - path: [hierarchy, pe_array, axes, x, size]
    values: [4]
  - path: [hierarchy, global_buffer, capacity_bytes]
    values: [0, 2048, 65536]
workloads: [digits_cnn]
objectives: [energy, latency]
strategy: {kind: grid}
"""


def test_report_prints_the_pareto_table_and_counts_infeasible_points(capsys, tmp_path):
    space, output = tmp_path / "tiny.yaml", tmp_path / "out"
    space.write_text(ONE_INFEASIBLE)
    assert main(["sweep", str(space), "-o", str(output), "--workers", "2"]) == 0
    capsys.readouterr()
    assert main(["sweep", "report", str(output)]) == 0
    printed = capsys.readouterr().out
    with open(output / "pareto.csv") as stream:
        front = list(csv.DictReader(stream))
    assert front and all(row["status"] == "ok" for row in front)
    header = next(line for line in printed.splitlines() if "global_buffer capacity" in line)
    assert "pe_array x size" in header and "energy (µJ)" in header and "latency (µs)" in header
    table_lines = [line for line in printed.splitlines() if "KiB" in line]
    shown = {f"{int(row['hierarchy.global_buffer.capacity_bytes']) // 1024} KiB" for row in front}
    assert len(table_lines) == len(front)  # exactly the front members, one row each
    assert {next(cell for cell in shown if cell in line) for line in table_lines} == shown
    energies = [float(line.split("│")[-3]) for line in table_lines]
    assert energies == sorted(energies)  # sorted by the first objective
    assert "3 points: 2 ok, 1 infeasible" in printed
    assert "infeasible: capacity_bytes must be > 0: 1" in printed
    for name in ("pareto_digits_cnn", "sensitivity_digits_cnn"):
        assert (output / f"{name}.png").stat().st_size > 10_000 and (output / f"{name}.pdf").exists()


def test_unit_scale_picks_the_prefix_from_the_largest_value():
    assert unit_scale([2e-4, 3.5e-3], "J") == (1e-3, "mJ")
    assert unit_scale([3e-6, 2e-5, None], "J") == (1e-6, "µJ")
    assert unit_scale([1.8e-3, 4e-3], "s") == (1e-3, "ms")
    assert unit_scale([2.5], "s") == (1.0, "s")
    assert unit_scale([3.9e-7, 1.2e-4], "m²") == (1e-6, "mm²")  # chips read in mm², even below 1 mm²
    assert unit_scale([], "J")[1].endswith("J")


def test_readable_names_take_the_last_part_unless_ambiguous():
    names = readable_names(["hierarchy.global_buffer.capacity_bytes", "hierarchy.pe_array.axes.x.size",
                            "passes['set-precision'].weights"])
    assert list(names.values()) == ["global_buffer capacity", "pe_array x size", "set-precision weights"]
    clashing = readable_names(["hierarchy.a.b.capacity_bytes", "hierarchy.c.b.capacity_bytes"])
    assert len(set(clashing.values())) == 2 and all(name.endswith("b capacity") for name in clashing.values())


def _rows():
    rows = [{"workload": "w", "x": 4, "size": size, "status": "ok", "energy_J": energy, "latency_s": latency,
             "edp_Js": energy * latency, "area_m2": 1e-6, "error": None}
            for size, energy, latency in [(1024, 3e-3, 2e-3), (2048, 2e-3, 3e-3), (4096, 2.5e-3, 3.5e-3)]]
    rows.append({"workload": "w", "x": 4, "size": 0, "status": "infeasible", "energy_J": None,
                 "latency_s": None, "edp_Js": None, "area_m2": None,
                 "error": "/a/simba.yaml: hierarchy[1].capacity_bytes: must be > 0 (got 0)"})
    return rows


def test_pareto_table_lists_the_front_sorted_by_the_first_objective():
    rows = _rows()
    table = pareto_table(rows[:2], ["x", "size"], ["energy", "latency"])
    assert table.header == ("x", "size", "energy (mJ)", "latency (ms)")
    assert table.rows == (("4", "2048", "2.00", "3.00"), ("4", "1024", "3.00", "2.00"))


def test_sensitivity_plot_skips_one_value_parameters_and_picks_linear_or_log_axes():
    figure = sensitivity_figure(_rows(), ["x", "size"], ["energy", "latency"], "w on simba")
    assert len(figure.axes) == 2  # two objectives x one varied parameter (x takes one value)
    assert all(axes.get_xscale() == "linear" for axes in figure.axes)  # 0 .. 4 KiB
    assert "one value, not shown: x" in figure._suptitle.get_text()
    narrow = [row for row in _rows() if row["status"] == "ok"]
    figure = sensitivity_figure(narrow, ["size"], ["energy"], "w")
    assert figure.axes[0].get_xscale() == "linear"  # 1 KiB..4 KiB: less than a decade
    wide = [{**row, "size": row["size"] * 8 ** index} for index, row in enumerate(narrow)]
    assert sensitivity_figure(wide, ["size"], ["energy"], "w").axes[0].get_xscale() == "log"
    zero = [*wide, {**_rows()[-1]}]  # 0 beside 1 KiB .. 256 KiB: log, with a linear stretch around 0
    assert sensitivity_figure(zero, ["size"], ["energy"], "w").axes[0].get_xscale() == "symlog"


def test_infeasible_points_are_drawn_in_grey_and_counted_in_the_legend():
    rows = _rows()
    figure = pareto_figure(rows, rows[:2], ["x", "size"], "w on simba")
    axes = figure.axes[0]
    labels = [text.get_text() for text in axes.get_legend().get_texts()]
    assert "infeasible: capacity_bytes must be > 0 (1)" in labels
    assert "feasible designs (3)" in labels
    assert axes.get_xlabel() == "latency (ms)" and axes.get_ylabel() == "energy (mJ)"
    assert "4 designs, 1 infeasible" in axes.get_title(loc="left")
    grey = [collection for collection in axes.collections
            if collection.get_label().startswith("infeasible")]
    assert grey and sum(len(collection.get_offsets()) for collection in grey) == 1


@pytest.mark.parametrize("error, reason", [
    ("area_m2=1e-06 exceeds constraints.area_budget_m2=1e-09", "over area budget"),
    ("accuracy_loss=0.1 exceeds constraints.accuracy_loss_budget=0.02", "over accuracy loss budget"),
    (None, "no reason stored"),
])
def test_infeasible_reasons_group_alike_points(error, reason):
    assert infeasible_reason(error) == reason
