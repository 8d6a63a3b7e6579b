"""The SNN accelerator target (kind snn_cores): events from convert-snn, costed per event."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesign.arch import load_arch
from codesign.compiler import compile_graph
from codesign.cost.snn import SynapseEvents, neuron_cost, synapse_cost
from codesign.flow import apply_passes
from codesign.frontend import load_model
from codesign.passes import make_pass
from tests.unit.test_bad_input import assert_one_line_error, run

LOIHI = load_arch("snn").compute


def converted(pipeline=(), arch="snn"):
    passes = [make_pass(name, options) for name, options in pipeline] + [make_pass("convert-snn", {"timesteps": 16})]
    passed = apply_passes(load_model("digits_cnn").graph, load_arch(arch), passes, workload="digits_cnn")
    return passed.graph, passed.results["convert-snn"].summary


@pytest.fixture(scope="module")
def dense_and_pruned():
    return converted(), converted([("prune", {"sparsity": 0.6})])


def test_the_cost_model_uses_the_simulators_synaptic_operations(dense_and_pruned):
    graph, summary = dense_and_pruned[0]
    report = compile_graph(graph, load_arch("snn"))
    compute = [layer for layer in report.layers if layer.mapping and "synaptic_operations" in layer.mapping]
    assert len(compute) == 4
    for layer in compute:
        assert layer.mapping["synaptic_operations"] == summary["layers"][layer.name]["synaptic_operations"]
    first, second = compute[:2]
    assert first.energy_breakdown_J["synapses"] == pytest.approx(first.mapping["operations"] * LOIHI.multiply_accumulate_energy_J)
    assert second.energy_breakdown_J["synapses"] == pytest.approx(second.mapping["operations"] * LOIHI.synaptic_op_energy_J)
    spikes = sum(layer.mapping["spikes"] for layer in report.layers if layer.mapping and "spikes" in layer.mapping)
    routing = sum(layer.energy_breakdown_J["routing"] for layer in report.layers)
    assert routing == pytest.approx(spikes * LOIHI.hops_per_spike * LOIHI.spike_hop_energy_J)


def test_pruning_pays_only_where_the_format_skips_zeros(dense_and_pruned):
    (dense, _), (pruned, _) = dense_and_pruned
    synapses = {}
    for arch in ("snn", "snn_odin"):  # run_length, dense
        synapses[arch] = [sum(layer.energy_breakdown_J["synapses"] for layer in compile_graph(graph, load_arch(arch)).layers)
                          for graph in (dense, pruned)]
    assert synapses["snn"][1] < 0.7 * synapses["snn"][0]
    # dense format: every stored weight is accumulated; pruning changes only the spike rates
    assert synapses["snn_odin"][1] > 0.7 * synapses["snn_odin"][0]


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 1e6), st.floats(0, 1e6), st.integers(1, 8), st.booleans(),
       st.sampled_from(["dense", "bitmap", "run_length"]), st.floats(0, 1))
def test_fewer_events_or_bits_never_cost_more(effective, extra, bits, analog, format_, fraction):
    cores = LOIHI.model_copy(update={"synapse_format": format_, "synapse_read_energy_J_per_bit": 1e-13})
    full = SynapseEvents(effective, effective + extra, analog, bits)
    pruned = SynapseEvents(effective * fraction, effective * fraction + extra, analog, bits)
    narrower = SynapseEvents(effective, effective + extra, analog, max(1, bits - 1))
    energy = lambda events: sum(synapse_cost(events, cores).breakdown_J.values())  # noqa: E731
    assert energy(pruned) <= energy(full) + 1e-18 and energy(narrower) <= energy(full) + 1e-18
    assert synapse_cost(pruned, cores).operations <= synapse_cost(full, cores).operations
    more, fewer = (sum(neuron_cost(1000, 16, spikes, cores).breakdown_J.values()) for spikes in (2000.0, 1000.0))
    assert fewer < more


def test_an_unconverted_graph_is_a_one_line_error(capsys):
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", "snn")
    assert_one_line_error(code, err, "run -p convert-snn first")


def test_the_report_schema_and_pass_summary(capsys, tmp_path):
    code, _, err = run(capsys, "compile", "digits_cnn", "--arch", "snn_odin", "-p", "convert-snn{timesteps=16}",
                       "--json", str(tmp_path / "r.json"))
    assert code == 0, err
    document = json.loads((tmp_path / "r.json").read_text())
    summary = document["passes"]["convert-snn"]
    assert {"accuracy", "ann_accuracy", "timesteps", "layers", "neurons"} <= set(summary)
    assert document["total"]["energy_J"] > 0 and document["total"]["area_m2"] == pytest.approx(0.086e-6)


def test_an_snn_spec_without_neurons_is_refused(capsys, tmp_path):
    spec = tmp_path / "no_neurons.yaml"
    spec.write_text("name: x\ndescription: x\ntechnology_node_m: 14e-9\nclock_frequency_Hz: 1e8\n"
                    "dataflow: no_local_reuse\nhierarchy:\n  - ref: components/lpddr4_dram.yaml\n"
                    "  - {kind: snn_cores, name: c, cores: 1, neurons_per_core: 0, synapse_memory_bits_per_core: 8,"
                    " weight_bits: 8, synaptic_op_energy_J: 1e-12, multiply_accumulate_energy_J: 1e-12,"
                    " neuron_update_energy_J: 1e-12, spike_hop_energy_J: 1e-12, hops_per_spike: 1, core_area_m2: 1e-6}\n")
    code, _, err = run(capsys, "arch", "show", str(spec))
    assert_one_line_error(code, err, "neurons_per_core")


@pytest.mark.parametrize("arch", ["snn", "snn_odin"])
def test_every_layers_numbers_add_up(dense_and_pruned, arch):
    graph = dense_and_pruned[0][0]
    report = compile_graph(graph, load_arch(arch))
    clock = report.clock_frequency_Hz
    for layer in report.layers:
        assert sum(layer.energy_by_tensor_J.values()) == pytest.approx(layer.energy_J, rel=1e-9)
        assert sum(layer.energy_breakdown_J.values()) == pytest.approx(layer.energy_J, rel=1e-9)
        assert layer.cycles == int(layer.cycles) >= 1 and layer.latency_s == layer.cycles / clock
        assert "mac" not in layer.energy_breakdown_J
