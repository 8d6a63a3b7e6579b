"""Monte Carlo statistics: how many runs a predicted error rate needs, what a sample resolves.

Statistics only: the simulation is a function the caller passes in. Two estimators of an
error rate p:

  direct      k errors in n runs drawn from the real Vth distribution: p = k / n with the
              Clopper-Pearson (exact binomial) interval. It resolves p only with about 3 / p
              runs or more: fewer runs usually see no error at all.
  importance  a pilot (a fifth of the runs, at least cells + 8; sigma x2) measures the
              column's response to each cell's offset, dV_out/dz (z = offset / sigma; a
              least-squares linear fit). The other runs draw z from a mixture of Gaussians:
              10% the nominal N(0, I) (defensive: every weight stays below 10), 40% at the
              linear response's two failure points along dV_out/dz (where it crosses the
              decision thresholds, halfway to the neighbouring sums), the rest with one cell
              alone moved to where it would fail by itself. The second half of the runs adds a
              component at the most likely wrong run of the first half (smallest |z|), and both
              halves are weighted as one draw from their average mixture (the balance heuristic,
              Veach and Guibas, SIGGRAPH 1995). Wrong read-backs become common; each run is
              weighted by the likelihood ratio w = phi(z) / q(z), and p = mean(w * wrong) is
              unbiased for any circuit.
              Assumptions: the offsets are independent Gaussians (as the Monte Carlo draws
              them); the failure region is near those points (else the estimate stays
              unbiased but needs more runs: the effective sample size (sum w)^2 / sum w^2
              over the wrong runs and their count say how much the sample holds; below 10
              and 5 the result is marked not resolvable). The 95% interval is a percentile
              bootstrap of the weighted mean.
  (Owen, "Monte Carlo theory, methods and examples", 2013, ch. 9 (mixture and
  defensive importance sampling); Hesterberg, Technometrics 37(2), 1995; Clopper and Pearson,
  Biometrika 26(4), 1934; Efron and Tibshirani, "An Introduction to the Bootstrap", 1993.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy

CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 2000
MIN_IMPORTANCE_ERRORS = 5  # fewer wrong runs under the shifted draw and the interval means little
MIN_EFFECTIVE_RUNS = 10  # fewer, and a handful of heavy weights carry the estimate
METHODS = ("auto", "direct", "importance")
BATCH_RUNS = 64  # runs per batch of netlists: progress between batches, bounded memory
PILOT_SCALE = 2.0  # the pilot draws sigma x2 to see the response beyond the nominal spread
MAX_SHIFT = 8.0  # sigmas: past this a Gaussian tail (6e-16) is below anything a chip cares about
DEFENSIVE_SHARE = 0.1  # of the runs drawn from the nominal distribution (Hesterberg, Technometrics 1995)
DIRECTION_SHARE = 0.4  # of the runs at the linear response's two failure points; the rest: single cells
MIN_PILOT_RUNS = 8  # beyond one per cell: the pilot's least-squares fit needs spare runs


@dataclass(frozen=True)
class RateEstimate:
    """An error rate with its 95% interval and whether the sample resolves the prediction."""

    method: str  # 'direct' or 'importance'
    runs: int
    errors: int  # runs that read back wrong (under the widened draw, for importance sampling)
    error_rate: float
    confidence_interval_95: tuple[float, float]
    predicted: float
    runs_to_observe_predicted: int  # direct runs that see at least one error at 95% if p = predicted
    resolvable: bool
    verdict: str
    proposal: str = ""
    effective_runs: float | None = None  # (sum w)^2 / sum w^2 over the wrong runs: how many count

    def as_dict(self) -> dict:
        return {**asdict(self), "confidence_interval_95": list(self.confidence_interval_95)}


def clopper_pearson(errors: int, runs: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The exact binomial interval: P(X >= k | lo) = P(X <= k | hi) = (1 - confidence) / 2."""
    from scipy.stats import beta  # scipy comes with scikit-learn

    if runs <= 0 or not 0 <= errors <= runs:
        raise ValueError(f"need 0 <= errors <= runs and runs > 0 (got {errors} of {runs})")
    tail = (1 - confidence) / 2
    low = 0.0 if errors == 0 else float(beta.ppf(tail, errors, runs - errors + 1))
    high = 1.0 if errors == runs else float(beta.ppf(1 - tail, errors + 1, runs - errors))
    return low, high


def runs_to_observe(rate: float, confidence: float = CONFIDENCE) -> int:
    """Runs for P(at least one error) >= confidence: log(1 - c) / log(1 - p), about 3 / p at 95%."""
    if not 0 < rate < 1:
        return 1 if rate >= 1 else 0
    return math.ceil(math.log(1 - confidence) / math.log1p(-rate))


def mixture_log_weights(offsets_z: numpy.ndarray, means: numpy.ndarray, shares: numpy.ndarray) -> numpy.ndarray:
    """log w = log phi(z) / q(z) for q = sum_k shares_k N(means_k, I): -log sum_k shares_k exp(m_k.z - |m_k|^2 / 2)."""
    exponents = offsets_z @ means.T - 0.5 * numpy.sum(numpy.square(means), axis=1) + numpy.log(shares)
    peak = numpy.max(exponents, axis=1)
    return -(peak + numpy.log(numpy.sum(numpy.exp(exponents - peak[:, None]), axis=1)))


def failure_means(slope: numpy.ndarray, below: float, above: float) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The proposal's components (means in z, shares): the nominal distribution (DEFENSIVE_SHARE:
    every weight stays below 1 / share), the linear response's two failure points along the slope,
    and each cell alone moved to where the slope says it fails (a failure driven by one cell)."""
    cells = len(slope)
    gain = float(numpy.linalg.norm(slope))
    means, shares = [numpy.zeros(cells)], [DEFENSIVE_SHARE]
    if gain > 0:
        for distance in (above, -below):
            if math.isfinite(distance):
                means.append(slope / gain * min(MAX_SHIFT, abs(distance) / gain) * math.copysign(1, distance))
                shares.append(DIRECTION_SHARE / 2)
    for cell in numpy.flatnonzero(slope):
        for distance in (above, -below):
            if math.isfinite(distance):
                mean = numpy.zeros(cells)
                mean[cell] = numpy.clip(distance / slope[cell], -MAX_SHIFT, MAX_SHIFT)
                means.append(mean)
                shares.append(math.nan)  # the rest, shared equally below
    shares = numpy.array(shares)
    single = numpy.isnan(shares)
    shares[single] = (1 - numpy.sum(shares[~single])) / max(1, numpy.sum(single))
    return numpy.array(means), shares / numpy.sum(shares)


def failure_direction(offsets_z: numpy.ndarray, outputs: numpy.ndarray) -> numpy.ndarray:
    """dV/dz per cell from a pilot sample: the least-squares linear fit (with an offset) when the
    sample has more runs than unknowns, else Stein's lemma for z ~ N(0, s^2), Cov(z_i, V) / s^2
    (unbiased for a linear response, noisier)."""
    runs, cells = offsets_z.shape
    if runs > cells + 1:
        design = numpy.hstack([offsets_z, numpy.ones((runs, 1))])
        return numpy.linalg.lstsq(design, outputs, rcond=None)[0][:cells]
    scale2 = numpy.mean(numpy.square(offsets_z))
    return (offsets_z - offsets_z.mean(axis=0)).T @ (outputs - numpy.mean(outputs)) / runs / scale2


def direct_estimate(failures: numpy.ndarray, predicted: float) -> RateEstimate:
    """k errors in n runs from the real distribution, against the model's predicted rate."""
    runs, errors = len(failures), int(numpy.sum(failures))
    low, high = clopper_pearson(errors, runs)
    needed = runs_to_observe(predicted)
    resolvable = errors > 0 or high < predicted
    if errors:
        verdict = f"{errors} errors in {runs} runs: rate {errors / runs:.3g} [{low:.3g}, {high:.3g}] at 95%"
    else:
        verdict = f"0 errors in {runs} runs: rate < {high:.3g} at 95%"
    verdict += f"; the model predicts {predicted:.3g}" + (
        "" if resolvable else f": not resolvable with {runs} runs (seeing an error at 95% takes {needed:,})")
    return RateEstimate("direct", runs, errors, errors / runs, (low, high), predicted, needed, resolvable,
                        verdict)


def importance_estimate(failures: numpy.ndarray, log_weights: numpy.ndarray, predicted: float,
                        proposal: str, pilot_runs: int = 0, seed: int = 0) -> RateEstimate:
    """The likelihood-weighted error rate, with a percentile-bootstrap 95% interval."""
    weighted = numpy.where(failures, numpy.exp(log_weights), 0.0)
    runs, errors = len(failures), int(numpy.sum(failures))
    contributions = weighted / numpy.max(weighted) if errors else weighted
    effective = float(numpy.sum(contributions) ** 2 / numpy.sum(contributions**2)) if errors else 0.0
    rate = float(numpy.mean(weighted))
    resamples = numpy.random.default_rng(seed).integers(0, runs, (BOOTSTRAP_RESAMPLES, runs))
    means = weighted[resamples].mean(axis=1)
    tail = 100 * (1 - CONFIDENCE) / 2
    low, high = (float(value) for value in numpy.percentile(means, [tail, 100 - tail]))
    resolvable = errors >= MIN_IMPORTANCE_ERRORS and effective >= MIN_EFFECTIVE_RUNS
    verdict = (f"importance sampling ({proposal}), {runs} runs, {errors} of them wrong: "
               f"rate {rate:.3g} [{low:.3g}, {high:.3g}] at 95%, effective runs {effective:.3g}; "
               f"the model predicts {predicted:.3g}")
    if not resolvable:
        verdict += (f": not resolvable ({errors} wrong runs under the shifted draw and {effective:.3g} effective "
                    f"runs; {MIN_IMPORTANCE_ERRORS} and {MIN_EFFECTIVE_RUNS} needed: a few runs carry the "
                    f"estimate, so its interval is not to be trusted; more runs, or direct sampling)")
    return RateEstimate("importance", runs + pilot_runs, errors, rate, (low, high), predicted,
                        runs_to_observe(predicted), resolvable, verdict, proposal, effective)


def choose_method(method: str, runs: int, predicted: float) -> str:
    """auto: direct sampling when the runs can see the predicted rate (or are too few for a pilot),
    importance sampling otherwise."""
    if method not in METHODS:
        raise ValueError(f"Monte Carlo method must be one of {', '.join(METHODS)} (got {method!r})")
    if method == "importance" and runs < 2 * MIN_PILOT_RUNS:
        raise ValueError(f"importance sampling needs at least {2 * MIN_PILOT_RUNS} runs (got {runs})")
    if method != "auto":
        return method
    return "direct" if runs >= runs_to_observe(predicted) or runs < 2 * MIN_PILOT_RUNS else "importance"


def estimate_error_rate(simulate, cells: int, runs: int, sigma_V: float, levels_V: Sequence[float], own: int,
                        predicted: float, method: str = "auto", seed: int = 0, progress=None) -> RateEstimate:
    """Draw Vth offsets, simulate them in batches, estimate how often the read-back is wrong.

    simulate(offsets_V: batch x cells) -> V_out per run; a run is wrong when its V_out is nearer
    another of levels_V (the nominal outputs around the true one) than levels_V[own].
    progress(done, runs) is called after each batch.
    """
    method = choose_method(method, runs, predicted)
    generator = numpy.random.default_rng(seed)
    batches = _Batches(simulate, sigma_V, runs, progress)
    if method == "direct" or sigma_V == 0:
        outputs = batches.run(generator.standard_normal((runs, cells)))
        return direct_estimate(nearest_level(levels_V, outputs) != own, predicted)
    pilot = generator.standard_normal((min(runs // 2, max(cells + MIN_PILOT_RUNS, runs // 5)), cells)) * PILOT_SCALE
    slope = failure_direction(pilot, batches.run(pilot))  # dV_out / dz, z = offset / sigma
    low, high = _decision_band(levels_V, own)
    means, shares = failure_means(slope, levels_V[own] - low, high - levels_V[own])
    first = _draw(generator, means, shares, (runs - len(pilot)) // 2)
    failed = nearest_level(levels_V, batches.run(first)) != own
    first_shares = shares
    if failed.any():  # the second half adds the most likely wrong run seen so far as a component
        nearest = first[failed][numpy.argmin(numpy.sum(numpy.square(first[failed]), axis=1))]
        means, shares = numpy.vstack([means, nearest]), numpy.append(shares / 2, 0.5)
        first_shares = numpy.append(first_shares, 0.0)
    second = _draw(generator, means, shares, runs - len(pilot) - len(first))
    failures = numpy.concatenate([failed, nearest_level(levels_V, batches.run(second)) != own])
    # both halves as one draw from their average mixture (the balance heuristic): unbiased
    pooled = (len(first) * first_shares + len(second) * shares) / (len(first) + len(second))
    proposal = (f"a mixture of {len(shares)} Gaussians: nominal, the two failure points along dV_out/dVth, "
                f"each cell alone at its own, the most likely wrong run of the first half; "
                f"{len(pilot)} pilot runs")
    return importance_estimate(failures, mixture_log_weights(numpy.vstack([first, second]), means, pooled),
                               predicted, proposal, len(pilot), seed)


def _draw(generator: numpy.random.Generator, means: numpy.ndarray, shares: numpy.ndarray, runs: int) -> numpy.ndarray:
    """z from the mixture: a component by its share, then N(its mean, I)."""
    chosen = generator.choice(len(shares), size=runs, p=shares)
    return generator.standard_normal((runs, means.shape[1])) + means[chosen]


@dataclass(eq=False)
class _Batches:
    """Runs standardized offsets z through the simulation as sigma * z, BATCH_RUNS at a time."""

    simulate: object
    sigma_V: float
    runs: int
    progress: object
    done: int = 0

    def run(self, offsets_z: numpy.ndarray) -> numpy.ndarray:
        outputs = []
        for start in range(0, len(offsets_z), BATCH_RUNS):
            outputs += list(self.simulate(self.sigma_V * offsets_z[start:start + BATCH_RUNS]))
            self.done += len(offsets_z[start:start + BATCH_RUNS])
            if self.progress is not None:
                self.progress(self.done, self.runs)
        return numpy.array(outputs, dtype=float)


def _decision_band(levels_V: Sequence[float], own: int) -> tuple[float, float]:
    """Where the read-back is right: halfway to the neighbouring nominal levels."""
    low = (levels_V[own - 1] + levels_V[own]) / 2 if own > 0 else -math.inf
    high = (levels_V[own + 1] + levels_V[own]) / 2 if own + 1 < len(levels_V) else math.inf
    return low, high


def nearest_level(levels_V: numpy.ndarray, outputs_V: numpy.ndarray) -> numpy.ndarray:
    """The index of the nominal level nearest each output: an ADC whose decision thresholds sit
    halfway between the column's own nominal outputs (trimmed to it, as the model assumes)."""
    return numpy.argmin(numpy.abs(numpy.subtract.outer(numpy.asarray(outputs_V), numpy.asarray(levels_V))), axis=1)
