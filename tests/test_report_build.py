"""The report files of a run folder: tables vs plain numpy, figures, HTML, rebuild safety."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from helpers import PRICED_IN, SCENARIOS, make_run_folder
from rutsim.errors import RunOutputError
from rutsim.report import REPORT_ENTRIES, build_report
from rutsim.risk import STATISTICS

EVIL = '<script>alert("pwned")</script> & <img src=x onerror=1>'
SCEN = {**SCENARIOS, "base": (EVIL, *SCENARIOS["base"][1:])}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_run_folder(
        tmp_path_factory.mktemp("report"), n_sample=16, n_path=40, scenarios=SCEN
    )
    build_report(folder)
    return folder


def _snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder`` (and the folder's siblings)."""
    files = {
        str(p.relative_to(folder.parent)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.parent.rglob("*"))
        if p.is_file()
    }
    dirs = sorted(str(p.relative_to(folder.parent)) for p in folder.parent.rglob("*") if p.is_dir())
    return {**files, "__dirs__": ",".join(dirs)}


def _plain_numpy_metrics(sim_path: Path, scenario: str, h: int) -> dict[str, float]:
    """Pooled metrics at horizon ``h`` straight from simulation.nc with numpy only."""
    import xarray as xr

    with xr.open_dataset(sim_path, engine="h5netcdf") as ds:
        sel = ds.sel(scenario=scenario)
        parts = [
            sel[v].values.astype(np.float64)
            for v in ("earnings_growth", "multiple_change", "carry")
        ]
    cum = [np.cumsum(p, axis=-1)[..., h - 1].ravel() for p in parts]
    log_total = cum[0] + cum[1] + cum[2]
    ret = np.expm1(log_total)
    loss = np.sort(-ret)[::-1]
    n = loss.size
    out = {
        "return_mean": ret.mean(),
        "return_sd": ret.std(),
        "return_median": np.quantile(ret, 0.5, method="inverted_cdf"),
        "return_q05": np.quantile(ret, 0.05, method="inverted_cdf"),
        "prob_loss": np.mean(ret < 0),
        "prob_loss_gt_10pct": np.mean(ret < -0.1),
        "attr_mean_total": log_total.mean(),
        "attr_mean_carry": cum[2].mean(),
    }
    for level in (0.95, 0.99):
        tag = round(level * 100)
        out[f"var_{tag}"] = np.quantile(-ret, level, method="inverted_cdf")
        m = n * (1 - level)
        k = int(np.floor(m + 1e-9))
        out[f"cvar_{tag}"] = (loss[:k].sum() + (m - k) * (loss[k] if m > k + 1e-9 else 0)) / m
    return out


def test_metrics_parquet_agrees_with_plain_numpy(built: Path) -> None:
    table = pd.read_parquet(built / "metrics.parquet")
    csv = pd.read_csv(built / "metrics.csv")
    assert list(table.columns) == [
        "scenario",
        "horizon",
        "metric",
        "statistic",
        "value",
        "mc_se",
        "flag",
        "quarter",
        "unit",
    ]
    assert table.quarter[table.horizon == 4].unique().tolist() == ["2026Q3"]
    assert set(table.unit) == {"decimal", "probability"}
    np.testing.assert_allclose(csv.value, table.value, rtol=1e-9)
    pooled = table[table.statistic == "pooled"].set_index(["scenario", "horizon", "metric"]).value
    for scenario in SCEN:
        for h in (4, 8, 12):
            for metric, expected in _plain_numpy_metrics(
                built / "simulation.nc", scenario, h
            ).items():
                assert pooled[(scenario, h, metric)] == pytest.approx(
                    expected, rel=1e-9, abs=1e-12
                ), metric


def test_posterior_summaries_and_drawdown_agree_with_plain_numpy(built: Path) -> None:
    import xarray as xr

    table = pd.read_parquet(built / "metrics.parquet")
    at = table[(table.scenario == "delayed_pivot") & (table.horizon == 12)]
    value = at.set_index(["metric", "statistic"]).value
    with xr.open_dataset(built / "simulation.nc", engine="h5netcdf") as ds:
        sel = ds.sel(scenario="delayed_pivot")
        log_r = sum(
            sel[v].values.astype(np.float64)
            for v in ("earnings_growth", "multiple_change", "carry")
        )  # (sample, path, horizon)
    ret = np.expm1(log_r.sum(axis=-1))  # (sample, path)
    per_draw = np.array([np.quantile(-r, 0.95, method="inverted_cdf") for r in ret])
    # draw_metrics.nc stores the per-draw values in float32 (7 significant digits).
    assert value[("var_95", "draw_mean")] == pytest.approx(per_draw.mean(), rel=1e-6)
    raw_q05 = np.quantile(per_draw, 0.05, method="inverted_cdf")
    assert value[("var_95", "draw_q05_raw")] == pytest.approx(raw_q05, rel=1e-6)
    # This folder's draw_metrics.nc (NumPy reference reducer) has no noise estimates, so
    # nothing is taken out; tests/test_pipeline.py checks the correction on a real run.
    assert np.isnan(value[("var_95", "mc_noise_share")])
    k = 1.0
    mean = per_draw.mean()
    assert value[("var_95", "draw_q05")] == pytest.approx(mean + k * (raw_q05 - mean), rel=1e-5)
    raw_median = np.quantile(per_draw, 0.5, method="inverted_cdf")
    assert value[("var_95", "draw_median")] == pytest.approx(
        mean + k * (raw_median - mean), rel=1e-5
    )
    # Maximum drawdown by brute force over every path's wealth, W_0 = 1 included.
    mdd = []
    for path in log_r.reshape(-1, log_r.shape[-1]):
        wealth = np.exp(np.concatenate([[0.0], np.cumsum(path)]))
        mdd.append(max(1 - wealth[t] / wealth[: t + 1].max() for t in range(len(wealth))))
    assert value[("max_drawdown_q50", "pooled")] == pytest.approx(
        np.quantile(mdd, 0.5, method="inverted_cdf"), rel=1e-9
    )
    assert value[("max_drawdown_mean", "pooled")] == pytest.approx(np.mean(mdd), rel=1e-9)


def test_summary_json(built: Path) -> None:
    summary = json.loads((built / "summary.json").read_text())
    assert summary["headline_horizons_quarters"] == [4, 8, 12]
    assert summary["pooled_paths_per_scenario"] == 16 * 40
    assert summary["per_draw_metrics_from"].startswith("draw_metrics.nc")
    assert list(summary["scenarios"]) == list(SCEN)
    assert summary["scenarios"]["base"]["description"] == EVIL
    cell = summary["blend"]["horizons"]["12"]["cvar_95"]
    assert set(cell) == {*STATISTICS, "pooled_mc_se"}
    assert cell["draw_q05"] <= cell["draw_median"] <= cell["draw_q95"]
    assert summary["blend_weights"] == pytest.approx(
        {"base": 0.5, "delayed_pivot": 0.3, "aggressive_easing": 0.2}
    )


def test_every_png_is_non_blank(built: Path) -> None:
    pngs = sorted((built / "figures").glob("*.png"))
    names = {p.name for p in pngs}
    assert names == {
        "distribution_4q.png",
        "distribution_12q.png",
        "fan_base.png",
        "fan_delayed_pivot.png",
        "fan_aggressive_easing.png",
        "var_cvar.png",
        "attribution.png",
        "risk_by_horizon.png",
    }
    for png in pngs:
        pixels = imread(png)[..., :3]
        assert pixels.var() > 1e-3, png.name


def test_html_is_self_contained_and_escaped(built: Path) -> None:
    page = (built / "report.html").read_text()
    for name in SCEN:
        assert name in page
    assert "blend" in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;img" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "url(" not in page
    for tag in ("<link", "<iframe", "<object", "<embed", "@import", "<base"):
        assert tag not in page.lower()
    assert page.count("data:image/png;base64,") == len(list((built / "figures").glob("*.png")))
    for section in (
        "<b>Question.</b>",
        "<b>Answer.</b>",
        "id='headline'",
        ">Why</h2>",
        "valuation reversion",
        "skeleton total",
        "Versus base",
        "id='versus-base'",
        "Risk detail",
        "Attribution tables",
        "Long-run effects",
        "real 10y yield",
        "Identification summary",
        "Run manifest",
        "Resolved config",
    ):
        assert section in page, section
    assert "gs_b_df" in page  # the model's identification table
    # The answer comes before the explanation, the model and provenance last.
    order = [
        page.index(k)
        for k in ("id='headline'", "<h2>Why</h2>", "<h2>Versus base</h2>", "<h2>Risk detail</h2>")
    ]
    assert order == sorted(order) and page.index("Model &amp; provenance</h2>") > order[-1]
    # The model's figures are copied into the run folder and linked from there.
    assert "href='figures/model/trace.png'" in page
    assert (built / "figures" / "model" / "trace.png").is_file()
    # No absolute machine paths: scenario files and the model folder relative to the project.
    assert str(built.parents[1]) not in page
    assert "models/m123" in page


def test_each_scenario_is_shown_against_the_priced_in_path(built: Path) -> None:
    # The median-path table: the market's path (held after its 8 quarters) at the headline
    # horizons, and each scenario's median fed funds minus it.
    import xarray as xr

    page = (built / "report.html").read_text()
    priced = [PRICED_IN[min(h, len(PRICED_IN)) - 1] for h in (4, 8, 12)]
    market = "".join(f"<td>{v:.2f}</td>" for v in priced)
    assert f"fed funds priced in, %</td>{market}</tr>" in page
    with xr.open_dataset(built / "simulation.nc") as sim:
        for name in SCEN:
            ff = sim["fedfunds"].sel(scenario=name).values.astype(np.float64)
            med = np.quantile(ff.reshape(-1, ff.shape[-1]), 0.5, axis=0, method="inverted_cdf")
            cells = "".join(
                f"<td>{med[h - 1] - p:+.2f}</td>" for h, p in zip((4, 8, 12), priced, strict=True)
            )
            assert f"{name}</td><td class='l'>fed funds minus priced in, pp</td>{cells}" in page


def test_existing_report_is_not_overwritten_silently(built: Path) -> None:
    before = _snapshot(built)
    with pytest.raises(RunOutputError, match="already has report files.*--overwrite"):
        build_report(built)
    assert _snapshot(built) == before


def test_rebuild_replaces_report_and_keeps_run_files(tmp_path: Path) -> None:
    folder = make_run_folder(tmp_path, n_sample=6, n_path=10, n_horizon=4, with_model=False)
    sim_hash = hashlib.sha256((folder / "simulation.nc").read_bytes()).hexdigest()
    (folder / "figures").mkdir()
    (folder / "figures" / "stale.png").write_bytes(b"old")
    (folder / "report.html").write_text("old report")
    files = build_report(
        folder,
        overwrite_report=True,
        weights={"base": 1, "delayed_pivot": 1, "aggressive_easing": 1},
    )
    assert not (folder / "figures" / "stale.png").exists()
    assert all(p.is_file() for p in files.figures)
    assert hashlib.sha256((folder / "simulation.nc").read_bytes()).hexdigest() == sim_hash
    summary = json.loads(files.summary_json.read_text())
    assert summary["blend_weights"]["base"] == pytest.approx(1 / 3)
    assert summary["headline_horizons_quarters"] == [4]
    # No temporary or backup folders left beside the run.
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]
    assert "not found" in files.report_html.read_text()  # no model folder: said so


def _cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from rutsim.cli import main; main()", "report", str(folder), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("damage", ["missing", "corrupt", "truncated"])
def test_cli_on_broken_simulation_gives_one_message_and_changes_nothing(
    tmp_path: Path, damage: str
) -> None:
    folder = make_run_folder(tmp_path, n_sample=4, n_path=6, n_horizon=4, with_model=False)
    sim = folder / "simulation.nc"
    if damage == "missing":
        sim.unlink()
    elif damage == "corrupt":
        sim.write_bytes(b"this is not a netcdf file\n" * 10)
    else:
        sim.write_bytes(sim.read_bytes()[:2000])
    before = _snapshot(folder)
    result = _cli(folder)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    expected = (
        "simulation.nc (or simulation.zarr) is missing"
        if damage == "missing"
        else "cannot be read as NetCDF"
    )
    assert expected in result.stderr
    assert "rutsim run" in result.stderr  # the fix
    assert _snapshot(folder) == before
    assert not any(p.name in REPORT_ENTRIES for p in folder.iterdir())


def test_cli_rebuilds_a_report(tmp_path: Path) -> None:
    folder = make_run_folder(tmp_path, n_sample=4, n_path=6, n_horizon=4, with_model=False)
    result = _cli(folder, "--weight", "base=2")
    assert result.returncode == 0, result.stderr
    assert "report.html" in result.stdout
    bad = _cli(folder, "--overwrite", "--weight", "base")
    assert bad.returncode == 2
    assert "not NAME=NUMBER" in bad.stderr


def test_failure_mid_build_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    folder = make_run_folder(tmp_path, n_sample=4, n_path=6, n_horizon=4, with_model=False)
    before = _snapshot(folder)

    def boom(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("figure failed")

    import rutsim.report._drawing as drawing

    monkeypatch.setattr(drawing, "attribution_chart", boom)
    with pytest.raises(RuntimeError, match="figure failed"):
        build_report(folder)
    assert _snapshot(folder) == before


def test_the_report_states_monte_carlo_noise_and_marks_thin_tails(built: Path) -> None:
    page = (built / "report.html").read_text()
    table = pd.read_parquet(built / "metrics.parquet")
    assert "<b>Monte Carlo noise.</b>" in page
    # 40 paths per draw: VaR and CVaR rest on 2 (95%) or 0.4 (99%) tail paths per draw;
    # the median and the mean rest on every path.
    flagged = set(table.metric[table.flag == "few_tail_paths"])
    assert {"var_95", "cvar_95", "var_99", "cvar_99"} <= flagged
    assert not {"return_mean", "return_median", "prob_loss"} & flagged
    note = page[page.index("<b>Monte Carlo noise.</b>") :].split("</p>")[0]
    assert "thin tail" in page and "VaR 99%" in note and "CVaR 95%" in note
    assert "median return" not in note
    # A flagged cell drops its per-draw band (mostly noise); unflagged cells keep theirs.
    assert "per-draw band not shown" in page


def test_a_figure_helper_draws_the_same_bytes_and_is_not_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Figures drawn partly in the helper process equal those drawn in one process, and a
    helper that died before its request leaves the caller to draw everything."""
    from rutsim.report._drawing import draw_figures, figure_helper, figure_jobs, split
    from rutsim.report._history import load_history
    from rutsim.runs import load_run, resolve_weights, run_metrics

    folder = make_run_folder(tmp_path, n_sample=6, n_path=10, n_horizon=4, with_model=False)
    run = load_run(folder)
    weights = resolve_weights(run, None)
    table = run_metrics(run, weights)
    n_h = run.simulation.sizes["horizon"]
    history = load_history(run)
    alone = draw_figures(run, table, weights, n_h, history)
    jobs = figure_jobs(run, table, weights, n_h, history)
    mine, theirs = split(jobs)
    assert sorted(mine + theirs) == sorted(jobs) and mine and theirs
    assert split(jobs) == (mine, theirs)  # the same split every time
    monkeypatch.setenv("RUTSIM_FIGURE_HELPER", "1")
    with figure_helper() as helper:
        assert helper is not None
        shared = draw_figures(run, table, weights, n_h, history, helper)
        assert helper.drawn == tuple(theirs)  # drawn there, not redrawn here
    assert list(shared) == list(alone)  # the report's order
    assert shared == alone
    with figure_helper() as helper:
        assert helper is not None
        helper._proc.kill()
        helper._proc.join()
        assert draw_figures(run, table, weights, n_h, history, helper) == alone
        assert helper.drawn == ()
    with figure_helper() as helper:  # what cannot be pickled is not sent (drawn here)
        assert helper is not None
        assert helper.request((lambda: None,)) is False
    monkeypatch.setenv("RUTSIM_FIGURE_HELPER", "0")
    with figure_helper() as helper:
        assert helper is None


_MASK_OF_A_NEW_HELPER = """
import os, re, signal, time
from pathlib import Path
from rutsim.report._drawing import figure_helper
before = signal.pthread_sigmask(signal.SIG_BLOCK, set())
with figure_helper() as helper:
    status = Path(f"/proc/{helper.pid}/status").read_text()
    blocked = int(re.search(r"SigBlk:\\s*([0-9a-f]+)", status).group(1), 16)
    os.kill(helper.pid, signal.SIGINT)
    time.sleep(0.5)
    alive = helper._proc.is_alive()
    print(bool(blocked & (1 << (signal.SIGINT - 1))), alive,
          signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before)
print(helper._proc.is_alive())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_figure_helper_never_sees_ctrl_c() -> None:
    """Ctrl-C reaches the whole process group: the helper has SIGINT blocked from its
    start (no traceback while it imports) and outlives one, while the caller's signal
    mask is as it was. In a new interpreter, where spawning also starts multiprocessing's
    resource tracker (which unblocks SIGINT after its own start)."""
    import os

    env = {**os.environ, "RUTSIM_FIGURE_HELPER": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _MASK_OF_A_NEW_HELPER],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True", "False"], done.stdout
    assert "Traceback" not in done.stderr, done.stderr
