"""Hamming-distance search on one 1FeFET-1C column in ngspice: match line vs distance, Monte Carlo."""

import numpy
import pytest

from codesign.arch import load_arch
from codesign.cosim.fefet_search import (
    analytical_match_V,
    query_at_distance,
    search_monte_carlo,
    search_rows,
    search_sweep,
)
from codesign.cost.fefet import sense_voltage_V
from codesign.errors import CodesignError

CONFIG = load_arch("fefet_1f1c").compute


def test_rows_charge_exactly_the_mismatched_pairs():
    pattern, query = [1, 0, 1, 1], [1, 1, 0, 1]
    weights, inputs = search_rows(pattern, query)
    assert weights == [1, 0, 0, 1, 1, 0, 1, 0] and inputs == [0, 1, 0, 1, 1, 0, 0, 1]
    charged = [weight & bit for weight, bit in zip(weights, inputs)]
    assert [charged[2 * k] | charged[2 * k + 1] for k in range(4)] == [0, 1, 1, 0]  # the XOR
    assert sum(inputs) == 4  # one row of each pair driven
    query = query_at_distance(pattern, 3, numpy.random.default_rng(0))
    assert sum(a != b for a, b in zip(pattern, query)) == 3
    with pytest.raises(CodesignError, match="distance 5"):
        query_at_distance(pattern, 5, numpy.random.default_rng(0))


def test_match_line_rises_with_hamming_distance_and_matches_the_model_for_8_bits():
    distances = list(range(9))
    sweep = search_sweep(CONFIG, 8, distances)
    assert [distance for distance, _ in sweep] == distances
    voltages = numpy.array([voltage for _, voltage in sweep])
    assert numpy.all(numpy.diff(voltages) > 0.5 * analytical_match_V(CONFIG, 8, 1))
    expected = numpy.array([analytical_match_V(CONFIG, 8, distance) for distance in distances])
    # the non-ideal column (offset, gain error, uneven steps) stays within 1 LSB of the model
    assert voltages == pytest.approx(expected, abs=analytical_match_V(CONFIG, 8, 1))
    # the cost model's formula with rows = 2D, a charged cell at the top of L - 1 levels
    rows_2d = CONFIG.model_copy(update={"rows": 16})
    assert expected[3] == pytest.approx(sense_voltage_V(rows_2d, 3 * (CONFIG.levels - 1)))


def test_monte_carlo_without_variation_reads_the_distance_back():
    result = search_monte_carlo(CONFIG, 8, runs=6, predicted=1e-3, sigma_V=0.0, seed=5, method="direct")
    assert result.estimate.errors == 0 and result.estimate.error_rate == 0.0 and result.estimate.runs == 6
    assert not result.estimate.resolvable  # 0 errors in 6 runs cannot show a 1e-3 rate


def test_monte_carlo_is_seeded():
    first = search_monte_carlo(CONFIG, 8, runs=4, predicted=0.1, sigma_V=0.1, seed=3, method="direct")
    again = search_monte_carlo(CONFIG, 8, runs=4, predicted=0.1, sigma_V=0.1, seed=3, method="direct")
    assert list(first.outputs_V) == list(again.outputs_V) and first.estimate == again.estimate
