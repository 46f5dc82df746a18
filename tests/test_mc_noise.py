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

from rutsim.config import SimulationConfig
from rutsim.measures import MC_VAR_SUFFIX, metric_names
from rutsim.risk import draw_metrics
from rutsim.risk._noise import BandNoise, few_tail_paths
from rutsim.simulate import (
    DrawReducer,
    half_masks,
    reduce_draws,
    run_simulation,
    synthetic_initial,
    synthetic_posterior,
)
from rutsim.types import PosteriorParams, ScenarioArrays, ShockSpec, SimPaths

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
    return [("base", ScenarioArrays(values, pinned, np.full(4, 0.05)))]


def _simulate(params: PosteriorParams, n_paths: int, horizon: int = 4) -> dict[str, np.ndarray]:
    n = int(np.shape(params.ff_a)[0])
    cfg = SimulationConfig(
        paths_per_draw=n_paths,
        horizon=horizon,
        max_draws=n,
        chunk_size=n,
        keep_paths=1,
        seed=11,
        workers=1,
    )
    result = run_simulation(
        11,
        params,
        synthetic_initial(),
        _scenario(horizon),
        cfg,
        ShockSpec(),
        DrawReducer(blend_weights=(1.0,)),
    )
    return result.metrics


def test_reported_noise_matches_the_spread_of_a_fixed_parameter_set() -> None:
    one = synthetic_posterior(1, seed=5)
    n_draws = 400
    fixed = PosteriorParams(*(np.repeat(np.asarray(a), n_draws) for a in one))
    metrics = _simulate(fixed, n_paths=200)
    for name in HEADLINE:
        values = metrics[name][0, :, -1].astype(np.float64)
        noise = metrics[name + MC_VAR_SUFFIX][0, :, -1].astype(np.float64)
        observed = values.std(ddof=1)
        reported = np.sqrt(noise.mean())
        # The sd of 400 values is known to ~4%; sectioning's mean to ~7%; both together
        # and the small-sample bias of halves of 100 paths stay inside 25%.
        assert reported == pytest.approx(observed, rel=0.25), name
        band = BandNoise(values[:, None], noise[:, None])
        # all of the spread is noise: the corrected band collapses onto the mean
        assert band.share[0] == pytest.approx(1.0, abs=0.45), name
        raw = np.quantile(values, [0.05, 0.95])
        corrected = band.corrected(raw)
        assert corrected[1] - corrected[0] < 0.8 * (raw[1] - raw[0]), name


@pytest.mark.slow
def test_corrected_band_matches_the_parameter_band() -> None:
    params = synthetic_posterior(150, seed=2)
    noisy = _simulate(params, n_paths=200)
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
            DrawReducer(blend_weights=(1.0,)),
        )  # fmt: skip
        out.append(result.metrics)
    for name in out[0]:
        np.testing.assert_array_equal(out[1][name], out[2][name])  # repeated run
        # another chunk size may change the last float32 bits of the paths only
        np.testing.assert_allclose(out[0][name], out[1][name], rtol=1e-4, atol=1e-6)
