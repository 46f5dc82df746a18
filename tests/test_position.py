"""Position-level risk: VaR, CVaR, loss probabilities and drawdowns in currency."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import make_run_folder, run_cli
from rutsim.config import PortfolioConfig, RunConfig, validate_model
from rutsim.errors import ConfigError
from rutsim.report import format_position
from rutsim.risk import BLEND, compute_position_metrics
from rutsim.risk._position import Atoms, drawdown_atoms, position_metrics
from rutsim.runs import load_run, run_metrics


def _pooled(table: pd.DataFrame, entity: str, h: int, metric: str) -> float:
    sel = table[
        (table.scenario == entity)
        & (table.horizon == h)
        & (table.metric == metric)
        & (table.statistic == "pooled")
    ]
    return float(sel.value.iloc[0])


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run_folder(tmp_path_factory.mktemp("position"), n_sample=12, n_path=30)


def test_a_long_index_position_is_the_notional_times_the_percentage_figures(
    run_folder: Path,
) -> None:
    run = load_run(run_folder)
    table = run_metrics(run, portfolio=PortfolioConfig(notional=2_000_000.0))
    for entity in [*run.scenarios, BLEND]:
        for h in (1, 4, 12):
            for pos, pct in (
                ("position_var_95", "var_95"),
                ("position_cvar_95", "cvar_95"),
                ("position_var_99", "var_99"),
                ("position_pnl_mean", "return_mean"),
            ):
                # The table sums the return's parts, the position the float32 total.
                assert _pooled(table, entity, h, pos) == pytest.approx(
                    2e6 * _pooled(table, entity, h, pct), rel=1e-6, abs=1e-3
                )
    assert set(table.unit[table.metric.str.startswith("position_var")]) == {"USD"}
    assert table.quarter[table.horizon == 1].unique().tolist() == ["2025Q4"]


def test_a_short_position_loses_in_the_upper_tail(run_folder: Path) -> None:
    """Known answer from the kept paths: the loss of a short is +notional x beta x R."""
    run = load_run(run_folder)
    sim = run.simulation["total_return"].transpose("scenario", "sample", "path", "horizon")
    notional, beta = 1_000_000.0, 1.5
    table = run_metrics(run, portfolio=PortfolioConfig(notional=notional, side="short", beta=beta))
    name = run.scenarios[0]
    cum = np.expm1(np.cumsum(sim.sel(scenario=name).values.astype(np.float64), axis=-1))
    loss = notional * beta * cum[..., 3].reshape(-1)  # horizon 4
    var = np.quantile(loss, 0.95, method="inverted_cdf")
    tail = np.sort(loss)[::-1][: int(np.ceil(0.05 * loss.size))]
    assert _pooled(table, name, 4, "position_var_95") == pytest.approx(var, rel=1e-12)
    # Exact CVaR: the worst 5% (here a whole number of paths) averaged.
    assert 0.05 * loss.size == pytest.approx(round(0.05 * loss.size))
    assert _pooled(table, name, 4, "position_cvar_95") == pytest.approx(tail.mean(), rel=1e-12)
    assert _pooled(table, name, 4, "position_prob_loss_gt_150000") == pytest.approx(
        np.mean(loss > 150_000)
    )


def test_drawdown_of_one_path_by_hand() -> None:
    # Index: +10%, then -20% from there, then +5%: values 1.10, 0.88, 0.924.
    logs = np.log([1.10, 0.8, 1.05])[None, None, :]
    long = drawdown_atoms(logs, np.array([1.0]), 1.0)
    np.testing.assert_allclose(long.values[0, :, 0], [0.0, 0.22, 0.22])
    # A short's value falls as the index rises: 0.10 at once, no further fall after.
    short = drawdown_atoms(logs, np.array([1.0]), -1.0)
    np.testing.assert_allclose(short.values[0, :, 0], [0.10, 0.10, 0.10])


@settings(max_examples=25, deadline=None)
@given(
    notional=st.floats(1e3, 1e9),
    beta=st.floats(0.1, 3.0),
    seed=st.integers(0, 2**16),
)
def test_figures_scale_with_the_exposure_and_a_negative_beta_is_a_short(
    notional: float, beta: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(0.02, 0.2, size=(1, 2, 200))
    atoms = Atoms(x, np.ones_like(x), np.array([200.0]))
    dd = Atoms(np.abs(x), np.ones_like(x), np.array([200.0]))
    unit = position_metrics(atoms, dd, 1.0, [])
    scaled = position_metrics(atoms, dd, notional * beta, [])
    for name in ("position_var_95", "position_cvar_99", "position_pnl_mean"):
        np.testing.assert_allclose(scaled[name][0], notional * beta * unit[name][0], rtol=1e-9)
    # Long with beta -b is the same exposure as short with beta b.
    long_neg = PortfolioConfig(notional=notional, beta=-beta)
    short_pos = PortfolioConfig(notional=notional, side="short", beta=beta)
    assert long_neg.exposure == short_pos.exposure < 0


def test_position_config_refuses_what_it_cannot_state() -> None:
    with pytest.raises(ConfigError, match=r"1 month, but the model steps one quarter"):
        validate_model(RunConfig, {"portfolio": {"horizons_months": [1, 3]}}, "c.toml")
    with pytest.raises(ConfigError, match="no small-cap exposure"):
        validate_model(RunConfig, {"portfolio": {"notional": 1e6, "beta": 0.0}}, "c.toml")
    with pytest.raises(ConfigError, match="portfolio.notional"):
        validate_model(RunConfig, {"portfolio": {"notional": -5.0}}, "c.toml")
    cfg = PortfolioConfig(notional=1e7, horizons_months=(3, 6))
    assert cfg.horizons((4, 8)) == (1, 2, 4, 8)
    assert cfg.thresholds() == (1e6, 2e6)


def test_cli_report_with_a_notional_states_currency_var_with_its_definition(
    run_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shutil

    folder = tmp_path / "outputs" / run_folder.name
    shutil.copytree(run_folder, folder)
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        *("report", str(folder), "--overwrite", "--notional", "10000000", "--currency", "EUR"),
    )
    assert code == 0, err
    summary = json.loads((folder / "summary.json").read_text())
    pos = summary["position"]
    assert pos["exposure"] == 1e7 and pos["currency"] == "EUR"
    assert "P&L = +notional x beta x R" in pos["definition"]
    var = pos["entities"][BLEND]["4"]["position_var_95"]
    table = pd.read_parquet(folder / "metrics.parquet")
    assert var["value"] == pytest.approx(1e7 * _pooled(table, BLEND, 4, "var_95"), rel=1e-6)
    assert var["mc_se"] > 0
    page = (folder / "report.html").read_text()
    assert "<section id='position'>" in page and "VaR and CVaR are losses in EUR" in page
    text = format_position(
        table, PortfolioConfig(notional=1e7, currency="EUR"), [1, 4], [f"q{i}" for i in range(12)]
    )
    assert "12 months (4 quarters, to q3), EUR" in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_the_blend_position_is_the_mixture_of_the_scenarios_paths(run_folder: Path) -> None:
    run = load_run(run_folder)
    weights = {s: 1 / len(run.scenarios) for s in run.scenarios}
    table = compute_position_metrics(run.simulation, weights, None, 1e6, [1e5])
    assert set(table.scenario) == {*run.scenarios, BLEND}
    sim = run.simulation["total_return"].transpose("scenario", "sample", "path", "horizon")
    cum = np.expm1(np.cumsum(sim.values.astype(np.float64), axis=-1))[..., 7].reshape(-1)
    # Equal weights and equal path counts: the blend is all paths pooled.
    expected = np.quantile(-1e6 * cum, 0.95, method="inverted_cdf")
    assert _pooled(table, BLEND, 8, "position_var_95") == pytest.approx(expected, rel=1e-12)
