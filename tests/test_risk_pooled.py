"""Pooled metrics over every path from binned sums, against the exact values of the paths.

Means, standard deviations, probabilities and the mean attribution are exact; quantiles,
VaR, CVaR and drawdown quantiles are within one bin (the documented accuracy); chunked
sums equal the sums over all paths; the blend's bins are the weighted mixture.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import TINY, fake_fit
from rutsim.pipeline import run
from rutsim.risk import (
    COMPONENTS,
    DRAWDOWN_BIN_WIDTH,
    RETURN_BIN_WIDTH,
    bin_paths,
    draw_metrics,
    metric_names,
    path_metrics,
)
from rutsim.risk._pooled import DRAW_AVERAGED, mix_bins, pooled_metrics
from rutsim.runs import load_run, run_metrics

EXACT = {
    "return_mean",
    "return_sd",
    "max_drawdown_mean",
    *DRAW_AVERAGED,
    *(m for m in metric_names() if m.startswith("attr_mean_")),
}
#: A quantile of the simple return sits within one log bin: |dR| <= (1 + R) (e^w - 1).
RETURN_SLACK = np.expm1(RETURN_BIN_WIDTH)


class _Paths(NamedTuple):
    earnings_growth: np.ndarray
    multiple_change: np.ndarray
    carry: np.ndarray
    largecap_return: np.ndarray


def _paths(n_scen: int, n_draw: int, n_path: int, horizon: int, seed: int) -> _Paths:
    rng = np.random.default_rng(seed)
    shape = (n_scen, n_draw, n_path, horizon)
    drift = rng.normal(0, 0.02, (n_scen, n_draw, 1, 1))  # parameter uncertainty
    eg = drift + rng.normal(0.01, 0.05, shape)
    mc = rng.standard_t(4, shape) * 0.06
    carry = np.full(shape, 0.004)
    return _Paths(eg, mc, carry, rng.normal(0.015, 0.07, shape))


def _pooled(paths: _Paths) -> dict[str, np.ndarray]:
    binned = bin_paths(paths)
    dm = draw_metrics(paths)
    return pooled_metrics(binned, {k: dm[k].mean(axis=1) for k in DRAW_AVERAGED})


def _flat(paths: _Paths) -> _Paths:
    n_s, n_d, n_p, n_h = paths.carry.shape
    return _Paths(*(a.reshape(n_s, n_d * n_p, n_h) for a in paths))


def _check(pooled: dict[str, np.ndarray], exact: dict[str, np.ndarray], n: int) -> None:
    """Compare with the exact values of ``n`` paths per entity."""
    for m in metric_names():
        got, want = pooled[m], exact[m]
        if m in EXACT:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=m)
        elif m.startswith(("return_q", "return_median")):
            assert np.all(np.abs(got - want) <= RETURN_SLACK * (1 + want) + 1e-12), m
        elif m.startswith(("var_", "cvar_")):
            assert np.all(np.abs(got - want) <= RETURN_SLACK * (1 - want) + 1e-12), m
        elif m.startswith("max_drawdown_q"):
            assert np.all(np.abs(got - want) <= DRAWDOWN_BIN_WIDTH + 1e-12), m
        elif m.endswith("_total"):  # tail mean of the log return: within one bin
            assert np.all(np.abs(got - want) <= RETURN_BIN_WIDTH + 1e-12), m
        else:
            # Tail attribution of each part: a bin mixes paths with the same total but
            # other splits, and the boundary bin's split is its average one. With 20 or
            # more paths in the tail that moves a part by under a point; in any case the
            # parts add up to the total.
            level = 0.95 if "cvar95" in m else 0.99
            if (1 - level) * n >= 20:
                assert np.all(np.abs(got - want) <= 0.01), m
            tag = m.split("_")[1]
            parts = sum(pooled[f"attr_{tag}_{c}"] for c in COMPONENTS)
            np.testing.assert_allclose(parts, pooled[f"attr_{tag}_total"], atol=1e-12)


@given(
    st.integers(1, 3),
    st.integers(2, 12),
    st.integers(1, 40),
    st.integers(1, 6),
    st.integers(0, 2**31),
)
def test_pooled_metrics_are_exact_or_within_one_bin(
    n_scen: int, n_draw: int, n_path: int, horizon: int, seed: int
) -> None:
    paths = _paths(n_scen, n_draw, n_path, horizon, seed)
    _check(_pooled(paths), path_metrics(_flat(paths)), n_draw * n_path)


def test_known_answer_two_atoms() -> None:
    # Half the paths gain 10%, half lose 20% over one quarter: exact answers known.
    log = np.log(np.array([1.1] * 50 + [0.8] * 50)).reshape(1, 2, 50, 1)
    zero = np.zeros_like(log)
    paths = _Paths(log, zero, zero, zero)
    out = _pooled(paths)
    assert out["return_mean"][0, 0] == pytest.approx(-0.05, abs=1e-12)
    assert out["return_sd"][0, 0] == pytest.approx(0.15, abs=1e-12)
    assert out["prob_loss"][0, 0] == pytest.approx(0.5, abs=1e-12)
    # Each atom's bin holds only that atom, so the atoms come back exactly.
    assert out["var_95"][0, 0] == pytest.approx(0.2, abs=1e-12)
    assert out["cvar_99"][0, 0] == pytest.approx(0.2, abs=1e-12)
    assert out["return_q95"][0, 0] == pytest.approx(0.1, abs=1e-12)
    assert out["max_drawdown_mean"][0, 0] == pytest.approx(0.1, abs=1e-12)


def test_sums_over_chunks_are_the_sums_over_all_paths() -> None:
    paths = _paths(2, 10, 30, 5, seed=4)
    whole = bin_paths(paths)
    first = bin_paths(_Paths(*(a[:, :4] for a in paths)))
    second = bin_paths(_Paths(*(a[:, 4:] for a in paths)))
    for k, v in whole.items():
        if "count" in k:
            np.testing.assert_array_equal(first[k] + second[k], v, err_msg=k)
        else:
            np.testing.assert_allclose(first[k] + second[k], v, rtol=1e-12, atol=1e-12)
    assert (whole["count"].sum(axis=-1) == 10 * 30).all()


def test_blend_bins_are_the_weighted_mixture() -> None:
    paths = _paths(3, 8, 25, 4, seed=9)
    weights = np.array([0.5, 0.3, 0.2])
    binned = bin_paths(paths)
    dm = draw_metrics(paths)
    averages = {k: np.einsum("s,sh->h", weights, dm[k].mean(axis=1))[None] for k in DRAW_AVERAGED}
    got = pooled_metrics(mix_bins(binned, weights), averages)
    n_s, n_d, n_p, n_h = paths.carry.shape
    mixed = _Paths(*(a.reshape(1, n_s * n_d * n_p, n_h) for a in paths))
    w = np.repeat(weights / (n_d * n_p), n_d * n_p)
    _check(got, path_metrics(mixed, weights=w), n_s * n_d * n_p)


def test_a_run_pools_every_path_not_only_the_kept_ones(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    config = tmp_path / "configs" / "tiny.toml"
    config.write_text(
        TINY.format(scenarios=Path(__file__).resolve().parents[1] / "scenarios").replace(
            "keep_paths = 5", "keep_paths = 2"
        )
    )
    res = run(config, name="pooled", progress=False, echo=None, fit=fake_fit)
    loaded = load_run(res.folder)
    assert loaded.simulation.sizes["path"] == 2
    assert loaded.pooled is not None
    counts = loaded.pooled["count"].sel(scenario=list(loaded.scenarios)).sum("bin")
    assert (counts == 6 * 8).all()  # draws x paths_per_draw
    table = run_metrics(loaded).set_index(["scenario", "horizon", "metric", "statistic"])
    # Equal paths per draw: the pooled mean over all paths is the mean of the draw means
    # (the saved per-draw values are float32), which the two kept paths alone are not.
    for scen in ("base", "delayed_pivot"):
        pooled = table.value[(scen, 8, "return_mean", "pooled")]
        assert pooled == pytest.approx(table.value[(scen, 8, "return_mean", "draw_mean")], rel=1e-6)
        kept = loaded.simulation.sel(scenario=scen)
        parts = sum(
            kept[c].values.astype(np.float64)
            for c in ("earnings_growth", "multiple_change", "carry")
        )
        assert pooled != pytest.approx(np.expm1(parts.sum(axis=-1)).mean(), rel=1e-6)
    summary = json.loads((res.folder / "summary.json").read_text())
    assert summary["pooled_paths_per_scenario"] == 6 * 8
    assert summary["pooled_from"].startswith("pooled.nc")
