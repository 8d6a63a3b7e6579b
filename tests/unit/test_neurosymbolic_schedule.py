"""The HDC workload scheduled on one FeFET macro (codesign/neurosymbolic/schedule.py): the split,
residency and writes, single-query and batch cost, and the design-space points built on it."""

import json

import pytest
from pydantic import ValidationError

from codesign.arch import load_arch
from codesign.arch.cim import FefetArrayConfig
from codesign.errors import CodesignError
from codesign.neurosymbolic import digits_hdc
from codesign.neurosymbolic.schedule import schedule_hdc


@pytest.fixture(scope="module")
def workload():
    return digits_hdc(256, batch=100)


def macro(arrays: int, search_arrays: int | None = None, **fields):
    """fefet_1f1c with `arrays` arrays (and a split, when given)."""
    arch = load_arch("fefet_1f1c")
    config = FefetArrayConfig.model_validate(arch.compute.model_dump() | fields |
                                             {"arrays": arrays, "search_arrays": search_arrays})
    return arch.model_copy(update={"hierarchy": (*arch.hierarchy[:-1], config)})


def test_the_split_never_gives_the_halves_more_arrays_than_the_macro_has(workload):
    for arrays in (2, 3, 8, 64):
        for search_arrays in (None, 1, arrays - 1):
            schedule = schedule_hdc(workload, macro(arrays, search_arrays), batch=10)
            assert schedule.mac.arrays + schedule.search.arrays == arrays
            assert schedule.mac.arrays >= 1 and schedule.search.arrays >= 1
            if search_arrays is not None:
                assert schedule.search.arrays == search_arrays and schedule.split_source == "spec"


@pytest.mark.parametrize("objective", ["latency", "edp"])
def test_more_arrays_never_make_the_workload_slower(workload, objective):
    fixed = [schedule_hdc(workload, macro(arrays, 1), objective=objective) for arrays in (2, 4, 8, 16, 32, 64)]
    for fewer, more in zip(fixed, fixed[1:]):
        assert more.single_query.latency_s <= fewer.single_query.latency_s
        assert more.batch_totals.latency_s <= fewer.batch_totals.latency_s
    if objective == "latency":  # the best split of a bigger macro is at least as fast
        chosen = [schedule_hdc(workload, macro(arrays), objective="latency") for arrays in (2, 4, 16, 64)]
        per_query = [schedule.per_query_in_batch.latency_s for schedule in chosen]
        assert per_query == sorted(per_query, reverse=True)


def test_a_half_that_does_not_fit_is_rewritten_every_batch(workload):
    schedule = schedule_hdc(workload, macro(4, 1), batch=100)  # 11+ MAC tiles on 3 arrays
    mac = schedule.mac
    assert not mac.resident and schedule.search.resident
    config = load_arch("fefet_1f1c").compute
    assert mac.program.energy_breakdown_J["write"] == pytest.approx(mac.program.cells * config.write_energy_per_cell_J)
    writes = [layer for layer in schedule.report.layers if layer.op == "ArrayWrite"]
    assert len(writes) == 1 and writes[0].energy_J == pytest.approx(mac.program.energy_J)
    query_J = sum(layer.energy_J for layer in schedule.report.layers if layer.op != "ArrayWrite")
    query_s = sum(layer.latency_s for layer in schedule.report.layers if layer.op != "ArrayWrite")
    assert schedule.batch_totals.energy_J == pytest.approx(100 * query_J + mac.program.energy_J)
    assert schedule.batch_totals.latency_s == pytest.approx(100 * query_s + mac.program.latency_s, rel=1e-9)
    assert schedule.single_query.energy_J == pytest.approx(schedule.report.energy_J)
    assert schedule.load.cells == schedule.search.program.cells  # only the resident half is loaded once


def test_resident_halves_are_written_once_and_pipeline(workload):
    schedule = schedule_hdc(workload, macro(64, 8), batch=100)
    assert schedule.mac.resident and schedule.search.resident
    assert not [layer for layer in schedule.report.layers if layer.op == "ArrayWrite"]
    # Cells: every weight in ceil(8 / 2) slices for the CNN's layers, one 2-bit cell per +-1 of the encoder,
    # copies on spare arrays on top; the prototypes take 2 cells per bit.
    graph = workload.mac_graph
    weights = sum(node.weight.type.elements * (1 if node.name == "hdc_encoder" else 4) for node in graph.compute_nodes)
    assert schedule.mac.program.cells >= weights and schedule.mac.program.dram_bytes == weights * 2 / 8
    assert schedule.search.program.cells == 2 * 256 * 10
    stages = [layer.latency_s for layer in schedule.report.layers]
    assert schedule.batch_totals.latency_s == pytest.approx(100 * max(stages) + sum(stages) - max(stages))
    assert schedule.batch_totals.energy_J == pytest.approx(100 * schedule.single_query.energy_J)
    dram_weights = [layer for layer in schedule.report.layers if layer.op in ("Conv", "Gemm", "MatMul")]
    assert all(layer.energy_by_tensor_J.get("weight", 0.0) == pytest.approx(0.0, abs=1e-18) for layer in dram_weights)


def test_spare_arrays_copy_weights_and_shorten_the_front_end(workload):
    tight, roomy = schedule_hdc(workload, macro(16, 1)), schedule_hdc(workload, macro(64, 1))
    assert tight.mac.resident and roomy.mac.resident
    assert roomy.single_query.latency_s < tight.single_query.latency_s
    assert roomy.single_query.energy_J == pytest.approx(tight.single_query.energy_J)  # the same column cycles
    assert roomy.mac.program.cells > tight.mac.program.cells


def test_a_split_without_mac_or_search_arrays_is_refused_naming_the_field():
    with pytest.raises(ValidationError, match="leaves none for the MAC half"):
        macro(8, 8)
    with pytest.raises(ValidationError, match="search_arrays"):
        macro(8, 0)


def test_bad_input_is_one_line_errors(workload):
    with pytest.raises(CodesignError, match="take 1024 array tiles") as raised:
        schedule_hdc(digits_hdc(65536), load_arch("fefet_1f1c"))
    assert "\n" not in str(raised.value)
    with pytest.raises(CodesignError, match="batch must be at least 1"):
        schedule_hdc(workload, load_arch("fefet_1f1c"), batch=0)
    with pytest.raises(CodesignError, match="at least 2"):
        schedule_hdc(workload, macro(1))
    with pytest.raises(CodesignError, match="fefet_1f1c"):
        schedule_hdc(workload, load_arch("simba"))


def test_a_design_space_over_arrays_and_split(tmp_path):
    from codesign.dse.evaluate import evaluate_point
    from codesign.dse.space import load_space

    space_file = tmp_path / "space.yaml"
    space_file.write_text(
        f"name: tiny\ndescription: two macros, two splits\nbase: {load_arch('fefet_1f1c').name}\n"
        "parameters:\n  - path: [hierarchy, fefet_1f1c, arrays]\n    values: [8, 64]\n"
        "  - path: [hierarchy, fefet_1f1c, search_arrays]\n    values: [1, 8]\n"
        "workloads: ['hdc:D=256,batch=10']\nobjectives: [energy, latency]\n")
    space = load_space(space_file)
    results = {(arrays, split): evaluate_point({"parameters": {"hierarchy.fefet_1f1c.arrays": arrays,
                                                               "hierarchy.fefet_1f1c.search_arrays": split},
                                                "workload": "hdc:D=256,batch=10"}, space_file, space)
               for arrays in (8, 64) for split in (1, 8)}
    assert results[(8, 8)]["status"] == "infeasible" and "search_arrays" in results[(8, 8)]["error"]
    ok = results[(64, 8)]
    assert ok["status"] == "ok" and ok["metrics"]["search_arrays"] == 8 and ok["metrics"]["mac_arrays"] == 56
    assert ok["metrics"]["gpu_energy_ratio"] > 1 and "accuracy" not in ok["metrics"]
    assert ok["metrics"]["gpu_on_chip_energy_ratio"] > ok["metrics"]["gpu_energy_ratio"]  # DRAM weighs on the macro
    assert results[(64, 1)]["metrics"]["latency_s"] <= results[(8, 1)]["metrics"]["latency_s"]


def test_the_shipped_space_loads():
    from pathlib import Path

    from codesign.dse.space import load_space

    space = load_space(Path("arch_specs/spaces/fefet_neurosymbolic.yaml"))
    assert space.needs_accuracy and space.workloads == ["hdc:D=512,batch=1000"]


def test_compile_reports_the_split_the_batch_and_the_references(capsys, tmp_path):
    from codesign.cli import main

    path = tmp_path / "hdc.json"
    assert main(["compile", "--workload", "hdc:D=256,batch=50", "--arch", "fefet_1f1c", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "split: " in out and "batch of 50" in out and "A100" in out and "simba+A100" in out
    document = json.loads(path.read_text())
    block = document["neurosymbolic"]
    assert block["split"]["mac_arrays"] + block["split"]["search_arrays"] == 64
    assert block["batch"]["queries"] == 50 and block["single_query"]["latency_s"] == pytest.approx(
        document["total"]["latency_s"])
    assert [row["design"] for row in document["references"]][1:] == ["A100", "simba+A100"]
    assert document["layers"][-2]["op"] == "MatMul"  # the encoder, then the search


def test_compile_plots_the_layers_and_the_references(tmp_path):
    from codesign.cli import main

    assert main(["compile", "--workload", "hdc:D=128,batch=10", "--arch", "fefet_1f1c", "--plot", str(tmp_path)]) == 0
    for name in ("references", "energy_by_level", "latency"):
        assert (tmp_path / f"{name}.png").stat().st_size > 0 and (tmp_path / f"{name}.pdf").stat().st_size > 0


@pytest.mark.parametrize("argv, fragment", [
    (["--workload", "hdc:D=256", "--arch", "fefet_1f1c", "-p", "set-precision{bits=4}"], "--passes applies only"),
    (["--workload", "hdc:D=256,batch=0", "--arch", "fefet_1f1c"], "batch must be between 1 and"),
    (["--workload", "hdc:D=65536", "--arch", "fefet_1f1c"], "use fewer dimensions"),
    (["--workload", "search:N=8,D=8,Q=8", "--arch", "fefet_1f1c", "--accuracy"], "--plot and --accuracy apply"),
])
def test_compile_workload_bad_input(capsys, argv, fragment):
    from tests.unit.test_bad_input import assert_one_line_error, run

    assert_one_line_error(*run(capsys, "compile", *argv)[::2], fragment)
