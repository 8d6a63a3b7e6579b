"""Monte Carlo statistics (codesign/cosim/montecarlo.py) against known answers."""

import math

import numpy
import pytest
from scipy.stats import norm

from codesign.cosim.montecarlo import (
    choose_method,
    clopper_pearson,
    direct_estimate,
    estimate_error_rate,
    failure_direction,
    failure_means,
    importance_estimate,
    mixture_log_weights,
    nearest_level,
    runs_to_observe,
)


def test_clopper_pearson_matches_published_values():
    # 0 of 20: the upper bound is 1 - 0.025^(1/20) (exact); 5 of 20: 0.0866 to 0.4910 (Newcombe 1998, table I)
    assert clopper_pearson(0, 20) == pytest.approx((0.0, 1 - 0.025 ** (1 / 20)))
    assert clopper_pearson(0, 20)[1] == pytest.approx(0.1684, abs=1e-4)
    assert clopper_pearson(5, 20) == pytest.approx((0.0866, 0.4910), abs=1e-4)
    assert clopper_pearson(20, 20) == pytest.approx((0.025 ** (1 / 20), 1.0))
    with pytest.raises(ValueError):
        clopper_pearson(3, 2)


def test_runs_to_observe_is_about_three_over_p():
    assert runs_to_observe(3.8e-5) == math.ceil(math.log(0.05) / math.log(1 - 3.8e-5))
    assert runs_to_observe(3.8e-5) == pytest.approx(3 / 3.8e-5, rel=0.01)
    assert runs_to_observe(0.0) == 0 and runs_to_observe(1.0) == 1


def test_zero_errors_in_twenty_runs_cannot_resolve_the_predicted_rate():
    estimate = direct_estimate(numpy.zeros(20, dtype=bool), 3.8e-5)
    assert estimate.error_rate == 0 and not estimate.resolvable
    assert estimate.confidence_interval_95[1] == pytest.approx(0.168, abs=1e-3)
    assert "0 errors in 20 runs: rate < 0.168 at 95%" in estimate.verdict
    assert "not resolvable with 20 runs" in estimate.verdict and "78,834" in estimate.verdict
    # enough runs with no error rejects the prediction: that is resolved
    assert direct_estimate(numpy.zeros(200_000, dtype=bool), 3.8e-5).resolvable


def test_method_planning():
    assert choose_method("auto", 20, 3.8e-5) == "importance"
    assert choose_method("auto", 100_000, 3.8e-5) == "direct"
    assert choose_method("direct", 20, 3.8e-5) == "direct"
    with pytest.raises(ValueError):
        choose_method("guess", 20, 0.1)


def test_likelihood_ratio_of_the_mixture():
    means = numpy.array([[0.0, 0.0, 0.0], [1.8, 2.4, 0.0], [0.0, 0.0, -4.0]])
    shares = numpy.array([0.1, 0.5, 0.4])
    points = numpy.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5], [3.0, 2.5, -1.0]])
    for point, log_weight in zip(points, mixture_log_weights(points, means, shares)):
        proposal = sum(share * numpy.prod(norm.pdf(point - mean)) for mean, share in zip(means, shares))
        assert log_weight == pytest.approx(math.log(numpy.prod(norm.pdf(point)) / proposal))
    assert numpy.all(mixture_log_weights(10 * points, means, shares) <= -math.log(0.1))  # the defensive bound


def test_the_proposal_aims_at_the_failure_points():
    means, shares = failure_means(numpy.array([0.0, 2.0, -1.0]), below=4.0, above=6.0)
    assert shares == pytest.approx([0.1, 0.2, 0.2, 0.125, 0.125, 0.125, 0.125]) and sum(shares) == pytest.approx(1)
    unit = numpy.array([0.0, 2.0, -1.0]) / math.sqrt(5)
    assert means[1] == pytest.approx(unit * 6 / math.sqrt(5)) and means[2] == pytest.approx(-unit * 4 / math.sqrt(5))
    assert means[3] == pytest.approx([0, 3, 0]) and means[4] == pytest.approx([0, -2, 0])  # cell 1 alone
    assert means[5] == pytest.approx([0, 0, -6]) and means[6] == pytest.approx([0, 0, 4])  # cell 2 alone


def test_failure_direction_recovers_a_linear_response():
    offsets = 2 * numpy.random.default_rng(0).standard_normal((400, 3))
    slope = failure_direction(offsets, offsets @ numpy.array([0.5, -1.0, 0.0]) + 3.0)
    assert slope == pytest.approx([0.5, -1.0, 0.0], abs=0.1)


def _sum_of_offsets(offsets):
    return offsets.sum(axis=1)  # a linear column: V_out = sum of the Vth offsets


def test_importance_sampling_finds_a_gaussian_tail_direct_sampling_cannot():
    # levels -18, 0, 18: wrong when |sum of 16 N(0, 1)| > 9, i.e. 2 Q(9 / 4) = 0.0244 ... use sigma 0.5:
    # the sum of 16 offsets of sigma 0.5 has sigma 2: P(|sum| > 9) = 2 Q(4.5) = 6.8e-6
    exact = 2 * norm.sf(4.5)
    levels = [-18.0, 0.0, 18.0]
    direct = estimate_error_rate(_sum_of_offsets, 16, 2000, 0.5, levels, 1, exact, "direct", seed=1)
    assert direct.errors == 0 and not direct.resolvable and direct.method == "direct"
    sampled = estimate_error_rate(_sum_of_offsets, 16, 2000, 0.5, levels, 1, exact, "auto", seed=1)
    assert sampled.method == "importance" and sampled.resolvable and sampled.runs == 2000
    low, high = sampled.confidence_interval_95
    assert low <= exact <= high and high / low < 2
    assert sampled.error_rate == pytest.approx(exact, rel=0.1)


def test_importance_interval_covers_the_truth_in_repeated_trials():
    exact = norm.sf(5.0)  # one-sided: no level above, wrong below -10 for a sum of sigma 2
    covered = 0
    for seed in range(40):
        estimate = estimate_error_rate(_sum_of_offsets, 16, 300, 0.5, [-20.0, 0.0], 1, exact, "importance", seed)
        covered += estimate.confidence_interval_95[0] <= exact <= estimate.confidence_interval_95[1]
    assert covered >= 34  # 95% nominal: at least 85% of 40 trials (binomial slack)


def test_too_few_errors_under_the_shifted_draw_are_not_resolvable():
    failures = numpy.zeros(100, dtype=bool)
    failures[3] = True
    estimate = importance_estimate(failures, numpy.zeros(100), 1e-4, "test proposal")
    assert not estimate.resolvable and "not resolvable" in estimate.verdict


def test_nearest_level_reads_back_the_closest_nominal_output():
    assert list(nearest_level(numpy.array([0.1, 0.2, 0.3]), [0.14, 0.16, 0.31, -1.0])) == [0, 1, 2, 0]
