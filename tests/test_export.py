"""``rutsim export`` and the shareable run folder: vectors a risk system reads, no machine paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xarray as xr

import rutsim.pipeline
import rutsim.report._export as export_module
from helpers import TINY, _make_model, fake_fitted, make_run_folder, run_cli
from rutsim.errors import ConfigError, RunOutputError
from rutsim.report import export_run
from rutsim.risk import BLEND, BLEND_WEIGHTS_ATTR, quantile_se, value_at_risk
from rutsim.runs import load_run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run_folder(tmp_path_factory.mktemp("export"), n_sample=20, n_path=40)


def _var_95(table: pd.DataFrame, entity: str, h: int) -> float:
    sel = table[
        (table.scenario == entity)
        & (table.horizon == h)
        & (table.metric == "var_95")
        & (table.statistic == "pooled")
    ]
    return float(sel.value.iloc[0])


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
def test_export_reads_back_and_its_var_agrees_within_the_stated_error(
    run_folder: Path, tmp_path: Path, fmt: str
) -> None:
    files = export_run(run_folder, out=tmp_path / "exp", fmt=fmt, paths=400)
    names = {p.name for p in files.files}
    assert {"README.md", "manifest.json"} <= names
    if fmt == "xlsx":
        book = openpyxl.load_workbook(tmp_path / "exp" / "export.xlsx", read_only=True)
        assert book.sheetnames == ["README", "paths", "metrics"]
        sheets = pd.read_excel(tmp_path / "exp" / "export.xlsx", sheet_name=None)
        paths, metrics, readme = sheets["paths"], sheets["metrics"], sheets["README"]
        assert set(readme.column[readme.table == "paths"]) == set(paths.columns)
    else:
        read = pd.read_parquet if fmt == "parquet" else pd.read_csv
        paths = read(tmp_path / "exp" / f"paths.{fmt}")
        metrics = read(tmp_path / "exp" / f"metrics.{fmt}")
    run = load_run(run_folder)
    n_h = run.simulation.sizes["horizon"]
    assert len(paths) == len(run.scenarios) * 400 * n_h
    assert paths.groupby("scenario").weight.sum().round(9).eq(n_h).all()
    assert paths.blend_weight.sum() == pytest.approx(n_h)
    assert paths.quarter.iloc[0] == "2025Q4" and "unit" in metrics.columns
    # Every column is defined in the README.
    readme_text = (tmp_path / "exp" / "README.md").read_text()
    assert all(f"| {c} |" in readme_text for c in paths.columns)
    # The exported sample's VaR 95 at 4 quarters, against metrics (every path).
    for name in run.scenarios:
        loss = -paths.total_return[(paths.scenario == name) & (paths.horizon == 4)].to_numpy()
        var = float(value_at_risk(loss, 0.95))
        se = float(quantile_se(loss[None], np.ones((1, loss.size)), 0.95, np.array([400.0]))[0])
        assert abs(var - _var_95(metrics, name, 4)) <= 3 * se, (name, var, se)
    manifest = json.loads((tmp_path / "exp" / "manifest.json").read_text())
    assert manifest["export_of_run"] == run.manifest.run_id
    assert manifest["data_hash"] == run.manifest.data_hash
    checked = manifest["var_95_check"]["entities"]
    assert set(checked) == {*run.scenarios, BLEND}
    assert all(abs(c["difference_in_se"]) <= 3 for c in checked.values())
    for name, digest in manifest["files"].items():
        import hashlib

        assert hashlib.sha256((tmp_path / "exp" / name).read_bytes()).hexdigest() == digest


def test_export_refuses_bad_options_and_never_overwrites(
    run_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "exp"
    with pytest.raises(ConfigError, match="--format 'json' is not one of parquet, csv, xlsx"):
        export_run(run_folder, out=out, fmt="json")
    with pytest.raises(ConfigError, match="the run keeps 800 paths per scenario"):
        export_run(run_folder, out=out, paths=801)
    monkeypatch.setattr(export_module, "EXCEL_ROWS", 100)
    with pytest.raises(ConfigError, match="more than an Excel sheet holds"):
        export_run(run_folder, out=out, fmt="xlsx", paths=10)
    assert not out.exists()
    code, stdout, err = run_cli(monkeypatch, capsys, "export", str(run_folder), "--out", str(out))
    assert code == 0, err
    assert "Monte Carlo standard errors of metrics.parquet" in stdout
    before = (out / "manifest.json").read_bytes()
    code, _, err = run_cli(monkeypatch, capsys, "export", str(run_folder), "--out", str(out))
    assert code != 0 and "already exists" in err and "--overwrite" in err
    assert (out / "manifest.json").read_bytes() == before
    with pytest.raises(RunOutputError):
        export_run(run_folder, out=out)


def test_pooled_nc_carries_the_blend_and_its_weights(tmp_path: Path) -> None:
    from rutsim.risk import DRAWDOWN_SUMS, RETURN_SUMS
    from rutsim.runs import pooled_dataset

    rng = np.random.default_rng(0)
    # Every horizon bins the same paths: 100 per scenario.
    sums = {k: rng.dirichlet(np.ones(8194), size=(2, 3)) * 100 for k in RETURN_SUMS}
    sums |= {k: rng.dirichlet(np.ones(4096), size=(2, 3)) * 100 for k in DRAWDOWN_SUMS}
    ds = pooled_dataset(sums, scenarios=["a", "b"], horizon=3, weights=[0.25, 0.75])
    assert list(ds.scenario.values) == ["a", "b", BLEND]
    assert json.loads(ds.attrs[BLEND_WEIGHTS_ATTR]) == [0.25, 0.75]
    np.testing.assert_allclose(ds["count"].sel(scenario=BLEND).sum("bin"), 1.0)


def _fit_with_model(project: Path) -> object:
    fitted = fake_fitted()
    model = project / "models" / fitted.model_id
    if not model.exists():
        _make_model(model)

    def fit(config: object, **kwargs: object) -> SimpleNamespace:
        return SimpleNamespace(**{**vars(fitted), "path": model})

    return fit


def test_a_run_folder_moved_elsewhere_holds_no_machine_path_and_its_report_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "configs").mkdir(parents=True)
    shutil.copytree(ROOT / "scenarios", project / "scenarios")
    config = TINY.format(scenarios="scenarios").replace("report = false", "report = true")
    (project / "configs" / "tiny.toml").write_text(config)
    monkeypatch.chdir(tmp_path)
    result = rutsim.pipeline.run(
        project / "configs" / "tiny.toml",
        name="shared",
        progress=False,
        echo=None,
        fit=_fit_with_model(project),  # type: ignore[arg-type]
    )
    moved = tmp_path / "elsewhere" / "shared"
    moved.parent.mkdir()
    shutil.move(result.folder, moved)
    machine = [str(tmp_path), str(ROOT), str(Path.home())]
    for f in moved.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert not any(m.encode() in data for m in machine), f
    with xr.open_dataset(moved / "simulation.nc", engine="h5netcdf") as ds:
        assert '"dir": "scenarios"' in ds.attrs["config_json"]
    page = (moved / "report.html").read_text()
    links = [h for h in __import__("re").findall(r"href='([^'#][^']*)'", page)]
    assert links and all((moved / h).is_file() for h in links), links
    assert all(h.startswith("figures/model/") for h in links)
    # The moved folder still loads and verifies.
    assert load_run(moved).manifest.model_dir == "models/synthetic0001"


def test_export_takes_the_runs_own_metrics_table(run_folder: Path, tmp_path: Path) -> None:
    from rutsim.report import build_report

    folder = tmp_path / "outputs" / run_folder.name
    shutil.copytree(run_folder, folder)
    build_report(folder)
    export_run(folder, out=tmp_path / "exp", paths=50)
    exported = pd.read_parquet(tmp_path / "exp" / "metrics.parquet")
    assert exported.equals(pd.read_parquet(folder / "metrics.parquet"))
