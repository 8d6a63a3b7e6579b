"""Plots fit for a paper: a PDF beside every PNG, every layer bar named as the compile table
names it, titles that say model and arch, fused groups that neighbours can tell apart."""

import pytest
from matplotlib.colors import to_hex

import codesign
from codesign.fusion.groups import GroupCost
from codesign.fusion.schedule import Schedule
from codesign.fusion.summary import FusionSummary
from codesign.report.compile import table_rows
from codesign.report.plots import (
    energy_by_level_figure,
    energy_by_tensor_figure,
    latency_figure,
    plot_compile,
    save_both,
)
from codesign.report.plots_fusion import UNFUSED_COLOR, group_colors, groups_figure

FIGURES = (energy_by_level_figure, latency_figure, energy_by_tensor_figure)


@pytest.fixture(scope="module")
def report():
    graph = codesign.load_model("digits_cnn").graph
    return codesign.compile_graph(graph, codesign.load_arch("eyeriss"), model_name="digits_cnn", workers=1)


def tick_labels(figure) -> list[str]:
    return [label.get_text() for label in figure.axes[0].get_xticklabels()]


def test_every_compile_plot_has_a_pdf_beside_its_png(report, tmp_path):
    paths = plot_compile(report, tmp_path)
    pngs = [path for path in paths if path.suffix == ".png"]
    assert len(pngs) == 3 and sorted(paths) == sorted([*pngs, *(png.with_suffix(".pdf") for png in pngs)])
    assert all(png.with_suffix(".pdf").read_bytes().startswith(b"%PDF") for png in pngs)
    assert sorted(tmp_path.iterdir()) == sorted(paths)


def test_every_bar_is_named_as_the_compile_table_names_its_row(report):
    rows = [(name, row) for name, row, _ in table_rows(report)]
    expected = [f"{number} {name}" for number, (name, _) in enumerate(rows, 1)]
    assert expected[:2] == ["1 0.Conv", "2 2.Conv"]
    for draw in FIGURES:
        figure = draw(report, rows)
        assert tick_labels(figure) == expected
        assert figure.axes[0].get_title(loc="left").startswith("digits_cnn on eyeriss: ")


def test_the_dse_plots_save_with_the_same_helper():
    from codesign.dse import plots

    assert plots.save_both is save_both


def group(units: tuple[str, ...], energy_J: float = 1e-6) -> GroupCost:
    return GroupCost(units=units, energy_J=energy_J, cycles=100.0, dram_words=10.0, tiles=1, weights_resident=True,
                     fits=True, working_set_words=1.0)


def fusion_summary(sizes: list[int]) -> FusionSummary:
    names = [f"/block{index // 2}/conv{index % 2}/Conv" for index in range(sum(sizes))]
    chosen, start = [], 0
    for size in sizes:
        chosen.append(group(tuple(names[start:start + size]), size * 0.9e-6))
        start += size
    baseline = Schedule(tuple(names), tuple(group((name,)) for name in names))
    return FusionSummary(Schedule(tuple(names), tuple(chosen)), baseline, clock_Hz=200e6, dram_word_bytes=2.0)


@pytest.mark.parametrize("sizes", [[2] * 20, [2, 1, 3, 1, 1, 2, 2, 4, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2]])
def test_neighbouring_fused_groups_never_share_a_colour(sizes):
    colors = group_colors(sizes)
    assert [color == UNFUSED_COLOR for color in colors] == [size == 1 for size in sizes]
    fused = [color for color, size in zip(colors, sizes) if size > 1]
    assert all(first != second for first, second in zip(fused, fused[1:]))


def test_the_fusion_groups_plot_names_and_colours_each_group():
    sizes = [2, 1, 3, 2, 1, 2]
    figure = groups_figure(fusion_summary(sizes), "tinynet on eyeriss")
    axes = figure.axes[0]
    bar_colors = [to_hex(bar.get_facecolor()) for bar in axes.patches]
    first_bars = [sum(sizes[:index]) for index in range(len(sizes))]
    for index in range(len(sizes) - 1):  # the last bar of a group against the first of the next
        assert bar_colors[first_bars[index + 1] - 1] != bar_colors[first_bars[index + 1]]
    assert [text.get_text() for text in axes.texts] == ["G1", "G2", "G3", "G4"]
    assert tick_labels(figure)[:3] == ["1 block0.conv0", "2 block0.conv1", "3 block1.conv0"]
    assert axes.get_title(loc="left").startswith("tinynet on eyeriss: 4 fused groups")


def test_the_spice_plots_write_png_and_pdf(tmp_path):
    from codesign.cosim.plots import plot_codes, plot_transfer

    sweep = [{"active_rows": rows, "code": rows, "ideal_code": rows, "code_of_current": rows} for rows in range(3)]
    paths = plot_codes({"arch": "crossbar", "rows": 2, "adc_bits": 2, "converter": "8-bit SAR", "sweep": sweep},
                       tmp_path)
    transfer = [{"sum": total, "spice_V": 0.01 * total, "model_V": 0.01 * total} for total in range(3)]
    paths += plot_transfer({"circuit": "fefet column", "arch": "fefet_1f1c", "rows": 2, "transfer": transfer},
                           tmp_path, "sum", "sum(w·x) (count)", "output voltage (mV)", "transfer.png")
    assert [path.name for path in paths] == ["crossbar_codes.png", "crossbar_codes.pdf", "transfer.png",
                                             "transfer.pdf"]
