"""Attribution, the per-draw reducer, and the long metrics table (scenarios and blend)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from helpers import SCENARIOS, make_paths, make_run_folder
from rutsim.errors import ConfigError
from rutsim.risk import (
    BLEND,
    COLUMNS,
    STATISTICS,
    attribute_mean,
    attribute_tail,
    compute_metrics,
    conditional_value_at_risk,
    draw_metrics,
    metric_names,
    path_metrics,
    tail_weights,
)
from rutsim.runs import load_run, resolve_weights, run_metrics

parts_strategy = arrays(
    np.float64,
    st.tuples(st.just(3), st.integers(1, 40), st.integers(1, 5)),
    elements=st.floats(-0.3, 0.3, allow_nan=False, width=64),
)


@given(parts_strategy, st.sampled_from([0.95, 0.99]))
def test_attribution_parts_add_up_to_total(parts: np.ndarray, level: float) -> None:
    cum_total = np.cumsum(parts.sum(axis=0), axis=-1)  # (sample, horizon)
    mean = attribute_mean(parts)
    np.testing.assert_allclose(mean.parts.sum(-1), mean.total, atol=1e-12)
    np.testing.assert_allclose(mean.total, cum_total.mean(axis=0), atol=1e-12)
    tail = attribute_tail(parts, level)
    np.testing.assert_allclose(tail.parts.sum(-1), tail.total, atol=1e-12)
    # The tail is the CVaR tail: its mean simple return is minus the CVaR.
    losses = -np.expm1(cum_total)
    tw = tail_weights(losses, level, axis=0)
    np.testing.assert_allclose(tail.total, (tw * cum_total).sum(axis=0), atol=1e-12)
    np.testing.assert_allclose(
        -(tw * np.expm1(cum_total)).sum(axis=0),
        conditional_value_at_risk(losses, level, axis=0),
        atol=1e-12,
    )


def test_attribution_known_answer() -> None:
    # Two paths, one quarter: path 1 = (+0.05, -0.02, +0.01), path 2 = (-0.10, -0.20, +0.01).
    parts = np.array([[[0.05], [-0.10]], [[-0.02], [-0.20]], [[0.01], [0.01]]])
    mean = attribute_mean(parts)
    np.testing.assert_allclose(mean.parts[0], [-0.025, -0.11, 0.01])
    tail = attribute_tail(parts, 0.95)  # the worst 5% lies in path 2 only
    np.testing.assert_allclose(tail.parts[0], [-0.10, -0.20, 0.01])
    np.testing.assert_allclose(tail.total, [-0.29])


def test_draw_metrics_shapes_and_horizons() -> None:
    arrays_ = make_paths(4, 25, 6, seed=1)
    paths = SimpleNamespace(**arrays_)
    out = draw_metrics(paths)
    assert set(out) == set(metric_names())
    assert all(v.shape == (3, 4, 6) for v in out.values())
    sub = draw_metrics(paths, horizons=[2, 6])
    np.testing.assert_array_equal(sub["cvar_95"], out["cvar_95"][..., [1, 5]])
    with pytest.raises(ValueError, match="horizons must lie in 1..6"):
        draw_metrics(paths, horizons=[0, 7])
    # Per draw over that draw's paths, checked against plain numpy for one cell.
    total = (
        arrays_["earnings_growth"].astype(np.float64)
        + arrays_["multiple_change"]
        + arrays_["carry"]
    )
    ret = np.expm1(np.cumsum(total, axis=-1))[2, 3, :, 4]
    assert out["var_95"][2, 3, 4] == pytest.approx(np.quantile(-ret, 0.95, method="inverted_cdf"))
    assert out["prob_loss"][2, 3, 4] == pytest.approx(np.mean(ret < 0))
    assert out["return_sd"][2, 3, 4] == pytest.approx(ret.std())
    lc = np.cumsum(arrays_["largecap_return"].astype(np.float64), axis=-1)[2, 3, :, 4]
    small = np.cumsum(
        arrays_["earnings_growth"].astype(np.float64) + arrays_["multiple_change"], axis=-1
    )[2, 3, :, 4]
    assert out["prob_beat_largecap"][2, 3, 4] == pytest.approx(np.mean(small > lc))


def test_prob_beat_is_nan_when_largecaps_not_simulated() -> None:
    arrays_ = make_paths(2, 5, 3, seed=2)
    arrays_["largecap_return"] = np.full_like(arrays_["carry"], np.nan)
    out = path_metrics(SimpleNamespace(**arrays_))
    assert np.all(np.isnan(out["prob_beat_largecap"]))
    assert np.all(np.isfinite(out["cvar_99"]))


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run_folder(tmp_path_factory.mktemp("metrics"), n_sample=12, n_path=30, n_horizon=8)


def test_table_layout(run_folder: Path) -> None:
    table = run_metrics(run_folder)
    assert tuple(table.columns) == (*COLUMNS, "quarter", "unit")
    names = [*SCENARIOS, BLEND]
    assert list(dict.fromkeys(table.scenario)) == names
    assert len(table) == len(names) * 8 * len(metric_names()) * len(STATISTICS)
    assert sorted(table.horizon.unique()) == list(range(1, 9))
    assert set(table.statistic) == set(STATISTICS)
    assert not table.duplicated(["scenario", "horizon", "metric", "statistic"]).any()


def _value(table: pd.DataFrame, scenario: str, horizon: int, metric: str, statistic: str) -> float:
    sel = table[
        (table.scenario == scenario)
        & (table.horizon == horizon)
        & (table.metric == metric)
        & (table.statistic == statistic)
    ]
    assert len(sel) == 1
    return float(sel.value.iloc[0])


def test_blend_is_the_mixture_distribution(run_folder: Path) -> None:
    run = load_run(run_folder)
    table = run_metrics(run)
    sim = run.simulation
    total = sum(
        sim[v].values.astype(np.float64) for v in ("earnings_growth", "multiple_change", "carry")
    )
    ret = np.expm1(total.sum(axis=-1))  # horizon 8: (scenario, sample, path)
    w = np.array([v[1] for v in SCENARIOS.values()])
    weights = np.repeat(w / ret[0].size, ret[0].size)
    pooled = -ret.reshape(-1)
    var = np.quantile(pooled, 0.95, weights=weights, method="inverted_cdf")
    assert _value(table, BLEND, 8, "var_95", "pooled") == pytest.approx(var)
    assert _value(table, BLEND, 8, "return_mean", "pooled") == pytest.approx(
        np.sum(weights * ret.reshape(-1))
    )
    assert _value(table, BLEND, 8, "prob_loss", "pooled") == pytest.approx(
        np.sum(weights * (ret.reshape(-1) < 0))
    )
    # The per-draw blend mixes the scenarios' paths of the same draw.
    draw3 = -ret[:, 3, :].reshape(-1)
    wd = np.repeat(w / ret.shape[2], ret.shape[2])
    per_draw = np.quantile(draw3, 0.95, weights=wd, method="inverted_cdf")
    dm = path_metrics(
        SimpleNamespace(
            **{
                k: np.swapaxes(sim[k].values, 0, 1).reshape(12, -1, 8)
                for k in ("earnings_growth", "multiple_change", "carry", "largecap_return")
            }
        ),
        weights=wd,
    )
    assert dm["var_95"][3, -1] == pytest.approx(per_draw)
    draws = np.array(
        [
            np.quantile(-ret[:, d, :].reshape(-1), 0.95, weights=wd, method="inverted_cdf")
            for d in range(12)
        ]
    )
    assert _value(table, BLEND, 8, "var_95", "draw_mean") == pytest.approx(draws.mean())
    assert _value(table, BLEND, 8, "var_95", "draw_q95") == pytest.approx(
        np.quantile(draws, 0.95, method="inverted_cdf")
    )


def test_weights_override_and_errors(run_folder: Path) -> None:
    run = load_run(run_folder)
    assert resolve_weights(run) == pytest.approx(
        {"base": 0.5, "delayed_pivot": 0.3, "aggressive_easing": 0.2}
    )
    only_base = run_metrics(run, {"base": 1.0, "delayed_pivot": 0.0, "aggressive_easing": 0.0})
    for metric in ("var_99", "cvar_95", "return_q05", "attr_cvar95_carry"):
        assert _value(only_base, BLEND, 5, metric, "pooled") == pytest.approx(
            _value(only_base, "base", 5, metric, "pooled")
        )
    with pytest.raises(ConfigError, match="scenario 'basse'.*use one of those names"):
        resolve_weights(run, {"basse": 1.0})
    with pytest.raises(ConfigError, match="non-negative with a positive sum"):
        resolve_weights(run, {"base": -1.0})


def test_without_draw_metrics_file_uses_saved_paths(tmp_path: Path, run_folder: Path) -> None:
    with_file = run_metrics(run_folder)
    without = make_run_folder(
        tmp_path, n_sample=12, n_path=30, n_horizon=8, with_draw_metrics=False
    )
    assert not (without / "draw_metrics.nc").exists()
    # draw_metrics.nc stores float32: the per-draw statistics agree to its 7 digits.
    np.testing.assert_allclose(run_metrics(without).value, with_file.value, rtol=2e-6, atol=1e-9)


def test_draw_metrics_is_the_simulation_driver_reducer() -> None:
    from rutsim.config import SimulationConfig
    from rutsim.simulate import (
        ScenarioArrays,
        SimPaths,
        run_simulation,
        synthetic_initial,
        synthetic_posterior,
    )
    from rutsim.types import ShockSpec

    h = 4
    values = np.zeros((h, 4))
    values[:, 0] = [4.0, 3.8, 3.6, 3.5]
    pinned = np.zeros((h, 4), dtype=bool)
    pinned[:, 0] = True
    scen = [
        ("base", ScenarioArrays(values, pinned, np.zeros(4), np.zeros(values.shape[0]))),
        ("free", ScenarioArrays(values, ~pinned, np.zeros(4), np.zeros(values.shape[0]))),
    ]
    cfg = SimulationConfig(paths_per_draw=20, horizon=h, keep_paths=20, chunk_size=3)
    res = run_simulation(
        5, synthetic_posterior(7), synthetic_initial(), scen, cfg, ShockSpec(), draw_metrics
    )
    assert isinstance(res.paths, SimPaths)
    # Chunked reductions equal one reduction of all kept (here: all) paths.
    whole = draw_metrics(res.paths)
    assert set(res.metrics) == set(metric_names())
    for name in metric_names():
        np.testing.assert_allclose(res.metrics[name], whole[name], rtol=1e-12, equal_nan=True)
        assert res.metrics[name].shape == (2, 7, h)


def test_runs_without_paths_or_with_non_finite_values_are_refused(tmp_path: Path) -> None:
    import xarray as xr

    from rutsim.errors import RunOutputError

    folder = make_run_folder(
        tmp_path, n_sample=3, n_path=4, n_horizon=3, with_model=False, with_draw_metrics=False
    )
    sim = folder / "simulation.nc"
    with xr.open_dataset(sim, engine="h5netcdf") as ds:
        ds = ds.load()
    ds.isel(path=slice(0, 0)).to_netcdf(sim, engine="h5netcdf")
    with pytest.raises(RunOutputError, match="no saved paths.*keep_paths >= 1"):
        load_run(folder)
    bad = ds.copy(deep=True)
    bad["carry"][0, 0, 0, 0] = np.nan
    bad.to_netcdf(sim, engine="h5netcdf")
    with pytest.raises(RunOutputError, match="'carry' holds NaN or infinite values"):
        load_run(folder)


def test_compute_metrics_from_in_memory_datasets(run_folder: Path) -> None:
    import xarray as xr

    with xr.open_dataset(run_folder / "simulation.nc", engine="h5netcdf") as ds:
        sim = ds.load()
    weights = {"base": 0.5, "delayed_pivot": 0.25, "aggressive_easing": 0.25}
    # Without draw_metrics.nc the per-draw statistics come from the kept paths, which in
    # this synthetic run are all the simulated paths: the same table as from the folder.
    table = compute_metrics(sim, weights)
    from_folder = run_metrics(
        run_folder, {"base": 2.0, "delayed_pivot": 1.0, "aggressive_easing": 1.0}
    )
    np.testing.assert_allclose(table.value, from_folder.value, rtol=2e-6, atol=1e-9)
    with pytest.raises(ValueError, match="no blend weight for scenarios"):
        compute_metrics(sim, {"base": 1.0})
