"""The JAX kernel: shapes, pinned paths, the deterministic recursion, keys and compilation."""

from __future__ import annotations

import subprocess
import sys

import hypothesis.strategies as st
import jax
import numpy as np
import pytest
from hypothesis import given

from rutsim.errors import ConfigError, ScenarioError
from rutsim.simulate import (
    ScenarioArrays,
    scenario_keys,
    simulate_chunk,
    synthetic_initial,
    synthetic_posterior,
)
from rutsim.simulate._kernel import trace_count
from rutsim.types import InitialState, PosteriorParams, ShockSpec

S, N, P, H = 2, 3, 4, 5
SIGMAS = tuple(f for f in PosteriorParams._fields if f.endswith("_sigma"))
V = 4  # fed funds, slope, spread, unemployment
VARS = ("fedfunds", "slope", "spread", "unemployment")


def _scenarios(n_scen: int = S, horizon: int = H, sd: float = 0.0) -> ScenarioArrays:
    values = np.zeros((n_scen, horizon, V))
    values[..., 0] = np.linspace(4.1, 3.2, horizon)
    values[..., 1] = 0.6
    values[..., 2] = 2.0
    values[..., 3] = np.linspace(4.4, 5.0, horizon)
    pinned = np.zeros((n_scen, horizon, V), dtype=bool)
    pinned[0, :, 0] = True  # scenario 0: fed funds and unemployment paths
    pinned[0, :, 3] = True
    if n_scen > 1:
        pinned[1, :, 1] = True  # scenario 1: slope pinned, spread conditional
        pinned[1, : horizon // 2, 2] = True  # ... and spread for the first half
    return ScenarioArrays(values, pinned, np.full((n_scen, V), sd), np.zeros(values.shape[:2]))


def _held(init: InitialState, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Values and mask pinning fed funds and unemployment at their last observed level."""
    values = np.zeros((1, horizon, V))
    values[..., 0], values[..., 3] = float(init.ff), float(init.un)
    pinned = np.zeros((1, horizon, V), dtype=bool)
    pinned[..., 0] = pinned[..., 3] = True
    return values, pinned


def _run(params=None, scen=None, names=("a", "b"), seed=7, **kw) -> dict[str, np.ndarray]:
    params = synthetic_posterior(N) if params is None else params
    scen = _scenarios() if scen is None else scen
    kw.setdefault("n_paths", P)
    kw.setdefault("horizon", H)
    out = simulate_chunk(scenario_keys(seed, names), params, synthetic_initial(), scen, **kw)
    return {k: np.asarray(v) for k, v in out._asdict().items()}


def test_shapes_dtype_and_finite() -> None:
    out = _run()
    for name, arr in out.items():
        assert arr.shape == (S, N, P, H), name
        assert arr.dtype == np.float32, name
        assert np.isfinite(arr).all(), name
    np.testing.assert_allclose(out["price_return"], out["earnings_growth"] + out["multiple_change"])
    np.testing.assert_allclose(out["total_return"], out["price_return"] + out["carry"])
    np.testing.assert_allclose(out["carry"], np.float32(synthetic_initial().carry))
    # paths differ from one another (shocks are drawn per path)
    assert np.unique(out["earnings_growth"][0, 0, :, 0]).size == P


def test_pinned_paths_are_reproduced_exactly() -> None:
    scen = _scenarios()
    out = _run(scen=scen)
    given32 = scen.values.astype(np.float32)
    for j, var in enumerate(VARS):
        for s in range(S):
            mask = scen.pinned[s, :, j]
            got = out[var][s][..., mask]
            want = np.broadcast_to(given32[s, mask, j], got.shape)
            np.testing.assert_array_equal(got, want)
    # where not pinned, the variable is simulated (it varies across paths)
    assert out["spread"][1, 0, :, -1].std() > 0
    assert out["fedfunds"][1, 0, :, 0].std() > 0


def test_path_sd_adds_a_random_walk_deviation() -> None:
    scen = _scenarios(n_scen=1, sd=0.25)
    out = _run(scen=scen, names=("a",), n_paths=4000)
    dev = out["fedfunds"][0] - scen.values[0, :, 0].astype(np.float32)
    steps = np.diff(dev, axis=-1, prepend=0.0)
    assert abs(steps.std() - 0.25) < 0.01  # increments have the scenario's sd
    assert abs(np.corrcoef(steps[..., 1].ravel(), steps[..., 2].ravel())[0, 1]) < 0.03


def _deterministic_by_hand(
    p: PosteriorParams, init: InitialState, ff_path=None, un_path=None, priced=None
) -> dict:
    """The model's equations (docs/model.md) with every shock at zero, one sample, in
    float64 loops, written out here independently of rutsim.equations.

    ``priced`` is the priced-in fed funds change per quarter (zero by default). A pinned
    fed funds path's move beyond the policy mean is a pure policy surprise ``mp``.
    """
    g = {k: float(v[0]) for k, v in p._asdict().items()}
    priced = np.zeros(H) if priced is None else priced
    ff, dn, s, c = float(init.ff), float(init.dn), float(init.slope), float(init.spread)
    u, du, rr = float(init.un), float(init.dun), float(init.rr)
    gl, ml, q = float(init.gl), float(init.ml), g["q_last"]
    rows = []
    for t in range(H):
        mean_du = g["un_a"] + g["un_rho"] * du + g["un_kappa"] * u
        u_new = u + mean_du if un_path is None else un_path[t]
        du_new = u_new - u
        mean_df = g["ff_a"] + g["ff_b_pi"] * priced[t] + g["ff_phi"] * dn + g["ff_b_du"] * du_new
        ff_new = ff + mean_df if ff_path is None else ff_path[t]
        df_new = ff_new - ff
        mp = 0.0 if ff_path is None else df_new - mean_df
        dn_new = df_new - mp
        s_new = (
            g["sl_a"]
            + g["sl_phi"] * s
            + g["sl_beta_df"] * dn_new
            + g["sl_beta_mp"] * mp
            + g["sl_beta_du"] * du_new
        )
        c_new = (
            g["cs_a"]
            + g["cs_phi"] * c
            + g["cs_beta_df"] * dn_new
            + g["cs_beta_mp"] * mp
            + g["cs_beta_du"] * du_new
        )
        rr_new = g["rr_a"] + g["rr_phi"] * rr + g["rr_beta_df"] * dn_new + g["rr_beta_du"] * du_new
        dc = c_new - c
        m_star = (g["ml_a"] + g["ml_d_rr"] * rr + g["ml_d_spread"] * c + g["ml_d_ff"] * ff) / (
            1 - g["ml_phi"]
        )
        gl_new = (
            g["gl_a"]
            + g["gl_rho"] * gl
            + g["gl_b_du"] * du_new
            + g["gl_b_df"] * dn
            + g["gl_b_slope"] * s
            + g["gl_b_dspread"] * dc
            + g["gl_ec"] * (ml - m_star)
        )
        ml_new = (
            g["ml_a"]
            + g["ml_phi"] * ml
            + g["ml_d_rr"] * rr_new
            + g["ml_d_spread"] * c_new
            + g["ml_d_ff"] * ff_new
            + g["ml_n_dc"] * dc
            + g["ml_n_du"] * (du_new - mean_du)
            + g["ml_b_mp"] * mp
        )
        q_new = (
            g["q_mu"] * (1 - g["q_phi"])
            + g["q_phi"] * q
            + g["q_lambda_dspread"] * dc
            + g["q_b_mp"] * mp
        )
        gs = g["gs_a"] + g["gs_beta_gl"] * gl_new + g["gs_b_df"] * dn + g["gs_b_slope"] * s
        dm = (ml_new + q_new) - (ml + q)
        rows.append(
            {
                "fedfunds": ff_new,
                "slope": s_new,
                "spread": c_new,
                "unemployment": u_new,
                "real_yield": rr_new,
                "earnings_growth": gs,
                "log_multiple": ml_new + q_new,
                "multiple_change": dm,
                "price_return": gs + dm,
                "total_return": gs + dm + float(init.carry),
                "largecap_return": gl_new + ml_new - ml,
            }
        )
        ff, dn, s, c, u, du, rr = ff_new, dn_new, s_new, c_new, u_new, du_new, rr_new
        gl, ml, q = gl_new, ml_new, q_new
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}


@pytest.mark.parametrize("shocks", [ShockSpec(), ShockSpec(macro="normal", equity="student_t")])
def test_zero_shocks_reproduce_the_deterministic_recursion(shocks: ShockSpec) -> None:
    p = synthetic_posterior(N, seed=3)._replace(**{k: np.zeros(N) for k in SIGMAS})
    scen = _scenarios()
    priced = np.linspace(-0.3, 0.1, H)
    scen = scen._replace(priced_in=np.broadcast_to(priced, (S, H)))
    out = _run(params=p, scen=scen, shocks=shocks)
    free = _deterministic_by_hand(p, synthetic_initial(), priced=priced)
    pinned_ff = _deterministic_by_hand(
        p,
        synthetic_initial(),
        ff_path=scen.values[0, :, 0],
        un_path=scen.values[0, :, 3],
        priced=priced,
    )
    for name, want in pinned_ff.items():
        got = out[name][0, 0]  # scenario 0 pins fed funds and unemployment
        np.testing.assert_allclose(
            got, np.broadcast_to(want, got.shape), rtol=2e-5, atol=2e-5, err_msg=name
        )
    # an unpinned scenario (same sample 0) follows the free recursion
    free_scen = ScenarioArrays(
        scen.values, np.zeros_like(scen.pinned), scen.path_sd, scen.priced_in
    )
    out_free = _run(params=p, scen=free_scen, shocks=shocks)
    for name, want in free.items():
        got = out_free[name][1, 0]
        np.testing.assert_allclose(
            got, np.broadcast_to(want, got.shape), rtol=2e-5, atol=2e-5, err_msg=name
        )


def test_vmap_equals_a_python_loop() -> None:
    params, scen = synthetic_posterior(N), _scenarios()
    names = ("a", "b")
    full = _run(params=params, scen=scen, names=names)
    keys = scenario_keys(7, names)
    for s in range(S):
        one_scen = ScenarioArrays(*(a[s : s + 1] for a in scen))
        for i in range(N):
            one = simulate_chunk(
                keys[s : s + 1],
                PosteriorParams(*(a[i : i + 1] for a in params)),
                synthetic_initial(),
                one_scen,
                n_paths=P,
                horizon=H,
                sample_index=np.array([i]),
            )
            for name, arr in one._asdict().items():
                np.testing.assert_allclose(
                    np.asarray(arr)[0, 0], full[name][s, i], rtol=1e-6, atol=1e-6, err_msg=name
                )


def test_compiles_once_per_shape() -> None:
    shape = {"n_paths": 3, "horizon": 4}
    scen = _scenarios(horizon=4)
    before = trace_count()
    _run(scen=scen, **shape)
    assert trace_count() == before + 1
    # other values, keys, seeds and sample indices: no new trace
    other = synthetic_posterior(N, seed=11)
    _run(params=other, scen=_scenarios(horizon=4, sd=0.1), names=("x", "y"), seed=99, **shape)
    assert trace_count() == before + 1
    _run(scen=scen, n_paths=5, horizon=4)  # a new shape compiles once more
    assert trace_count() == before + 2


def test_scenario_draws_do_not_depend_on_other_scenarios() -> None:
    scen = _scenarios(n_scen=3)
    both = _run(scen=scen, names=("a", "b", "c"))
    # 'b' alone, and 'b' first in another order
    alone = _run(scen=ScenarioArrays(*(x[1:2] for x in scen)), names=("b",))
    reordered = _run(scen=ScenarioArrays(*(x[[1, 0]] for x in scen)), names=("b", "a"))
    for name in both:
        np.testing.assert_array_equal(alone[name][0], both[name][1])
        np.testing.assert_array_equal(reordered[name][0], both[name][1])
        np.testing.assert_array_equal(reordered[name][1], both[name][0])
    again = _run(scen=scen, names=("a", "b", "c"))
    other_seed = _run(scen=scen, names=("a", "b", "c"), seed=8)
    np.testing.assert_array_equal(again["total_return"], both["total_return"])
    assert not np.array_equal(other_seed["total_return"], both["total_return"])


def test_pinned_slope_gives_the_exact_student_t_conditional_for_the_spread() -> None:
    # One quarter, one sample: the joint (slope, spread) is bivariate t. Conditioning on a
    # tail slope value must match the unconditional draws near that value (the scale
    # mixture makes the conditional spread wider than a normal conditional would be).
    n_paths, p = 100_000, synthetic_posterior(1, seed=5)
    init = synthetic_initial()
    mu_s = float(p.sl_a[0] + p.sl_phi[0] * init.slope)  # fed funds, unemployment held
    target = mu_s + 2.0 * float(p.sl_sigma[0])
    values, pinned = (np.concatenate([a, a]) for a in _held(init))
    values[1, 0, 1] = target
    pinned[1, 0, 1] = True
    out = _run(
        params=p,
        scen=ScenarioArrays(values, pinned, np.zeros((2, V)), np.zeros(values.shape[:2])),
        names=("free", "pinned"),
        n_paths=n_paths,
        horizon=1,
    )
    s_free, c_free = out["slope"][0, 0, :, 0], out["spread"][0, 0, :, 0]
    near = np.abs(s_free - target) < 0.02 * float(p.sl_sigma[0]) * 10
    c_cond = out["spread"][1, 0, :, 0]
    assert near.sum() > 1500
    assert abs(c_cond.mean() - c_free[near].mean()) < 4 * c_free[near].std() / near.sum() ** 0.5
    assert abs(c_cond.std() / c_free[near].std() - 1) < 0.08
    # the normal conditional would be too narrow by sqrt((nu + x^2) / (nu + 1)) = 1.22
    rho, sd_c = float(p.sc_corr[0]), float(p.cs_sigma[0])
    normal_sd = sd_c * np.sqrt(1 - rho**2)
    assert c_cond.std() > 1.1 * normal_sd


@given(
    shape=st.sampled_from([(1, 2, 3, 4), (2, 1, 2, 6)]),
    seed=st.integers(0, 2**32 - 1),
    mask_seed=st.integers(0, 2**31),
    sd=st.floats(0.0, 0.5),
)
def test_random_masks_and_paths_stay_finite_and_pinned_exact(shape, seed, mask_seed, sd) -> None:
    n_scen, n_samp, n_paths, horizon = shape
    rng = np.random.default_rng(mask_seed)
    values = np.stack(
        [
            rng.uniform(0, 8, (n_scen, horizon)),
            rng.uniform(-2, 3, (n_scen, horizon)),
            rng.uniform(0.5, 6, (n_scen, horizon)),
            rng.uniform(3, 10, (n_scen, horizon)),
        ],
        axis=-1,
    )
    pinned = rng.random((n_scen, horizon, V)) < 0.5
    scen = ScenarioArrays(
        values,
        pinned,
        np.where(rng.random((n_scen, V)) < 0.5, sd, 0.0),
        np.zeros(values.shape[:2]),
    )
    names = tuple(f"s{i}" for i in range(n_scen))
    out = _run(
        params=synthetic_posterior(n_samp, seed=mask_seed % 1000),
        scen=scen,
        names=names,
        seed=seed,
        n_paths=n_paths,
        horizon=horizon,
    )
    for name, arr in out.items():
        assert np.isfinite(arr).all(), name
    for j, var in enumerate(VARS):
        exact = pinned[..., j] & (scen.path_sd[:, None, j] == 0)
        got = np.moveaxis(out[var], -1, 1)[exact]  # (n, sample, path)
        want = values[..., j].astype(np.float32)[exact]
        np.testing.assert_array_equal(got, np.broadcast_to(want[:, None, None], got.shape))


def test_bad_sizes_give_one_clear_message() -> None:
    with pytest.raises(ConfigError, match="paths_per_draw"):
        _run(n_paths=0)
    with pytest.raises(ConfigError, match="simulation.horizon to a positive"):
        _run(horizon=0)
    with pytest.raises(ScenarioError, match="cover 5 quarters but the horizon is 8"):
        _run(horizon=8)
    with pytest.raises(ConfigError, match="JAX_ENABLE_X64=1"):
        _run(dtype="float64")
    bad = synthetic_posterior(N)._replace(ff_a=np.zeros((N, 2)))
    with pytest.raises(ConfigError, match=r"shape \(sample,\)"):
        _run(params=bad)


def test_float64_on_request_in_a_64_bit_process() -> None:
    # x64 is process-global, so it runs in a child process; with shocks off both
    # precisions follow the same deterministic recursion.
    code = (
        "import numpy as np\n"
        "from rutsim.simulate import *\n"
        "from rutsim.simulate._kernel import _DEFAULT_SHOCKS\n"
        "v=np.zeros((1,3,4)); pin=np.zeros((1,3,4),bool)\n"
        "sc=ScenarioArrays(v,pin,np.zeros((1,4)),np.zeros(v.shape[:2]))\n"
        "p=synthetic_posterior(2)\n"
        "p=p._replace(**{k:np.zeros(2) for k in p._fields if k.endswith('sigma')})\n"
        "args=(scenario_keys(1,['a']),p,synthetic_initial(),sc)\n"
        "a=simulate_chunk(*args,n_paths=2,horizon=3,dtype='float64')\n"
        "b=simulate_chunk(*args,n_paths=2,horizon=3)\n"
        "assert a.total_return.dtype==np.float64 and b.total_return.dtype==np.float32\n"
        "np.testing.assert_allclose(a.total_return,b.total_return,rtol=1e-4,atol=1e-5)\n"
        "print('ok')\n"
    )
    env = {"JAX_ENABLE_X64": "1", "PATH": "/usr/bin:/bin"}
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]


def test_jax_keys_are_typed_and_distinct_per_name() -> None:
    keys = scenario_keys(7, ["base", "delayed_pivot", "base"])
    data = np.asarray(jax.random.key_data(keys))
    assert keys.shape == (3,)
    np.testing.assert_array_equal(data[0], data[2])
    assert not np.array_equal(data[0], data[1])


@pytest.mark.parametrize(
    ("shocks", "nu"),
    [
        (ShockSpec(macro="student_t", macro_nu=5.0), 5.0),  # -log U sums + half a square
        (ShockSpec(macro="student_t", macro_nu=4.5), 4.5),  # jax.random.gamma fallback
        (ShockSpec(macro="normal"), None),
    ],
)
def test_fed_funds_shocks_have_the_specified_distribution(shocks: ShockSpec, nu) -> None:
    from scipy import stats

    p = synthetic_posterior(1, seed=2)
    init = synthetic_initial()
    values, pinned = _held(init)
    pinned[..., 0] = False  # fed funds free, unemployment held: du = 0
    held = ScenarioArrays(values, pinned, np.zeros((1, V)), np.zeros(values.shape[:2]))
    out = _run(params=p, scen=held, names=("a",), n_paths=20_000, horizon=1, shocks=shocks)
    mean = float(init.ff + p.ff_a[0] + p.ff_phi[0] * init.dn)  # nothing priced in, du = 0
    e = (out["fedfunds"][0, 0, :, 0].astype(np.float64) - mean) / float(p.ff_sigma[0])
    dist = stats.norm() if nu is None else stats.t(nu)
    assert stats.kstest(e, dist.cdf).pvalue > 1e-3
    if nu is not None:  # and clearly not normal: the tails are heavier
        assert stats.kstest(e, stats.norm().cdf).pvalue < 1e-3


def test_equity_student_t_shocks_scale_the_small_cap_growth_shock() -> None:
    from scipy import stats

    p = synthetic_posterior(1, seed=2)
    free = ScenarioArrays(
        np.zeros((1, 1, V)), np.zeros((1, 1, V), bool), np.zeros((1, V)), np.zeros((1, 1))
    )
    shocks = ShockSpec(macro="normal", equity="student_t", equity_nu=7.0)
    kw = {"scen": free, "names": ("a",), "n_paths": 20_000, "horizon": 1, "shocks": shocks}
    with_shock = _run(params=p, **kw)["earnings_growth"][0, 0, :, 0].astype(np.float64)
    without = _run(params=p._replace(gs_sigma=np.zeros(1)), **kw)["earnings_growth"][0, 0, :, 0]
    e = (with_shock - without) / float(p.gs_sigma[0])
    assert stats.kstest(e, stats.t(7.0).cdf).pvalue > 1e-3


def test_a_pinned_surprise_moves_prices_by_the_models_impact() -> None:
    # Shocks off, unemployment held: a fed funds path 1pp below another from the first
    # quarter on differs by a 1pp dovish surprise in that quarter and none after (the
    # persistence term runs on moves that were not surprises). The first quarter's price
    # gap is the model's own impact (rutsim.equations.surprise_impacts), the one the
    # announcement days are tied to.
    from rutsim import equations as eq

    p = synthetic_posterior(1, seed=5)._replace(**{k: np.zeros(1) for k in SIGMAS})
    init = synthetic_initial()
    values, pinned = _held(init, horizon=3)
    values = np.repeat(values, 2, axis=0)
    pinned = np.repeat(pinned, 2, axis=0)
    values[1, :, 0] -= 1.0
    scen = ScenarioArrays(values, pinned, np.zeros((2, V)), np.zeros((2, 3)))
    out = _run(params=p, scen=scen, horizon=3, n_paths=2)
    gap = out["price_return"][1, 0, 0] - out["price_return"][0, 0, 0]
    small, large = eq.surprise_impacts({k: float(v[0]) for k, v in p._asdict().items()})
    assert gap[0] == pytest.approx(-float(small), rel=1e-4)
    large_gap = out["largecap_return"][1, 0, 0, 0] - out["largecap_return"][0, 0, 0, 0]
    assert large_gap == pytest.approx(-float(large), rel=1e-4)
    # no surprise after the first quarter: the spread gap decays at its own persistence
    spread_gap = out["spread"][1, 0, 0] - out["spread"][0, 0, 0]
    np.testing.assert_allclose(
        spread_gap, -float(p.cs_beta_mp[0]) * float(p.cs_phi[0]) ** np.arange(3), rtol=1e-4
    )
