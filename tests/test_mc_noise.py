"""The jitted per-draw reducer and the Monte Carlo noise of per-draw metrics.

* The reducer computes the same metrics as the NumPy reference (``path_metrics``), the
  blend included, picking exactly the order statistic exact arithmetic picks.
* Holding one parameter set fixed, every draw differs only by its paths: the reported
  noise (sectioning) must match the observed across-draw spread, and the corrected band
  must collapse.
* With parameters that differ, the corrected band must match the band of the draws'
  metrics computed from many paths (the parameter uncertainty alone).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from helpers import one_shock_params
from rutsim.config import SimulationConfig
from rutsim.risk import MC_VAR_SUFFIX, draw_metrics, metric_names
from rutsim.risk._noise import BandNoise, few_tail_paths
from rutsim.risk.draw_reducer import DrawReducer, half_masks, reduce_draws
from rutsim.simulate import (
    run_simulation,
    synthetic_initial,
    synthetic_posterior,
)
from rutsim.types import ChunkInfo, PosteriorParams, ScenarioArrays, ShockSpec, SimPaths

HEADLINE = ("return_median", "var_95", "cvar_95", "prob_loss")


def _quarter_major(paths: SimPaths) -> SimPaths:
    return SimPaths(*(jnp.asarray(np.ascontiguousarray(np.moveaxis(a, -1, 0))) for a in paths))


@pytest.mark.parametrize("weights", [(0.5, 0.2, 0.3, 0.0), (0.25, 0.25, 0.25, 0.25)])
def test_jitted_reducer_matches_the_numpy_reference(weights: tuple[float, ...]) -> None:
    rng = np.random.default_rng(3)
    shape = (4, 6, 100, 5)  # scenario, draw, path, quarter
    paths = SimPaths(
        **{k: rng.normal(0.01, 0.08, shape).astype(np.float32) for k in SimPaths._fields}
    )
    paths = paths._replace(carry=np.full(shape, 0.004, np.float32))
    got = reduce_draws(_quarter_major(paths), DrawReducer(blend_weights=weights), list("abcd"))
    ref = draw_metrics(paths, blend_weights=weights)
    for name in metric_names():
        # float32 arithmetic against float64: the same order statistics, 1e-6 apart
        np.testing.assert_allclose(got[name], ref[name], rtol=2e-6, atol=2e-6, err_msg=name)
        assert got[name + MC_VAR_SUFFIX].shape == ref[name].shape


def test_as_a_driver_reducer_it_reduces_host_paths_and_cuts_the_padding() -> None:
    # Called by the driver with the kernel's padded output, or on host paths alone.
    rng = np.random.default_rng(5)
    shape = (2, 5, 40, 3)  # scenario, draw (the last one padding), path, quarter
    paths = SimPaths(
        **{k: rng.normal(0.0, 0.05, shape).astype(np.float32) for k in SimPaths._fields}
    )
    reducer = DrawReducer(blend_weights=(0.5, 0.5))
    whole = reduce_draws(_quarter_major(paths), reducer, ["a", "b"])
    real = SimPaths(*(a[:, :4] for a in paths))  # what the driver hands over: no padding
    padded = ChunkInfo(10, 14, np.arange(10, 14), ("a", "b"), _quarter_major(paths))
    alone = reduce_draws(_quarter_major(real), reducer, ["a", "b"])
    for got, want in (
        (reducer(real, padded), {k: v[:, :4] for k, v in whole.items()}),
        # without the kernel's output: the host paths (another batch size: the same
        # computation, whose float32 sums may differ in the last bit from the padded one)
        (reducer(real, padded._replace(kernel_paths=None)), alone),
    ):
        assert set(got) == set(want)
        for name, value in got.items():
            np.testing.assert_array_equal(value, want[name], err_msg=name)


@pytest.mark.parametrize(("n_paths", "antithetic"), [(1, False), (2, True)])
def test_one_path_or_one_pair_gives_metrics_and_no_noise(n_paths: int, antithetic: bool) -> None:
    rng = np.random.default_rng(4)
    shape = (2, 3, n_paths, 4)
    paths = SimPaths(
        **{k: rng.normal(0.0, 0.05, shape).astype(np.float32) for k in SimPaths._fields}
    )
    reducer = DrawReducer(blend_weights=(0.5, 0.5), antithetic=antithetic)
    got = reduce_draws(_quarter_major(paths), reducer, ["a", "b"])
    ref = draw_metrics(paths, blend_weights=(0.5, 0.5))
    for name in metric_names():
        np.testing.assert_allclose(got[name], ref[name], rtol=2e-6, atol=2e-6, err_msg=name)
        assert np.isnan(got[name + MC_VAR_SUFFIX]).all(), name


def test_returns_that_compound_past_float32_are_refused_by_name() -> None:
    # Finite log returns of an explosive draw (50 per quarter) compound past what the
    # metrics can square (all 4 quarters of that path): one clear error naming the
    # scenario, not NaN metrics.
    from rutsim.errors import ScenarioError

    shape = (2, 3, 4, 4)
    paths = SimPaths(**{k: np.zeros(shape, np.float32) for k in SimPaths._fields})
    growth = np.zeros(shape, np.float32)
    growth[1, 2, 0] = 50.0
    paths = paths._replace(earnings_growth=growth)
    with pytest.raises(ScenarioError, match=r"scenario 'b': 4 simulated cumulative returns"):
        reduce_draws(_quarter_major(paths), DrawReducer(blend_weights=(0.5, 0.5)), ["a", "b"])


def test_halves_keep_antithetic_partners_together() -> None:
    masks = half_masks(8, antithetic=True)  # partners p and p + 4
    a = np.flatnonzero(masks[1])
    assert set(a) == {0, 1, 4, 5}
    assert not (masks[1] & masks[2]).any() and (masks[1] | masks[2]).all()
    assert list(np.flatnonzero(half_masks(8, antithetic=False)[1])) == [0, 1, 2, 3]


def test_few_tail_paths() -> None:
    assert few_tail_paths("cvar_99", 100)  # one path
    assert few_tail_paths("var_95", 100)  # five paths
    assert not few_tail_paths("var_95", 200)
    assert not few_tail_paths("return_mean", 2)


def _scenario(horizon: int) -> list[tuple[str, ScenarioArrays]]:
    values = np.zeros((horizon, 4))
    values[:, 0] = np.linspace(4.1, 3.1, horizon)
    pinned = np.zeros((horizon, 4), bool)
    pinned[:, 0] = True
    return [("base", ScenarioArrays(values, pinned, np.full(4, 0.05), np.zeros(values.shape[0])))]


def _simulate(
    params: PosteriorParams, n_paths: int, horizon: int = 4, antithetic: bool = True
) -> dict[str, np.ndarray]:
    n = int(np.shape(params.ff_a)[0])
    cfg = SimulationConfig(
        paths_per_draw=n_paths,
        horizon=horizon,
        max_draws=n,
        chunk_size=n,
        keep_paths=1,
        seed=11,
        workers=1,
        antithetic=antithetic,
        stratify_horizons=(),  # these tests are about independent and antithetic paths
    )
    result = run_simulation(
        11,
        params,
        synthetic_initial(),
        _scenario(horizon),
        cfg,
        ShockSpec(),
        DrawReducer(blend_weights=(1.0,), antithetic=antithetic),
    )
    return result.metrics


@pytest.mark.parametrize("antithetic", [False, True])
def test_reported_noise_matches_the_spread_of_a_fixed_parameter_set(antithetic: bool) -> None:
    one = synthetic_posterior(1, seed=5)
    n_draws = 400
    fixed = PosteriorParams(*(np.repeat(np.asarray(a), n_draws) for a in one))
    metrics = _simulate(fixed, n_paths=200, antithetic=antithetic)
    for name in HEADLINE:
        values = metrics[name][0, :, -1].astype(np.float64)
        noise = metrics[name + MC_VAR_SUFFIX][0, :, -1].astype(np.float64)
        observed = values.std(ddof=1)
        reported = np.sqrt(noise.mean())
        if antithetic and name == "return_median":
            # Antithetic pairs cancel the median's first-order noise; what is left shrinks
            # faster than 1/n, so halves of 100 paths overstate it (measured 1.44x).
            assert observed <= reported <= 1.8 * observed, name
        else:
            # The sd of 400 values is known to ~4%; sectioning's mean to ~7%; both together
            # and the small-sample bias of halves of 100 paths stay inside 25%.
            assert reported == pytest.approx(observed, rel=0.25), name
        band = BandNoise(values[:, None], noise[:, None])
        # all of the spread is noise: the corrected band collapses onto the mean
        assert band.share[0] > 0.55, name
        raw = np.quantile(values, [0.05, 0.95])
        corrected = band.corrected(raw)
        assert corrected[1] - corrected[0] < 0.8 * (raw[1] - raw[0]), name


def _paths(params: PosteriorParams, n_draws: int, n_paths: int, antithetic: bool) -> np.ndarray:
    """Cumulative log total returns ``(draw * path, horizon)`` of the pinned scenario."""
    from rutsim.simulate import scenario_keys, simulate_chunk

    horizon = 12
    params = PosteriorParams(*(np.repeat(np.asarray(a), n_draws) for a in params))
    (_, scen), *_ = _scenario(horizon)
    scen = ScenarioArrays(
        scen.values[None], scen.pinned[None], np.zeros((1, 4)), scen.priced_in[None]
    )
    out = simulate_chunk(
        scenario_keys(5, ["base"]),
        params,
        synthetic_initial(),
        scen,
        n_paths=n_paths,
        horizon=horizon,
        shocks=ShockSpec(macro="normal", equity="normal"),
        antithetic=antithetic,
    )
    log_r = np.asarray(out.earnings_growth) + np.asarray(out.multiple_change)
    log_r = log_r + np.asarray(out.carry)
    return np.cumsum(log_r.astype(np.float64), axis=-1)[0].reshape(-1, horizon)


@pytest.mark.parametrize("antithetic", [False, True])
def test_known_answer_quantiles_are_unbiased(antithetic: bool) -> None:
    from statistics import NormalDist

    sigma = 0.05
    centre = _paths(one_shock_params(0.0), 1, 2, antithetic)[0]  # deterministic part
    cum = _paths(one_shock_params(sigma), 40, 1000, antithetic)  # 40,000 paths
    n = cum.shape[0]
    for h in (4, 12):
        sd = sigma * np.sqrt(h)  # sum of h iid N(0, sigma^2) earnings shocks
        for p in (0.05, 0.5, 0.95):
            z = NormalDist().inv_cdf(p)
            truth = centre[h - 1] + sd * z
            got = np.quantile(cum[:, h - 1], p, method="inverted_cdf")
            se = np.sqrt(p * (1 - p) / n) / (NormalDist().pdf(z) / sd)
            assert abs(got - truth) < 4 * se, (h, p)
        assert abs(cum[:, h - 1].mean() - centre[h - 1]) < 4 * sd / np.sqrt(n)
        if antithetic:  # pairs mirror each other around the deterministic centre
            pairs = cum[:, h - 1].reshape(40, 2, 500)
            np.testing.assert_allclose(pairs.mean(axis=1), centre[h - 1], atol=1e-5)


def test_antithetic_paths_have_the_distribution_of_independent_ones() -> None:
    from scipy.stats import ks_2samp

    params = synthetic_posterior(1, seed=6)
    old = _paths(params, 30, 400, antithetic=False)
    new = _paths(params, 30, 400, antithetic=True)
    for h in (4, 12):
        a, b = np.expm1(old[:, h - 1]), np.expm1(new[:, h - 1])
        assert ks_2samp(a, b).pvalue > 0.001, h
        # headline metrics agree within the Monte Carlo error of both
        for stat in (
            lambda x: np.quantile(x, 0.5),
            lambda x: -np.quantile(x, 0.05, method="inverted_cdf"),
            lambda x: np.mean(x < 0),
        ):
            diff = stat(a) - stat(b)
            boot = np.random.default_rng(h)
            reps = [
                stat(a[boot.integers(0, a.size, a.size)])
                - stat(b[boot.integers(0, b.size, b.size)])
                for _ in range(100)
            ]
            assert abs(diff) < 4 * np.std(reps), h


@pytest.mark.slow
@pytest.mark.parametrize("antithetic", [False, True])
def test_corrected_band_matches_the_parameter_band(antithetic: bool) -> None:
    # A posterior whose parameter band is comparable to the path noise (shares 0.4-0.5):
    # synthetic draws pulled to 30% of their spread around their mean.
    varied = synthetic_posterior(150, seed=2)
    centre = [np.mean(a) for a in varied]
    params = PosteriorParams(
        *(c + 0.3 * (np.asarray(a) - c) for c, a in zip(centre, varied, strict=True))
    )
    noisy = _simulate(params, n_paths=200, antithetic=antithetic)
    exact = _simulate(params, n_paths=20_000)  # each draw's metric with little noise left
    for name in ("var_95", "cvar_95"):
        values = noisy[name][0, :, -1].astype(np.float64)
        noise = noisy[name + MC_VAR_SUFFIX][0, :, -1].astype(np.float64)
        band = BandNoise(values[:, None], noise[:, None])
        raw = np.quantile(values, [0.05, 0.95])
        corrected = band.corrected(raw)
        truth = np.quantile(exact[name][0, :, -1], [0.05, 0.95])
        width = {k: v[1] - v[0] for k, v in [("raw", raw), ("corr", corrected), ("true", truth)]}
        # narrower than raw by about the noise share, and near the parameter band
        assert width["corr"] == pytest.approx(width["raw"] * np.sqrt(1 - band.share[0]))
        assert band.share[0] > 0.3, name
        assert abs(width["corr"] - width["true"]) < abs(width["raw"] - width["true"]), name
        assert width["corr"] == pytest.approx(width["true"], rel=0.3), name


def test_same_seed_same_metrics_and_noise_whatever_the_workers() -> None:
    params = synthetic_posterior(12, seed=1)
    out = []
    for workers, chunk in [(1, 12), (2, 4), (2, 4)]:
        cfg = SimulationConfig(
            paths_per_draw=40, horizon=3, max_draws=12, chunk_size=chunk, keep_paths=1,
            seed=3, workers=workers,
        )  # fmt: skip
        result = run_simulation(
            3, params, synthetic_initial(), _scenario(3), cfg, ShockSpec(),
            DrawReducer(blend_weights=(1.0,), antithetic=cfg.antithetic),
        )  # fmt: skip
        out.append(result.metrics)
    for name in out[0]:
        np.testing.assert_array_equal(out[1][name], out[2][name])  # repeated run
        # another chunk size may change the last float32 bits of the paths only
        np.testing.assert_allclose(out[0][name], out[1][name], rtol=1e-4, atol=1e-6)
