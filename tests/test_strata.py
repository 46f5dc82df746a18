"""Stratified shocks (``simulate._strata``): the lattice, the move, the law, the gain.

* The lattice puts exactly one point in each slice of each axis (any size, any key).
* The move puts each path on its targets along its own orthonormalised directions and
  leaves everything orthogonal to them unchanged (against a NumPy QR reference).
* Every stratified path is an exact draw of the model: two-sample tests against plain
  paths on returns and macro variables at every horizon.
* Known answer: with one linear normal shock the stratified horizons' quantiles are
  nearly exact, far inside the plain Monte Carlo error.
* The per-draw noise estimate (sectioning) stays valid: conservative, never too small.
"""

from __future__ import annotations

import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

from helpers import one_shock_params
from rutsim.config import SimulationConfig
from rutsim.errors import ConfigError
from rutsim.risk import MC_VAR_SUFFIX
from rutsim.risk.draw_reducer import DrawReducer, half_masks
from rutsim.simulate import (
    ScenarioArrays,
    run_simulation,
    scenario_keys,
    simulate_chunk,
    synthetic_initial,
    synthetic_posterior,
)
from rutsim.simulate._strata import flipped, groups, lattice_uniforms, stratify
from rutsim.types import PosteriorParams, ShockSpec


@settings(max_examples=30, deadline=None)
@given(
    m=st.sampled_from([1, 2, 3, 7, 25, 50, 89, 125, 400]),
    d=st.sampled_from([1, 2]),
    seed=st.integers(0, 2**31 - 1),
)
def test_the_lattice_has_one_point_in_every_slice_of_every_axis(m: int, d: int, seed: int) -> None:
    u = np.asarray(lattice_uniforms(jax.random.key(seed), m, d, jnp.float32), np.float64)
    assert u.shape == (d, m)
    assert ((u >= 0) & (u < 1)).all()
    for axis in u:
        gaps = np.diff(np.sort(axis))
        # equally spaced by 1/m (with one shift for all): one point per slice of width 1/m
        np.testing.assert_allclose(gaps, 1 / m, atol=1e-5)


@given(n_units=st.integers(1, 300), d=st.sampled_from([1, 2]))
def test_groups_cover_the_units_and_never_straddle_the_noise_halves(n_units: int, d: int) -> None:
    segments = groups(n_units, d)
    covered = np.concatenate([np.arange(a, a + n) for a, n, _ in segments])
    np.testing.assert_array_equal(covered, np.arange(n_units))
    # the reducer's halves (antithetic layout: units are the first ceil(P / 2) paths)
    half_a = half_masks(2 * n_units, antithetic=True)[1][:n_units]
    for a, n, _ in segments:
        assert half_a[a : a + n].all() or not half_a[a : a + n].any()
    assert flipped(n_units, d).sum() == (sum(n for _, n, f in segments if f))
    assert d == 2 or not flipped(n_units, d).any()


def _reference_directions(v: np.ndarray, flip: bool) -> np.ndarray:
    """Orthonormal rows of ``v`` ``(d, D)`` by QR, in the path's order."""
    rows = v[::-1] if flip else v
    q, r = np.linalg.qr(rows.T)
    return (q * np.sign(np.diag(r))).T


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), d=st.sampled_from([1, 2]), scaled=st.booleans())
def test_the_move_hits_the_targets_and_keeps_the_orthogonal_part(
    seed: int, d: int, scaled: bool
) -> None:
    rng = np.random.default_rng(seed)
    h, k, p = 3, 4, 6
    z = rng.standard_normal((h, k, p))
    grads = rng.standard_normal((d, h, k, 1))
    scales = rng.uniform(0.5, 2.0, (h, k, p)) if scaled else None
    targets = rng.standard_normal((d, p))
    flip = np.arange(p) % 2 == 1
    with jax.enable_x64(True):
        moved = np.asarray(
            stratify(jnp.asarray(z), jnp.asarray(grads), scales, jnp.asarray(targets), flip)
        )
    for j in range(p):
        v = (grads[..., 0] * (1 if scales is None else scales[..., j])).reshape(d, -1)
        u = _reference_directions(v, bool(flip[j]) and d == 2)
        y = targets[::-1, j] if flip[j] and d == 2 else targets[:, j]
        np.testing.assert_allclose(u @ moved[..., j].ravel(), y, atol=1e-9)
        rest = np.eye(h * k) - u.T @ u
        np.testing.assert_allclose(
            rest @ moved[..., j].ravel(), rest @ z[..., j].ravel(), atol=1e-9
        )


def test_a_direction_with_nothing_new_moves_nothing() -> None:
    rng = np.random.default_rng(0)
    z = rng.standard_normal((2, 3, 5))
    first = rng.standard_normal((2, 3, 1))
    targets = rng.standard_normal((2, 5))
    no_flip = np.zeros(5, bool)
    with jax.enable_x64(True):
        zero = np.asarray(
            stratify(jnp.asarray(z), jnp.zeros((2, 2, 3, 1)), None, jnp.asarray(targets), no_flip)
        )
        np.testing.assert_array_equal(zero, z)
        same = jnp.asarray(np.stack([first, 2 * first]))
        twice = np.asarray(stratify(jnp.asarray(z), same, None, jnp.asarray(targets), no_flip))
        once = np.asarray(
            stratify(jnp.asarray(z), same[:1], None, jnp.asarray(targets[:1]), no_flip)
        )
    np.testing.assert_allclose(twice, once, atol=1e-12)


def _scenario(horizon: int = 12) -> ScenarioArrays:
    values = np.zeros((1, horizon, 4))
    values[..., 0] = np.linspace(4.1, 3.1, horizon)
    pinned = np.zeros((1, horizon, 4), dtype=bool)
    pinned[..., 0] = True
    return ScenarioArrays(values, pinned, np.zeros((1, 4)), np.zeros((1, horizon)))


def _simulate(params: PosteriorParams, n_paths: int, strata=(), seed=5):
    out = simulate_chunk(
        scenario_keys(seed, ["base"]),
        params,
        synthetic_initial(),
        _scenario(),
        n_paths=n_paths,
        horizon=12,
        antithetic=True,
        strata=strata,
    )
    return {k: np.asarray(v, np.float64)[0] for k, v in out._asdict().items()}


def _repeat(params: PosteriorParams, n: int) -> PosteriorParams:
    return PosteriorParams(*(np.repeat(np.asarray(a), n) for a in params))


@pytest.mark.parametrize("strata", [(4, 12), (8,)])
def test_stratified_paths_have_the_law_of_plain_ones(strata: tuple[int, ...]) -> None:
    from scipy.stats import ks_2samp

    params = _repeat(synthetic_posterior(1, seed=6), 20)
    plain = _simulate(params, 400, seed=1)
    strat = _simulate(params, 400, strata=strata, seed=2)
    checks = {
        f"return@{h}": lambda o, h=h: o["total_return"][..., :h].sum(-1) for h in (1, 4, 8, 12)
    }
    checks |= {
        "spread@6": lambda o: o["spread"][..., 5],
        "unemployment@12": lambda o: o["unemployment"][..., 11],
        "log_multiple@3": lambda o: o["log_multiple"][..., 2],
    }
    for name, f in checks.items():
        a, b = f(plain).ravel(), f(strat).ravel()
        assert ks_2samp(a, b).pvalue > 1e-3, name
        se = np.sqrt(a.var() / a.size + b.var() / b.size)
        assert abs(a.mean() - b.mean()) < 4 * se, name
        assert b.std() == pytest.approx(a.std(), rel=0.06), name


@pytest.mark.parametrize("h", [4, 12])
def test_known_answer_a_linear_return_is_stratified_exactly(h: int) -> None:
    from scipy.stats import norm

    sigma, n_paths = 0.05, 40  # 20 independent paths, halves of 10: lattices of 10
    centre = _simulate(one_shock_params(0.0), 2)["total_return"][0, 0].cumsum()
    params = _repeat(one_shock_params(sigma), 3)
    cum = _simulate(params, n_paths, strata=(h,))["total_return"].cumsum(-1)[..., h - 1]
    # the return is sigma * (sum of h normals): its direction is stratified exactly, so
    # within each half of each draw the probabilities sit one per slice of 1/10
    u = norm.cdf((cum[:, :20] - centre[h - 1]) / (sigma * np.sqrt(h)))
    for half in (u[:, :10], u[:, 10:]):
        gaps = np.diff(np.sort(half, axis=1), axis=1)
        np.testing.assert_allclose(gaps, 0.1, atol=2e-4)
    # antithetic partners mirror them
    np.testing.assert_allclose(cum[:, 20:] - centre[h - 1], centre[h - 1] - cum[:, :20], atol=1e-6)


def test_two_horizons_beat_plain_paths_on_a_known_answer() -> None:
    from statistics import NormalDist

    sigma, n_draws, n_paths = 0.05, 20, 400
    centre = _simulate(one_shock_params(0.0), 2)["total_return"][0, 0].cumsum()
    params = _repeat(one_shock_params(sigma), n_draws)
    err = {}
    for strata in [(), (4, 12)]:
        cum = _simulate(params, n_paths, strata=strata)["total_return"].cumsum(-1)
        for h in (4, 12):
            sd = sigma * np.sqrt(h)
            for p in (0.01, 0.05, 0.5, 0.95):
                z = NormalDist().inv_cdf(p)
                got = np.quantile(cum[..., h - 1].ravel(), p, method="inverted_cdf")
                se = np.sqrt(p * (1 - p) / cum[..., 0].size) / (NormalDist().pdf(z) / sd)
                err[strata, h, p] = abs(got - (centre[h - 1] + sd * z)) / se
    assert max(v for k, v in err.items() if k[0] == ()) < 4
    # half the paths are exact at each horizon, the rest partly stratified
    assert max(v for k, v in err.items() if k[0]) < 2
    assert np.mean([v for k, v in err.items() if k[0]]) < 0.5


def test_the_noise_estimate_stays_conservative_and_far_smaller() -> None:
    fixed = _repeat(synthetic_posterior(1, seed=5), 300)
    reported, observed = {}, {}
    for strata in [(), (4, 12)]:
        cfg = SimulationConfig(
            paths_per_draw=200, horizon=12, max_draws=300, chunk_size=100, keep_paths=1,
            seed=11, antithetic=True, stratify_horizons=strata,
        )  # fmt: skip
        base = [("base", ScenarioArrays(*(a[0] for a in _scenario())))]
        result = run_simulation(
            11, fixed, synthetic_initial(), base, cfg, ShockSpec(),
            DrawReducer(blend_weights=(1.0,), antithetic=True),
        )  # fmt: skip
        for name in ("return_median", "var_95", "cvar_95", "prob_loss"):
            for h in (4, 12):
                values = result.metrics[name][0, :, h - 1].astype(np.float64)
                noise = result.metrics[name + MC_VAR_SUFFIX][0, :, h - 1].astype(np.float64)
                observed[strata, name, h] = values.std(ddof=1)
                reported[strata, name, h] = np.sqrt(noise.mean())
    for (strata, name, h), obs in observed.items():
        # every draw has the same parameters: the whole spread is path noise; the
        # halves' estimate may overstate a noise that falls faster than 1/n, never
        # understate it beyond the sampling error of 300 draws
        assert reported[strata, name, h] > 0.8 * obs, (strata, name, h)
        if strata:
            # measured 1.3-1.5x less noise for the median (antithetic pairs already cancel
            # most of it) and 1.7-3.0x for VaR, CVaR and P(loss) at 200 paths per draw
            gain = observed[(), name, h] / obs
            assert gain > (1.15 if name == "return_median" else 1.4), (name, h, gain)


def test_bad_strata_are_refused_with_the_key_and_the_fix() -> None:
    params = synthetic_posterior(2)
    for bad in [(13,), (4, 4), (0,), (1, 2, 3)]:
        with pytest.raises(ConfigError, match="stratify_horizons"):
            simulate_chunk(
                scenario_keys(1, ["base"]), params, synthetic_initial(), _scenario(),
                n_paths=4, horizon=12, strata=bad,
            )  # fmt: skip
    for bad in [(4, 4), (0,), (1, 2, 3), (-1,)]:
        with pytest.raises(ValueError, match="stratify_horizons"):
            SimulationConfig(horizon=12, stratify_horizons=bad)
    cfg = SimulationConfig(horizon=12, stratify_horizons=[4, 12])
    assert cfg.stratify_horizons == (4, 12) and cfg.strata == (4, 12)
    # a shorter horizon (a backtest's) keeps the stratified quarters within it
    assert SimulationConfig(horizon=8).strata == (4,)
    assert SimulationConfig(horizon=3).strata == ()
    assert SimulationConfig(stratify_horizons=[]).strata == ()


def test_chunking_and_workers_never_change_stratified_draws() -> None:
    params = synthetic_posterior(12, seed=1)
    scen = [("base", ScenarioArrays(*(a[0] for a in _scenario(3))))]
    kept = []
    for workers, chunk in [(1, 12), (2, 5)]:
        cfg = SimulationConfig(
            paths_per_draw=9, horizon=3, max_draws=12, chunk_size=chunk, keep_paths=9, seed=3,
            workers=workers, stratify_horizons=(1, 3),
        )  # fmt: skip
        result = run_simulation(
            3, params, synthetic_initial(), scen, cfg, ShockSpec(),
            DrawReducer(blend_weights=(1.0,), antithetic=True),
        )  # fmt: skip
        kept.append(np.asarray(result.paths.total_return))
    np.testing.assert_allclose(kept[0], kept[1], rtol=1e-6, atol=1e-7)
