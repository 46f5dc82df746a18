"""`rutsim run` / `rutsim.pipeline.run`: the run folder, reproducibility and bad input.

The fast tests replace the fit with synthetic posterior draws (fitting is tested by the
model layer); the slow test runs the real CLI with a real tiny fit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import rutsim.pipeline
from helpers import TINY, fake_fit
from rutsim.cli import main
from rutsim.config import RunConfig, load_run_config, validate_model
from rutsim.errors import ConfigError, RunOutputError, ScenarioError
from rutsim.pipeline import run
from rutsim.runs import load_run, make_run_id

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with configs/tiny.toml; the fit is replaced by synthetic draws."""
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "tiny.toml").write_text(TINY.format(scenarios=SCENARIOS))
    # Direct calls pass fit=fake_fit; the CLI calls pipeline.run without a fit argument,
    # so for the CLI tests its documented default is replaced.
    monkeypatch.setattr(rutsim.pipeline, "fit_or_load", fake_fit)
    return tmp_path


def _config(project: Path) -> Path:
    return project / "configs" / "tiny.toml"


def test_run_writes_a_complete_run_folder(project: Path) -> None:
    res = run(_config(project), name="first", progress=False, echo=None, fit=fake_fit)
    folder = project / "outputs" / "first"
    assert res.folder == folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "config.toml",
        "draw_metrics.nc",
        "drivers.csv",
        "manifest.json",
        "metrics.csv",
        "metrics.parquet",
        "pooled.nc",
        "simulation.nc",
        "summary.json",
    ]
    loaded = load_run(folder)  # the risk layer's validation of Contract 4
    sim = loaded.simulation
    assert dict(sim.sizes) == {"scenario": 2, "sample": 6, "path": 5, "horizon": 8}
    assert list(sim["scenario"].values) == ["base", "delayed_pivot"]
    assert list(sim["quarter"].values[:2]) == ["2025Q4", "2026Q1"]
    # 6 of 10 samples, evenly thinned; chain-major split into chain/draw (5 draws/chain)
    np.testing.assert_array_equal(sim["sample"].values, [0, 2, 4, 5, 7, 9])
    np.testing.assert_array_equal(sim["chain"].values, [0, 0, 0, 1, 1, 1])
    assert sim["total_return"].attrs["units"] == "log return per quarter"
    assert sim.attrs["model_id"] == "synthetic0001" and sim.attrs["seed"] == 7
    assert json.loads(sim.attrs["config_json"])["simulation"]["horizon"] == 8
    assert loaded.draw_metrics is not None
    # The run's scenarios, then the per-draw blend of the same draws.
    assert dict(loaded.draw_metrics.sizes) == {"scenario": 3, "sample": 6, "horizon": 8}
    assert list(loaded.draw_metrics["scenario"].values) == ["base", "delayed_pivot", "blend"]
    assert loaded.pooled is not None
    scenarios = loaded.pooled["count"].sel(scenario=["base", "delayed_pivot"])
    assert (scenarios.sum("bin") == 6 * 8).all()  # every path of every draw
    # The blend entry: the scenarios' bins mixed with the weights, probabilities.
    blend = loaded.pooled["count"].sel(scenario="blend").sum("bin")
    np.testing.assert_allclose(blend, 1.0)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["run_id"] == "first"
    # every file hashed: the run's own, and the report files it wrote
    assert set(manifest["files"]) == {
        "config.toml",
        "draw_metrics.nc",
        "drivers.csv",
        "pooled.nc",
        "simulation.nc",
    }
    assert set(manifest["report_files"]) == {"metrics.csv", "metrics.parquet", "summary.json"}
    assert [s["name"] for s in manifest["scenarios"]] == ["base", "delayed_pivot"]
    assert abs(sum(s["weight"] for s in manifest["scenarios"]) - 1) < 1e-12
    assert manifest["versions"]["jax"] != "not installed"
    assert set(manifest["timings_s"]) >= {"model", "simulate"}
    # the saved config loads back to the config the run used, its paths relative to the
    # project root (no path of this machine in a run folder)
    again = validate_model(RunConfig, tomllib.loads((folder / "config.toml").read_text()), "x")
    assert again.outputs.dir == Path("outputs")
    assert str(project) not in (folder / "config.toml").read_text()
    assert again.simulation == load_run_config(_config(project)).simulation
    # The hash is of the config as written (relative paths), so it is the same in every
    # checkout; config.toml records the resolved paths.
    assert manifest["config_hash"] == load_run_config(_config(project)).config_hash()
    assert manifest["config_hash"] != again.config_hash()
    # what drives the centre: per scenario and quarter, parts that add up to the skeleton
    import pandas as pd

    drivers = pd.read_csv(folder / "drivers.csv")
    assert list(drivers["scenario"].unique()) == ["base", "delayed_pivot"]
    assert list(drivers["quarter"][:8]) == list(range(1, 9))
    parts = [
        "valuation_reversion",
        "earnings_trend",
        "rates",
        "policy_surprise",
        "credit",
        "activity",
    ]
    np.testing.assert_allclose(drivers[parts].sum(axis=1), drivers["total"], atol=1e-8)
    # the two scenarios share the held-driver parts and differ in their rates and credit
    base, pivot = (
        drivers[drivers["scenario"] == n].reset_index() for n in ("base", "delayed_pivot")
    )
    np.testing.assert_allclose(base["valuation_reversion"], pivot["valuation_reversion"])
    assert not np.allclose(base["credit"], pivot["credit"])
    # the printed table: pooled headline numbers at 4 and 8 quarters, scenarios and blend
    assert res.table.shape == (6, 5)
    assert list(res.table.index[:3]) == [(4, "base"), (4, "delayed_pivot"), (4, "blend")]
    assert ((res.table["prob_loss"] >= 0) & (res.table["prob_loss"] <= 1)).all()
    table = pd.read_parquet(folder / "metrics.parquet")
    pooled = table[(table.statistic == "pooled") & (table.metric == "var_95")]
    assert (
        res.table.loc[(8, "blend"), "var_95"]
        == pooled[(pooled.scenario == "blend") & (pooled.horizon == 8)].value.item()
    )
    # Monte Carlo noise: an error beside every pooled mean, quantile, VaR and CVaR, and
    # the band with the noise share taken out of the raw one
    assert (pooled.mc_se > 0).all()
    wide = table[(table.metric == "return_median")].pivot_table(
        index=["scenario", "horizon"], columns="statistic", values="value"
    )
    assert wide.mc_noise_share.between(0, 10).all()
    k = np.sqrt(np.clip(1 - wide.mc_noise_share, 0, 1))
    mean = wide.draw_mean
    np.testing.assert_allclose(wide.draw_q05, mean + k * (wide.draw_q05_raw - mean), rtol=1e-9)
    assert (wide.draw_q95 - wide.draw_q05 <= wide.draw_q95_raw - wide.draw_q05_raw + 1e-12).all()
    flagged = set(table[table.flag == "few_tail_paths"].metric)
    assert "cvar_99" in flagged and "return_mean" not in flagged


def test_same_config_and_seed_give_identical_values(project: Path) -> None:
    a = run(_config(project), name="a", progress=False, echo=None, fit=fake_fit)
    b = run(_config(project), name="b", progress=False, echo=None, fit=fake_fit)
    with xr.open_dataset(a.folder / "simulation.nc", engine="h5netcdf") as da:
        with xr.open_dataset(b.folder / "simulation.nc", engine="h5netcdf") as db:
            for name in da.data_vars:
                np.testing.assert_array_equal(da[name].values, db[name].values)


def test_the_run_reports_from_memory_exactly_what_rutsim_report_reads_back(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also: the run draws part of its figures in a helper process, the rebuild none."""
    import shutil

    from rutsim.report import build_report

    monkeypatch.setenv("RUTSIM_FIGURE_HELPER", "1")
    res = run(
        _config(project), name="mem", progress=False, echo=None, fit=fake_fit,
        overrides=["outputs.figures=true", "outputs.report=true"],
    )  # fmt: skip
    copy = project / "outputs" / "reread"
    shutil.copytree(res.folder, copy)
    monkeypatch.setenv("RUTSIM_FIGURE_HELPER", "0")
    build_report(copy, overwrite_report=True)  # loads the folder from disk
    compared = ["metrics.parquet", "metrics.csv", "summary.json"]
    compared += [p.relative_to(res.folder).as_posix() for p in res.folder.glob("figures/*.png")]
    assert len(compared) > 5
    for name in compared:
        assert (res.folder / name).read_bytes() == (copy / name).read_bytes(), name


def test_an_existing_run_is_never_overwritten(project: Path) -> None:
    run(_config(project), name="same", progress=False, echo=None, fit=fake_fit)
    before = (project / "outputs" / "same" / "simulation.nc").stat().st_mtime_ns
    with pytest.raises(RunOutputError, match="never overwrites"):
        run(_config(project), name="same", progress=False, echo=None, fit=fake_fit)
    assert (project / "outputs" / "same" / "simulation.nc").stat().st_mtime_ns == before
    assert [p.name for p in (project / "outputs").iterdir()] == ["same"]


def test_run_id_defaults_to_timestamp_and_hash_and_rejects_unsafe_names() -> None:
    cfg = RunConfig()
    rid = make_run_id(cfg.config_hash(), None)
    assert rid.endswith(cfg.config_hash()[:8]) and rid[:8].isdigit()
    with pytest.raises(ConfigError, match="not a safe folder name"):
        make_run_id(cfg.config_hash(), "../escape")


@pytest.mark.parametrize(
    ("edit", "error", "message"),
    [
        ("horizon = 8", ConfigError, "simulation.horizon': must be at least 1"),
        ("paths_per_draw = 8", ConfigError, "simulation.paths_per_draw'"),
        ("keep_paths = 5", ConfigError, "simulation.colour': unknown key"),
        ('names = ["base", "delayed_pivot"]', ScenarioError, "no_such_scenario"),
    ],
)
def test_bad_input_gives_one_message_and_no_folder(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    edit: str,
    error: type,
    message: str,
) -> None:
    replacement = {
        "horizon = 8": "horizon = 0",
        "paths_per_draw = 8": "paths_per_draw = 0",
        "keep_paths = 5": "keep_paths = 5\ncolour = 1",
        'names = ["base", "delayed_pivot"]': 'names = ["base", "no_such_scenario"]',
    }[edit]
    path = _config(project)
    path.write_text(path.read_text().replace(edit, replacement))
    with pytest.raises(error, match=message):
        run(path, name="bad", progress=False, echo=None, fit=fake_fit)
    # the CLI: one message on stderr, exit code 2, no run folder (not even a temporary one)
    monkeypatch.setattr(sys, "argv", ["rutsim", "run", str(path), "--name", "bad", "--quiet"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert not (project / "outputs").exists() or not any((project / "outputs").iterdir())


def test_cli_runs_end_to_end_and_reports_errors(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        sys, "argv", ["rutsim", "run", str(_config(project)), "--name", "cli", "--quiet"]
    )
    main()
    out = capsys.readouterr().out
    assert "run cli -> " in out and "delayed_pivot" in out and "8 quarters (to 2027Q3)" in out
    assert "VaR 95" in out and "  blend " in out
    assert "gate passed" in out and "prior-driven, not learned from data: q_phi, q_sigma" in out
    assert (project / "outputs" / "cli" / "simulation.nc").is_file()
    # the same name again: one message, exit code 2, nothing replaced
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    assert "already exists" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_with_a_real_tiny_fit(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    config = tmp_path / "configs" / "tiny.toml"
    config.write_text(
        TINY.format(scenarios=SCENARIOS)
        .replace("figures = false", "figures = true")
        .replace("report = false", "report = true")
        + "\n[sampler]\nchains = 1\ndraws = 60\ntune = 60\ncores = 1\nallow_unconverged = true\n"
    )
    env = {**os.environ, "MPLBACKEND": "Agg"}
    cmd = [str(Path(sys.executable).parent / "rutsim"), "run", str(config), "--name", "r"]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "base" in res.stdout
    run_data = load_run(tmp_path / "outputs" / "r")
    assert run_data.manifest.model_id and (tmp_path / "outputs" / "r" / "report.html").is_file()


def test_the_time_estimate_uses_the_speed_this_machine_measured(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rutsim.config import SimulationConfig
    from rutsim.runs import CACHE_ENV, FIRST_CHUNK, SIMULATE_RATE, estimate_budget
    from rutsim.status import reporting

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    sim = SimulationConfig()
    before = estimate_budget(sim, 4, 4000)
    assert not before.measured and "benchmark rate" in before.describe_time()
    lines: list[str] = []
    with reporting(lines.append):
        run(_config(project), name="timed", progress=False, echo=None, fit=fake_fit)
    saved = json.loads((tmp_path / "cache" / "timings.json").read_text())
    assert saved[SIMULATE_RATE] > 0 and saved[FIRST_CHUNK] > 0
    after = estimate_budget(sim, 4, 4000)
    assert after.measured and "this machine measured" in after.describe_time()
    steps = 4 * min(4000, sim.max_draws) * sim.paths_per_draw * sim.horizon
    cores = min(sim.workers, os.cpu_count() or 1)
    assert after.seconds == pytest.approx(steps * saved[SIMULATE_RATE] / cores)
    with reporting(lines.append):
        run(_config(project), name="timed2", progress=False, echo=None, fit=fake_fit)
    assert any("this machine measured in its last run" in line for line in lines)
    # An unreadable cache is no measurement, never an error.
    (tmp_path / "cache" / "timings.json").write_text("{not json")
    assert not estimate_budget(sim, 4, 4000).measured
