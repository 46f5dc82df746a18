"""A rolling-origin backtest (3 origins, 2 worker processes), rescored by hand.

The fit is wrapped to check, inside each worker, that the panel it receives ends at the
origin and holds no unpublished EPS; every score in the folder is then recomputed from the
saved draws with formulas written here. In the fast tier every origin reuses the session's
shared small fit (the plumbing, the look-ahead rules and the scores do not depend on which
posterior is used); the slow tier fits every origin for real and reruns from the store.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import FIRST_CUTS_SINCE_1987
from rutsim.model import fit_or_load, load_model
from rutsim.validate import backtest, study_easing
from rutsim.validate._origins import Mode

TINY = """
[sampler]
backend = "pymc"
chains = 1
draws = 60
tune = 60
cores = 1
seed = 3
allow_unconverged = true

[simulation]
paths_per_draw = 10
max_draws = 60
chunk_size = 60
seed = 5

[outputs]
dir = "outputs"
models_dir = "models"
figures = false

[backtest]
origins = "2006Q4,2007Q4,2008Q4"
every = 4
horizons = [1, 2, 4]
condition = ["realized", "fedfunds", "none"]
baseline_samples = 800
workers = 2
save_samples = true
"""
ORIGINS = ("2006Q4", "2007Q4", "2008Q4")


def record_panel(record_dir: Path, config, panel: pd.DataFrame) -> None:
    """Check and record what the fit of one origin may see."""
    origin = pd.Period(config.data.end, "Q")
    assert panel.index.max() == origin, "the fit received rows after its origin"
    assert np.isnan(panel.at[origin, "sp500_op_eps_ttm"]), "unpublished EPS reached the fit"
    record = {
        "origin": str(origin),
        "last_row": str(panel.index.max()),
        "last_eps": str(panel["sp500_op_eps_ttm"].dropna().index.max()),
        "anchors": config.model.anchors.enabled,
    }
    (record_dir / f"{origin}.json").write_text(json.dumps(record))


def recording_fit(record_dir: Path, config, *, panel: pd.DataFrame, **kwargs):
    """Check and record what the fit of one origin may see, then fit for real."""
    record_panel(record_dir, config, panel)
    return fit_or_load(config, panel=panel, **kwargs)


def recording_saved_fit(record_dir: Path, folder: Path, config, *, panel, **kwargs):
    """Check and record what the fit may see, then hand back one saved model."""
    record_panel(record_dir, config, panel)
    return saved_fit(folder, config)


def saved_fit(folder: Path, config, **kwargs):
    """Stand-in fit for plumbing tests: the same saved model at every origin.

    It is dated at the origin, as a real fit there would be (the backtest refuses a model
    fitted on data past its origin).
    """
    fitted = load_model(folder)
    manifest = fitted.manifest.model_copy(update={"as_of": config.data.end})
    return dataclasses.replace(fitted, manifest=manifest)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bt")
    (root / "configs").mkdir()
    (root / "configs" / "tiny.toml").write_text(TINY)
    (root / "records").mkdir()
    return root


@pytest.fixture(scope="module")
def result(project: Path, small_fit):
    fit = functools.partial(recording_saved_fit, project / "records", small_fit.path)
    return backtest(project / "configs" / "tiny.toml", name="t", echo=None, fit=fit)


def test_folder_is_complete_and_self_describing(result, project: Path, small_fit) -> None:
    folder = project / "outputs" / "backtest-t"
    assert result.folder == folder
    for name in ("scores", "origins", "summary"):
        table = pd.read_parquet(folder / f"{name}.parquet")
        # The CSV reads back equal to the Parquet (shortest round-trip float text).
        csv = pd.read_csv(folder / f"{name}.csv", dtype={"origin": str, "model_id": str})
        for col in table.select_dtypes("number").columns:
            assert np.array_equal(csv[col].to_numpy(), table[col].to_numpy(), equal_nan=True)
    for name in ("pit_histogram", "coverage_by_horizon", "crps_skill_random_walk"):
        assert (folder / "figures" / f"{name}.png").stat().st_size > 5000
    assert sorted(p.stem for p in (folder / "forecasts").glob("*.npz")) == list(ORIGINS)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["origins"] == list(ORIGINS)
    assert set(manifest["model_ids"]) == set(ORIGINS)
    assert manifest["data_hash"] and manifest["config_hash"] and manifest["versions"]["pymc"]
    assert manifest["seed"] == 5 and manifest["lookahead_rules"]["eps_lag_quarters"] == 1
    # The gate verdict of each origin's model is flagged in the scores and listed.
    passed = small_fit.manifest.diagnostics.passed
    assert manifest["failed_gate"] == ([] if passed else list(ORIGINS))
    assert manifest["excluded"] == [] and (result.scores["gate_passed"] == passed).all()
    html = (folder / "report.html").read_text()
    assert ("failed the diagnostics gate" in html) != passed
    assert "http" not in html.replace("https", "")
    assert (folder / "config.toml").read_text().count("[backtest]") == 1


def test_each_fit_saw_only_its_past(result, project: Path) -> None:
    for origin in ORIGINS:
        rec = json.loads((project / "records" / f"{origin}.json").read_text())
        q = pd.Period(origin, "Q")
        assert rec["last_row"] == origin
        assert rec["last_eps"] == str(q - 1)
        assert rec["anchors"] is False  # the seed's anchors are dated 2025Q3


def _crps_pairwise(x: np.ndarray, y: float) -> float:
    return float(np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :])))


def test_every_score_matches_a_hand_computation(result, project: Path) -> None:
    folder = project / "outputs" / "backtest-t"
    scores = pd.read_parquet(folder / "scores.parquet")
    assert len(scores) == 3 * (3 * 2 + 2) * 3  # origins x (modes x targets + baselines) x h
    for origin in ORIGINS:
        draws = np.load(folder / "forecasts" / f"{origin}.npz")
        for row in scores[scores.origin == origin].itertuples():
            suffix = "__total" if row.target == "total" else ""
            x = np.sort(np.expm1(draws[f"{row.forecaster}{suffix}"][:, row.horizon - 1]))
            y = float(np.expm1(draws[f"realized__{row.target}"][row.horizon - 1]))
            n = x.size
            assert row.realized == pytest.approx(y)
            assert row.pit == pytest.approx((np.sum(x < y) + 0.5 * np.sum(x == y)) / n)
            for level, hit in ((0.5, row.in_50), (0.9, row.in_90)):
                lo = x[math.ceil(n * (1 - level) / 2) - 1]
                hi = x[math.ceil(n * (1 + level) / 2) - 1]
                assert hit == (lo <= y <= hi)
            assert row.crps == pytest.approx(_crps_pairwise(x, y), rel=1e-9, abs=1e-12)
            assert row.error == pytest.approx(x.mean() - y)
    # Realized price return from the shipped closes, by hand.
    from rutsim.data import load_panel

    panel = load_panel()
    r = scores[(scores.origin == "2007Q4") & (scores.horizon == 4) & (scores.target == "price")]
    hand = panel.at[pd.Period("2008Q4", "Q"), "rut_end"] / panel.at[pd.Period("2007Q4"), "rut_end"]
    assert r["realized"].iloc[0] == pytest.approx(hand - 1)


def test_summary_aggregates_the_scores(result) -> None:
    s, sc = result.summary, result.scores
    for fc in ("rutsim:realized", "rutsim:none", "random_walk"):
        got = s[(s.forecaster == fc) & (s.target == "price") & (s.horizon == 4)].iloc[0]
        rows = sc[(sc.forecaster == fc) & (sc.target == "price") & (sc.horizon == 4)]
        assert got.n == 3
        assert got.mean_pit == pytest.approx(rows.pit.mean())
        assert got.cover_90 == pytest.approx(rows.in_90.mean())
        assert got.mean_crps == pytest.approx(rows.crps.mean())
    model = sc[(sc.forecaster == "rutsim:realized") & (sc.target == "price") & (sc.horizon == 4)]
    rw = sc[(sc.forecaster == "random_walk") & (sc.target == "price") & (sc.horizon == 4)]
    row = s[(s.forecaster == "rutsim:realized") & (s.target == "price") & (s.horizon == 4)]
    assert row.skill_vs_random_walk.iloc[0] == pytest.approx(1 - model.crps.mean() / rw.crps.mean())
    gain = rw.set_index("origin").crps - model.set_index("origin").crps
    rest = gain.drop(gain.idxmax())
    base_rest = rw.set_index("origin").crps.drop(gain.idxmax())
    assert row.ex_best_origin.iloc[0] == gain.idxmax()
    assert row.skill_vs_random_walk_ex_best.iloc[0] == pytest.approx(rest.mean() / base_rest.mean())


def test_one_worker_gives_the_same_scores(result, project: Path, small_fit) -> None:
    again = backtest(
        project / "configs" / "tiny.toml",
        name="t1",
        echo=None,
        fit=functools.partial(saved_fit, small_fit.path),
        workers=1,
    )
    pd.testing.assert_frame_equal(again.scores, result.scores)


def test_origins_as_dask_tasks_give_the_same_scores(result, project: Path, small_fit) -> None:
    pytest.importorskip("distributed", reason="the scale extra is not installed")
    text = (project / "configs" / "tiny.toml").read_text()
    text = text.replace("[simulation]\n", '[simulation]\nexecutor = "dask"\n')
    text += '\n[dask]\nn_workers = 2\ndashboard_address = ""\n'
    (project / "configs" / "dask.toml").write_text(text)
    lines: list[str] = []
    on_dask = backtest(
        project / "configs" / "dask.toml",
        name="dask",
        echo=lines.append,
        fit=functools.partial(saved_fit, small_fit.path),
    )
    pd.testing.assert_frame_equal(on_dask.scores, result.scores)
    assert on_dask.manifest["executor"] == "dask"
    assert any("3 origins as tasks on the Dask cluster (2 worker threads)" in x for x in lines)
    assert sum(": done, " in x for x in lines) == 3


@pytest.mark.slow
def test_real_fits_per_origin_see_only_their_past_and_are_reused(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "tiny.toml").write_text(TINY)
    (tmp_path / "records").mkdir()
    fit = functools.partial(recording_fit, tmp_path / "records")
    first = backtest(tmp_path / "configs" / "tiny.toml", name="t", echo=None, fit=fit)
    test_each_fit_saw_only_its_past(first, tmp_path)
    manifest = json.loads((first.folder / "manifest.json").read_text())
    # 60 draws of one chain cannot pass the gate: flagged, scored, listed.
    assert manifest["failed_gate"] == list(ORIGINS) and not first.scores["gate_passed"].any()
    models = tmp_path / "models"
    before = sorted(p.name for p in models.iterdir())
    assert len(before) == len(ORIGINS)
    calls: list[str] = []

    def counting_fit(config, **kwargs):
        calls.append(config.data.end)
        return fit_or_load(config, **kwargs)

    again = backtest(
        tmp_path / "configs" / "tiny.toml", name="t2", echo=None, fit=counting_fit, workers=1
    )
    assert calls == list(ORIGINS)
    assert sorted(p.name for p in models.iterdir()) == before  # loaded, not refitted
    pd.testing.assert_frame_equal(again.scores, first.scores)


def test_study_replay_plumbing_with_a_saved_fit(
    result, project: Path, small_fit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The replay path end to end; every origin reuses one saved fit (fit is injected)."""
    import rutsim.validate._study as study_module
    from rutsim.simulate import MACRO_VARIABLES

    modes = []
    real_run_origins = study_module.run_origins

    def recording(tasks, *args, **kwargs):
        modes.extend(task["modes"] for task in tasks)
        return real_run_origins(tasks, *args, **kwargs)

    monkeypatch.setattr(study_module, "run_origins", recording)
    saved = functools.partial(saved_fit, small_fit.path)
    study = study_easing(project / "configs" / "tiny.toml", name="s", echo=None, fit=saved)
    # the replay is told the whole realized macro path, unemployment included
    assert modes and all(m == (Mode("realized", MACRO_VARIABLES),) for m in modes)
    done = study.replay.dropna(subset=["model_median"])
    assert tuple(done.first_cut) == FIRST_CUTS_SINCE_1987[1:]  # 1989: too little data
    assert list(done.origin) == ["1995Q2", "1998Q2", "2000Q4", "2007Q2", "2019Q2", "2024Q2"]
    skipped = study.replay[study.replay.model_median.isna()]
    why = dict(zip(skipped.first_cut, skipped.skipped, strict=True))
    assert "has 5 quarters" in why["1989-06"] and "needs at least 24" in why["1989-06"]
    assert "outside the data" in why["1984-09"] and len(why) == 9
    assert set(study.gap) >= {"model_gap", "history_gap"}
    assert (study.folder / "figures" / "replay.png").is_file()


def test_a_model_fitted_past_its_origin_is_refused(small_fit) -> None:
    from rutsim.config import RunConfig, load_config
    from rutsim.errors import ModelStoreError
    from rutsim.validate._origin import run_origin

    cfg, _ = load_config(RunConfig(data={"start": "2012Q1", "end": "2025Q3"}), Path.cwd())
    with pytest.raises(ModelStoreError, match="look ahead"):
        # The saved model saw data through 2025Q3; at origin 2019Q4 it would leak the future.
        run_origin(cfg, "2019Q4", (1,), (), 10, fit=lambda config, **kw: small_fit)
